"""A notice as the letter a person reads: the stored notice (its kind, title and structured
body) rendered as paragraphs and lists in plain words, the same on the page, in the PDF and as
the ``text`` of the notice's JSON.

Money is written with its currency from integer minor units (``domain.money``), dates as
"3 December 2026", codes in words; a value the notice does not have is left out rather than
printed as "None". A notice kind without a letter of its own reads as its title followed by its
fields in words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from openbureau.domain import wording
from openbureau.domain.money import format_money
from openbureau.domain.profiles import PROFILES

Block = str | tuple[str, ...]        # a paragraph, or a list of items


@dataclass(frozen=True)
class Letter:
    title: str
    blocks: tuple[Block, ...]

    def text(self) -> str:
        """Plain text: paragraphs separated by a blank line, list items as "- " lines."""
        parts = [b if isinstance(b, str) else "\n".join(f"- {item}" for item in b)
                 for b in self.blocks]
        return "\n\n".join([self.title, *parts])

    @classmethod
    def from_text(cls, text: str) -> Letter:
        """The letter ``text()`` wrote (pages and PDF lay out the notice's own ``text``)."""
        title, *chunks = text.split("\n\n")
        blocks: list[Block] = []
        for chunk in chunks:
            lines = chunk.split("\n")
            if all(line.startswith("- ") for line in lines):
                blocks.append(tuple(line[2:] for line in lines))
            else:
                blocks.append(chunk)
        return cls(title, tuple(blocks))


class Language(Protocol):
    """The language a letter is written in: its catalogue and its formats
    (``adapters.i18n.Language``). The letters' English is the catalogue's source text."""

    @property
    def code(self) -> str: ...

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...

    def long_date(self, value: date | datetime | str | None) -> str: ...

    def month(self, value: date | datetime) -> str: ...

    def money(self, amount: int | None, currency: str | None) -> str: ...


class _English:
    code = "en"

    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural

    def long_date(self, value: date | datetime | str | None) -> str:
        return wording.long_date(value)

    def month(self, value: date | datetime) -> str:
        return f"{wording.MONTHS[value.month - 1]} {value.year}"

    def money(self, amount: int | None, currency: str | None) -> str:
        return format_money(amount, currency)


ENGLISH: Language = _English()


@dataclass(frozen=True)
class Context:
    """What a letter may say besides its body: the bureau's name and contact, the names
    of the file's items by ``item_ref`` (``wording.account_name``), for notices that name one,
    and the language it is written in."""
    bureau_name: str = ""
    bureau_contact: str = ""
    item_names: Mapping[str, str] | None = None
    language: Language = field(default=ENGLISH)

    def _(self, message: str, **values: Any) -> str:
        """``message`` in the letter's language, with its ``%(name)s`` placeholders filled."""
        text = self.language.gettext(message)
        return str(text % values) if values else text

    def when(self, value: Any) -> str:
        return self.language.long_date(value)

    def words(self, code: Any) -> str:
        """A code in words, translated ("credit_application" as "credit application")."""
        return self.language.gettext(wording.words(code))

    def stored(self, value: Any) -> str:
        """A sentence stored in the notice's body in English, in the letter's language
        (:func:`in_language`)."""
        return in_language(self.language, str(value))


def in_language(language: Language, text: str) -> str:
    """A sentence written in English (stored in a notice's body, or a refusal's message) in
    ``language``: found in the catalogue as it is, with its numbers as ``%(n)s``, ``%(n2)s``
    ... in order ("the court decides within 15 days") or its one date as ``%(date)s`` ("must
    not be before 2026-12-07", the date then written in ``language``); else as written."""
    found = language.gettext(text)
    if found != text or language.code == ENGLISH.code:
        return found
    dates = _DATE.findall(text)
    if len(dates) == 1 and not _NUMBER.search(_DATE.sub("", text)):
        template = _DATE.sub("%(date)s", text)
        found = language.gettext(template)
        if found != template:
            return str(found % {"date": language.long_date(dates[0])})
    numbers = _NUMBER.findall(text)
    if numbers:
        names = ["n"] + [f"n{i}" for i in range(2, len(numbers) + 1)]
        parts = _NUMBER.split(text.replace("%", "%%"))
        template = parts[0] + "".join(f"%({n})s{rest}" for n, rest in zip(names, parts[1:],
                                                                            strict=True))
        found = language.gettext(template)
        if found != template:
            return str(found % dict(zip(names, numbers, strict=True)))
    return text


_NUMBER = re.compile(r"\d+")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _contact(body: Mapping[str, Any], ctx: Context) -> str | None:
    raw = body.get("bureau")
    bureau: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    name = bureau.get("name") or ctx.bureau_name
    contact = bureau.get("contact") or body.get("bureau_contact") or ctx.bureau_contact
    if not contact:
        return None
    if name:
        return ctx._("How to reach us: %(name)s, %(contact)s.", name=name, contact=contact)
    return ctx._("How to reach us: %(contact)s.", contact=contact)


def _capital(text: str) -> str:
    return text[0].upper() + text[1:] if text else text


def _adverse_action(body: Mapping[str, Any], ctx: Context) -> list[Block]:
    member = body.get("member") or ctx._("The lender")
    purpose = ctx.words(body.get("purpose")) if body.get("purpose") else None
    on = (ctx._("On %(date)s, ", date=ctx.when(body.get("decided_at")))
          if body.get("decided_at") else "")
    what = (ctx._("your application (%(purpose)s)", purpose=purpose) if purpose
            else ctx._("your application"))
    if body.get("decision") == "counteroffer":
        first = on + ctx._("%(member)s offered you different terms than you applied for in "
                           "%(what)s.", member=member, what=what)
    else:
        first = on + ctx._("%(member)s declined %(what)s.", member=member, what=what)
    blocks: list[Block] = [_capital(first)]
    if body.get("terms"):
        blocks.append(ctx._("The terms offered: %(terms)s.", terms=body["terms"]))
    bureau = (body.get("bureau") or {}).get("name") or ctx.bureau_name or ctx._("the bureau")
    blocks.append(ctx._("The decision was based in whole or in part on information in your "
                        "credit report from %(bureau)s.", bureau=bureau))
    rng = body.get("score_range") or {}
    if body.get("score") is not None:
        score = (ctx._("Your credit score was %(score)s on a scale from %(min)s to %(max)s",
                       score=body["score"], min=rng["min"], max=rng["max"])
                 if "min" in rng and "max" in rng
                 else ctx._("Your credit score was %(score)s", score=body["score"]))
        if body.get("score_date"):
            score += ctx._(", computed on %(date)s", date=ctx.when(body["score_date"]))
        if body.get("model_version"):
            score += ctx._(" with model %(model)s", model=body["model_version"])
        blocks.append(score + ctx._("."))
    else:
        blocks.append(ctx._("No credit score was available for your file when the decision "
                            "was made."))
    factors: Sequence[Mapping[str, Any]] = body.get("key_factors") or []
    if factors:
        blocks.append(ctx._("The key factors that most affected your score:"))
        blocks.append(tuple(_factor(f, ctx) for f in factors))
    blocks.extend(_rights(body, member, bureau, ctx))
    return blocks


def _rights(body: Mapping[str, Any], member: str, bureau: str, ctx: Context) -> list[str]:
    """The rights the notice states, as stored (in English); in another language written anew
    from the notice's profile, in the same words as ``domain.disputes.adverse_action_notice``."""
    rights = body.get("rights") or {}
    keys = [k for k in ("decision_maker", "free_report", "dispute") if rights.get(k)]
    if ctx.language.code == ENGLISH.code:
        return [str(rights[k]) for k in keys]
    profile = PROFILES.get(str(body.get("profile") or ""))
    if profile is None:
        return [str(rights[k]) for k in keys]
    written = {
        "decision_maker": ctx._("%(bureau)s did not make this decision and cannot explain why "
                                "%(member)s made it.", bureau=bureau, member=member),
        "free_report": (ctx._("You may ask %(bureau)s for a free copy of your report at any "
                              "time.", bureau=bureau)
                        if profile.free_reports_per_year is None else
                        ctx._("You may get a free copy of your report from %(bureau)s "
                              "(%(count)s free reports a year under %(profile)s), including the "
                              "information this decision was based on.", bureau=bureau,
                              count=profile.free_reports_per_year,
                              profile=ctx._(profile.title))),
        "dispute": (ctx._("You may dispute anything on your file that is inaccurate or "
                          "incomplete; the bureau must resolve it within %(days)s days "
                          "(%(longer)s if you add information while it is open).",
                          days=profile.dispute_days,
                          longer=profile.dispute_days + profile.dispute_extension_days)
                    if profile.dispute_extension_days else
                    ctx._("You may dispute anything on your file that is inaccurate or "
                          "incomplete; the bureau must resolve it within %(days)s days.",
                          days=profile.dispute_days)),
    }
    return [written[k] for k in keys]


def _factor(f: Mapping[str, Any], ctx: Context) -> str:
    text = ctx.language.gettext(
        str(f.get("text") or wording.words(f.get("attribute") or f.get("code"))))
    points = f.get("points_lost")
    return ctx._("%(text)s (costs %(points)s points)", text=text, points=points) if points \
        else text


def _restrictions(body: Mapping[str, Any], ctx: Context) -> tuple[str, ...]:
    out = []
    for o in body.get("restrictions") or []:
        item = ctx.language.gettext(wording.restriction(o.get("category")))
        if o.get("ordered_on"):
            item += ctx._(", from %(date)s", date=ctx.when(o["ordered_on"]))
        item += (ctx._(" until %(date)s", date=ctx.when(o["until"])) if o.get("until")
                 else ctx._(" until the listing ends"))
        out.append(item)
    return tuple(out)


def _listing(body: Mapping[str, Any], ctx: Context) -> list[Block]:
    court = body.get("court") or ctx._("The court")
    case = body.get("case_number")
    blocks: list[Block] = []
    first = ctx._("%(court)s has listed you as a judgment debtor", court=court)
    if case:
        first += ctx._(" in case %(case)s", case=case)
    if body.get("listed_at"):
        first += ctx._(" on %(date)s", date=ctx.when(body["listed_at"]))
    blocks.append(first + ctx._("."))
    judgment = ctx._("The judgment")
    if body.get("judgment_date"):
        judgment += ctx._(" of %(date)s", date=ctx.when(body["judgment_date"]))
    if body.get("amount") is not None:
        judgment += ctx._(" is for %(amount)s",
                          amount=ctx.language.money(body["amount"], body.get("currency")))
    if body.get("ground"):
        judgment += ctx._("; the court lists you because %(ground)s",
                          ground=ctx.language.gettext(wording.ground(body["ground"])))
    blocks.append(judgment + ctx._("."))
    if body.get("legal_basis"):
        blocks.append(ctx._("Legal basis: %(basis)s.", basis=body["legal_basis"]))
    if body.get("until"):
        blocks.append(ctx._("The listing runs until %(date)s unless it is lifted earlier.",
                            date=ctx.when(body["until"])))
    else:
        blocks.append(ctx._("The listing stays until you perform the judgment (pay it), settle "
                            "with the creditor or the case is terminated; it is then lifted at "
                            "once."))
    orders = _restrictions(body, ctx)
    if orders:
        blocks.append(ctx._("The court ordered these restrictions. They bind you alone, never "
                            "your family:"))
        blocks.append(orders)
    else:
        blocks.append(ctx._("The court ordered no restrictions."))
    if body.get("objection"):
        blocks.append(_capital(ctx.stored(body["objection"])) + ctx._("."))
    return blocks


def _listing_lifted(body: Mapping[str, Any], ctx: Context) -> list[Block]:
    court = body.get("court") or ctx._("The court")
    status = ctx.words(body.get("status")) if body.get("status") else ctx._("lifted")
    case = ctx._(" in case %(case)s", case=body["case_number"]) if body.get("case_number") \
        else ""
    when = ctx._(" on %(date)s", date=ctx.when(body["lifted_at"])) if body.get("lifted_at") \
        else ""
    blocks: list[Block] = [ctx._("%(court)s recorded your listing%(case)s as %(status)s%(when)s. "
                                 "The listing and every restriction it carried no longer apply.",
                                 court=court, case=case, status=status, when=when)]
    if body.get("reason"):
        blocks.append(ctx._("Reason given by the court: %(reason)s.",
                            reason=ctx.words(body["reason"])))
    return blocks


def _item_name(body: Mapping[str, Any], ctx: Context) -> str:
    ref = body.get("item_ref")
    name = (ctx.item_names or {}).get(ref or "") or body.get("item_label")
    if name:
        return str(name)
    kind = {"account": ctx._("an account"), "public_record": ctx._("a public record"),
            "identity": ctx._("your identity information")}.get(body.get("item_kind") or "",
                                                                 ctx._("an item"))
    if ref:
        return ctx._("%(kind)s on your file (reference %(ref)s)", kind=kind, ref=ref)
    return ctx._("%(kind)s on your file", kind=kind)


def _dispute_result(body: Mapping[str, Any], ctx: Context) -> list[Block]:
    when = ctx._(" on %(date)s", date=ctx.when(body["answered_at"])) \
        if body.get("answered_at") else ""
    result = ctx.words(body.get("result")) if body.get("result") else ctx._("closed")
    blocks: list[Block] = [ctx._("Your dispute about %(item)s was closed%(when)s: %(result)s.",
                                 item=_item_name(body, ctx), when=when, result=result)]
    if body.get("explanation"):
        blocks.append(ctx.stored(body["explanation"]))
    if body.get("note"):
        blocks.append(ctx._("The furnisher's note: “%(note)s”", note=body["note"]))
    blocks.extend(ctx.stored(r) for r in body.get("your_rights") or [])
    return blocks


def _objection(body: Mapping[str, Any], ctx: Context) -> list[Block]:
    court = body.get("court") or ctx._("the court")
    case = ctx._(" to case %(case)s", case=body["case_number"]) if body.get("case_number") \
        else ""
    kind = ctx.words(body.get("kind")) if body.get("kind") else ctx._("objection")
    when = ctx._(" on %(date)s", date=ctx.when(body["opened_at"])) if body.get("opened_at") \
        else ""
    blocks: list[Block] = [ctx._("Your %(kind)s%(case)s was sent to %(court)s%(when)s.",
                                 kind=kind, case=case, court=court, when=when)]
    if body.get("due_at"):
        blocks.append(ctx._("The court must decide it by %(date)s; you will get a notice with "
                            "its decision.", date=ctx.when(body["due_at"])))
    return blocks


def _objection_decision(body: Mapping[str, Any], ctx: Context) -> list[Block]:
    court = body.get("court") or ctx._("The court")
    case = ctx._(" to case %(case)s", case=body["case_number"]) if body.get("case_number") \
        else ""
    outcome = ctx.words(body.get("outcome")) if body.get("outcome") else ctx._("decided")
    blocks: list[Block] = [ctx._("%(court)s has %(outcome)s your objection%(case)s.",
                                 court=court, outcome=outcome, case=case)]
    if body.get("remedy"):
        blocks.append(ctx._("What the court ordered: %(remedy)s.",
                            remedy=ctx.words(body["remedy"])))
    if body.get("note"):
        blocks.append(ctx._("The court's note: “%(note)s”", note=body["note"]))
    if body.get("reconsideration"):
        blocks.append(_capital(ctx.stored(body["reconsideration"]))
                      + ctx._("."))
    return blocks


def _freeze_placed(body: Mapping[str, Any], ctx: Context) -> list[Block]:
    when = ctx._(" on %(date)s", date=ctx.when(body["placed_at"])) if body.get("placed_at") \
        else ""
    blocks: list[Block] = [ctx._("Your file was frozen%(when)s.", when=when)]
    if body.get("explanation"):
        blocks.append(ctx.stored(body["explanation"]))
    return blocks


def _freeze_lifted(body: Mapping[str, Any], ctx: Context) -> list[Block]:
    when = ctx._(" on %(date)s", date=ctx.when(body["lifted_at"])) if body.get("lifted_at") \
        else ""
    since = (ctx._(", placed on %(date)s,", date=ctx.when(body["placed_at"]))
             if body.get("placed_at") else "")
    return [ctx._("The freeze on your file%(since)s was lifted%(when)s. Members may again pull "
                  "your file for new credit, with a permissible purpose.", since=since,
                  when=when)]


def _fraud_alert(body: Mapping[str, Any], ctx: Context) -> list[Block]:
    kind = ctx.words(body.get("kind")) if body.get("kind") else ctx._("fraud")
    when = ctx._(" on %(date)s", date=ctx.when(body["placed_at"])) if body.get("placed_at") \
        else ""
    until = (ctx._(" and lasts until %(date)s", date=ctx.when(body["expires_at"]))
             if body.get("expires_at") else "")
    blocks: list[Block] = [ctx._("Your %(kind)s fraud alert was placed%(when)s%(until)s.",
                                 kind=kind, when=when, until=until)]
    if body.get("explanation"):
        blocks.append(ctx.stored(body["explanation"]))
    return blocks


def _theft_block(body: Mapping[str, Any], ctx: Context) -> list[Block]:
    filed = (ctx._("On %(date)s, ", date=ctx.when(body["filed_at"])) if body.get("filed_at")
             else "")
    first = filed + ctx._("you reported that these accounts resulted from identity theft. "
                          "They were blocked on %(date)s:",
                          date=ctx.when(body.get("blocked_at") or body.get("filed_at")))
    names = ctx.item_names or {}
    stored = list(body.get("item_names") or ())
    items = [names.get(ref) or (stored[i] if i < len(stored) else ref)
             for i, ref in enumerate(body.get("items") or ())]
    blocks: list[Block] = [_capital(first)]
    if items:
        blocks.append(tuple(items))
    if body.get("explanation"):
        blocks.append(ctx.stored(body["explanation"]))
    return blocks


def _value(value: Any, ctx: Context) -> str | None:
    if value is None or value == "" or value == [] or value == {}:
        return None
    if isinstance(value, Mapping):
        parts = [f"{ctx.words(k)} {v}" for k, v in
                 ((k, _value(v, ctx)) for k, v in value.items()) if v is not None]
        return "; ".join(parts) or None
    if isinstance(value, list | tuple):
        parts = [p for p in (_value(v, ctx) for v in value) if p is not None]
        return ", ".join(parts) or None
    if isinstance(value, str) and wording.as_date(value) is not None and value[:4].isdigit():
        return ctx.when(value)
    if isinstance(value, bool):
        return ctx._("yes") if value else ctx._("no")
    return ctx.words(value) if isinstance(value, str) and "_" in value and " " not in value \
        else str(value)


def _fields(body: Mapping[str, Any], ctx: Context) -> list[Block]:
    items = [ctx._("%(field)s: %(value)s", field=ctx.words(k).capitalize(), value=v) for k, v in
             ((k, _value(v, ctx)) for k, v in body.items()) if v is not None]
    return [tuple(items)] if items else []


_LETTERS: dict[str, Callable[[Mapping[str, Any], Context], list[Block]]] = {
    "adverse_action": _adverse_action,
    "listing": _listing,
    "listing_lifted": _listing_lifted,
    "dispute_result": _dispute_result,
    "objection": _objection,
    "objection_decision": _objection_decision,
    "freeze_placed": _freeze_placed,
    "freeze_lifted": _freeze_lifted,
    "fraud_alert_placed": _fraud_alert,
    "identity_theft_block": _theft_block,
}


def letter(kind: str, title: str, body: Mapping[str, Any] | None,
           context: Context | None = None) -> Letter:
    """The letter of a stored notice."""
    ctx = context or Context()
    data: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
    blocks = _LETTERS.get(kind, _fields)(data, ctx)
    contact = _contact(data, ctx)
    if contact:
        blocks.append(contact)
    return Letter(_title(kind, title, data, ctx), tuple(blocks))


def _title(kind: str, stored: str, body: Mapping[str, Any], ctx: Context) -> str:
    """The notice's title: the stored one (English, as sent); in another language the title
    of its kind, written from the body (or the stored title through the catalogue)."""
    if ctx.language.code == ENGLISH.code:
        return stored
    court = body.get("court") or ctx._("The court")
    case = body.get("case_number") or ""
    titles: dict[str, Callable[[], str]] = {
        "adverse_action": lambda: (
            ctx._("You were offered different terms than you applied for by %(member)s",
                  member=body.get("member") or "")
            if body.get("decision") == "counteroffer" else
            ctx._("Your application was declined by %(member)s",
                  member=body.get("member") or "")),
        "listing": lambda: ctx._("%(court)s has listed you as a judgment debtor (case %(case)s)",
                                 court=court, case=case),
        "listing_lifted": lambda: ctx._("Your listing in case %(case)s is %(status)s: it and "
                                        "its restrictions no longer apply", case=case,
                                        status=ctx.words(body.get("status"))),
        "dispute_result": lambda: ctx._("Your dispute was resolved: %(result)s",
                                        result=ctx.words(body.get("result"))),
        "freeze_placed": lambda: ctx._("Your file is frozen"),
        "freeze_lifted": lambda: ctx._("Your freeze was lifted"),
        "fraud_alert_placed": lambda: ctx._("Your %(kind)s fraud alert is in place",
                                            kind=ctx.words(body.get("kind"))),
        "objection": lambda: ctx._("Your objection to case %(case)s is with %(court)s",
                                   case=case, court=court),
        "objection_decision": lambda: ctx._(
            "%(court)s has %(outcome)s your objection to case %(case)s", court=court,
            outcome=ctx.words(body.get("outcome")), case=case),
    }
    make = titles.get(kind)
    return make() if make is not None else ctx.language.gettext(stored)
