"""A notice as the letter a person reads: the stored notice (its kind, title and structured
body) rendered as paragraphs and lists in plain words, the same on the page, in the PDF and as
the ``text`` of the notice's JSON.

Money is written with its currency from integer minor units (``domain.money``), dates as
"3 December 2026", codes in words; a value the notice does not have is left out rather than
printed as "None". A notice kind without a letter of its own reads as its title followed by its
fields in words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openbureau.domain import wording
from openbureau.domain.money import format_money

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


@dataclass(frozen=True)
class Context:
    """What a letter may say besides its body: the bureau's name and contact, and the names
    of the file's items by ``item_ref`` (``wording.account_name``), for notices that name one."""
    bureau_name: str = ""
    bureau_contact: str = ""
    item_names: Mapping[str, str] | None = None


def _when(value: Any) -> str:
    return wording.long_date(value)


def _contact(body: Mapping[str, Any], ctx: Context) -> str | None:
    raw = body.get("bureau")
    bureau: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    name = bureau.get("name") or ctx.bureau_name
    contact = bureau.get("contact") or body.get("bureau_contact") or ctx.bureau_contact
    if not contact:
        return None
    return f"How to reach us: {name}, {contact}." if name else f"How to reach us: {contact}."


def _adverse_action(body: Mapping[str, Any], ctx: Context) -> list[Block]:
    member = body.get("member") or "The lender"
    purpose = wording.words(body.get("purpose")) if body.get("purpose") else None
    on = f"On {_when(body.get('decided_at'))}, " if body.get("decided_at") else ""
    what = f"your application ({purpose})" if purpose else "your application"
    if body.get("decision") == "counteroffer":
        first = f"{on}{member} offered you different terms than you applied for in {what}."
    else:
        first = f"{on}{member} declined {what}."
    blocks: list[Block] = [first[0].upper() + first[1:]]
    if body.get("terms"):
        blocks.append(f"The terms offered: {body['terms']}.")
    bureau = (body.get("bureau") or {}).get("name") or ctx.bureau_name or "the bureau"
    blocks.append(f"The decision was based in whole or in part on information in your credit "
                  f"report from {bureau}.")
    rng = body.get("score_range") or {}
    if body.get("score") is not None:
        scale = (f" on a scale from {rng['min']} to {rng['max']}"
                 if "min" in rng and "max" in rng else "")
        score = f"Your credit score was {body['score']}{scale}"
        if body.get("score_date"):
            score += f", computed on {_when(body['score_date'])}"
        if body.get("model_version"):
            score += f" with model {body['model_version']}"
        blocks.append(score + ".")
    else:
        blocks.append("No credit score was available for your file when the decision was made.")
    factors: Sequence[Mapping[str, Any]] = body.get("key_factors") or []
    if factors:
        blocks.append("The key factors that most affected your score:")
        blocks.append(tuple(_factor(f) for f in factors))
    rights = body.get("rights") or {}
    blocks.extend(str(rights[k]) for k in ("decision_maker", "free_report", "dispute")
                  if rights.get(k))
    return blocks


def _factor(f: Mapping[str, Any]) -> str:
    text = str(f.get("text") or wording.words(f.get("attribute") or f.get("code")))
    points = f.get("points_lost")
    return f"{text} (costs {points} points)" if points else text


def _restrictions(body: Mapping[str, Any]) -> tuple[str, ...]:
    out = []
    for o in body.get("restrictions") or []:
        item = wording.restriction(o.get("category"))
        if o.get("ordered_on"):
            item += f", from {_when(o['ordered_on'])}"
        item += f" until {_when(o['until'])}" if o.get("until") else " until the listing ends"
        out.append(item)
    return tuple(out)


def _listing(body: Mapping[str, Any], ctx: Context) -> list[Block]:
    court = body.get("court") or "The court"
    case = body.get("case_number")
    blocks: list[Block] = []
    first = f"{court} has listed you as a judgment debtor"
    if case:
        first += f" in case {case}"
    if body.get("listed_at"):
        first += f" on {_when(body['listed_at'])}"
    blocks.append(first + ".")
    judgment = "The judgment"
    if body.get("judgment_date"):
        judgment += f" of {_when(body['judgment_date'])}"
    if body.get("amount") is not None:
        judgment += f" is for {format_money(body['amount'], body.get('currency'))}"
    if body.get("ground"):
        judgment += f"; the court lists you because {wording.ground(body['ground'])}"
    blocks.append(judgment + ".")
    if body.get("legal_basis"):
        blocks.append(f"Legal basis: {body['legal_basis']}.")
    if body.get("until"):
        blocks.append(f"The listing runs until {_when(body['until'])} unless it is lifted "
                      "earlier.")
    else:
        blocks.append("The listing stays until you perform the judgment (pay it), settle with "
                      "the creditor or the case is terminated; it is then lifted at once.")
    orders = _restrictions(body)
    if orders:
        blocks.append("The court ordered these restrictions. They bind you alone, never your "
                      "family:")
        blocks.append(orders)
    else:
        blocks.append("The court ordered no restrictions.")
    if body.get("objection"):
        blocks.append(str(body["objection"])[0].upper() + str(body["objection"])[1:] + ".")
    return blocks


