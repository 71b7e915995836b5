"""An identity as the matching model compares it.

Names are split into first, middle and surname (the furnished parts where a record has them,
else parsed from the full name: "SURNAME, FIRST MIDDLE" or "FIRST MIDDLE SURNAME"), with a
trailing generation suffix (Jr, Sr, II-IX) taken off into the generation code; compared
transliterated and case-folded (``transliterate``). A first name carries its nickname set (the
``nicknames`` package: "Bob" and "Robert" share one), a surname its phonetic code (metaphone).
A national id is its digits; all zeros or all nines is none given (Metro 2's convention).
Addresses are the first line normalised (upper case, punctuation dropped, the USPS suffix and
direction abbreviations: "Street" = "St", "North" = "N"), ZIPs their first five characters,
phones their last ten digits.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import jellyfish
from nicknames import NickNamer

# Letters Unicode does not decompose into a base letter and a mark, folded on purpose.
_TRANSLITERATE = str.maketrans({
    "ł": "l", "đ": "d", "ð": "d", "ø": "o", "ħ": "h", "ı": "i", "ŀ": "l", "ŧ": "t",
    "þ": "th", "ß": "ss", "æ": "ae", "œ": "oe", "ĸ": "k", "ŋ": "n",
})

GENERATIONS = {"jr": "J", "jnr": "J", "junior": "J", "sr": "S", "snr": "S", "senior": "S",
               "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8",
               "ix": "9", "2nd": "2", "3rd": "3", "4th": "4"}
_GEN_CODES = {"J", "S", "2", "3", "4", "5", "6", "7", "8", "9"}

_ADDRESS_WORDS = {
    "street": "st", "avenue": "ave", "av": "ave", "road": "rd", "drive": "dr", "lane": "ln",
    "court": "ct", "boulevard": "blvd", "place": "pl", "terrace": "ter", "circle": "cir",
    "highway": "hwy", "parkway": "pkwy", "square": "sq", "trail": "trl", "way": "way",
    "apartment": "apt", "suite": "ste", "unit": "unit", "#": "apt",
    "north": "n", "south": "s", "east": "e", "west": "w", "northeast": "ne",
    "northwest": "nw", "southeast": "se", "southwest": "sw",
}


def fold(text: str) -> str:
    """NFKC, case-folded, marks removed and Latin letters transliterated (Ł -> l, ß -> ss);
    letters of other scripts kept as they are, never deleted."""
    if text.isascii():      # all of the above leaves ASCII as it is but for its case
        return text.lower()
    text = unicodedata.normalize("NFKC", text).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", kept.translate(_TRANSLITERATE))


def _words(text: str | None) -> list[str]:
    if not text:
        return []
    return [w for w in re.split(r"[\s,.'\-]+", fold(text)) if w]


@lru_cache(maxsize=65536)
def nickname_set(first: str) -> tuple[str, ...]:
    """The first name with the names it is a nickname of and the nicknames it has: two first
    names are nicknames of each other when either is in the other's set ("Bob" and "Robert";
    not "Mary" and "Rose", which only share "Rosemary")."""
    if not first:
        return ()
    namer = _namer()
    names = {first} | namer.nicknames_of(first) | namer.canonicals_of(first)
    return tuple(sorted(names))


@lru_cache(maxsize=1)
def _namer() -> NickNamer:
    return NickNamer()


@lru_cache(maxsize=65536)
def phonetic(surname: str) -> str:
    return jellyfish.metaphone(surname) if surname.isascii() else surname


def generation_code(value: str | None) -> str | None:
    """J, S or 2-9 from a Metro 2 code or a written suffix; None when none is given."""
    if not value:
        return None
    v = value.strip()
    if v.upper() in _GEN_CODES:
        return v.upper()
    return GENERATIONS.get(fold(v).strip("."))


def split_name(name: str) -> tuple[str, str, str, str | None]:
    """(first, middle, surname, generation code) of a full name as written."""
    gen: str | None = None
    if "," in name:
        surname_part, _, rest = name.partition(",")
        sw, rw = _words(surname_part), _words(rest)
        if rw and rw[-1] in GENERATIONS:
            gen = GENERATIONS[rw.pop()]
        if sw and len(sw) > 1 and sw[-1] in GENERATIONS:
            gen = GENERATIONS[sw.pop()]
        first = rw[0] if rw else ""
        return first, " ".join(rw[1:]), " ".join(sw), gen
    words = _words(name)
    if len(words) > 1 and words[-1] in GENERATIONS:
        gen = GENERATIONS[words.pop()]
    if not words:
        return "", "", "", gen
    if len(words) == 1:
        return "", "", words[0], gen
    return words[0], " ".join(words[1:-1]), words[-1], gen


def national_id(value: str | None) -> str | None:
    if not value:
        return None
    digits = "".join(c for c in value if c.isalnum()).upper()
    if not digits or set(digits) <= {"0"} or set(digits) <= {"9"}:
        return None
    return digits


def address_line(value: str | None) -> str | None:
    words = [_ADDRESS_WORDS.get(w, w) for w in _words(value)]
    return " ".join(words) or None


def zip5(value: str | None) -> str | None:
    if not value:
        return None
    v = "".join(c for c in value if c.isalnum())[:5].upper()
    return v or None


def phone(value: str | None) -> str | None:
    if not value:
        return None
    digits = "".join(c for c in value if c.isdigit())[-10:]
    return digits if len(digits) >= 7 else None


@dataclass(frozen=True, slots=True)
class Features:
    """One identity's comparable fields (None: not given)."""

    first: str | None
    first_nicks: tuple[str, ...]
    middle: str | None
    surname: str | None
    surname_phon: str | None
    gen: str | None
    nid: str | None
    dob: date | None
    addr: str | None
    zip: str | None
    phone: str | None

    def as_row(self) -> dict[str, Any]:
        """The columns splink reads (the names the comparisons' SQL uses)."""
        dob = self.dob
        return {
            "first": self.first, "first_nicks": list(self.first_nicks) or None,
            "middle": self.middle, "surname": self.surname, "surname_phon": self.surname_phon,
            "gen": self.gen, "nid": self.nid, "dob": dob.isoformat() if dob else None,
            "dob_y": dob.year if dob else None, "dob_m": dob.month if dob else None,
            "dob_d": dob.day if dob else None, "addr": self.addr, "zip": self.zip,
            "phone": self.phone,
        }


