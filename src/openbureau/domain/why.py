"""Why an item is on a file, in words a consumer reads: from the compact record identity
resolution kept when the item was placed (``accounts.link``, ``public_records.link``,
``inquiries.link``: ``how``, ``at``, and for a scored link ``model``, ``threshold``,
``weight`` and ``fields`` -- comparison -> [level, weight]). An account is placed when its
record is furnished; a court listing and an inquiry by a look-up of the identity the court or
the member gave.

An item placed before the bureau kept this (``link`` NULL) says so: the bureau does not
reconstruct a reason it did not record.
"""

from __future__ import annotations

from typing import Any

from openbureau.domain.letters import ENGLISH, Language
from openbureau.domain.wording import N_

FIELDS = {"nid": N_("national id"), "first": N_("first name"), "middle": N_("middle name"),
          "surname": N_("surname"), "gen": N_("generation (Jr, Sr)"), "dob": N_("birth date"),
          "addr": N_("address"), "phone": N_("phone")}
# a level's label in words ("exact" is said in parentheses: "national id (exact)")
LEVELS = {"exact": N_("exact"), "same address": N_("same"), "similar address": N_("similar"),
          "same ZIP": N_("same ZIP code only"), "one digit off": N_("one digit different"),
          "transposition": N_("two digits swapped"), "nickname": N_("a nickname of it"),
          "jaro-winkler >= 0.9": N_("spelled nearly the same"), "initial": N_("initial only"),
          "phonetic": N_("sounds the same"), "names reversed": N_("swapped with the surname"),
          "names reversed and similar": N_("swapped with the surname, spelled nearly the same"),
          "day and month swapped": N_("day and month swapped"),
          "one part off": N_("one part different"), "else": N_("different")}
HOW = {
    "match": N_("Matched to your file by the bureau's identity-matching model."),
    "known_account": N_("The lender already reported this account on your file (same lender, "
                        "same account number), and its identity agrees with the file."),
    "new_file": N_("Your file was opened from this account's first record: no existing file "
                   "matched it."),
    "operator": N_("The record did not match any file with enough confidence, so it was held; "
                   "a member of the bureau's staff checked it and placed it on your file."),
}
UNRECORDED = N_("This account was placed on your file before the bureau recorded how each "
                "account came to a file (recorded before the bureau kept this).")
# a court listing (``public_records.link``) and an inquiry or restriction check
# (``inquiries.link``) were placed by a look-up of the identity the court or member gave
HOW_OF = {
    "account": HOW,
    "public_record": {
        "match": N_("The court named its debtor by an identity that the bureau's "
                    "identity-matching model matched to your file."),
        "identifier": N_("The court named its debtor by the national id (or registration "
                         "number) on your file, and the debtor's name agreed with your file "
                         "(and the birth date, where the court and the file both have one)."),
        "new_file": N_("Your file was opened from this listing: no existing file matched the "
                       "court's debtor."),
    },
    "inquiry": {
        "match": N_("The organisation asked about a person by the identity it gave, and the "
                    "bureau's identity-matching model matched that identity to your file."),
    },
}
UNRECORDED_OF = {
    "account": UNRECORDED,
    "public_record": N_("This listing was placed on your file before the bureau recorded how "
                        "each item came to a file."),
    "inquiry": N_("This inquiry was recorded before the bureau kept how each inquiry found "
                  "its file."),
}
KEYS_OF = {
    "account": N_(" Your national id and your name with birth date, as the lender sent them, "
                  "were both already on this file; nothing else was compared."),
    "public_record": N_(" Your national id and your name with birth date, as the court sent "
                        "them, were both already on this file; nothing else was compared."),
    "inquiry": N_(" Your national id and your name with birth date, as the organisation sent "
                  "them, were both already on this file; nothing else was compared."),
}


def level_words(level: str, language: Language = ENGLISH) -> str:
    """A comparison level in words ("jaro-winkler >= 0.9" -> "spelled nearly the same")."""
    return language.gettext(LEVELS.get(level, level))


