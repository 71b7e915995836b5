"""A synthetic population for identity resolution: people as they really are, and the records
furnishers send about them and the applications lenders receive, with the noise of real data.

Deterministic by seed. Each person has a true identity (first, middle, surname, generation
code, national id, birth date, address, phone). The population is built by *households* so the
hard cases occur as they do in life:

- twins (2 % of households): two people, same surname, birth date, address, phone;
  consecutive national ids; different first names (sometimes alike);
- Jr/Sr (2 %): father and son with one first, middle and surname, generation S and J, same
  address; the suffix is left off 30 % of their records;
- couples (12 %): two adults sharing a surname and address, birth years close;
- married (5 % of people): a new surname part-way (later records carry it);
- moved (20 % of people): a new address part-way (later records carry it), and for half of
  them a new phone number;
- surname first (``SURNAME_FIRST``, 2 % of people, drawn from a stream of its own): people
  whose name furnishers write the other way round -- a surname-first culture, form fields
  swapped -- and misspell, a name being unfamiliar to the clerk: half of their records
  without a comma are written "SURNAME FIRST" (no middle name), and a fifth of their records
  have one of the two names misspelt (either order), so some are both ("Bery Daniel").

National ids are drawn from a dense space (``DENSITY`` of consecutive 9xx numbers are issued,
a range the SSA never issues), so a mistyped digit usually hits another real person's number.
Record noise, per account (a furnisher writes one person the same way every month): middle
name in full 45 %, initial 30 %, none 25 %; a nickname for the first name 8 %; a typo in a name
2 %; only the first initial 2 %; a typo in the address 2 %; no national id 3 %; a mistyped id
(one digit, or two transposed) 1 %; another phone number (work) 5 %, none 10 %; birth date
day and month swapped 0.5 %, one part off 0.5 %; "SURNAME, FIRST" order 10 %; "SURNAME
FIRST" without a comma (and without the middle name) 1 % of the others. An application
carries the current name (nickname 5 %, middle in full, initial or none), the suffix as
written, the correct id (no id 10 %) and birth date, and the current address. The rates are
this project's
choices, set from the error studies cited in ``docs/identity.md``; they are parameters here.
The surname-first stratum's draws come from streams of their own: with ``surname_first=0``
the population is the one before that stratum, person for person and record for record.
"""

from __future__ import annotations

import random
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from itertools import accumulate
from typing import Any

from openbureau.domain.record_parts import Address
from openbureau.domain.record_types import SubjectIdentity

DENSITY = 0.85
REVERSED_NAMES = 0.01     # records written "SURNAME FIRST" without a comma
SURNAME_FIRST = 0.02      # people whose records are often written surname first, and misspelt
_SWAPPED = 0.5            # ... of their records (without a comma): surname first
_MISSPELT = 0.2           # ... of their records: one of the two names misspelt
STRATA = ("twin", "jr_sr", "couple", "married", "moved", "single", "surname_first")

_GEN_WRITTEN = {"J": "Jr", "S": "Sr"}


@dataclass(frozen=True, slots=True)
class Person:
    pid: int
    first: str
    middle: str
    surname: str
    gen: str | None
    national_id: str
    born: date
    address: Address
    phone: str
    strata: tuple[str, ...]
    new_surname: str | None = None        # married: the surname of later records
    new_address: Address | None = None    # moved: the address of later records
    new_phone: str | None = None          # moved: half of movers change their number too


@dataclass(frozen=True, slots=True)
class Record:
    """One furnished account's identity, as its furnisher holds it."""

    pid: int
    account: str          # furnisher + account number: one tradeline
    subject: SubjectIdentity
    late: bool            # written after a marriage or a move


@dataclass
class Population:
    people: list[Person]
    records: list[Record] = field(default_factory=list)

    def stratum(self, pid: int) -> tuple[str, ...]:
        return self.people[pid].strata


_TABLES: dict[int, tuple[Any, tuple[Any, ...], list[Any]]] = {}