def _listing_lifted(body: Mapping[str, Any], ctx: Context) -> list[Block]:
    court = body.get("court") or "The court"
    status = wording.words(body.get("status")) if body.get("status") else "lifted"
    case = f" in case {body['case_number']}" if body.get("case_number") else ""
    when = f" on {_when(body['lifted_at'])}" if body.get("lifted_at") else ""
    blocks: list[Block] = [f"{court} recorded your listing{case} as {status}{when}. The listing "
                           "and every restriction it carried no longer apply."]
    if body.get("reason"):
        blocks.append(f"Reason given by the court: {wording.words(body['reason'])}.")
    return blocks


def _item_name(body: Mapping[str, Any], ctx: Context) -> str:
    ref = body.get("item_ref")
    name = (ctx.item_names or {}).get(ref or "") or body.get("item_label")
    if name:
        return str(name)
    kind = {"account": "an account", "public_record": "a public record",
            "identity": "your identity information"}.get(body.get("item_kind") or "", "an item")
    return f"{kind} on your file" + (f" (reference {ref})" if ref else "")


def _dispute_result(body: Mapping[str, Any], ctx: Context) -> list[Block]:
    when = f" on {_when(body['answered_at'])}" if body.get("answered_at") else ""
    result = wording.words(body.get("result")) if body.get("result") else "closed"
    blocks: list[Block] = [f"Your dispute about {_item_name(body, ctx)} was closed{when}: "
                           f"{result}."]
    if body.get("explanation"):
        blocks.append(str(body["explanation"]))
    if body.get("note"):
        blocks.append(f"The furnisher's note: “{body['note']}”")
    blocks.extend(str(r) for r in body.get("your_rights") or [])
    return blocks


def _objection(body: Mapping[str, Any], ctx: Context) -> list[Block]:
    court = body.get("court") or "the court"
    case = f" to case {body['case_number']}" if body.get("case_number") else ""
    kind = wording.words(body.get("kind")) if body.get("kind") else "objection"
    blocks: list[Block] = [f"Your {kind}{case} was sent to {court}"
                           + (f" on {_when(body['opened_at'])}" if body.get("opened_at") else "")
                           + "."]
    if body.get("due_at"):
        blocks.append(f"The court must decide it by {_when(body['due_at'])}; you will get a "
                      "notice with its decision.")
    return blocks


def _objection_decision(body: Mapping[str, Any], ctx: Context) -> list[Block]:
    court = body.get("court") or "The court"
    case = f" to case {body['case_number']}" if body.get("case_number") else ""
    outcome = wording.words(body.get("outcome")) if body.get("outcome") else "decided"
    blocks: list[Block] = [f"{court} has {outcome} your objection{case}."]
    if body.get("remedy"):
        blocks.append(f"What the court ordered: {wording.words(body['remedy'])}.")
    if body.get("note"):
        blocks.append(f"The court's note: “{body['note']}”")
    if body.get("reconsideration"):
        text = str(body["reconsideration"])
        blocks.append(text[0].upper() + text[1:] + ".")
    return blocks


def _freeze_placed(body: Mapping[str, Any], ctx: Context) -> list[Block]:
    when = f" on {_when(body['placed_at'])}" if body.get("placed_at") else ""
    blocks: list[Block] = [f"Your file was frozen{when}."]
    if body.get("explanation"):
        blocks.append(str(body["explanation"]))
    return blocks


def _freeze_lifted(body: Mapping[str, Any], ctx: Context) -> list[Block]:
    when = f" on {_when(body['lifted_at'])}" if body.get("lifted_at") else ""
    since = f", placed on {_when(body['placed_at'])}," if body.get("placed_at") else ""
    return [f"The freeze on your file{since} was lifted{when}. Members may again pull your "
            "file for new credit, with a permissible purpose."]


def _fraud_alert(body: Mapping[str, Any], ctx: Context) -> list[Block]:
    kind = wording.words(body.get("kind")) if body.get("kind") else "fraud"
    blocks: list[Block] = [f"Your {kind} fraud alert was placed"
                           + (f" on {_when(body['placed_at'])}" if body.get("placed_at") else "")
                           + (f" and lasts until {_when(body['expires_at'])}"
                              if body.get("expires_at") else "") + "."]
    if body.get("explanation"):
        blocks.append(str(body["explanation"]))
    return blocks


def _value(value: Any) -> str | None:
    if value is None or value == "" or value == [] or value == {}:
        return None
    if isinstance(value, Mapping):
        parts = [f"{wording.words(k)} {v}" for k, v in
                 ((k, _value(v)) for k, v in value.items()) if v is not None]
        return "; ".join(parts) or None
    if isinstance(value, list | tuple):
        parts = [p for p in (_value(v) for v in value) if p is not None]
        return ", ".join(parts) or None
    if isinstance(value, str) and wording.as_date(value) is not None and value[:4].isdigit():
        return _when(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return wording.words(value) if isinstance(value, str) and "_" in value and " " not in value \
        else str(value)


def _fields(body: Mapping[str, Any], ctx: Context) -> list[Block]:
    items = [f"{wording.words(k).capitalize()}: {v}" for k, v in
             ((k, _value(v)) for k, v in body.items()) if v is not None]
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
    return Letter(title, tuple(blocks))
