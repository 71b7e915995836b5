"""A synthetic population of credit files, deterministic by seed and tuned to GMSC.

People are made in fixed blocks of ``BLOCK`` by index, each block from its own generators
(numpy ``SeedSequence([seed, block])``, Faker seeded likewise), so person *i* depends only on
(seed, locale, i) and never on how many people were asked for. A block is generated column-wise
(``_Block``); ``generate`` turns it into ``Person`` objects with ``AccountRecord`` lists, the
Parquet writer in ``demo.py`` takes the columns directly.

Each person has a latent risk ``z``. The headline attributes (revolving utilisation, counts of
30/60/90+ days-past-due months in 24, open and real-estate trades, debt ratio, income) get their
marginals from quantile tables read off GMSC (summary statistics only, no rows) through a Gaussian
copula on ``z``; accounts, balances and delinquency episodes are then built so the file shows them.
National ids are never a real person's: en_US ones are 9xx-10..49-xxxx, a range the SSA never
issues and that is not an ITIN; other locales get the country code and ten digits.
"""

from __future__ import annotations

import csv
import gzip
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from openbureau.domain.months import add_months, month_end
from openbureau.domain.national_ids import cn_check_character
from openbureau.domain.records import (
    AccountKind,
    AccountRecord,
    AccountStatus,
    Ecoa,
    OriginalCreditor,
    SubjectIdentity,
)

BLOCK = 1000
MONTHS = 24
CURRENCY = "USD"
# furnisher code -> display name; account refs start with the code
FURNISHERS = {"FB": "Demo First Bank", "SL": "Demo Savings and Loan",
              "HM": "Demo Home Mortgage", "RA": "Demo Recovery Agency"}

# kind codes, in AccountKind order
REV, INST, MORT, OPEN, COLL = range(5)
KINDS = [AccountKind.REVOLVING, AccountKind.INSTALLMENT, AccountKind.MORTGAGE,
         AccountKind.OPEN, AccountKind.COLLECTION]
# status codes: 0 current, 1..6 dpd30..dpd180, then these
CHARGED_OFF, COLLECTION, PAID, CLOSED = 7, 8, 9, 10
STATUSES = [AccountStatus.CURRENT, AccountStatus.DPD30, AccountStatus.DPD60, AccountStatus.DPD90,
            AccountStatus.DPD120, AccountStatus.DPD150, AccountStatus.DPD180,
            AccountStatus.CHARGED_OFF, AccountStatus.COLLECTION, AccountStatus.PAID,
            AccountStatus.CLOSED]

# GMSC quantile tables (P -> value); dollars for income. Read off gmsc.csv.gz once.
_P = np.array([0, .02, .05, .075, .1, .15, .2, .25, .3, .35, .4, .45, .5, .55, .6, .65, .7, .75,
               .8, .85, .9, .93, .95, .97, .98, .99, .995, 1.0])
_UTIL = np.array([0.0, 0.0, 0.0, 0.0002, 0.003, 0.0102, 0.0192, 0.0298, 0.0433, 0.0602, 0.0828,
                  0.1132, 0.1535, 0.2049, 0.2695, 0.3489, 0.442, 0.5554, 0.6945, 0.8481, 0.9771,
                  1.0, 1.0, 1.0, 1.0059, 1.0903, 1.3557, 2.0])
_INCOME = np.array([100, 300, 1300, 1748, 2050, 2519, 3000, 3400, 3800, 4166, 4546, 5000, 5400,
                    5854, 6300, 6916, 7500, 8241, 9083, 10112, 11666, 13000, 14632, 17083, 19650,
                    25000, 35000, 60000])
_DEBT_RATIO = np.array([0.0, 0.0002, 0.0048, 0.0108, 0.0228, 0.0685, 0.1078, 0.1431, 0.1749,
                        0.2056, 0.2347, 0.264, 0.293, 0.323, 0.3557, 0.3894, 0.4289, 0.4743,
                        0.5301, 0.6078, 0.7244, 0.8451, 0.9781, 1.2852, 1.6055, 2.998, 5.0, 8.0])
# GMSC probability mass of 0, 1, 2, ... (the last entry takes the rest)
_PMF_DPD30 = [0.84155, 0.10743, 0.03051, 0.01178, 0.00489, 0.00227, 0.00087, 0.00037, 0.00033]
_PMF_DPD60 = [0.95176, 0.03761, 0.0074, 0.0021, 0.0007, 0.00024, 0.00019]
_PMF_DPD90 = [0.94632, 0.03493, 0.0103, 0.00448, 0.00194, 0.00088, 0.00051, 0.00023, 0.00041]
_PMF_REAL_ESTATE = [0.37197, 0.34925, 0.21179, 0.0427, 0.0144, 0.00456, 0.00215, 0.00318]
_PMF_OPEN = [0.01071, 0.02942, 0.04421, 0.06046, 0.07704, 0.08647, 0.09089, 0.08864, 0.08439,
             0.07644, 0.06442, 0.05557, 0.04696, 0.03775, 0.03026, 0.02455, 0.01984, 0.01575,
             0.01227, 0.00947, 0.0079, 0.0058, 0.00457, 0.00351, 0.00282, 0.00226, 0.00152,
             0.00129, 0.00104, 0.00072, 0.00304]
_STATES = ["CA", "TX", "FL", "NY", "PA", "IL", "OH", "GA", "NC", "MI", "NJ", "VA", "WA", "AZ"]


