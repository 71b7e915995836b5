"""The data-quality rules over a matrix of Metro 2 base segments, for the column (bulk) path.

``flags(m)`` answers, per row of ``m`` (n x 426 bytes, each row a base segment from its RDW, a
J1's consumer copied over the base's as ``metro2_columns.parse_block`` does), whether any rule of
``domain.quality`` may fire on it. The column path takes only rows that are not flagged; a flagged
row goes through the record path, where the rules run one by one and are counted in the file's
report. So ``flags`` may over-flag, never under-flag: where a rule is not vectorised exactly it
errs on the flagging side (a field not in its plain form, a rule the base segment alone cannot
decide). ``tests/unit/test_quality_columns.py`` checks that property on generated records.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from openbureau.domain import quality as q

_D0, _D9, _SP = 48, 57, 32
_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)

# status classes (the AccountStatus the record path reads)
_CUR, _DLQ, _CO, _COLL, _PAID, _CLOSED, _UNKNOWN = range(7)


def _key2(m: np.ndarray, at: int) -> np.ndarray:
    return np.asarray(m[:, at].astype(np.int64) * 256 + m[:, at + 1])


def _table2(codes: dict[str, int], default: int) -> np.ndarray:
    t = np.full(65536, default, dtype=np.int64)
    for code, v in codes.items():
        b = code.encode("latin-1")
        t[b[0] * 256 + b[1]] = v
    return t


def _set2(codes: frozenset[str] | set[str]) -> np.ndarray:
    """Membership of a 2-byte field in a set of codes; a one-character code matches either
    justification (the record path strips the field)."""
    t = np.zeros(65536, dtype=bool)
    for code in codes:
        for text in ({code.ljust(2), code.rjust(2)} if len(code) < 2 else {code}):
            b = text.encode("latin-1")
            t[b[0] * 256 + b[1]] = True
    return t


def _build() -> dict[str, Any]:
    from openbureau.adapters import metro2_fields as m2
    from openbureau.domain.code_lists import account_type_codes, portfolio_types_of

    cls = {"current": _CUR, "charged_off": _CO, "collection": _COLL, "paid": _PAID,
           "closed": _CLOSED}
    level = {"dpd30": 1, "dpd60": 2, "dpd90": 3, "dpd120": 4, "dpd150": 5, "dpd180": 6}

    def klass(s: str) -> int:
        return _DLQ if s in level else cls[s]

    status = _table2({c: klass(s) for c, s in m2._STATUS.items()}, _UNKNOWN)
    status_level = _table2({c: level.get(s, 0) for c, s in m2._STATUS.items()}, 0)
    rating = np.full(256, _CLOSED, dtype=np.int64)     # DA/DF: an unknown rating reads closed
    rating_level = np.zeros(256, dtype=np.int64)
    for c, s in m2._RATING_STATUS.items():
        rating[ord(c)] = klass(s)
        rating_level[ord(c)] = level.get(s, 0)
    # portfolio -> allowed, per account type: a 2-byte account type x 256 portfolio bytes
    types = sorted(account_type_codes())
    mismatch = np.zeros((65536, 256), dtype=bool)
    for t in types:
        b = t.encode()
        mismatch[b[0] * 256 + b[1], :] = True
        for p in portfolio_types_of(t):
            mismatch[b[0] * 256 + b[1], ord(p)] = False
    return {
        "status": status, "status_level": status_level, "rating": rating,
        "rating_level": rating_level,
        "collection_type": _set2(set(m2._COLLECTION_TYPES)),
        "known_type": _set2(set(types)), "mismatch": mismatch,
        "rating_statuses": _set2(q.RATING_STATUSES),
        "rating_required": _set2(q.RATING_REQUIRED),
        "charge_off": _set2(q.CHARGE_OFF_STATUSES), "never_co": _set2(q.NEVER_CHARGED_OFF),
        "consumer_closed": _set2(q.CONSUMER_CLOSED), "fcba": _set2(q.FCBA),
        "paid_c": _set2(q.PAID_COMMENTS), "owing_c": _set2(q.OWING_COMMENTS),
        "closed_c": _set2(q.CLOSED_COMMENTS), "de_c": _set2({"DE"}),
    }


_T: dict[str, Any] = {}


def _dates(m: np.ndarray, at: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """MMDDYYYY at ``at``: (all zeros or blank, a valid date, yyyymmdd)."""
    d = m[:, at:at + 8]
    digits = ((d >= _D0) & (d <= _D9)).all(axis=1)
    v = d.astype(np.int64) - _D0
    month = v[:, 0] * 10 + v[:, 1]
    day = v[:, 2] * 10 + v[:, 3]
    year = v[:, 4] * 1000 + v[:, 5] * 100 + v[:, 6] * 10 + v[:, 7]
    empty = (d == _D0).all(axis=1) | (d == _SP).all(axis=1)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    mdays = _DAYS[np.clip(month, 0, 12)] + (leap & (month == 2))
    valid = digits & ~empty & (month >= 1) & (month <= 12) & (day >= 1) & (day <= mdays) \
        & (year >= 1)
    return empty, valid, np.where(valid, year * 10000 + month * 100 + day, 0)


def _month_end(ymd: np.ndarray) -> np.ndarray:
    year, month = ymd // 10000, ymd // 100 % 100
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    return np.asarray(year * 10000 + month * 100 + _DAYS[np.clip(month, 0, 12)]
                      + (leap & (month == 2)))


def _amount(m: np.ndarray, at: int) -> tuple[np.ndarray, np.ndarray]:
    """(all digits, value) of a 9-digit amount."""
    d = m[:, at:at + 9]
    digits = ((d >= _D0) & (d <= _D9)).all(axis=1)
    powers = 10 ** np.arange(8, -1, -1, dtype=np.int64)
    return np.asarray(digits), np.where(digits, (d.astype(np.int64) - _D0) @ powers, 0)


def _ymd(d: date | str | bytes | None) -> int | None:
    if d is None:
        return None
    if isinstance(d, bytes):
        d = d.decode("latin-1")
    if isinstance(d, str):
        d = q.m2_date(d)
        if d is None:
            return None
    return d.year * 10000 + d.month * 100 + d.day


def flags(m: np.ndarray, activity: date | str | bytes | None = None,
          today: date | None = None) -> np.ndarray:
    """True for every row on which a data-quality rule may fire (see the module docstring).

    ``activity`` is the file header's Activity Date (MMDDYYYY text or a date): rules measure
    "the future" from it, falling back to ``today`` (the ingest's day) when it is not a date.
    Without either, every row with a date of birth is flagged (the rule on births in the future
    cannot be decided)."""
    if not _T:
        _T.update(_build())
    t = _T
    n = m.shape[0]
    out = np.zeros(n, dtype=bool)
    if n == 0:
        return out

    # -- fields as the record path reads them; anything not in plain form is flagged -----------
    st_code = _key2(m, 123)
    deleting = (m[:, 123] == ord("D")) & ((m[:, 124] == ord("A")) | (m[:, 124] == ord("F")))
    cls = np.where(deleting, t["rating"][m[:, 125]], t["status"][st_code])
    lvl = np.where(deleting, t["rating_level"][m[:, 125]], t["status_level"][st_code])
    out |= cls == _UNKNOWN
    current, closed = cls == _CUR, (cls == _PAID) | (cls == _CLOSED)
    delinquent = cls == _DLQ
    derogatory = delinquent | (cls == _CO) | (cls == _COLL)

    acct_type = _key2(m, 73)
    port = m[:, 72]
    coll = t["collection_type"][acct_type]
    revolving = ~coll & ((port == ord("R")) | (port == ord("C")))
    installment = ~coll & ((port == ord("I")) | (port == ord("L")))
    mortgage = ~coll & (port == ord("M"))
    out |= ~coll & ~revolving & ~installment & ~mortgage & (port != ord("O"))

    ok_bal, balance = _amount(m, 154)
    ok_pd, past_due = _amount(m, 163)
    ok_co, charge_off = _amount(m, 172)
    ok_lim, limit = _amount(m, 83)
    ok_hi, highest = _amount(m, 92)
    ok_sch, scheduled = _amount(m, 105)
    ok_act, actual = _amount(m, 114)
    out |= ~(ok_bal & ok_pd & ok_co & ok_lim & ok_hi & ok_sch & ok_act)
    original = np.where(installment | mortgage | coll, highest, 0)

    dates = {}
    for name, at in (("opened", 75), ("doai", 181), ("dofd", 189), ("closed", 197),
                     ("paid", 205), ("dob", 306)):
        empty, valid, ymd = _dates(m, at)
        out |= ~empty & ~valid
        dates[name] = (valid, ymd)
    opened_ok, opened = dates["opened"]
    doai_ok, doai = dates["doai"]
    out |= ~opened_ok | ~doai_ok
    has_dofd, dofd = dates["dofd"]
    has_closed, closed_on = dates["closed"]
    has_paid, paid_on = dates["paid"]
    has_dob, dob = dates["dob"]
    as_of = _month_end(doai)

    ssn = m[:, 297:306]
    ssn_digits = ((ssn >= _D0) & (ssn <= _D9)).all(axis=1)
    no_nid = ~ssn_digits | (ssn == _D0).all(axis=1) | (ssn == _D9).all(axis=1)

    hist = m[:, 126:150]
    h0 = hist[:, 0]
    has_hist = h0 != _SP
    is_b = hist == ord("B")
    ended = is_b | (hist == _SP)
    first_end = np.where(ended.any(axis=1), ended.argmax(axis=1), 24)
    after_b = np.logical_or.accumulate(is_b, axis=1)
    comment = _key2(m, 150)
    has_comment = (m[:, 150] != _SP) | (m[:, 151] != _SP)
    compliance = _key2(m, 152)
    has_compliance = (m[:, 152] != _SP) | (m[:, 153] != _SP)
    ecoa = m[:, 324]
    status2 = st_code

    ref = _ymd(activity)
    if ref is None:
        ref = _ymd(today)

    # -- the rules, in rule order ----------------------------------------------------------------
    # raw dates for "after as_of" (as sent, as the reject rules see them: flags more than the
    # month's end would), the month's end where a later as_of fires more
    out |= current & (past_due > 0)                                          # Q01
    out |= derogatory & ~has_dofd                                             # Q02
    out |= opened > doai                                                      # Q03
    out |= has_closed & (closed_on < opened)                                  # Q04
    out |= has_dofd & (dofd > doai)                                           # Q05
    out |= no_nid & ~has_dob                                                  # Q06
    out |= closed & (balance > 0)                                             # Q07
    out |= closed & (past_due > 0)                                            # Q08
    out |= past_due > balance                                                 # Q09
    out |= delinquent & (past_due == 0)                                       # Q10
    out |= closed & ~has_closed                                               # Q11
    out |= current & has_closed & (balance == 0)                              # Q12
    out |= current & has_dofd                                                 # Q13
    out |= ~coll & has_dofd & (dofd < opened)                                 # Q14
    out |= has_closed & (closed_on > doai)                                    # Q15
    # Q16 applies to JSON and CSV only (Metro 2 has Q48)
    if ref is None:
        out |= has_dob                                                        # Q17 undecidable
    else:
        out |= has_dob & (dob > ref)                                          # Q17
    out |= has_dob & (ecoa != ord("3")) & (dob <= opened) \
        & ((opened - dob) // 10000 < 18)                                      # Q18
    out |= has_dob & (dob <= as_of) & ((as_of - dob) // 10000 > 120)         # Q19
    out |= no_nid                                                             # Q20
    out |= current & np.isin(h0, np.frombuffer(b"GHJKL", dtype=np.uint8))    # Q21
    before = np.full(n, -1, dtype=np.int64)
    for ch, v in q.HISTORY_LEVEL.items():
        before[h0 == ord(ch)] = v
    out |= delinquent & has_hist & (before >= 0) & (before < lvl - 1)          # Q22
    out |= (after_b & ~is_b & (hist != _SP)).any(axis=1)                      # Q23
    months = (doai // 10000 * 12 + doai // 100 % 100) - (opened // 10000 * 12
                                                         + opened // 100 % 100)
    out |= has_hist & (first_end > months)                                    # Q24
    out |= installment & (original > 0) & (balance > original)                # Q25
    out |= (installment | mortgage) & (limit > 0)                             # Q26
    out |= revolving & (limit == 0)                                           # Q27
    out |= (installment | mortgage) & (original == 0)                         # Q28
    out |= closed & (scheduled > balance)                                     # Q29
    out |= coll                                          # Q30: a K1 is not in the base segment
    out |= (ecoa == ord("Z")) & (has_compliance | has_comment)                # Q31
    out |= t["consumer_closed"][compliance] & ~has_closed                     # Q32
    out |= t["fcba"][compliance] & (installment | mortgage)                   # Q33
    out |= t["paid_c"][comment] & (~closed | (balance > 0))                   # Q34
    out |= t["owing_c"][comment] & (balance == 0)                             # Q35
    out |= t["closed_c"][comment] & ~has_closed                               # Q36
    out |= t["de_c"][comment] & ((balance > 0) | (past_due > 0))              # Q37
    out |= t["charge_off"][status2] & (charge_off == 0)                       # Q38
    out |= t["never_co"][status2] & (charge_off > 0)                          # Q39
    out |= (m[:, 125] != _SP) & ~t["rating_statuses"][status2]                # Q40
    out |= (m[:, 125] == _SP) & t["rating_required"][status2]                 # Q41
    out |= t["mismatch"][acct_type, port]                                     # Q42
    out |= ~t["known_type"][acct_type]                                        # Q43
    terms = m[:, 101:104]
    rev = (terms == np.frombuffer(b"REV", dtype=np.uint8)).all(axis=1)
    loc = (terms == np.frombuffer(b"LOC", dtype=np.uint8)).all(axis=1)
    out |= ((port == ord("R")) & ~rev) | ((port == ord("C")) & ~loc)           # Q44
    out |= has_paid & (paid_on > doai)                                        # Q45
    out |= has_paid & (paid_on < opened)                                      # Q46
    out |= (actual > 0) & ~has_paid                                           # Q47
    act = _ymd(activity)
    if act is not None:
        out |= doai > act                                                     # Q48
    return out