def _field(name: str, level: str, language: Language) -> str:
    label = language.gettext(FIELDS.get(name, name))
    return str(language.gettext("%(field)s (%(level)s)") % {
        "field": label, "level": level_words(level, language)})


# explained links by what ``_explain`` reads of them: a report explains every account and
# inquiry on the file, and a file's links mostly repeat (the same way in, the same day); the
# answers are shared, so nobody may change one (``explain`` hands out a shallow copy)
_EXPLAINED: dict[tuple[Any, ...], dict[str, Any]] = {}
_EXPLAINED_MAX = 4096


def explain(link: dict[str, Any] | None, language: Language = ENGLISH,
            item: str = "account") -> dict[str, Any]:
    """The ``why`` of an item on a report (``item``: account, public_record or inquiry):
    ``how``, ``text`` (plain words, in ``language``), and for a scored link the match weight,
    the link threshold, the model version and each field compared (``agreed``: its weight was
    for the match)."""
    try:
        key = (item, language.code, _link_key(link))
        hash(key)
    except (TypeError, ValueError, AttributeError):    # a link of an unexpected shape
        return _explain(link, language, item)
    found = _EXPLAINED.get(key)
    if found is None:
        if len(_EXPLAINED) >= _EXPLAINED_MAX:
            _EXPLAINED.clear()
        found = _EXPLAINED[key] = _explain(link, language, item)
    return dict(found)


def _link_key(link: dict[str, Any] | None) -> tuple[Any, ...] | None:
    """Everything of a link ``_explain`` reads (not ``given``, which each inquiry has its own
    of), hashable; numbers with their type (3 and 3.0 are equal keys but not the same JSON)."""
    if not link:
        return None
    fields = link.get("fields") or {}
    weight, threshold = link.get("weight"), link.get("threshold")
    return (link.get("how"), link.get("at"), weight, type(weight), threshold, type(threshold),
            link.get("compared"), link.get("model"),
            tuple((name, level, w, type(w)) for name, (level, w) in fields.items()))


def _explain(link: dict[str, Any] | None, language: Language, item: str) -> dict[str, Any]:
    _ = language.gettext
    unrecorded = UNRECORDED_OF.get(item, UNRECORDED)
    if not link:
        return {"how": "unrecorded", "text": _(unrecorded), "linked_on": None, "weight": None,
                "threshold": None, "model_version": None, "fields": []}
    how = str(link.get("how", "unrecorded"))
    fields = [{"field": name, "label": _(FIELDS.get(name, name)), "level": level,
               "weight": weight, "agreed": weight > 0}
              for name, (level, weight) in (link.get("fields") or {}).items()]
    fields.sort(key=lambda f: -f["weight"])
    text = _(HOW_OF.get(item, HOW).get(how, unrecorded))
    if fields:
        agreed = [_field(f["field"], f["level"], language) for f in fields if f["agreed"]]
        differed = [_field(f["field"], f["level"], language) for f in fields if not f["agreed"]]
        text += _(" Matched on: %(fields)s") % {"fields": _(", ").join(agreed) or _("nothing")}
        if differed:
            text += _("; differed on: %(fields)s") % {"fields": _(", ").join(differed)}
        text += _(" — match weight %(weight)s; the bureau links a record at %(threshold)s or "
                  "more.") % {"weight": f"{link['weight']:.1f}",
                              "threshold": f"{link['threshold']:g}"}
        if link.get("compared") == "keys":
            text += _(KEYS_OF.get(item, KEYS_OF["account"]))
    if link.get("model"):
        text += _(" Matching model %(model)s.") % {"model": link["model"]}
    return {"how": how, "text": text, "linked_on": link.get("at"),
            "weight": link.get("weight"), "threshold": link.get("threshold"),
            "model_version": link.get("model"), "fields": fields}