@dataclass(frozen=True)
class Person:
    """One synthetic consumer: identity (address and latent risk are never furnished) and the
    monthly records of every account, oldest month first within each account."""

    index: int
    subject: SubjectIdentity
    address: str
    latent_risk: float
    records: list[AccountRecord]


def generate(n: int, seed: int = 7, locale: str = "en_US",
             as_of: date = date(2026, 10, 31)) -> Iterator[Person]:
    """People 0..n-1, streamed block by block (memory does not grow with n)."""
    for b in range((n + BLOCK - 1) // BLOCK):
        block = make_block(b, seed, locale, as_of)
        yield from block.people(min(BLOCK, n - b * BLOCK))


def _month_ends(as_of: date) -> list[date]:
    first = as_of.replace(day=1)
    return [month_end(add_months(first, -k)) for k in range(MONTHS - 1, -1, -1)]


def _from_table(u: np.ndarray, table: np.ndarray) -> np.ndarray:
    return np.asarray(np.interp(u, _P, table), dtype=float)


def _from_pmf(u: np.ndarray, pmf: list[float]) -> np.ndarray:
    cdf = np.cumsum(pmf)
    cdf[-1] = 1.0
    return np.searchsorted(cdf, u, side="right").clip(0, len(pmf) - 1)


def _phi(x: np.ndarray) -> np.ndarray:
    # the standard library's erf value by value: bit-stable for ``demo seed``, and no SciPy in
    # the runtime (about 0.4 us a value, 2.5 times SciPy's ndtr: seconds in ten million files)
    return np.asarray(0.5 * (1.0 + _erf(x / math.sqrt(2.0))), dtype=float)


_erf = np.frompyfunc(math.erf, 1, 1)


def _traits(n: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """The person-level draws of the population model, in one order for both generators:
    the latent credit quality ``z``, utilisation, income (and whether it is reported), debt
    ratio, 30/60/90-day delinquency counts, and the number of accounts of each group (open
    revolving, installment, mortgage, open; closed; collection)."""
    def copula(x: np.ndarray, rho: float) -> np.ndarray:
        y = rho * x + math.sqrt(1 - rho * rho) * rng.standard_normal(x.shape)
        return np.asarray(_phi(y), dtype=float).clip(0.0, 1.0 - 1e-12)

    z = rng.standard_normal(n)
    delinquency = 0.8 * z + 0.6 * rng.standard_normal(n)
    util = _from_table(copula(z, 0.55), _UTIL)
    income_usd = _from_table(copula(z, -0.15), _INCOME)
    income_reported = rng.random(n) >= 0.197
    debt_ratio = _from_table(copula(z, 0.15), _DEBT_RATIO)
    c30 = _from_pmf(copula(delinquency, 0.85), _PMF_DPD30)
    c60 = _from_pmf(copula(delinquency, 0.85), _PMF_DPD60)
    c90 = _from_pmf(copula(delinquency, 0.85), _PMF_DPD90)
    e_open = rng.standard_normal(n)
    n_open = _from_pmf(np.asarray(_phi(e_open), dtype=float), _PMF_OPEN)
    n_mort = np.minimum(_from_pmf(copula(e_open, 0.4), _PMF_REAL_ESTATE), n_open)
    rest = n_open - n_mort
    n_rev = rng.binomial(rest, 0.58)
    n_rev = np.where((n_rev == 0) & (rest > 0) & (rng.random(n) < 0.6), 1, n_rev)
    n_inst = rng.binomial(rest - n_rev, 0.8)
    n_opn = rest - n_rev - n_inst
    n_closed = rng.poisson(0.8, n)
    n_coll = ((z + 0.5 * rng.standard_normal(n)) > 2.3).astype(np.int64)
    n_closed = np.where(n_open + n_closed + n_coll == 0, 1, n_closed)   # everyone has a file
    return (z, util, income_usd, income_reported, debt_ratio, c30, c60, c90,
            n_rev, n_inst, n_mort, n_opn, n_closed, n_coll)


def _revolving(rng: np.random.Generator, rev: np.ndarray, inc: np.ndarray, util: np.ndarray,
               acc_person: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each revolving account's credit limit (from its owner's income; -1 for other accounts)
    and its share of the owner's utilisation, spread over their revolving accounts by random
    weights so that the person's total utilisation is ``util``."""
    A, n = len(rev), len(util)
    limit = np.full(A, -1, np.int64)
    lim = np.round(inc * np.exp(rng.normal(0.3, 0.8, A)) / 10000) * 10000
    limit[rev] = np.maximum(lim[rev], 30000)
    w = rng.gamma(2.0, 1.0, A) * rev
    wsum = np.bincount(acc_person, w * limit.clip(0), n)
    lsum = np.bincount(acc_person, limit.clip(0), n)
    u_acc = np.where(rev, util[acc_person] * w * lsum[acc_person]
                     / np.maximum(wsum[acc_person], 1e-9), 0.0)
    # no card over its limit unless its owner's utilisation is (GMSC's tail above 1): what a
    # share puts over the limit goes to the owner's other cards, in proportion to their room
    # (the room suffices, the total being at most the limits; the aggregate stays ``util``)
    capped = rev & (util[acc_person] <= 1.0)
    lim = limit.clip(0).astype(float)
    over = np.where(capped, (u_acc - 1.0).clip(0.0) * lim, 0.0)
    if over.any():
        u_acc = np.where(capped, np.minimum(u_acc, 1.0), u_acc)
        room = np.where(capped, (1.0 - u_acc) * lim, 0.0)
        excess, rooms = np.bincount(acc_person, over, n), np.bincount(acc_person, room, n)
        share = np.divide(room, rooms[acc_person], out=np.zeros(A), where=rooms[acc_person] > 0)
        u_acc = u_acc + np.divide(excess[acc_person] * share, lim, out=np.zeros(A),
                                  where=lim > 0)
    return limit, u_acc


def _within_limits(balance: np.ndarray, limit: np.ndarray, util: np.ndarray) -> np.ndarray:
    """Revolving balances by month (rows: accounts, ``limit`` each) held at the limit when the
    owner's utilisation (``util``, by account) is not above 1: the months' noise never puts a
    card over its limit."""
    cap = np.where(util <= 1.0, limit, np.iinfo(np.int64).max)
    return np.asarray(np.minimum(balance, cap[:, None]), dtype=np.int64)


def _fixed_payments(rng: np.random.Generator, kind: np.ndarray, is_closed: np.ndarray,
                    acc_person: np.ndarray, budget: np.ndarray) -> np.ndarray:
    """Each account's scheduled payment: a person's budget for fixed payments (debt ratio x
    income less revolving payments) shared among their open installment, mortgage and open
    accounts by random weights; a closed installment loan keeps a payment of its own."""
    A, n = len(kind), len(budget)
    fixed = (kind == INST) | (kind == MORT) | (kind == OPEN)
    fw = rng.gamma(2.0, 1.0, A) * np.select([kind == MORT, kind == INST, kind == OPEN],
                                            [3.0, 1.0, 0.3], 0.0) * ~is_closed
    fwsum = np.bincount(acc_person, fw, n)
    pay = np.where(fixed, np.maximum(budget[acc_person], 0) * fw
                   / np.maximum(fwsum[acc_person], 1e-9), 0.0)
    pay = np.where(is_closed & (kind == INST), rng.uniform(5000, 40000, A), pay)
    return np.maximum(np.round(pay), 1000).astype(np.int64)


@lru_cache(maxsize=8)
def _faker(locale: str) -> Any:
    from faker import Faker

    return Faker(locale)


def _national_ids(idx: np.ndarray, seed: int, locale: str, born: list[date]) -> list[str]:
    """SSN-shaped numbers in the 900 area (never issued) for en_US; for zh_CN 18-character
    resident identity numbers of the person's birth date with a valid check character (the
    region and sequence from the person's index: unique up to 9 million people); elsewhere a
    country code and ten digits."""
    if locale == "zh_CN":
        out = []
        for i, day in zip(idx.tolist(), born, strict=True):
            region = 110101 + (i // 1000 + seed) % 9000
            first17 = f"{region:06d}{day:%Y%m%d}{i % 1000:03d}"
            out.append(first17 + cn_check_character(first17))
        return out
    if locale == "en_US":
        modulus = 100 * 40 * 9999
        k = (idx * 10_000_019 + seed * 7_919_111) % modulus
        area, rest = 900 + k // (40 * 9999), k % (40 * 9999)
        group, serial = 10 + rest // 9999, 1 + rest % 9999
        return [f"{a}{g:02d}{s:04d}" for a, g, s in zip(area, group, serial, strict=True)]
    cc = (locale.split("_")[-1] + "XX")[:2].upper()
    k = (idx * 7_777_777_777 + seed * 1_234_567) % 10**10
    return [f"{cc}{v:010d}" for v in k]


def _identities(b: int, seed: int, locale: str, rng: np.random.Generator,
                as_of: date) -> tuple[list[str], list[str], list[date], list[str]]:
    fake = _faker(locale)
    fake.seed_instance(seed * 1_000_003 + b)
    first = [fake.first_name() for _ in range(64)]
    last = [fake.last_name() for _ in range(64)]
    streets = [fake.street_name() for _ in range(32)]
    cities = [fake.city() for _ in range(16)]
    posts = [fake.postcode() for _ in range(16)]
    idx = np.arange(b * BLOCK, (b + 1) * BLOCK, dtype=np.int64)
    fi, li = rng.integers(0, 64, BLOCK), rng.integers(0, 64, BLOCK)
    si, ci, pi = rng.integers(0, 32, BLOCK), rng.integers(0, 16, BLOCK), rng.integers(0, 16, BLOCK)
    house = rng.integers(1, 9999, BLOCK)
    ages = np.clip(rng.normal(52, 15, BLOCK), 21, 95)
    born = [as_of - timedelta(days=int(a * 365.25)) for a in ages]
    nids = _national_ids(idx, seed, locale, born)
    if locale == "zh_CN":        # the family name first, written together: 王荣
        names = [f"{last[g]}{first[f]}" for f, g in zip(fi, li, strict=True)]
    else:
        names = [f"{first[f]} {last[g]}" for f, g in zip(fi, li, strict=True)]
    if locale == "en_US":
        addr = [f"{h} {streets[s]}, {cities[c]}, {_STATES[c % len(_STATES)]} {posts[p]}"
                for h, s, c, p in zip(house, si, ci, pi, strict=True)]
    else:
        addr = [f"{streets[s]} {h}, {posts[p]} {cities[c]}"
                for h, s, c, p in zip(house, si, ci, pi, strict=True)]
    return nids, names, born, addr


@dataclass
class _Block:
    """One block's population as columns. People axis P, accounts axis A, months axis 24."""

    start: int
    seed: int
    months: list[date]
    nids: list[str]
    names: list[str]
    born: list[date]
    addresses: list[str]
    z: np.ndarray
    income: np.ndarray            # cents, 0 when not reported
    acc_person: np.ndarray        # A: person index within the block
    acc_no: np.ndarray            # A: account number within the person
    kind: np.ndarray              # A: kind code
    furnisher: list[str]          # A
    opened: list[date]            # A
    first_m: np.ndarray           # A: first reported month
    last_m: np.ndarray            # A: last reported month (< 23 for closed accounts)
    limit: np.ndarray             # A: cents, -1 = none
    original: np.ndarray          # A: cents, -1 = none
    status: np.ndarray            # A x 24
    balance: np.ndarray           # A x 24
    past_due: np.ndarray          # A x 24
    sched: np.ndarray             # A x 24, -1 = none
    dofd: np.ndarray              # A x 24, date ordinal, 0 = none

    def account_ref(self, a: int) -> str:
        return f"{self.furnisher[a]}-{self.seed}-{self.start + self.acc_person[a]}-{self.acc_no[a]}"

    def closed_on(self, a: int) -> date | None:
        last = int(self.last_m[a])
        if last == MONTHS - 1:
            return None
        return max(self.opened[a], self.months[last] - timedelta(days=3))

    def people(self, count: int) -> Iterator[Person]:
        bounds = np.searchsorted(self.acc_person, np.arange(count + 1))
        for p in range(count):
            subject = SubjectIdentity(self.nids[p], self.names[p], self.born[p])
            income = int(self.income[p])
            recs = []
            for a in range(bounds[p], bounds[p + 1]):
                recs.extend(self._records(a, subject, income if self.acc_no[a] == 0 else 0,
                                          self.start + p))
            yield Person(self.start + p, subject, self.addresses[p], float(self.z[p]), recs)

    def _records(self, a: int, subject: SubjectIdentity, income: int,
                 index: int) -> list[AccountRecord]:
        ref, kind, opened = self.account_ref(a), KINDS[self.kind[a]], self.opened[a]
        limit = int(self.limit[a]) if self.limit[a] >= 0 else None
        orig = int(self.original[a]) if self.original[a] >= 0 else None
        last = int(self.last_m[a])
        closed_on = self.closed_on(a)
        consent = f"demo-consent-{self.seed}-{index}" if income else None
        st, bal, due = self.status[a].tolist(), self.balance[a].tolist(), self.past_due[a].tolist()
        sch, dofd = self.sched[a].tolist(), self.dofd[a].tolist()
        out = []
        for m in range(int(self.first_m[a]), last + 1):
            out.append(AccountRecord(
                subject=subject, account_ref=ref, as_of=self.months[m], kind=kind,
                opened_on=opened, balance=bal[m], amount_past_due=due[m],
                status=STATUSES[st[m]], ecoa=Ecoa.INDIVIDUAL, currency=CURRENCY,
                closed_on=closed_on if m == last else None, credit_limit=limit,
                original_amount=orig, scheduled_payment=sch[m] if sch[m] >= 0 else None,
                date_of_first_delinquency=date.fromordinal(dofd[m]) if dofd[m] else None,
                monthly_income=income or None, consent_ref=consent,
                original_creditor=original_creditor(a) if kind is AccountKind.COLLECTION
                else None))
        return out


# the creditors a collection account was placed by (Metro 2 K1: name, creditor classification)
ORIGINAL_CREDITORS = (("MERCY GENERAL HOSPITAL", "02"), ("CITY POWER AND LIGHT", "10"),
                      ("METRO WIRELESS", "11"), ("FIRST NATIONAL BANK", "08"),
                      ("VALLEY AUTO SALES", "14"), ("STATE UNIVERSITY", "07"))


def original_creditor(account: int) -> OriginalCreditor:
    """The original creditor of a synthetic collection account (by its index)."""
    name, classification = ORIGINAL_CREDITORS[account % len(ORIGINAL_CREDITORS)]
    return OriginalCreditor(name=name, classification=classification)


def make_block(b: int, seed: int, locale: str = "en_US",
               as_of: date = date(2026, 10, 31)) -> _Block:
    """Block ``b`` (people b*BLOCK .. b*BLOCK+BLOCK-1), always whole, so it is chunk-independent."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, b]))
    months = _month_ends(as_of)
    nids, names, born, addresses = _identities(b, seed, locale, rng, as_of)
    n = BLOCK
    (z, util, income_usd, income_reported, debt_ratio, c30, c60, c90,
     n_rev, n_inst, n_mort, n_opn, n_closed, n_coll) = _traits(n, rng)

    # accounts per person: open revolving, installment, mortgage, open; closed; collection
    kinds_pp = []
    for p in range(n):
        kinds_pp.append([REV] * n_rev[p] + [INST] * n_inst[p] + [MORT] * n_mort[p]
                        + [OPEN] * n_opn[p] + [REV if rng.random() < 0.5 else INST]
                        * n_closed[p] + [COLL] * n_coll[p])
    counts = np.array([len(k) for k in kinds_pp])
    acc_person = np.repeat(np.arange(n), counts)
    acc_no = np.concatenate([np.arange(c) for c in counts]) if counts.sum() else np.zeros(0, int)
    kind = np.array([k for ks in kinds_pp for k in ks], dtype=np.int64)
    is_closed = np.concatenate([[False] * (n_rev[p] + n_inst[p] + n_mort[p] + n_opn[p])
                                + [True] * n_closed[p] + [False] * n_coll[p] for p in range(n)]
                               ).astype(bool) if counts.sum() else np.zeros(0, bool)
    A = len(kind)
    last = MONTHS - 1
    # age in months at as_of
    age = np.where(kind == MORT, 12 + rng.exponential(70, A), 1 + rng.exponential(55, A))
    age = np.where(kind == COLL, rng.integers(0, MONTHS, A), age).astype(np.int64).clip(0, 400)
    # nobody opens an account before 18: an account is at most (age - 18 years) old, with a
    # month to spare for the day of the month it was opened on
    adult_months = np.array([max((as_of - d).days // 31 - 18 * 12 - 1, 0) for d in born],
                            dtype=np.int64)
    age = np.minimum(age, adult_months[acc_person])
    first_m = (last - age).clip(0, last)
    last_m = np.full(A, last)
    close_at = first_m + (rng.random(A) * (last - first_m)).astype(np.int64)
    last_m = np.where(is_closed, np.minimum(close_at, last - 1).clip(first_m, None), last_m)
    first_m = np.minimum(first_m, last_m)
    age = np.maximum(age, last - first_m)
    opened = []
    for a in range(A):
        y, mth = months[last].year, months[last].month - int(age[a])
        y, mth = y + (mth - 1) // 12, (mth - 1) % 12 + 1
        opened.append(date(y, mth, 1 + int(rng.integers(0, 28))))

    inc = income_usd[acc_person] * 100.0
    mth_idx = np.arange(MONTHS)[None, :]
    status = np.zeros((A, MONTHS), np.int64)
    balance = np.zeros((A, MONTHS), np.int64)
    sched = np.full((A, MONTHS), -1, np.int64)
    dofd = np.zeros((A, MONTHS), np.int64)
    original = np.full(A, -1, np.int64)
    noise = np.exp(0.15 * rng.standard_normal((A, MONTHS)))
    noise[:, last] = 1.0

    rev = kind == REV
    limit, u_acc = _revolving(rng, rev, inc, util, acc_person)
    rev_bal = _within_limits(np.round(limit[:, None] * u_acc[:, None] * noise).astype(np.int64),
                             limit, util[acc_person])
    balance[rev] = rev_bal[rev]
    rev_pay = np.where(balance > 0, np.maximum(2500, balance // 50), 0)
    sched[rev] = rev_pay[rev]

    budget = debt_ratio * income_usd * 100.0 - np.bincount(
        acc_person, np.where(rev & ~is_closed, rev_pay[:, last], 0), n)
    pay = _fixed_payments(rng, kind, is_closed, acc_person, budget)
    term = np.where(kind == MORT, 360, rng.choice([36, 48, 60, 72], A))
    term = np.maximum(term, age + 6)
    elapsed = age[:, None] - (last - mth_idx)
    inst = (kind == INST) | (kind == MORT)
    original[inst] = np.where(kind == MORT, pay * 160, pay * term * 0.85)[inst].astype(np.int64)
    amort = (original[:, None] * (1 - elapsed / term[:, None])).clip(0).astype(np.int64)
    balance[inst] = amort[inst]
    sched[inst] = np.broadcast_to(pay[:, None], (A, MONTHS))[inst]
    opn = kind == OPEN
    open_bal = np.round(pay[:, None] * noise).astype(np.int64)
    balance[opn] = open_bal[opn]
    sched[opn] = open_bal[opn]
    coll = kind == COLL
    coll_amt = np.round(np.exp(rng.normal(np.log(60000), 0.9, A))).astype(np.int64)
    original[coll] = coll_amt[coll]
    balance[coll] = coll_amt[coll][:, None]
    status[coll] = COLLECTION
    for a in np.flatnonzero(coll).tolist():
        dofd[a, :] = (opened[a] - timedelta(days=180)).toordinal()
    # closed: the last reported month shows the account closed or paid, at zero balance
    for a in np.flatnonzero(is_closed).tolist():
        m = last_m[a]
        status[a, m] = PAID if kind[a] == INST else CLOSED
        balance[a, m] = 0
        sched[a, m] = 0
    past_due = np.zeros((A, MONTHS), np.int64)
    past_due[coll] = balance[coll]

    block = _Block(b * BLOCK, seed, months, nids, names, born, addresses, z,
                   np.where(income_reported, np.round(income_usd) * 100, 0).astype(np.int64),
                   acc_person, acc_no, kind, [_furnisher(k, rng) for k in kind], opened, first_m,
                   last_m, limit, original, status, balance, past_due, sched, dofd)
    bounds = np.searchsorted(acc_person, np.arange(n + 1))
    for p in np.flatnonzero((c30 + c60 + c90) > 0).tolist():
        _delinquency(block, range(bounds[p], bounds[p + 1]), int(c30[p]), int(c60[p]),
                     int(c90[p]), rng)
    return block


def _furnisher(kind: int, rng: np.random.Generator) -> str:
    if kind == COLL:
        return "RA"
    if kind == MORT:
        return "HM"
    if kind == INST:
        return "SL" if rng.random() < 0.7 else "FB"
    return "FB" if rng.random() < 0.7 else "SL"


def _delinquency(bl: _Block, accs: range, c30: int, c60: int, c90: int,
                 rng: np.random.Generator) -> None:
    """Realise the person's counts of dpd30/dpd60/dpd90+ months as episodes on open accounts."""
    usable = [a for a in accs if bl.kind[a] != COLL and bl.last_m[a] == MONTHS - 1]
    if not usable:
        return
    episodes: list[list[int]] = []
    if c90:
        lead = [1, 2] if c30 and c60 else []
        c30, c60 = (c30 - 1, c60 - 1) if lead else (c30, c60)
        episodes.append(lead + [min(3 + k, 6) for k in range(c90)])
    while c30 and c60:
        episodes.append([1, 2])
        c30, c60 = c30 - 1, c60 - 1
    episodes += [[2]] * c60 + [[1]] * c30
    for ep in episodes:
        for _ in range(12):
            a = usable[int(rng.integers(0, len(usable)))]
            lo = int(bl.first_m[a])
            span = MONTHS - lo
            if len(ep) > span:
                continue
            start = lo + int(rng.integers(0, span - len(ep) + 1))
            window = bl.status[a, max(start - 1, lo):min(start + len(ep) + 1, MONTHS)]
            if window.any():
                continue
            _place(bl, a, start, ep)
            break


def _place(bl: _Block, a: int, start: int, ep: list[int]) -> None:
    first_late = bl.months[start] - timedelta(days=30 * ep[0])
    base = max(int(bl.sched[a, start]), 2500)
    for k, level in enumerate(ep):
        m = start + k
        bl.status[a, m] = level
        bl.past_due[a, m] = base * level
        bl.dofd[a, m] = first_late.toordinal()
        if bl.balance[a, m] < bl.past_due[a, m]:
            bl.balance[a, m] = bl.past_due[a, m]
    end = start + len(ep)
    if ep[-1] == 6 and end < MONTHS:     # 180 days late: charged off for the rest of the window
        bal = int(bl.balance[a, end - 1])
        bl.status[a, end:] = CHARGED_OFF
        bl.balance[a, end:] = bal
        bl.past_due[a, end:] = bal
        bl.sched[a, end:] = 0
        bl.dofd[a, end:] = first_late.toordinal()


# ---- the comparison with GMSC (the scoring team owns the real attribute definitions) ----

GMSC_COLUMNS = {
    "revolving_utilisation": "RevolvingUtilizationOfUnsecuredLines",
    "dpd30_months": "NumberOfTime30-59DaysPastDueNotWorse",
    "dpd60_months": "NumberOfTime60-89DaysPastDueNotWorse",
    "dpd90_months": "NumberOfTimes90DaysLate",
    "open_trades": "NumberOfOpenCreditLinesAndLoans",
    "real_estate_trades": "NumberRealEstateLoansOrLines",
    "debt_ratio": "DebtRatio",
    "monthly_income": "MonthlyIncome",
}
_OPEN_STATUSES = {AccountStatus.CURRENT, AccountStatus.DPD30, AccountStatus.DPD60,
                  AccountStatus.DPD90, AccountStatus.DPD120, AccountStatus.DPD150,
                  AccountStatus.DPD180}


def file_attributes(person: Person) -> dict[str, float | int | None]:
    """The GMSC-comparable attributes of one file (money in dollars)."""
    newest: dict[str, AccountRecord] = {}
    c30 = c60 = c90 = 0
    derogatory = False
    income = None
    for r in person.records:
        if r.status is AccountStatus.DPD30:
            c30 += 1
        elif r.status is AccountStatus.DPD60:
            c60 += 1
        elif r.status in (AccountStatus.DPD90, AccountStatus.DPD120, AccountStatus.DPD150,
                          AccountStatus.DPD180):
            c90 += 1
        if r.status in (AccountStatus.DPD90, AccountStatus.DPD120, AccountStatus.DPD150,
                        AccountStatus.DPD180, AccountStatus.CHARGED_OFF, AccountStatus.COLLECTION):
            derogatory = True
        if r.monthly_income is not None:
            income = r.monthly_income
        cur = newest.get(r.account_ref)
        if cur is None or r.as_of >= cur.as_of:
            newest[r.account_ref] = r
    live = [r for r in newest.values() if r.status in _OPEN_STATUSES and r.kind is not
            AccountKind.COLLECTION and r.as_of == max(x.as_of for x in person.records)]
    rev = [r for r in newest.values() if r.kind is AccountKind.REVOLVING
           and r.status not in (AccountStatus.PAID, AccountStatus.CLOSED)]
    limits = sum(r.credit_limit or 0 for r in rev)
    payments = sum(r.scheduled_payment or 0 for r in live)
    return {
        "revolving_utilisation": sum(r.balance for r in rev) / limits if limits else 0.0,
        "dpd30_months": c30, "dpd60_months": c60, "dpd90_months": c90,
        "open_trades": len(live),
        "real_estate_trades": sum(r.kind is AccountKind.MORTGAGE for r in live),
        "debt_ratio": payments / income if income else None,
        "monthly_income": income / 100 if income is not None else None,
        "default_like": int(derogatory),
    }


def load_gmsc(data_dir: Path) -> dict[str, np.ndarray]:
    """GMSC columns as float arrays (NaN = missing), the 96/98 sentinel rows dropped."""
    path = data_dir / "gmsc.csv.gz"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no GMSC data there; data_dir must be the folder that "
                                "holds gmsc.csv.gz (the shared datasets)")
    with gzip.open(path, "rt", newline="") as f:
        rows = list(csv.DictReader(f))
    g = {c: np.array([float(r[c]) if r[c] not in ("", "NA") else np.nan for r in rows])
         for c in (*GMSC_COLUMNS.values(), "MonthlyIncome")}
    keep = g["NumberOfTimes90DaysLate"] < 90
    out = {k: g[c][keep] for k, c in GMSC_COLUMNS.items()}
    # GMSC divides by 1 where income is missing; compare debt ratios only where income is known
    out["debt_ratio"] = np.where(np.nan_to_num(g["MonthlyIncome"][keep]) > 0,
                                 out["debt_ratio"], np.nan)
    return out


def ks_statistic(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.sort(a), np.sort(b)
    grid = np.concatenate([a, b])
    fa = np.searchsorted(a, grid, side="right") / len(a)
    fb = np.searchsorted(b, grid, side="right") / len(b)
    return float(np.abs(fa - fb).max())


def compare_to_gmsc(data_dir: Path, n: int = 20000, seed: int = 7) -> list[dict[str, Any]]:
    """Per attribute: quantiles, zero and missing shares of both, and the two-sample KS, against
    ``data_dir``/gmsc.csv.gz."""
    real = load_gmsc(data_dir)
    attrs = [file_attributes(p) for p in generate(n, seed)]
    rows = []
    for key in GMSC_COLUMNS:
        syn = np.array([np.nan if a[key] is None else a[key] for a in attrs], dtype=float)
        row: dict[str, Any] = {"attribute": key, "gmsc_column": GMSC_COLUMNS[key]}
        for name, v in (("gmsc", real[key]), ("synthetic", syn)):
            present = v[~np.isnan(v)]
            row[f"{name}_missing"] = float(np.isnan(v).mean())
            row[f"{name}_zero"] = float((present == 0).mean())
            row[f"{name}_q"] = [float(x) for x in np.quantile(present, [.1, .25, .5, .75, .9])]
        row["ks"] = ks_statistic(real[key][~np.isnan(real[key])], syn[~np.isnan(syn)])
        rows.append(row)
    rows.append({"attribute": "default_like", "synthetic_rate":
                 float(np.mean([a["default_like"] for a in attrs]))})
    return rows


# ---- the same model, vectorised end to end, for tens of millions of files (bench/scale.py) ----

_EPOCH_DAY = date(1970, 1, 1).toordinal()
_STATUS_NAMES = [s.value for s in STATUSES]
_KIND_NAMES = [k.value for k in KINDS]


def credit_file_columns(start: int, count: int, seed: int = 7,
                        as_of: date = date(2026, 10, 31)) -> dict[str, dict[str, Any]]:
    """People ``start .. start+count-1`` as the columns scoring reads (``sql.SOURCES``: subjects,
    accounts, account months; subject id = person + 1, account ids dense from ``start * 16``).

    The statistical model of :func:`make_block` (the GMSC quantile tables through the same
    copulas; accounts, balances, payments, closures, collections and delinquency episodes built
    the same way), with every per-person loop replaced by array operations, so ten million people
    take minutes. Deterministic by (seed, start, count), but not person-for-person identical to
    :func:`generate` (the random draws are taken in another order); no names, no national ids.
    Returns NumPy columns (dates as days since 1970-01-01; -1 = NULL for integers)."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1_000_003, start, count]))
    n, last = count, MONTHS - 1
    months = _month_ends(as_of)
    month_day = np.array([d.toordinal() - _EPOCH_DAY for d in months], dtype=np.int32)
    (z, util, income_usd, income_reported, debt_ratio, c30, c60, c90,
     n_rev, n_inst, n_mort, n_opn, n_closed, n_coll) = _traits(n, rng)

    # accounts per person in make_block's order: open rev, inst, mortgage, open; closed; coll
    per = np.stack([n_rev, n_inst, n_mort, n_opn, n_closed, n_coll], axis=1)
    counts = per.sum(axis=1)
    acc_person = np.repeat(np.arange(n), counts)
    group = np.repeat(np.tile(np.arange(6), n), per.ravel())
    A = len(group)
    is_closed = group == 4
    kind = np.array([REV, INST, MORT, OPEN, REV, COLL])[group]
    kind = np.where(is_closed & (rng.random(A) >= 0.5), INST, kind)
    first_acc = np.concatenate([[0], np.cumsum(counts)[:-1]])
    acc_no = np.arange(A) - first_acc[acc_person]

    age = np.where(kind == MORT, 12 + rng.exponential(70, A), 1 + rng.exponential(55, A))
    age = np.where(kind == COLL, rng.integers(0, MONTHS, A), age).astype(np.int64).clip(0, 400)
    first_m = (last - age).clip(0, last)
    close_at = first_m + (rng.random(A) * (last - first_m)).astype(np.int64)
    last_m = np.where(is_closed, np.minimum(close_at, last - 1).clip(first_m, None), last)
    first_m = np.minimum(first_m, last_m)
    age = np.maximum(age, last - first_m)
    month0 = np.datetime64(f"{months[last].year:04d}-{months[last].month:02d}", "M")
    opened = ((month0 - age.astype("timedelta64[M]")).astype("datetime64[D]")
              + rng.integers(0, 28, A).astype("timedelta64[D]")).astype(np.int64)

    inc = income_usd[acc_person] * 100.0
    m_idx = np.arange(MONTHS)[None, :]
    rev, opn = kind == REV, kind == OPEN
    noisy = np.flatnonzero(rev | opn)                   # only these balances move by month
    noise = np.exp(0.15 * rng.standard_normal((len(noisy), MONTHS)))
    noise[:, last] = 1.0
    row_of = np.full(A, -1, np.int64)
    row_of[noisy] = np.arange(len(noisy))
    limit, u_acc = _revolving(rng, rev, inc, util, acc_person)
    balance = np.zeros((A, MONTHS), np.int64)
    sched = np.full((A, MONTHS), -1, np.int64)
    balance[rev] = _within_limits(
        np.round(limit[rev, None] * u_acc[rev, None] * noise[row_of[rev]]).astype(np.int64),
        limit[rev], util[acc_person[rev]])
    rev_bal = balance[rev]
    sched[rev] = np.where(rev_bal > 0, np.maximum(2500, rev_bal // 50), 0)
    budget = debt_ratio * income_usd * 100.0 - np.bincount(
        acc_person, np.where(rev & ~is_closed, sched[:, last].clip(0), 0), n)
    pay = _fixed_payments(rng, kind, is_closed, acc_person, budget)
    term = np.maximum(np.where(kind == MORT, 360, rng.choice([36, 48, 60, 72], A)), age + 6)
    inst = (kind == INST) | (kind == MORT)
    original = np.where(kind == MORT, pay * 160, pay * term * 0.85).astype(np.int64)
    elapsed = age[inst, None] - (last - m_idx)
    balance[inst] = (original[inst, None] * (1 - elapsed / term[inst, None])).clip(0
                                                                                  ).astype(np.int64)
    sched[inst] = pay[inst, None]
    balance[opn] = np.round(pay[opn, None] * noise[row_of[opn]]).astype(np.int64)
    sched[opn] = balance[opn]
    del noise
    status = np.zeros((A, MONTHS), np.int8)
    coll = kind == COLL
    balance[coll] = np.round(np.exp(rng.normal(np.log(60000), 0.9, int(coll.sum()))))[:, None
                                                                                       ].astype(np.int64)
    status[coll] = COLLECTION
    closed_rows = np.flatnonzero(is_closed)
    status[closed_rows, last_m[closed_rows]] = np.where(kind[closed_rows] == INST, PAID, CLOSED)
    balance[closed_rows, last_m[closed_rows]] = 0
    sched[closed_rows, last_m[closed_rows]] = 0
    past_due = np.where(coll[:, None], balance, 0)
    _episodes(status, balance, past_due, sched, kind, first_m, last_m, acc_person, first_acc,
              counts, c30, c60, c90, rng)

    live = (m_idx >= first_m[:, None]) & (m_idx <= last_m[:, None])
    ai, mi = np.nonzero(live)
    acc_id = start * 16 + np.arange(A, dtype=np.int64) + 1
    income_cents = np.where(income_reported, np.round(income_usd) * 100, 0).astype(np.int64)
    row_income = np.where(acc_no[ai] == 0, income_cents[acc_person[ai]], 0)
    closed_on = np.where(last_m == last, -1, np.maximum(opened, month_day[last_m] - 3))
    subject = start + 1 + np.arange(n, dtype=np.int64)
    return {
        "subjects": {"id": subject},
        "accounts": {"id": acc_id, "subject_id": subject[acc_person], "kind": kind,
                     "opened_on": opened, "closed_on": closed_on, "credit_limit": limit},
        "account_months": {
            "account_id": acc_id[ai], "subject_id": subject[acc_person[ai]],
            "as_of": month_day[mi], "status": status[ai, mi], "balance": balance[ai, mi],
            "amount_past_due": past_due[ai, mi], "credit_limit": limit[ai],
            "scheduled_payment": sched[ai, mi],
            "monthly_income": np.where(row_income > 0, row_income, -1)},
    }


def _episodes(status: np.ndarray, balance: np.ndarray, past_due: np.ndarray,
              sched: np.ndarray, kind: np.ndarray, first_m: np.ndarray, last_m: np.ndarray,
              acc_person: np.ndarray, first_acc: np.ndarray, counts: np.ndarray,
              c30: np.ndarray, c60: np.ndarray, c90: np.ndarray,
              rng: np.random.Generator) -> None:
    """The person's dpd30/dpd60/dpd90+ months as one run on one open account, in
    :func:`_delinquency`'s episode order ([30, 60] leading into the 90+ run, [30, 60] pairs,
    60s, 30s), each episode followed by a current month; truncated where the account's history
    is shorter; a run reaching 180 days ends charged off."""
    usable = (kind != COLL) & (last_m == MONTHS - 1)
    people = np.flatnonzero((c30 + c60 + c90) > 0)
    n_use = np.bincount(acc_person, usable, len(counts))
    people = people[n_use[people] > 0]
    if not len(people):
        return
    pick_k = (rng.random(len(people)) * n_use[people]).astype(np.int64)
    # the usable accounts of a person are contiguous after sorting by (person, not usable)
    key = np.lexsort((~usable, acc_person))
    starts = np.searchsorted(acc_person[key], people)
    acc = key[starts + pick_k]
    for p, a in zip(people.tolist(), acc.tolist(), strict=True):
        a30, a60, a90 = int(c30[p]), int(c60[p]), int(c90[p])
        seq: list[int] = []
        if a90:
            lead = [1, 2] if a30 and a60 else []
            if lead:
                a30, a60 = a30 - 1, a60 - 1
            seq += lead + [min(3 + k, 6) for k in range(a90)] + [0]
        pairs = min(a30, a60)
        seq += [1, 2, 0] * pairs + [2, 0] * (a60 - pairs) + [1, 0] * (a30 - pairs)
        lo = int(first_m[a])
        span = MONTHS - lo
        seq = seq[:span]
        while seq and seq[-1] == 0:
            seq.pop()
        begin = lo + int(rng.integers(0, span - len(seq) + 1))
        base = max(int(sched[a, begin]), 2500)
        for k, level in enumerate(seq):
            if level:
                m = begin + k
                status[a, m] = level
                past_due[a, m] = base * level
                if balance[a, m] < past_due[a, m]:
                    balance[a, m] = past_due[a, m]
        end = begin + len(seq)
        if seq and seq[-1] == 6 and end < MONTHS:
            bal = int(balance[a, end - 1])
            status[a, end:] = CHARGED_OFF
            balance[a, end:] = bal
            past_due[a, end:] = bal
            sched[a, end:] = 0
