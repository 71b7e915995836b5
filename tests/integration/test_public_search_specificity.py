"""The public defaulter list cannot be harvested (issue 12, finding 13): one-letter queries
returned 100 listings each. A query must be specific enough to look a person up -- a name of at
least 4 letters, or of 2-3 letters (matched as a whole word) with the identifier's last 4
characters or the court -- and an answer holds at most 20 listings."""

from __future__ import annotations

import string

from openbureau.services import registry
from tests.integration.test_registry import judgment, list_judgment, search

HTML = {"Accept": "text/html"}


def list_many(client, orgs, names: list[str]) -> None:  # type: ignore[no-untyped-def]
    for i, name in enumerate(names):
        r = list_judgment(client, orgs, case_number=f"(2026) Jing 0105 Zhi {i:04d}",
                          debtor={"national_id": f"90070{i:04d}", "name": name,
                                  "date_of_birth": "1980-01-01"})
        assert r.status_code == 201, r.text


def test_one_letter_queries_harvest_nothing(client, orgs, bureau):
    bureau.settings.public_search_per_minute = 1000
    list_many(client, orgs, ["Ada Lovelace", "Alan Turing", "Grace Hopper"])
    harvested = set()
    for letter in string.ascii_lowercase:
        r = search(client, name=letter)
        assert r.status_code == 422, letter
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["errors"][0]["field"] == "name"
        assert "at least 2 letters" in r.json()["errors"][0]["message"]
        harvested |= {x["name"] for x in r.json().get("items", [])}
    assert harvested == set()
    # nor a whole court, nor every identifier with some ending, nor wildcards
    assert search(client, court="Test court").status_code == 422
    assert search(client, id_suffix="0001").status_code == 422
    for junk in ("%%", "__", "% %", "a%", "..."):
        assert search(client, name=junk).status_code == 422, junk


def test_short_names_need_a_second_key_and_match_whole_words(client, orgs, bureau):
    bureau.settings.public_search_per_minute = 1000
    list_many(client, orgs, ["Li Wei", "Alice Libby", "Bo Li"])
    assert search(client, name="Li").status_code == 422            # two letters, nothing else
    r = search(client, name="Li", court="Test court")
    assert r.status_code == 200
    assert sorted(x["name"] for x in r.json()["items"]) == ["Bo Li", "Li Wei"]   # not "Alice"
    r = search(client, name="Li", id_suffix="0000")
    assert [x["name"] for x in r.json()["items"]] == ["Li Wei"]
    assert search(client, name="Li", id_suffix="00").status_code == 422   # the last 4, whole
    # four letters on their own are a name search (substring, as before)
    assert [x["name"] for x in search(client, name="Libb").json()["items"]] == ["Alice Libby"]


def test_a_two_character_chinese_name_is_a_name(client, orgs, bureau):
    list_many(client, orgs, ["王伟", "王芳"])
    assert search(client, name="王").status_code == 422
    assert [x["name"] for x in search(client, name="王伟").json()["items"]] == ["王伟"]


def test_answers_are_capped(client, orgs, bureau):
    list_many(client, orgs, [f"Wang {c}{c}" for c in string.ascii_uppercase[:25]])
    r = search(client, name="Wang")
    assert r.status_code == 200
    assert len(r.json()["items"]) == registry.PUBLIC_LIMIT == 20


def test_the_page_refuses_a_one_letter_query_with_the_rule(client, orgs):
    list_judgment(client, orgs)
    r = client.get("/public/defaulters?name=a", headers=HTML)
    assert r.status_code == 200
    assert 'role="alert"' in r.text and "at least 2 letters" in r.text
    assert "Lovelace" not in r.text
    assert judgment()["case_number"] not in r.text
    r = client.get("/public/defaulters?name=Lovelace", headers=HTML)
    assert "Ada Lovelace" in r.text
