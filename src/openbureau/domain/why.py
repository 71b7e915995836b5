"""Why an account is on a file, in words a consumer reads: from the compact record identity
resolution kept when the account was linked (``accounts.link``: ``how``, ``at``, and for a
scored link ``model``, ``threshold``, ``weight`` and ``fields`` -- comparison -> [level,
weight]).

An account linked before the bureau kept this (``link`` NULL) says so: the bureau does not
reconstruct a reason it did not record.
"""

from __future__ import annotations

from typing import Any

FIELDS = {"nid": "national id", "first": "first name", "middle": "middle name",
          "surname": "surname", "gen": "generation (Jr, Sr)", "dob": "birth date",
          "addr": "address", "phone": "phone"}
# a level's label in words ("exact" is said in parentheses: "national id (exact)")
LEVELS = {"exact": "exact", "same address": "same", "similar address": "similar",
          "same ZIP": "same ZIP code only", "one digit off": "one digit different",
          "transposition": "two digits swapped", "nickname": "a nickname of it",
          "jaro-winkler >= 0.9": "spelled nearly the same", "initial": "initial only",
          "phonetic": "sounds the same", "day and month swapped": "day and month swapped",
          "one part off": "one part different", "else": "different"}
HOW = {
    "match": "Matched to your file by the bureau's identity-matching model.",
    "known_account": "The lender already reported this account on your file (same lender, "
                     "same account number), and its identity agrees with the file.",
    "new_file": "Your file was opened from this account's first record: no existing file "
                "matched it.",
    "operator": "The record did not match any file with enough confidence, so it was held; a "
                "member of the bureau's staff checked it and placed it on your file.",
}
UNRECORDED = ("This account was placed on your file before the bureau recorded how each account "
              "came to a file (recorded before the bureau kept this).")


def level_words(level: str) -> str:
    """A comparison level in words ("jaro-winkler >= 0.9" -> "spelled nearly the same")."""
    return LEVELS.get(level, level)


def _field(name: str, level: str) -> str:
    label = FIELDS.get(name, name)
    return f"{label} ({LEVELS.get(level, level)})"


def explain(link: dict[str, Any] | None) -> dict[str, Any]:
    """The ``why`` of an account on a report: ``how``, ``text`` (plain words), and for a scored
    link the match weight, the link threshold, the model version and each field compared
    (``agreed``: its weight was for the match)."""
    if not link:
        return {"how": "unrecorded", "text": UNRECORDED, "linked_on": None, "weight": None,
                "threshold": None, "model_version": None, "fields": []}
    how = str(link.get("how", "unrecorded"))
    fields = [{"field": name, "label": FIELDS.get(name, name), "level": level,
               "weight": weight, "agreed": weight > 0}
              for name, (level, weight) in (link.get("fields") or {}).items()]
    fields.sort(key=lambda f: -f["weight"])
    text = HOW.get(how, UNRECORDED)
    if fields:
        agreed = [_field(f["field"], f["level"]) for f in fields if f["agreed"]]
        differed = [_field(f["field"], f["level"]) for f in fields if not f["agreed"]]
        text += f" Matched on: {', '.join(agreed) or 'nothing'}"
        if differed:
            text += f"; differed on: {', '.join(differed)}"
        text += (f" — match weight {link['weight']:.1f}; the bureau links a record at "
                 f"{link['threshold']:g} or more.")
        if link.get("compared") == "keys":
            text += (" Your national id and your name with birth date, as the lender sent "
                     "them, were both already on this file; nothing else was compared.")
    if link.get("model"):
        text += f" Matching model {link['model']}."
    return {"how": how, "text": text, "linked_on": link.get("at"),
            "weight": link.get("weight"), "threshold": link.get("threshold"),
            "model_version": link.get("model"), "fields": fields}
