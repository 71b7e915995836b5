"""The credit report: one builder behind the consumer's own report, a member's inquiry and the PDF.

``build_report`` reads a file inside the caller's unit of work and appends one audit event (who,
what, subject_ref, why); the caller commits, so the read and its record are one transaction.

What each viewer gets:

- the consumer (their own file): the full national identifier, dispute reasons, notices;
- anyone else (a member): the identifier masked, disputes without the consumer's reasons, no
  notices (those are correspondence with the consumer, not part of the file a member may see).

The file's personal information (``personal_information``) is every identity element furnishers
reported -- names, national ids, birth dates, addresses, phones, employers -- each once, with who
reported it and when it was first and last seen; national ids and phones are masked to their
last four characters for every viewer (the consumer's own full identifier is in ``identity``).
Elements are labelled in words (the file's name "Name", every other "Also known as"), and each
source carries its observation's ``item_ref`` (what a dispute of personal information names).
Accounts carry the original creditor (K1) of a collection account, the purchase/sale (K2), the
special comment and compliance condition in words, ``why`` they are on this file (from
``accounts.link``, ``domain.why``) and their grid in a sentence (``history``). The report ends
with ``summary`` (the tiles, ``domain.report_summary``) and, in the person's own report,
``changes`` since their last one (``services.report_changes``).

Accounts carry a 24-cell payment-history grid, oldest month first, ending at the month-end of the
account's newest record (the date the furnisher's file stands at). Each cell's status comes from
the stored month record for that month if there is one, else from the newest record's Metro 2
payment-history profile (its first character is the month before that record's ``as_of``), else it
is "no data".
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from openbureau.bootstrap import Bureau
from openbureau.domain import code_lists, letters, report_summary, why, wording
from openbureau.domain.disputes import HIDDEN_FROM_MEMBERS, MARKED_DISPUTED, DisputeStatus
from openbureau.domain.months import month_index
from openbureau.domain.profiles import Profile, Purpose
from openbureau.domain.records import DISPUTE_COMPLIANCE_CODES
from openbureau.domain.roles import Principal, Role
from openbureau.domain.wording import N_
from openbureau.services import identity_holds, ports, protections, report_changes, subjects
from openbureau.services.stored import INQUIRY_KINDS as INQUIRY_KINDS  # the report's, re-exported
from openbureau.services.stored import (
    Dispute,
    ReportMonth,
    ReportNotice,
    ReportObservation,
    ReportStatement,
)
from openbureau.unit_of_work import UnitOfWork

GRID_MONTHS = 24

NO_DATA = "-"
# Grid code -> (status, plain-language label). 0-6, E, G, H, J, K, L are Metro 2 payment-history
# codes; P and C are the months a furnisher reported the account paid or closed; "-" is no data
# (Metro 2's B and D are shown as "-").
GRID_CODES: dict[str, tuple[str, str]] = {
    "0": ("current", N_("Current")),
    "1": ("dpd30", N_("30 days past due")),
    "2": ("dpd60", N_("60 days past due")),
    "3": ("dpd90", N_("90 days past due")),
    "4": ("dpd120", N_("120 days past due")),
    "5": ("dpd150", N_("150 days past due")),
    "6": ("dpd180", N_("180 days or more past due")),
    "E": ("zero_balance", N_("Zero balance, current")),
    "G": ("collection", N_("Collection")),
    "H": ("foreclosure", N_("Foreclosure")),
    "J": ("voluntary_surrender", N_("Voluntary surrender")),
    "K": ("repossession", N_("Repossession")),
    "L": ("charged_off", N_("Charged off")),
    "P": ("paid", N_("Paid")),
    "C": ("closed", N_("Closed")),
    NO_DATA: ("no_data", N_("No data")),
}
_CODE_OF_STATUS = {status: code for code, (status, _) in GRID_CODES.items()}
_METRO2_NO_DATA = frozenset("BD")


_UNREAD: Any = object()        # build_report's score, when the caller has not read it


# the SQL unit, not the port: identity_holds and report_changes, which it is handed to, are not
# on the port yet
def build_report(bureau: Bureau, uow: UnitOfWork, subject: Any, viewer: Principal, purpose: str,
                 *, action: str = "report.read", frozen: bool | None = None,
                 score: Any = _UNREAD, language: letters.Language = letters.ENGLISH,
                 fraud_alerts: list[dict[str, Any]] | None = None,
                 **audit_detail: Any) -> dict[str, Any]:
    """The whole file of ``subject`` (a subjects row) as ``viewer`` may see it, for ``purpose``.

    Appends one audit event ``action``; does not commit. ``frozen``: whether the file is
    frozen, and ``score``: its current score (``current_score``'s answer, None included), when
    the caller has just read them in the same transaction. ``language``: the one the notices'
    letters are written in (their ``title`` and ``text``). ``fraud_alerts``: the alerts the
    viewer is shown when the caller has read them (an inquiry: those of every file its
    identity nearly matched, this one's included); else this file's.
    """
    now = uow.clock.now()
    own = viewer.role is Role.CONSUMER and viewer.id == subject.id
    disputes_rows = uow.report.disputes(subject.id)
    # marked disputed: open, or left unconfirmed with the objection (cn-cri). An item whose
    # dispute expired unverified (us-fcra) is off the file; one restricted (eu-gdpr) is off it
    # for everyone but the person, who still sees it marked
    open_disputes = {d.item_ref for d in disputes_rows if d.status in MARKED_DISPUTED
                     or (own and d.status == DisputeStatus.RESTRICTED)}
    hidden_records = {d.item_ref for d in disputes_rows if d.item_kind == "public_record"
                      and d.status in HIDDEN_FROM_MEMBERS
                      and not (own and d.status == DisputeStatus.RESTRICTED)}
    statement_rows = uow.report.statements(subject.id)
    # the names of the file's items, for what names them: disputes, and the person's notices
    names = item_names(uow, subject.id, language) if disputes_rows or own else {}
    personal = personal_information(bureau.vault, uow, subject.id, subject.name, open_disputes)
    if disputes_rows or own:        # an element of personal information by what it says
        names.update(report_summary.item_names({"personal_information": personal}, language))
    report: dict[str, Any] = {
        "generated_at": now,
        "profile": bureau.profile.name,
        "subject_ref": subject.item_ref,
        "identity": subjects.identity_view(bureau.vault, subject, reveal=own),
        "personal_information": personal,
        "identity_verification": identity_holds.verification(uow, bureau.profile,
                                                             subject.item_ref),
        "accounts": _accounts(uow, subject.id, open_disputes, statement_rows, own, language),
        "public_records": _public_records(uow, subject.id, now.date(), open_disputes,
                                          hidden_records, _why_of(bureau, own, language)),
        "inquiries": _inquiries(uow, bureau.profile, subject.id, now,
                                _why_of(bureau, own, language)),
        "disputes": [_dispute(d, own, names) for d in disputes_rows],
        "statements": [_statement(s) for s in statement_rows],
        "notices": notice_list(uow, subject.id, bureau, names, language) if own else None,
        "score": _score_for(bureau, uow, subject.id) if score is _UNREAD else score,
        "fraud_alerts": fraud_alerts if fraud_alerts is not None else [
            {"kind": a.kind, "placed_at": a.placed_at, "expires_at": a.expires_at}
            for a in uow.report.fraud_alerts(subject.id, now)],
        "frozen": is_frozen(uow, subject.id) if frozen is None else frozen,
        # identity-theft blocks: the person sees what was taken off the file, and why
        "blocked_items": (protections.blocked_items(uow, subject.id, language.gettext) if own
                          else None),
        "bureau": {"name": bureau.settings.bureau_name,
                   "contact": bureau.settings.bureau_contact},
    }
    report["summary"] = report_summary.tiles(report, now, language)
    # what changed since the person's last report: theirs alone (a member's pulls are not)
    report["changes"] = (report_changes.since_last(uow, subject, viewer.actor, report, now,
                                                   language) if own else None)
    uow.audit(viewer.actor, action, subject.item_ref, purpose,
              view="consumer" if own else viewer.role.value, **audit_detail)
    return report


def _score_for(bureau: Bureau, uow: UnitOfWork, subject_id: int) -> dict[str, Any] | None:
    """The subject's current score (api.md's ``score`` object): the latest stored score of the
    active model, else one computed now; None when there is no active model or the file holds
    values the model cannot score (no score rather than an invented one)."""
    from openbureau.services import scoring_hooks

    return scoring_hooks.current_score(bureau.deps, uow, subject_id)


def is_frozen(uow: ports.UnitOfWork, subject_id: int) -> bool:
    return uow.report.frozen(subject_id)


# -- accounts ----------------------------------------------------------------------------------

def _accounts(uow: ports.UnitOfWork, subject_id: int, open_disputes: set[str],
              statement_rows: list[ReportStatement], own: bool = False,
              language: letters.Language = letters.ENGLISH) -> list[dict[str, Any]]:
    """Accounts on the file. Left out: accounts with ``deleted_at`` (the furnisher deleted them,
    e.g. confirmed identity fraud: the data is not this person's) and with ``suppressed_at`` (due
    process took them off the file: a dispute not verified in time, or past retention); neither
    may be reported to anyone, and the consumer is told of a suppression by a notice."""
    rows = uow.report.accounts(subject_id, own)
    months: dict[int, list[ReportMonth]] = {r.id: [] for r in rows}
    if months:
        for m in uow.report.months(list(months)):
            months[m.account_id].append(m)
    by_item: dict[str, list[dict[str, Any]]] = {}
    for s in statement_rows:
        if s.item_ref:
            by_item.setdefault(s.item_ref, []).append(_statement(s))
    out = []
    for r in rows:
        out.append({
            "item_ref": r.item_ref,
            "account_ref": r.account_ref,
            "furnisher": r.furnisher_name,
            "name": wording.account_name(r.furnisher_name, r.kind, r.account_ref,
                                         language.gettext),
            "kind": r.kind,
            "ecoa": r.ecoa,
            "status": r.status,
            "currency": r.currency,
            "balance": r.balance,
            "credit_limit": r.month_limit if r.month_limit is not None else r.credit_limit,
            "original_amount": r.original_amount,
            "amount_past_due": r.amount_past_due,
            "opened_on": r.opened_on,
            "closed_on": r.closed_on,
            "as_of": r.latest_as_of,
            "date_of_first_delinquency": r.date_of_first_delinquency,
            "compliance_code": r.compliance_code,
            "compliance_condition_text": code_lists.compliance_condition_text(
                r.compliance_code),
            "special_comment": r.month_comment,
            "special_comment_text": code_lists.special_comment_text(r.month_comment),
            **_segments(r),
            "disputed": (r.compliance_code in DISPUTE_COMPLIANCE_CODES
                         or r.item_ref in open_disputes),
            "payment_history": payment_grid(r.latest_as_of, months[r.id]),
            "statements": by_item.get(r.item_ref, []),
            "why": why.explain(r.link, language),
        })
        out[-1]["history"] = _history(out[-1]["payment_history"], language)
    return out


# histories in words by grid and language: every report tells each account's, and grids
# repeat (two years on time). A cell's label is its code's (``GRID_CODES``) and every code is
# one character, so the codes in a row and the language say everything ``history`` reads. The
# answers are shared: nobody may change one (``_history`` hands out a shallow copy).
_HISTORIES: dict[tuple[str, str], dict[str, Any]] = {}
_HISTORIES_MAX = 4096


def _history(grid: list[dict[str, Any]], language: letters.Language) -> dict[str, Any]:
    key = ("".join([c["code"] for c in grid]), language.code)
    found = _HISTORIES.get(key)
    if found is None:
        if len(_HISTORIES) >= _HISTORIES_MAX:
            _HISTORIES.clear()
        found = _HISTORIES[key] = report_summary.history(grid, language)
    return dict(found)


_PURCHASE_WORDS = {"purchased_from": "Purchased from", "sold_to": "Sold to"}


def _segments(r: Any) -> dict[str, Any]:
    """What the Metro 2 segments add to an account on the report: the original creditor (K1),
    the purchase or sale (K2), mortgage identifiers (K3) and a specialised payment (K4)."""
    k1 = None
    if r.original_creditor:
        k1 = {"name": r.original_creditor, "classification": r.creditor_classification,
              "classification_text": code_lists.creditor_classification_text(
                  r.creditor_classification)}
    k2 = None
    if r.purchase_indicator:
        words = _PURCHASE_WORDS.get(r.purchase_indicator, r.purchase_indicator)
        k2 = {"indicator": r.purchase_indicator, "name": r.purchase_name,
              "text": f"{words} {r.purchase_name}" if r.purchase_name else words}
    return {"original_creditor": k1, "purchase": k2, "mortgage": r.mortgage,
            "specialised_payment": r.specialised_payment}


# -- personal information ----------------------------------------------------------------------

_KIND_ORDER = {k: i for i, k in enumerate(("name", "national_id", "date_of_birth", "address",
                                           "phone", "employer"))}


def _masked(text: str) -> str:
    return "*" * max(len(text) - 4, 0) + text[-4:]


def _join(*parts: Any) -> str:
    return ", ".join(str(p) for p in parts if p)


def _display(kind: str, v: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The element as one line of text and as fields, masked where it identifies."""
    if kind == "name":
        gen = code_lists.generation_code_text(v.get("generation_code"))
        return (f"{v.get('name', '')}{', ' + gen if gen else ''}",
                {k: v.get(k) for k in ("name", "surname", "first_name", "middle_name",
                                       "generation_code")})
    if kind == "national_id":
        masked = _masked(str(v.get("national_id", "")))
        return masked, {"national_id_masked": masked}
    if kind == "date_of_birth":
        return str(v.get("date_of_birth", "")), {"date_of_birth": v.get("date_of_birth")}
    if kind == "phone":
        masked = _masked(str(v.get("phone", "")))
        return masked, {"phone_masked": masked}
    if kind == "address":
        city = " ".join(p for p in (v.get("state"), v.get("postal_code")) if p)
        text = _join(v.get("line1"), v.get("line2"), v.get("city"), city, v.get("country"))
        fields = {**v, "indicator_text": code_lists.address_indicator_text(v.get("indicator")),
                  "residence_text": code_lists.residence_code_text(v.get("residence"))}
        # the code texts are sentences; in parentheses they are joined without their stops
        words = [w.rstrip(".") for w in (fields["indicator_text"], fields["residence_text"])
                 if w]
        return (f"{text} ({'; '.join(words)})" if words else text), fields
    if kind == "employer":
        text = _join(v.get("name"), v.get("city"), v.get("state"))
        if v.get("occupation"):
            text += f" — {v['occupation']}"
        return text, dict(v)
    return "", {}


# in English, as the JSON gives them; pages and the PDF translate them (N_ marks them)
_LABELS = {"name": N_("Name"), "national_id": N_("National id"),
           "date_of_birth": N_("Birth date"), "address": N_("Address"), "phone": N_("Phone"),
           "employer": N_("Employer")}


def personal_information(vault: ports.Vault, uow: ports.UnitOfWork, subject_id: int,
                         file_name: str | None = None, disputed: set[str] | None = None
                         ) -> list[dict[str, Any]]:
    """Every identity element on the file, once per value, with who reported it and when
    (first and last seen: the as-of dates of the records that said it), each source with the
    ``item_ref`` a dispute names it by. ``label`` says what it is in words: the file's name is
    "Name", every other name "Also known as". ``disputed``: item refs under an open dispute."""
    elements: dict[tuple[str, str], dict[str, Any]] = {}
    decrypt = vault.decrypt
    r: ReportObservation
    for r in uow.report.observations(subject_id):
        source = {"furnisher": r.furnisher, "first_seen_on": r.first_seen_on,
                  "last_seen_on": r.last_seen_on, "item_ref": r.item_ref}
        el = elements.get((r.kind, r.value_hmac))
        if el is None:
            text, fields = _display(r.kind, json.loads(decrypt(r.value_ciphertext)))
            elements[(r.kind, r.value_hmac)] = {
                "item_ref": r.item_ref, "kind": r.kind, "label": _LABELS.get(r.kind, r.kind),
                "value": text, "fields": fields,
                "first_seen_on": r.first_seen_on, "last_seen_on": r.last_seen_on,
                "reported_by": [source]}
            continue
        el["reported_by"].append(source)
        el["first_seen_on"] = min(el["first_seen_on"], r.first_seen_on)
        el["last_seen_on"] = max(el["last_seen_on"], r.last_seen_on)
    out = sorted(elements.values(), key=lambda e: (_KIND_ORDER.get(e["kind"], 99),
                                                   -e["last_seen_on"].toordinal(),
                                                   e["value"]))
    names = [e for e in out if e["kind"] == "name"]
    primary = next((e for e in names if file_name and e["fields"].get("name") == file_name),
                   names[0] if names else None)
    open_refs = disputed or set()
    for e in out:
        if e["kind"] == "name" and e is not primary:
            e["label"] = N_("Also known as")
        e["disputed"] = any(s["item_ref"] in open_refs for s in e["reported_by"])
    return out


def payment_grid(end: date, months: list[Any]) -> list[dict[str, Any]]:
    """24 cells, oldest first, ending at ``end``'s month. ``months`` are the account's stored
    month records (``as_of``, ``status``, ``payment_history``), in any order."""
    # months as integers (year * 12 + month - 1): one grid per account on every report, so
    # no date arithmetic per cell
    last = month_index(end)
    reported = {month_index(m.as_of): m.status for m in months}
    month_label = _month_label
    newest = None
    for m in months:      # the first of the newest, as max() would pick
        if m.payment_history and (newest is None or m.as_of > newest.as_of):
            newest = m
    from_profile: dict[int, str] = {}
    if newest is not None:
        base = month_index(newest.as_of) - 1
        for i, char in enumerate(newest.payment_history[:GRID_MONTHS]):
            from_profile[base - i] = char
    cells = []
    for month in range(last - GRID_MONTHS + 1, last + 1):
        if month in reported:
            code, source = _CODE_OF_STATUS.get(reported[month], NO_DATA), "reported"
        elif month in from_profile and from_profile[month] not in _METRO2_NO_DATA:
            code, source = from_profile[month], "payment_history"
        else:
            code, source = NO_DATA, "none"
        status, label = GRID_CODES.get(code, GRID_CODES[NO_DATA])
        cells.append({"month": month_label(month), "code": code, "status": status,
                      "label": label, "source": source})
    return cells


@functools.lru_cache(maxsize=4096)
def _month_label(month: int) -> str:
    """``YYYY-MM`` of a month index (every report formats the same few dozen months)."""
    return f"{month // 12}-{month % 12 + 1:02d}"


# -- the rest of the file ----------------------------------------------------------------------

def _why_of(bureau: Bureau, own: bool, language: letters.Language
            ) -> Callable[[Any, str], dict[str, Any]]:
    """The ``why`` of a listing or an inquiry (``domain.why``) from its ``link``; the person's
    own report adds the identity the court or the member gave (``given``, national id
    masked), which nobody else sees."""
    def of(link: Any, item: str) -> dict[str, Any]:
        out = why.explain(link, language, item)
        out["given"] = subjects.given_view(bureau.vault, link) if own else None
        return out
    return of


def _public_records(uow: ports.UnitOfWork, subject_id: int, today: date, open_disputes: set[str],
                    hidden: frozenset[str] | set[str],
                    why_of: Callable[[Any, str], dict[str, Any]]) -> list[dict[str, Any]]:
    rows = uow.report.public_records(subject_id)
    orders: dict[int, list[dict[str, Any]]] = {r.id: [] for r in rows}
    if orders:
        for o in uow.report.restrictions(list(orders)):
            if o.until is None or o.until >= today:
                orders[o.public_record_id].append(
                    {"category": o.category, "ordered_on": o.ordered_on, "until": o.until})
    return [{"item_ref": r.item_ref, "kind": r.kind, "court": r.court_name,
             "case_number": r.case_number, "amount": r.amount, "currency": r.currency,
             "judgment_date": r.judgment_date, "ground": r.ground, "legal_basis": r.legal_basis,
             "status": r.status, "listed_at": r.listed_at, "until": r.until,
             "disputed": r.item_ref in open_disputes, "restrictions": orders[r.id],
             "why": why_of(r.link, "public_record")}
            for r in rows if r.item_ref not in hidden]


def _shown(profile: Profile, purpose: str, age_days: int) -> bool:
    try:
        p = Purpose(purpose)
    except ValueError:
        p = None
    if p is None:   # e.g. a restriction check: the general display window applies
        return profile.inquiry_display_days is None or age_days <= profile.inquiry_display_days
    return profile.shows_inquiry(p, age_days)


def _inquiries(uow: ports.UnitOfWork, profile: Profile, subject_id: int, now: datetime,
               why_of: Callable[[Any, str], dict[str, Any]]) -> list[dict[str, Any]]:
    rows = uow.report.inquiries(subject_id)
    return [{"item_ref": r.item_ref, "kind": r.kind, "who": r.organisation,
             "purpose": r.purpose, "category": r.category, "when": r.created_at,
             "why": why_of(r.link, "inquiry")}
            for r in rows if _shown(profile, r.purpose, (now - r.created_at).days)]


def _dispute(d: Dispute, own: bool, names: dict[str, str]) -> dict[str, Any]:
    out = {"item_kind": d.item_kind, "item_ref": d.item_ref,
           "item_name": names.get(d.item_ref), "status": d.status,
           "opened_at": d.opened_at, "due_at": d.due_at, "answered_at": d.answered_at,
           "statement": d.statement}
    if own:
        out.update(reason=d.reason, note=d.note)
    return out


def _statement(s: ReportStatement) -> dict[str, Any]:
    return {"item_ref": s.item_ref, "text": s.text, "created_at": s.created_at}


def item_names(uow: ports.UnitOfWork, subject_id: int,
               language: letters.Language = letters.ENGLISH) -> dict[str, str]:
    """The name a person reads for each account and public record of the file, by item_ref:
    "Demo First Bank loan ending 0010", "Demo District Court, case (2026) Civ 1"."""
    _ = language.gettext
    return {n.item_ref: (wording.record_name(n.name, n.number, _) if n.kind is None
                         else wording.account_name(n.name, n.kind, n.number, _))
            for n in uow.report.item_names(subject_id)}


def notice_list(uow: ports.UnitOfWork, subject_id: int, bureau: Bureau,
                names: dict[str, str] | None = None,
                language: letters.Language = letters.ENGLISH) -> list[dict[str, Any]]:
    """The notices sent to the subject, newest first, each with its structured ``body`` and the
    ``title`` and ``text`` of the letter it reads as (``domain.letters``) in ``language`` (in
    English, the title as stored)."""
    ctx = letters.Context(bureau.settings.bureau_name, bureau.settings.bureau_contact,
                          item_names(uow, subject_id, language) if names is None else names,
                          language)
    out = []
    n: ReportNotice
    for n in uow.report.notices(subject_id):
        letter = letters.letter(n.kind, n.title, n.body, ctx)
        out.append({"kind": n.kind, "title": letter.title, "body": n.body,
                    "created_at": n.created_at, "text": letter.text()})
    return out

