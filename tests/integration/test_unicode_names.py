"""A lender's look-up compares names in Unicode: no letter is deleted before comparing."""

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
    (WEI, "Wei 李", False),
    (WEI, "Wei", False),
    (LUKASZ, "Łukasz Nowak", True),
    (LUKASZ, "Lukasz Nowak", True),
    (LUKASZ, "ukasz Nowak", False),
])
def test_inquiry_names_compared_in_unicode(client, orgs, stored, name, found):
    furnish(client, orgs, record(subject=dict(stored), account_ref="U-1"))
    r = _pull(client, orgs, {**stored, "name": name})
    assert r.status_code == (201 if found else 404), r.text
    if not found:
        assert stored["name"] not in r.text
