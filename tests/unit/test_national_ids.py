"""National ids as a profile asks for them: cn-cri's resident identity number (GB 11643-1999,
check character ISO 7064 MOD 11-2), and the rule that a name must agree with its id."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from openbureau.domain import national_ids
from openbureau.domain.national_ids import cn_check_character, cn_resident_error
from openbureau.domain.records import SubjectIdentity
from openbureau.identity import features, model, rules
from tests.unit.test_identity_model import file_of

# the standard's own worked example (GB 11643-1999, appendix): 11010519491231002X
STANDARD_EXAMPLE = "11010519491231002X"


def valid(region: str, born: date, seq: int) -> str:
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    return first17 + cn_check_character(first17)


def test_the_standards_example_is_valid_and_its_check_character_is_x():
    assert cn_check_character(STANDARD_EXAMPLE[:17]) == "X"
    assert cn_resident_error(STANDARD_EXAMPLE, date(1949, 12, 31)) is None


def test_what_is_refused_and_how_it_is_said():
    assert "15-digit" in (cn_resident_error("110105491231002", None) or "")
    assert "18-character" in (cn_resident_error("900100200", None) or "")
    assert "birth date" in (cn_resident_error("110105194913310021", None) or "")
    wrong_check = STANDARD_EXAMPLE[:17] + "1"
    assert "check digit" in (cn_resident_error(wrong_check, None) or "")
    assert "other than date_of_birth" in (
        cn_resident_error(STANDARD_EXAMPLE, date(1949, 12, 30)) or "")
    # the message never echoes the number
    for bad in ("110105491231002", wrong_check, "900100200"):
        assert bad not in (cn_resident_error(bad, None) or "")


def test_errors_follow_the_scheme_and_whether_an_id_is_required():
    assert national_ids.errors("any", False, None, None) == []
    assert national_ids.errors("any", False, "900100200", None) == []
    assert [e.message for e in national_ids.errors("cn_resident", True, None, None)] == [
        "is required under this profile"]
    assert national_ids.errors("cn_resident", True, STANDARD_EXAMPLE, None) == []
    (err,) = national_ids.errors("cn_resident", True, "900100200", None, "debtor.national_id")
    assert err.field == "debtor.national_id"


regions = st.sampled_from(["110101", "310104", "440305", "510107", "650102"])
births = st.dates(date(1920, 1, 1), date(2008, 12, 31))


@given(regions, births, st.integers(0, 999), st.integers(0, 16), st.integers(1, 9))
def test_every_single_digit_typo_is_caught(region, born, seq, pos, delta):
    nid = valid(region, born, seq)
    assert cn_resident_error(nid, born) is None
    typo = nid[:pos] + str((int(nid[pos]) + delta) % 10) + nid[pos + 1:]
    assert cn_resident_error(typo, None) is not None


@given(regions, births, st.integers(0, 999), st.integers(0, 15))
def test_every_transposition_of_two_adjacent_digits_is_caught(region, born, seq, pos):
    nid = valid(region, born, seq)
    if nid[pos] == nid[pos + 1]:
        return
    swapped = nid[:pos] + nid[pos + 1] + nid[pos] + nid[pos + 2:]
    assert cn_resident_error(swapped, None) is not None


# -- the name must agree with the id (cn-cri) -------------------------------------------------

WANG = valid("110101", date(1980, 5, 17), 11)


def who(name: str, nid: str | None = WANG, dob: date | None = date(1980, 5, 17)
        ) -> features.Features:
    return features.of(SubjectIdentity(nid, name, dob))


def test_names_agree_in_either_order_and_written_together_or_apart():
    on_file = file_of(who("Wang Xiaoming"))
    for same in ("WANG, XIAOMING", "Xiaoming Wang", "wang xiaoming", "Wang Xiao Ming"):
        assert rules.name_agrees(who(same), on_file), same
    for other in ("Wang Xiaohong", "Li Xiaoming", "Wang"):
        assert not rules.name_agrees(who(other), on_file), other
    assert rules.name_agrees(who("王小明"), file_of(who("王小明")))
    assert not rules.name_agrees(who("王小红"), file_of(who("王小明")))


def test_an_id_on_file_under_another_name_is_held_only_where_the_profile_says_so():
    m = model.load()
    on_file = {7: file_of(who("Wang Xiaoming"))}
    sister = who("Wang Xiaohong")       # the same id and birth date, another given name
    strict = rules.decide(m, sister, on_file, names_must_agree=True)
    assert strict.outcome is rules.Outcome.HOLD and strict.reason == rules.NAME_DISAGREES
    assert [sid for sid, _ in strict.scored] == [7]       # the review item names the file
    assert rules.decide(m, who("WANG, XIAOMING"), on_file,
                        names_must_agree=True).subject_id == 7
    # a look-up so named finds no file
    assert rules.look_up(m, sister, on_file, names_must_agree=True).subject_id is None
    assert rules.look_up(m, who("Xiaoming Wang"), on_file,
                         names_must_agree=True).subject_id == 7


@given(st.sampled_from(["Wang Xiaohong", "Li Xiaoming", "Zhang Wei", "Chen Jing"]),
       st.booleans())
def test_no_weight_links_a_disagreeing_name_to_the_ids_file(name, with_more):
    m = model.load()
    owner = who("Wang Xiaoming")
    files = {1: file_of(owner, owner) if with_more else file_of(owner)}
    d = rules.decide(m, who(name), files, names_must_agree=True)
    assert d.outcome is not rules.Outcome.LINK
