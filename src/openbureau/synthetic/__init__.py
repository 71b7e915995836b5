"""Synthetic credit files for the demo, the benchmarks and the tests: no real person's data.

``population`` makes people deterministically by seed, tuned to GMSC's published summary
statistics. It imports the domain (records, months) and numpy, Faker (names and addresses) and
SciPy (the vectorised normal CDF of ``credit_file_columns``), all declared in pyproject.toml;
nothing here touches a database: ``services.demo`` furnishes what it makes.
"""