def _weighted_table(elements: Any) -> tuple[tuple[Any, ...], list[Any]]:
    """A weighted table's keys and cumulative weights, computed once per table (Faker's tables
    are constants of the provider classes; the entry holds the table, so its id stays its)."""
    entry = _TABLES.get(id(elements))
    if entry is None or entry[0] is not elements:
        entry = (elements, tuple(elements.keys()), list(accumulate(elements.values())))
        _TABLES[id(elements)] = entry
    return entry[1], entry[2]


def _cached_picks(fake: Any) -> None:
    """Faker's weighted picks, with each table's cumulative weights computed once.

    Faker's ``random_elements`` on an ``OrderedDict`` (with weighting, not unique) copies the
    weights and calls ``random.choices(keys, weights=w, k=length)``, which accumulates them on
    every call. ``random.choices(keys, cum_weights=list(accumulate(w)), k=length)`` on the same
    ``Random`` makes the same draws (the same ``random()`` calls, the same bisection), so the
    output for a seed is unchanged. Every other case (a sequence, ``unique``, no weighting,
    a plain dict) goes to Faker's own method; ``length=None`` draws its length first, as Faker
    does. The generator's own ``random_elements`` (a provider's method, bound when the provider
    was added) is pointed at that provider's cached one."""
    patched: dict[int, Any] = {}
    generator: Any = None
    for provider in fake.get_providers():
        generator = provider.generator
        original = provider.random_elements

        def random_elements(elements: Any = ("a", "b", "c"), length: int | None = None,
                            unique: bool = False, use_weighting: bool | None = None,
                            provider: Any = provider, original: Any = original) -> Any:
            weighted = (use_weighting if use_weighting is not None
                        else provider.__use_weighting__)
            if unique or not weighted or not isinstance(elements, OrderedDict):
                return original(elements, length=length, unique=unique,
                                use_weighting=use_weighting)
            rnd = provider.generator.random
            if length is None:
                length = rnd.randint(1, len(elements))
            keys, cum = _weighted_table(elements)
            return rnd.choices(keys, cum_weights=cum, k=length)

        provider.random_elements = random_elements
        patched[id(provider)] = random_elements
    owner = getattr(getattr(generator, "random_elements", None), "__self__", None)
    if owner is not None and id(owner) in patched:
        generator.random_elements = patched[id(owner)]


def _faker(seed: int) -> Any:
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(seed)
    _cached_picks(fake)
    return fake


def _nickname(rng: random.Random, first: str) -> str | None:
    from openbureau.identity.features import nickname_set

    options = [n for n in nickname_set(first.casefold()) if n != first.casefold()]
    return rng.choice(options).capitalize() if options else None


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.4:                        # two letters transposed
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind < 0.7:                        # a letter dropped
        return word[:i] + word[i + 1:]
    return word[:i] + rng.choice("aeiourstnl") + word[i + 1:]


def _misspelt(rng: random.Random, first: str, surname: str) -> tuple[str, str]:
    """One of the two names with a typo (one long enough for ``_typo`` to change)."""
    names = [first, surname]
    options = [i for i, name in enumerate(names) if len(name) >= 4]
    if options:
        i = options[rng.randrange(len(options))]
        names[i] = _typo(rng, names[i])
    return names[0], names[1]


def _mistype(rng: random.Random, nid: str) -> str:
    i = rng.randrange(len(nid) - 1)
    if rng.random() < 0.5:
        return nid[:i] + nid[i + 1] + nid[i] + nid[i + 2:] if nid[i] != nid[i + 1] else \
            nid[:i] + str((int(nid[i]) + 1) % 10) + nid[i + 1:]
    return nid[:i] + str((int(nid[i]) + rng.randrange(1, 10)) % 10) + nid[i + 1:]