def name_parts(identity: Any) -> tuple[str, str, str, str | None]:
    """(first, middle, surname, generation code) of an identity as compared: its name parts
    when it has them, else its full name split."""
    first, middle, surname, gen = split_name(identity.name or "")
    if getattr(identity, "surname", None):
        surname = " ".join(_words(identity.surname))
        first = " ".join(_words(getattr(identity, "first_name", None))[:1]) or first
        middle = " ".join(_words(getattr(identity, "middle_name", None))) or (
            middle if not getattr(identity, "first_name", None) else "")
    gen = generation_code(getattr(identity, "generation_code", None)) or gen
    return first, middle, surname, gen


def of(identity: Any) -> Features:
    """The features of a ``SubjectIdentity`` (or anything with its attributes)."""
    first, middle, surname, gen = name_parts(identity)
    address = getattr(identity, "address", None)
    return Features(
        first=first or None, first_nicks=nickname_set(first) if first else (),
        middle=middle or None, surname=surname or None,
        surname_phon=phonetic(surname) if surname else None, gen=gen,
        nid=national_id(identity.national_id), dob=identity.date_of_birth,
        addr=address_line(address.line1) if address is not None else None,
        zip=zip5(address.postal_code) if address is not None else None,
        phone=phone(getattr(identity, "phone", None)),
    )
