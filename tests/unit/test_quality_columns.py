"""``metro2_quality_columns.flags`` never under-flags: on every generated base segment where a
data-quality rule fires on the record path (reader + parse_account_record + domain.quality),
the column path's flag is set, so that record is sent through the record path and counted."""

from __future__ import annotations

import io
from datetime import date

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openbureau.adapters.fileformats import RawRecord, read_records
from openbureau.adapters.metro2_quality_columns import flags
from openbureau.domain import quality as q
from openbureau.domain.errors import ValidationFailed
from openbureau.domain.records import parse_account_record
from tests.unit.test_metro2 import BASE_DEFAULTS, base, fixed_file, header, record, trailer

TODAY = date(2024, 6, 15)
PLAIN = {**BASE_DEFAULTS, "history": "0" * 24}
DATES = ["01152020", "01142020", "03012024", "05012024", "05152024", "05312024", "06012024",
         "07042024", "02282006", "02282007", "01011903", "00000000", "13452020", "02302024"]
AMOUNTS = ["000000000", "000000001", "000000035", "000001234", "000005000", "000009999"]
FIELDS = {
    "portfolio": st.sampled_from("RCILMO X"),
    "account_type": st.sampled_from(["18", "01", "26", "48", "0C", "15", "07", "13", "ZZ"]),
    "terms_duration": st.sampled_from(["REV", "LOC", "036", "001"]),
    "date_opened": st.sampled_from(DATES), "doai": st.sampled_from(DATES),
    "dofd": st.sampled_from(DATES), "date_closed": st.sampled_from(DATES),
    "last_payment": st.sampled_from(DATES), "dob": st.sampled_from(DATES),
    "credit_limit": st.sampled_from(AMOUNTS), "highest_credit": st.sampled_from(AMOUNTS),
    "scheduled_payment": st.sampled_from(AMOUNTS), "actual_payment": st.sampled_from(AMOUNTS),
    "balance": st.sampled_from(AMOUNTS), "past_due": st.sampled_from(AMOUNTS),
    "charge_off": st.sampled_from(AMOUNTS),
    "status": st.sampled_from(["11", "13", "05", "61", "64", "65", "71", "78", "84", "88", "93",
                               "94", "97", "DA", "DF"]),
    "payment_rating": st.sampled_from(" 016GL"),
    "history": st.text("0126BDEGL", min_size=0, max_size=24),
    "special_comment": st.sampled_from(["", "AU", "CP", "M", "DE", "BD", "CI", "XX"]),
    "compliance": st.sampled_from(["", "XA", "XB", "XF", "XJ", "XR"]),
    "ssn": st.sampled_from(["123456789", "000000000", "999999999", ""]),
    "ecoa": st.sampled_from("1235XZ"),
}
ACTIVITY = st.sampled_from(["05312024", "05152024", "06302024"])
# mostly the plain record with a few fields changed: so that on many examples no rule fires and
# the flag must then be earned, not set by default
ROWS = st.fixed_dictionaries({}, optional=FIELDS).map(lambda v: {**PLAIN, **v})


def python_rules(data: bytes) -> list[str]:
    """The rules that fire on the record path for a one-record file."""
    fired: list[str] = []
    for item in read_records(io.BytesIO(data)):
        if not isinstance(item, RawRecord):
            continue
        try:
            rec = parse_account_record(item.fields)
        except ValidationFailed as exc:
            fired += q.rules_in(exc.errors)
            continue
        fired += [r.id for r in q.warnings(rec, item.metro2, TODAY)]
    return fired


def one_file(row: bytes, activity: str) -> bytes:
    return fixed_file([record(row)], trailer_rec=trailer(1)).replace(
        header(), header(activity=activity), 1)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ROWS, ACTIVITY)
def test_flags_cover_every_rule_that_fires(values: dict[str, str], activity: str) -> None:
    row = base(**values)
    fired = python_rules(one_file(row, activity))
    m = np.frombuffer(row, dtype=np.uint8).reshape(1, 426)
    if fired:
        assert flags(m, activity, TODAY)[0], fired


def test_a_plain_record_is_not_flagged_and_a_faulty_one_is() -> None:
    plain = base()
    assert python_rules(one_file(plain, "05312024")) == []
    bad = base(status="13", balance="000000100")          # paid with a balance (Q07) ...
    assert "Q07" in python_rules(one_file(bad, "05312024"))
    m = np.frombuffer(plain + bad, dtype=np.uint8).reshape(2, 426)
    assert flags(m, "05312024", TODAY).tolist() == [False, True]
    assert flags(m[:0], "05312024").tolist() == []


def test_without_a_reference_date_every_birth_date_is_flagged() -> None:
    m = np.frombuffer(base() + base(dob="00000000"), dtype=np.uint8).reshape(2, 426)
    assert flags(m, None, None).tolist() == [True, False]
    assert flags(m, "bad date!", TODAY).tolist() == [False, False]
