"""The synthetic identities' Faker picks, cached (``identities._cached_picks``): the same
output for a seed as Faker's own weighted picks, only faster."""

from __future__ import annotations

import hashlib
from collections import OrderedDict

import faker
import pytest
from faker import Faker

from openbureau.synthetic import identities


def _digest(pop: identities.Population) -> str:
    """Every person's and every record's fields (their reprs), in order."""
    h = hashlib.sha256()
    for p in pop.people:
        h.update(repr(p).encode() + b"\n")
    for r in pop.records:
        h.update(repr(r).encode() + b"\n")
    return h.hexdigest()


# Computed with the code before the cache (commit 60a3b06, Faker 40.63.0, Python 3.11.7):
#   pop = identities.population(3000, seed=7); _digest(pop)   (3,000 people, 10,453 records)
# The names and addresses are Faker's tables, so the value holds for that Faker version only.
# The surname-first stratum came later, from streams of its own: without it (share 0) the
# population is still that one.
BEFORE_3000_SEED_7 = "38e1fbfcce366af575ee3711b878e8d7d5cbfaf37a653362394a5d9400296339"


@pytest.mark.skipif(faker.VERSION != "40.63.0", reason="digest taken with Faker 40.63.0")
def test_population_is_byte_for_byte_what_it_was_before_the_cache():
    pop = identities.population(3000, seed=7, surname_first=0.0)
    assert len(pop.records) == 10_453
    assert _digest(pop) == BEFORE_3000_SEED_7


def test_cached_picks_give_fakers_own_population(monkeypatch):
    """Any Faker version: the population with the cache is the population without it."""
    cached = identities.population(800, seed=19)
    monkeypatch.setattr(identities, "_cached_picks", lambda fake: None)
    plain = identities.population(800, seed=19)
    assert cached == plain


@pytest.mark.parametrize("call", [
    lambda f, t: f.random_elements(t, length=5),
    lambda f, t: f.random_elements(t),                          # length drawn first
    lambda f, t: f.random_elements(t, length=3, unique=True),   # Faker's own
    lambda f, t: f.random_elements(t, length=4, use_weighting=False),
    lambda f, t: f.random_elements(("x", "y", "z"), length=4),  # a sequence
    lambda f, t: f.random_element(t),
    lambda f, t: f.random_choices(t, length=6),
    lambda f, t: (f.last_name(), f.first_name_female(), f.street_address(), f.city()),
])
def test_each_kind_of_pick_draws_what_faker_draws(call):
    table = OrderedDict([("a", 0.45), ("b", 0.35), ("c", 0.15), ("d", 0.05)])
    plain, cached = Faker("en_US"), Faker("en_US")
    plain.seed_instance(5)
    cached.seed_instance(5)
    identities._cached_picks(cached)
    for _ in range(50):
        assert call(cached, table) == call(plain, table)
    assert cached.random.random() == plain.random.random()     # the same draws consumed


def test_a_plain_dict_is_still_refused():
    fake = Faker("en_US")
    identities._cached_picks(fake)
    with pytest.raises(ValueError, match="OrderedDict"):
        fake.random_elements({"a": 1.0}, length=1)


def test_the_cache_is_what_draws(monkeypatch):
    """Through the Faker instance and through a provider's own methods (a last name)."""
    seen: list[int] = []
    table_of = identities._weighted_table
    monkeypatch.setattr(identities, "_weighted_table",
                        lambda elements: seen.append(len(elements)) or table_of(elements))
    fake = Faker("en_US")
    identities._cached_picks(fake)
    fake.random_elements(OrderedDict([("a", 0.5), ("b", 0.5)]), length=2)
    fake.last_name()
    assert seen[0] == 2 and len(seen) >= 2
