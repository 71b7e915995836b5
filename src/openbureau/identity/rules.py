"""Deciding where an identity belongs: match weights, then the integrity rules no weight
overrides.

- **Generation codes.** A record whose generation code (Jr, Sr, II...) differs from every code
  the file holds never links to it.
- **Two national ids.** A record whose national id is not among the file's links only when it
  looks like a mistyped id -- one digit off, or two digits transposed -- and its surname and
  birth date are exactly the file's, its first name the same (exactly, or as a nickname) and
  its middle name not another; never otherwise (two people of one name and birth date are two
  files; twins of one first name have consecutive ids and two middle names).
- **A different first name and birth date is a different person** (twins, spouses, parent and
  child at one address), unless the national id is the file's; a name written the other way
  round ("Li Wang" for "Wang Li"), exactly or misspelt ("Li Wnag"), counts as a different
  first name here.
- **A different first name and surname is a different person**, unless the national id is the
  file's.
- **Without a national id, the first name must agree** (a nickname, an initial or a typo
  agrees; another name does not).
- **A file owns the national id it was reported under most often**; an id it picked up from a
  mistyped record does not make it that number's file.
- **An id is not enough.** A record whose national id is the file's while its first name (or,
  without one, its surname) and its birth date both disagree -- or it gives no birth date -- is
  not linked: it is held ("national id matches a file whose name and birth date do not"). A
  household member's record under the owner's number is the common case.
- **No id, no bridge.** A record without a national id links only to its single best candidate,
  clearly ahead of the next (``MARGIN`` bits of weight); otherwise it is held.
- **Id, first name and birth date.** A record carrying the file's own national id, its first
  name (or a nickname) and its birth date links to it even below the link threshold -- a
  surname changed by marriage and a new address weigh against it, but cannot make it another
  person -- when no other file is at the review threshold; with the surname the same, a birth
  date one part off agrees too. Not where another file claims the id under an identity the
  rules forbid (that waits for an operator).
- **Several strong candidates** (two files above the link threshold without the margin between
  them) is ambiguity: held at ingest, "no file" at a look-up -- never someone else's data.
- **Known accounts** (furnisher + account number already on a file) stay on that file unless
  one of the rules above forbids it there; then the record is another person sharing the
  account number (a joint holder, an authorised user) and is resolved like any other.
- **Cannot-link.** Files the caller says the record must not join (a consumer's "not mine") are
  never candidates; a record that would otherwise have matched one of them (at the review
  threshold or above) and joins no other file is held, not made a new file (a second file of
  the same person would make that person's own look-ups ambiguous).
- **Protections reach near files.** A look-up reports every file it found scoring at the review
  threshold or above (``Decision.near``), whichever file it resolves to: a freeze or a fraud
  alert on any of them applies (a variant identity must not reach an unfrozen fragment).
- **Name agrees with id** (a profile's choice, ``cn-cri``). A record whose national id a file
  holds as its own while the record's name is none of the file's names (``name_agrees``) is
  held ("id matches, name does not"), whatever its weight; a look-up so named finds no file.
  Where they agree (and no rule above forbids it), the record links to that file whatever
  the weight of a name written the other way round ("WANG Xiaoming" / "Xiaoming Wang").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

from openbureau.identity.comparisons import BY_NAME
from openbureau.identity.features import Features
from openbureau.identity.model import FileIdentity, Match, MatchModel, Thresholds

MARGIN = 8.0     # bits: the best candidate 256 times likelier than the next
CANNOT_LINK = "matches a file this account may not join (the consumer said it is not theirs)"
NAME_DISAGREES = "id matches, name does not: national id on file under another name"
ID_AND_NAME_AGREE = "national id and name agree"
ID_DOB_FIRST_AGREE = "national id, first name and birth date agree"
MATCH = "match"     # linked by weight: at the link threshold, the margin ahead of the next


class Outcome(StrEnum):
    LINK = "link"
    HOLD = "hold"
    NEW = "new"


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    subject_id: int | None
    match: Match | None
    reason: str
    scored: tuple[tuple[int, Match], ...] = ()      # candidates scored, best first
    near: tuple[int, ...] = ()      # a look-up's files at the review threshold or above


def forbidden(rec: Features, file: FileIdentity) -> str | None:
    """Why ``rec`` may never join ``file`` whatever its weight, or None."""
    gens = {n.gen for n in file.names if n.gen}
    if rec.gen and gens and rec.gen not in gens:
        return "generation codes differ"
    nids = {f.nid for f in file.nids}
    if not (rec.nid and rec.nid in nids) and _differ(rec, file):
        return "first name and birth date differ"
    if not rec.nid and _first_differs(rec, file):
        return "first name differs and no national id was given"
    if not claims(file, rec.nid) and _name_differs(rec, file):
        return "first name and surname differ"
    if rec.nid and nids and rec.nid not in nids:
        first, middle = BY_NAME["first"], BY_NAME["middle"]
        same_name = any(n.surname == rec.surname
                        and first.levels[first.level_of(rec, n)].label in _SAME_FIRST
                        and middle.levels[middle.level_of(rec, n)].label != "else"
                        for n in file.names)
        same_dob = rec.dob is not None and any(d.dob == rec.dob for d in file.dobs)
        nid = BY_NAME["nid"]
        typo = any(nid.levels[nid.level_of(rec, f)].label in ("one digit off", "transposition")
                   for f in file.nids)
        if not (typo and same_name and same_dob and rec.first and rec.surname):
            return "national ids differ"
    return None


_SAME_FIRST = ("exact", "nickname")


def claims(file: FileIdentity, nid: str | None) -> bool:
    """The file holds ``nid`` as its own: its only id, or reported more often than any other
    (a mistyped id a file picked up does not make the file that number's owner)."""
    if not nid:
        return False
    counts: dict[str | None, int] = {}
    for f in file.nids:
        counts[f.nid] = counts.get(f.nid, 0) + 1
    if nid not in counts:
        return False
    others = [c for v, c in counts.items() if v != nid]
    return not others or counts[nid] > max(others)


def _name_forms(f: Features) -> set[str]:
    words = [w for part in (f.first, f.middle, f.surname) if part for w in part.split()]
    if not words:
        return set()
    given = [w for part in (f.first, f.middle) if part for w in part.split()]
    surname = f.surname.split() if f.surname else []
    return {" ".join(sorted(words)), "".join(words), "".join(surname + given)}


def name_agrees(rec: Features, file: FileIdentity) -> bool:
    """The record's name is one the file holds: the same words in any order ("Wang Wei" =
    "WEI, WANG"), or the same letters run together either way round ("Zhang Sanfeng" =
    "Zhang San Feng" = "Sanfeng Zhang"); generation codes aside. No name on file: agrees."""
    if not file.names:
        return True
    forms = _name_forms(rec)
    return any(forms & _name_forms(n) for n in file.names)


def _first_differs(rec: Features, file: FileIdentity) -> bool:
    first = BY_NAME["first"]
    return bool(rec.first) and any(n.first for n in file.names) and all(
        first.levels[first.level_of(rec, n)].label == "else" for n in file.names if n.first)


def _name_differs(rec: Features, file: FileIdentity) -> bool:
    """Neither the first name nor the surname agrees with any name the file holds."""
    if not rec.first or not rec.surname:
        return False
    first, surname = BY_NAME["first"], BY_NAME["surname"]
    named = [n for n in file.names if n.first and n.surname]
    return bool(named) and all(
        first.levels[first.level_of(rec, n)].label == "else"
        and surname.levels[surname.level_of(rec, n)].label == "else" for n in named)


_REVERSED = ("names reversed", "names reversed and similar")


def _differ(rec: Features, file: FileIdentity) -> bool:
    """Both the first name and the birth date disagree with every value the file holds (a
    name written the other way round, exactly or misspelt, is not the same first name here:
    "Li Wang" or "Li Wnag" born in 1961 is not "Wang Li" born in 1988)."""
    if not rec.first or rec.dob is None or not file.dobs or not any(n.first for n in file.names):
        return False
    first, dob = BY_NAME["first"], BY_NAME["dob"]
    names_differ = all(first.levels[first.level_of(rec, n)].label in ("else", *_REVERSED)
                       for n in file.names if n.first)
    return names_differ and all(dob.levels[dob.level_of(rec, d)].label == "else"
                                for d in file.dobs)


def id_only(rec: Features, file: FileIdentity, match: Match) -> bool:
    """The file holds the record's national id but neither its first name (nor, where the
    record gives none, its surname) nor its birth date: a household member's record carrying
    the owner's number ("Maria Lopez" under Jose Lopez's SSN, no birth date) is such a case."""
    if not claims(file, rec.nid):
        return False
    first = match.level("first")
    name_disagrees = first == "else" or (first == "null" and match.level("surname") == "else")
    return name_disagrees and match.level("dob") in ("else", "null")


def id_dob_first(rec: Features, file: FileIdentity, match: Match) -> bool:
    """The file's own national id, its first name (or a nickname of it) and its birth date:
    the same person whatever else differs -- a surname changed by marriage, a moved address
    (married, moved and below the link threshold on weight alone). With the surname the
    same, a birth date one part off (a mistyped day, month or year) agrees too."""
    if not claims(file, rec.nid) or match.level("nid") != "exact":
        return False
    if match.level("first") not in _SAME_FIRST:
        return False
    dob = match.level("dob")
    if dob == "exact":
        return True
    return (dob == "one part off" and match.level("surname") == "exact" and rec.dob is not None
            and any(_mistyped(rec.dob, d.dob) for d in file.dobs if d.dob is not None))


def _mistyped(a: date, b: date) -> bool:
    """One part of a birth date written wrong: the day or the month, or the year one digit
    off or a year out (1968 for 1939 is another person's birth date, not a typo)."""
    if a.year == b.year:
        return a.month == b.month or a.day == b.day
    if (a.month, a.day) != (b.month, b.day):
        return False
    return abs(a.year - b.year) == 1 or sum(
        x != y for x, y in zip(f"{a.year:04d}", f"{b.year:04d}", strict=True)) == 1


class Scorer(Protocol):
    """What ``decide`` needs of a model: its thresholds and a file's match."""

    @property
    def thresholds(self) -> Thresholds: ...

    def score_file(self, rec: Features, file: FileIdentity) -> Match: ...


def decide(model: Scorer, rec: Features, files: Mapping[int, FileIdentity], *,
           known: int | None = None, cannot_link: Iterable[int] = (),
           names_must_agree: bool = False) -> Decision:
    """Where a furnished record goes: LINK to a file, HOLD for review, or a NEW file.
    ``names_must_agree``: the profile's "name agrees with id" rule."""
    t = model.thresholds
    barred = set(cannot_link)
    if names_must_agree and rec.nid:
        agreeing: list[tuple[int, Match]] = []
        for sid in sorted(files):
            if sid in barred or not claims(files[sid], rec.nid):
                continue
            match = model.score_file(rec, files[sid])
            if not name_agrees(rec, files[sid]):
                return Decision(Outcome.HOLD, None, match, NAME_DISAGREES, ((sid, match),))
            if forbidden(rec, files[sid]) is None:
                agreeing.append((sid, match))
        if len(agreeing) == 1:       # the id and the name agree: the profile's own test
            sid, match = agreeing[0]
            return Decision(Outcome.LINK, sid, match, ID_AND_NAME_AGREE, tuple(agreeing))
        if agreeing:
            return Decision(Outcome.HOLD, None, agreeing[0][1], "several files match",
                            tuple(agreeing))
    scored: list[tuple[int, Match]] = []
    conflicts: list[str] = []
    for sid in sorted(files):
        if sid in barred:
            continue
        why = forbidden(rec, files[sid])
        if why is None:
            scored.append((sid, model.score_file(rec, files[sid])))
        elif claims(files[sid], rec.nid):
            conflicts.append(why)
    scored.sort(key=lambda item: (-item[1].weight, item[0]))
    ranked = tuple(scored)
    clear = bool(scored) and scored[0][1].weight >= t.link and (
        len(scored) == 1 or scored[1][1].weight < t.review
        or scored[0][1].weight - scored[1][1].weight >= MARGIN)
    for sid, match in scored:
        if id_only(rec, files[sid], match) and not (clear and sid != scored[0][0]):
            return Decision(Outcome.HOLD, None, match,
                            "national id matches a file whose name and birth date do not",
                            ranked)
    if known is not None and known in files and known not in barred:
        on_file = next((m for s, m in scored if s == known), None)
        # stays on its file unless its identity conflicts there: no rule forbids it (it was
        # scored) and, below the review threshold, no file claims its national id under an
        # identity the rules forbid
        if on_file is not None and (on_file.weight >= t.review or not conflicts):
            return Decision(Outcome.LINK, known, on_file, "known account", ranked)
        # an identity a rule forbids on that file is another person sharing the account
        # number -- a joint account's other holder, an authorised user (Metro 2's J1/J2):
        # resolved like any record
    if conflicts and not (scored and scored[0][1].weight >= t.link):
        return Decision(Outcome.HOLD, None, None,
                        f"national id on file under another identity ({conflicts[0]})", ranked)
    if not scored or scored[0][1].weight < t.review:
        if any(forbidden(rec, files[sid]) is None
               and model.score_file(rec, files[sid]).weight >= t.review
               for sid in sorted(barred & set(files))):
            return Decision(Outcome.HOLD, None, None, CANNOT_LINK, ranked)
        return Decision(Outcome.NEW, None, None, "no file matches", ranked)
    best_sid, best = scored[0]
    second = scored[1][1].weight if len(scored) > 1 else None
    if (best.weight < t.link and (second is None or second < t.review)
            and id_dob_first(rec, files[best_sid], best)):
        return Decision(Outcome.LINK, best_sid, best, ID_DOB_FIRST_AGREE, ranked)
    if best.weight < t.link:
        return Decision(Outcome.HOLD, None, best, "weak match: below the link threshold",
                        ranked)
    if second is not None and second >= t.review and best.weight - second < MARGIN:
        return Decision(Outcome.HOLD, None, best, "several files match", ranked)
    return Decision(Outcome.LINK, best_sid, best, MATCH, ranked)


class _Scored:
    """A model whose ``score_file`` remembers each file's match for one record."""

    def __init__(self, model: MatchModel) -> None:
        self._model = model
        self._memo: dict[int, Match] = {}

    @property
    def thresholds(self) -> Thresholds:
        return self._model.thresholds

    def score_file(self, rec: Features, file: FileIdentity) -> Match:
        match = self._memo.get(id(file))
        if match is None:
            match = self._memo[id(file)] = self._model.score_file(rec, file)
        return match


def dob_mistyped_on_file(rec: Features, file: FileIdentity) -> bool:
    """A look-up whose birth date the file does not hold still means the file when every
    birth date the file holds is the given one with one part mistyped (``_mistyped``) and
    everything else a lender checks agrees exactly: the file's own national id, its surname
    and first name (or a nickname), and an address with its ZIP the file holds. That is a
    file whose only birth date is a furnisher's typo, looked up by its owner; an asker who
    gets the birth date wrong but the number, the name and the address right is asking
    about that same person. A near-namesake never gets this far (another number, another
    address), nor Jr and Sr (two numbers, decades apart)."""
    if rec.dob is None or not claims(file, rec.nid) or not rec.addr or not rec.zip:
        return False
    if not all(d.dob is not None and _mistyped(rec.dob, d.dob) for d in file.dobs):
        return False
    first = BY_NAME["first"]
    same_name = any(n.surname == rec.surname
                    and first.levels[first.level_of(rec, n)].label in _SAME_FIRST
                    for n in file.names)
    same_address = any(a.addr == rec.addr and a.zip == rec.zip for a in file.addresses)
    return same_name and same_address and bool(rec.surname)


def look_up(model: MatchModel, rec: Features, files: Mapping[int, FileIdentity],
            *, names_must_agree: bool = False) -> Decision:
    """Which file a look-up (an inquiry, a restriction check, a court) means: LINK only when one
    file matches with confidence; anything else is NEW here, meaning "no file". A look-up's
    birth date and national id, when it gives them, must be ones the file holds: the asker has
    the person in front of them (a mistyped number is theirs to correct, not the bureau's to
    guess), and a consequence (a court's restriction) must never reach a near-namesake. The
    one exception is a file whose birth dates are all the given one mistyped, when number,
    name and address agree exactly (``dob_mistyped_on_file``).

    ``near``: every candidate file scoring at the review threshold or above, before those
    filters and whatever the answer (the files whose freezes and fraud alerts apply)."""
    scorer = _Scored(model)        # each candidate scored once, for ``near`` and ``decide``
    near = tuple(sid for sid in sorted(files)
                 if scorer.score_file(rec, files[sid]).weight >= model.thresholds.review)
    if rec.dob is not None:
        files = {sid: f for sid, f in files.items()
                 if not f.dobs or any(d.dob == rec.dob for d in f.dobs)
                 or dob_mistyped_on_file(rec, f)}
    if rec.nid is not None:
        files = {sid: f for sid, f in files.items()
                 if not f.nids or any(n.nid == rec.nid for n in f.nids)}
    d = decide(scorer, rec, files, names_must_agree=names_must_agree)
    if d.outcome is Outcome.LINK:
        return dataclasses.replace(d, near=near)
    return Decision(Outcome.NEW, None, d.match, d.reason, d.scored, near)
