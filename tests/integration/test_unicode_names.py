"""A lender's look-up compares names in Unicode: no letter is deleted before comparing.

Whether a look-up finds the file is the identity-matching model's decision (issue 14): with the
national id and birth date agreeing, a changed surname (a marriage) or a one-letter slip is
the same person; a name that agrees in nothing is not. The comparison itself never equates
two names that differ in a letter of any script (``test_names_differ_in_unicode``)."""

from __future__ import annotations

import pytest

from tests.conftest import auth
from tests.integration.test_reports import furnish, record

WEI = {"national_id": "900300400", "name": "Wei 王", "date_of_birth": "1990-02-03"}
LUKASZ = {"national_id": "900300401", "name": "Łukasz Nowak", "date_of_birth": "1991-03-04"}


def _pull(client, orgs, subject):
    return client.post("/v1/member/inquiries", headers=auth(orgs["member"]),
                       json={"subject": subject, "purpose": "credit_application"})


@pytest.mark.parametrize(("stored", "name", "found"), [
    (WEI, "Wei 王", True),
    (WEI, "Wei 李", True),            # another surname, id + birth date + first name agree
    (WEI, "Li 李", False),            # nothing of the name agrees: the id alone is not enough
    (WEI, "Wei", False),
    (LUKASZ, "Łukasz Nowak", True),
    (LUKASZ, "Lukasz Nowak", True),
    (LUKASZ, "ukasz Nowak", True),    # a dropped letter: similar, and id + birth date agree
    (LUKASZ, "Jan Kowalski", False),
])
def test_inquiry_names_compared_in_unicode(client, orgs, stored, name, found):
    furnish(client, orgs, record(subject=dict(stored), account_ref="U-1"))
    r = _pull(client, orgs, {**stored, "name": name})
    assert r.status_code == (201 if found else 404), r.text
    if not found:
        assert stored["name"] not in r.text


@pytest.mark.parametrize(("a", "b", "field", "level"), [
    ("Wei 王", "Wei 李", "surname", "else"),
    ("Łukasz Nowak", "Lukasz Nowak", "first", "exact"),      # transliterated on purpose
    ("Łukasz Nowak", "ukasz Nowak", "first", "jaro-winkler >= 0.9"),
    ("Wei 王", "Wei 王", "surname", "exact"),
])
def test_names_differ_in_unicode(a, b, field, level):
    from openbureau.domain.record_types import SubjectIdentity
    from openbureau.identity import comparisons, features

    fa, fb = (features.of(SubjectIdentity(None, n, None)) for n in (a, b))
    c = comparisons.BY_NAME[field]
    assert c.levels[c.level_of(fa, fb)].label == level