def people(n: int, seed: int = 11, as_of: date = date(2026, 11, 30),
           surname_first: float = SURNAME_FIRST) -> list[Person]:
    """About ``n`` people in households, with the strata's rates above; ``surname_first``:
    the share in the surname-first stratum, drawn from a stream of its own (everything else
    is the same whatever the share)."""
    rng = random.Random(seed)  # noqa: S311  # nosec B311 (synthetic, reproducible by seed)
    fake = _faker(seed)
    # a dense block of issued numbers in the never-issued 9xx area, shuffled over people
    span = int(n / DENSITY) + 16
    issued = sorted(rng.sample(range(span), min(span, n + 16)))
    numbers = iter(f"9{(k + 1_000_000):08d}" for k in issued)

    def address() -> Address:
        return Address(line1=fake.street_address(), city=fake.city(), state=fake.state_abbr(),
                       postal_code=fake.postcode())

    def born(age: float) -> date:
        return as_of - timedelta(days=int(age * 365.25) + rng.randrange(365))

    def phone() -> str:
        return f"{rng.randrange(201, 989)}{rng.randrange(200, 999)}{rng.randrange(10000):04d}"

    def middle(female: bool) -> str:
        return (fake.first_name_female() if female else fake.first_name_male()) \
            if rng.random() < 0.8 else ""

    out: list[Person] = []

    def add(first: str, mid: str, surname: str, gen: str | None, nid: str, dob: date,
            addr: Address, ph: str, strata: tuple[str, ...]) -> None:
        new_surname = new_address = new_phone = None
        extra: tuple[str, ...] = ()
        if rng.random() < 0.05:
            new_surname = fake.last_name()
            extra += ("married",)
        if rng.random() < 0.20:
            new_address = address()
            new_phone = phone() if rng.random() < 0.5 else None
            extra += ("moved",)
        out.append(Person(len(out), first, mid, surname, gen, nid, dob, addr, ph,
                          strata + extra, new_surname, new_address, new_phone))

    while len(out) < n:
        u = rng.random()
        surname, addr, ph = fake.last_name(), address(), phone()
        if u < 0.02:                                     # twins
            dob = born(rng.uniform(20, 70))
            a, b = next(numbers), next(numbers)
            for nid in (a, b):
                female = rng.random() < 0.5
                first = fake.first_name_female() if female else fake.first_name_male()
                add(first, middle(female), surname, None, nid, dob, addr, ph, ("twin",))
        elif u < 0.04:                                   # Jr and Sr
            first, mid = fake.first_name_male(), fake.first_name_male()
            age = rng.uniform(45, 85)
            add(first, mid, surname, "S", next(numbers), born(age), addr, ph, ("jr_sr",))
            add(first, mid, surname, "J", next(numbers), born(age - rng.uniform(20, 35)),
                addr, phone(), ("jr_sr",))
        elif u < 0.16:                                   # a couple
            age = rng.uniform(22, 85)
            for female in (False, True):
                first = fake.first_name_female() if female else fake.first_name_male()
                add(first, middle(female), surname, None, next(numbers),
                    born(age + rng.uniform(-4, 4)), addr, phone(), ("couple",))
        else:
            female = rng.random() < 0.5
            first = fake.first_name_female() if female else fake.first_name_male()
            add(first, middle(female), surname, None, next(numbers),
                born(rng.uniform(19, 90)), addr, ph, ("single",))
    pick = random.Random(seed * 17 + 3)  # noqa: S311  # nosec B311 (synthetic)
    return [replace(p, strata=(*p.strata, "surname_first"))
            if pick.random() < surname_first else p for p in out[:n]]


