"""An offer's reach cannot reveal a consumer's score (issue 12, finding 12): a member saw
``reach`` 1 at min_score 600 and 0 at 610 and so learned the one opted-in consumer's score.
Counts below ten are withheld (``reach: null``, ``reach_suppressed: true``), zero included, in
the API and on the member's offers page."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert

from openbureau.adapters.tables import consumer_logins, subjects
from openbureau.services import rights
from tests.conftest import NOW, auth
from tests.integration.test_rights import give_score, no_rescoring, offer  # noqa: F401
from tests.integration.test_web_pages import HTML, sign_in_org


def opted_in(bureau, national_id: str, score: int) -> None:
    """A file with an opted-in consumer login and a current score (set up directly: enrolling
    through argon2 ten times is slow and not what is under test)."""
    with bureau.uow() as uow:
        sid = uow.execute(insert(subjects).values(
            id_hmac=bureau.vault.lookup_hash(national_id),
            id_ciphertext=bureau.vault.encrypt(national_id), id_suffix=national_id[-4:],
            name=f"Consumer {national_id}", kind="person",
            created_at=datetime(2026, 1, 1, tzinfo=UTC), item_ref=f"sub_t{national_id}")
            .returning(subjects.c.id)).scalar_one()
        uow.execute(insert(consumer_logins).values(
            subject_id=sid, password_hash="-", created_at=NOW, failed_attempts=0,
            offers_opt_in=True))
        uow.commit()
    give_score(bureau, national_id, score)


def reaches(client, orgs) -> dict[str, tuple[object, bool]]:  # type: ignore[no-untyped-def]
    items = client.get("/v1/member/offers", headers=auth(orgs["member"])).json()["items"]
    return {o["title"]: (o["reach"], o["reach_suppressed"]) for o in items}


def test_one_opted_in_consumer_is_not_revealed(no_rescoring, client, orgs, bureau):  # noqa: F811
    opted_in(bureau, "900500001", 605)
    at_600 = offer(client, orgs, title="At 600", min_score=600).json()
    at_610 = offer(client, orgs, title="At 610", min_score=610).json()
    # today's answer was 1 and 0: the consumer's score between 600 and 609
    assert (at_600["reach"], at_600["reach_suppressed"]) == (None, True)
    assert (at_610["reach"], at_610["reach_suppressed"]) == (None, True)
    assert at_600["reach_minimum"] == 10
    assert reaches(client, orgs) == {"At 600": (None, True), "At 610": (None, True)}


def test_counts_of_ten_and_more_are_shown(no_rescoring, client, orgs, bureau):  # noqa: F811
    for i in range(10):
        opted_in(bureau, f"90060{i:04d}", 700 + i)
    offer(client, orgs, title="Ten", min_score=700)
    offer(client, orgs, title="Nine", min_score=701)
    assert reaches(client, orgs) == {"Ten": (10, False), "Nine": (None, True)}
    # the member's page says "fewer than 10", never the count
    sign_in_org(client, orgs["member"])
    page = client.get("/member/offers", headers=HTML).text
    assert "fewer than 10" in page
    row = page[page.index("<td>Nine</td>"):]
    assert "<td>9</td>" not in row[:row.index("</tr>")]


def test_the_threshold_is_one_rule(bureau):
    assert rights.suppressed_reach(9, 10) == {"reach": None, "reach_suppressed": True,
                                              "reach_minimum": 10}
    assert rights.suppressed_reach(0, 10)["reach"] is None
    assert rights.suppressed_reach(10, 10)["reach"] == 10
