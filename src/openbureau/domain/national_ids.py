"""National identifiers as a jurisdiction profile asks for them.

``any`` (us-fcra, eu-gdpr): an identifier of 6 to 20 letters or digits, optional (a record
without one is placed by name, birth date and address).

``cn_resident`` (cn-cri): the 18-character resident identity number of GB 11643-1999 --
six digits of region, the birth date as YYYYMMDD, a three-digit sequence and a check
character computed by ISO 7064 MOD 11-2 (0-9 or X) -- required on every record and look-up,
its birth date the person's birth date. The 15-digit first-generation number (withdrawn in
2013) is refused with a message saying so. The name must agree with the identifier
(``identity.rules``); that rule lives with the matching, this module only checks the number.

One function, ``errors``, serves every entry point: furnishing (JSON, CSV, Metro 2), look-ups
(inquiries, consents, restriction checks) and court listings. It never echoes the number.
"""

from __future__ import annotations

from datetime import date

from openbureau.domain.errors import FieldError

ANY = "any"
CN_RESIDENT = "cn_resident"
SCHEMES = (ANY, CN_RESIDENT)

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def cn_check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of a resident id's first 17 digits."""
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def cn_birth_date(nid: str) -> date | None:
    """The birth date a resident id carries (characters 7 to 14), or None if it is no date."""
    try:
        return date(int(nid[6:10]), int(nid[10:12]), int(nid[12:14]))
    except ValueError:
        return None


def cn_resident_error(nid: str, date_of_birth: date | None) -> str | None:
    """What is wrong with a (normalised) resident identity number, or None."""
    if len(nid) == 15 and nid.isdigit():
        return ("is a 15-digit first-generation resident id; send the 18-character "
                "second-generation number")
    if len(nid) != 18 or not nid[:17].isdigit() or nid[17] not in "0123456789X":
        return "must be an 18-character resident identity number (17 digits and a check " \
               "digit or X)"
    born = cn_birth_date(nid)
    if born is None or born.year < 1900:
        return "does not carry a valid birth date (characters 7 to 14)"
    if nid[17] != cn_check_character(nid[:17]):
        return "fails its check digit (ISO 7064 MOD 11-2): a character is mistyped"
    if date_of_birth is not None and date_of_birth != born:
        return "carries a birth date other than date_of_birth"
    return None


def errors(scheme: str, required: bool, national_id: str | None, date_of_birth: date | None,
           field: str = "subject.national_id") -> list[FieldError]:
    """The errors of a (normalised) national id under a profile's scheme; none when it is
    fine or, being optional, absent."""
    if not national_id:
        return [FieldError(field, "is required under this profile")] if required else []
    if scheme == CN_RESIDENT:
        problem = cn_resident_error(national_id, date_of_birth)
        if problem is not None:
            return [FieldError(field, problem)]
    return []