def _written(rng: random.Random, p: Person, late: bool, *, nickname: float, typo: float,
             no_id: float, bad_id: float, dob_noise: float, drop_gen: float,
             comma: float, middle_full: float, middle_initial: float, initial: float = 0.0,
             address_typo: float = 0.0, other_phone: float = 0.0, no_phone: float = 0.0,
             reverse: bool = False, misspell: random.Random | None = None
             ) -> SubjectIdentity:
    first = p.first
    if rng.random() < nickname:
        first = _nickname(rng, first) or first
    surname = p.new_surname if (late and p.new_surname) else p.surname
    if rng.random() < initial:
        first = first[:1]
    if rng.random() < typo:
        if rng.random() < 0.5:
            first = _typo(rng, first)
        else:
            surname = _typo(rng, surname)
    if misspell is not None:              # the surname-first stratum's own misspelling
        first, surname = _misspelt(misspell, first, surname)
    u = rng.random()
    mid = p.middle if u < middle_full else (p.middle[:1] if u < middle_full + middle_initial
                                            else "")
    gen = p.gen if (p.gen and rng.random() >= drop_gen) else None
    suffix = f" {_GEN_WRITTEN[gen]}" if gen else ""
    if rng.random() < comma:
        name = f"{surname}, {first} {mid}".strip() + suffix
    elif reverse:                         # surname first, no comma, no middle name
        name = f"{surname} {first}" + suffix
    else:
        name = " ".join(w for w in (first, mid, surname) if w) + suffix
    nid: str | None = p.national_id
    v = rng.random()
    if v < no_id:
        nid = None
    elif v < no_id + bad_id:
        nid = _mistype(rng, p.national_id)
    dob = p.born
    w = rng.random()
    if w < dob_noise and dob.day <= 12 and dob.day != dob.month:
        dob = date(dob.year, dob.day, dob.month)
    elif w < 2 * dob_noise:
        # one part off: the year (29 February, with no such day that year, the 28th)
        year = dob.year + rng.choice((-1, 1))
        dob = date(year, dob.month, 28 if (dob.month, dob.day) == (2, 29) else dob.day)
    address = p.new_address if (late and p.new_address) else p.address
    if address.line1 and rng.random() < address_typo:
        address = replace(address, line1=_typo(rng, address.line1))
    ph: str | None = p.new_phone if (late and p.new_phone) else p.phone
    x = rng.random()
    if x < other_phone:                   # a work or other number
        ph = f"{rng.randrange(201, 989)}{rng.randrange(200, 999)}{rng.randrange(10000):04d}"
    elif x < other_phone + no_phone:
        ph = None
    return SubjectIdentity(nid, name, dob, phone=ph, address=address)


def records(persons: list[Person], seed: int = 11, accounts: tuple[int, int] = (1, 6),
            reversed_names: float = REVERSED_NAMES) -> list[Record]:
    """Each person's accounts, one identity each as its furnisher writes it; where a person
    married or moved, a share of the accounts are opened (written) after. ``reversed_names``:
    the share written surname first without a comma, drawn from a stream of its own (every
    other draw is the same whatever the share); the surname-first stratum's records are
    swapped and misspelt from a third stream."""
    rng = random.Random(seed * 7 + 1)  # noqa: S311  # nosec B311 (synthetic)
    flip = random.Random(seed * 7 + 2)  # noqa: S311  # nosec B311 (synthetic)
    odd = random.Random(seed * 7 + 3)  # noqa: S311  # nosec B311 (synthetic)
    out: list[Record] = []
    for p in persons:
        surname_first = "surname_first" in p.strata
        for k in range(rng.randint(*accounts)):
            late = bool(p.new_surname or p.new_address) and rng.random() < 0.5
            reverse = flip.random() < reversed_names
            misspell: random.Random | None = None
            if surname_first:
                reverse = odd.random() < _SWAPPED or reverse
                misspell = odd if odd.random() < _MISSPELT else None
            subject = _written(rng, p, late, nickname=0.08, typo=0.02, no_id=0.03,
                               bad_id=0.01, dob_noise=0.005, drop_gen=0.3, comma=0.10,
                               middle_full=0.45, middle_initial=0.30, initial=0.02,
                               address_typo=0.02, other_phone=0.05, no_phone=0.10,
                               reverse=reverse, misspell=misspell)
            out.append(Record(p.pid, f"F{rng.randrange(1, 9)}-{p.pid:07d}-{k}", subject, late))
    return out


def applications(persons: list[Person], seed: int = 11) -> Iterator[tuple[int, SubjectIdentity]]:
    """What each person writes on a credit application: their current identity."""
    rng = random.Random(seed * 13 + 5)  # noqa: S311  # nosec B311 (synthetic)
    for p in persons:
        subject = _written(rng, p, True, nickname=0.05, typo=0.0, no_id=0.10, bad_id=0.0,
                           dob_noise=0.0, drop_gen=0.0, comma=0.0, middle_full=0.4,
                           middle_initial=0.3)
        yield p.pid, replace(subject)


def population(n: int, seed: int = 11, surname_first: float = SURNAME_FIRST) -> Population:
    persons = people(n, seed, surname_first=surname_first)
    return Population(persons, records(persons, seed))
