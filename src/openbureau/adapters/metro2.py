"""Metro 2: a streaming reader and a writer.

Positions follow the CRRG 426-character layout (1-based, counted from the RDW); the code
uses the 0-based slices ``start-1:end``. Files are split into records by ``metro2_layout``:
each record by its own length word, with or without BDW and line breaks, character or packed
(366) format -- packed records are turned into their 426-character form first, so everything
below reads character records only.

Record content (``metro2_fields`` reads it, ``metro2_segments`` writes it)
==========================================================================

Every field of every segment, and what becomes of it: **kept** (into the AccountRecord dict a
RawRecord carries, then validated by ``parse_account_record``), **codes** (kept raw only in
``RawRecord.metro2``, for the data-quality rules), **checked** (read, and a LineError when
unreadable) or **ignored**. Positions are 1-based, from the RDW (segments: from their
identifier). Text is stripped; blank means absent.

Base segment (426)
------------------

=====================================  ==========================================================
Metro 2 field (position)               what becomes of it
=====================================  ==========================================================
Record Descriptor Word (1-4)           framing (``metro2_layout``)
Processing Indicator (5)               ignored
Time Stamp (6-19)                      ignored
Correction Indicator (20)              codes ``correction_indicator``
Identification Number (21-40)          kept: identification_number
Cycle Identifier (41-42)               ignored
Consumer Account Number (43-72)        kept: account_ref
Portfolio Type (73) + Account Type     kept: kind -- R, C -> revolving; I, L -> installment;
(74-75)                                M -> mortgage; O -> open; account type 48 or 0C (collection
                                       agency, debt buyer) -> collection; codes ``portfolio_type``,
                                       ``account_type``
Date Opened (76-83)                    kept: opened_on; codes
Credit Limit (84-92)                   kept: credit_limit (zero -> absent); codes
Highest Credit (93-101)                kept: original_amount, for installment, mortgage and
                                       collection only (zero -> absent); codes
Terms Duration (102-104), Terms        codes ``terms_duration``, ``terms_frequency``
Frequency (105)
Scheduled Monthly Payment (106-114)    kept: scheduled_payment (zero -> absent); codes
Actual Payment Amount (115-123)        codes ``actual_payment``
Account Status (124-125)               kept: status (table below); DA/DF -> delete_code; codes
Payment Rating (126)                   kept: the status of a DA/DF record (below); codes
Payment History Profile (127-150)      kept: payment_history, exactly (trailing blanks cut); codes
Special Comment (151-152)              kept: special_comment (validated against the code list,
                                       ``domain/code_lists``); codes
Compliance Condition Code (153-154)    kept: compliance_code; codes
Current Balance (155-163)              kept: balance; codes ``current_balance``
Amount Past Due (164-172)              kept: amount_past_due; codes
Original Charge-off Amount (173-181)   codes ``original_charge_off``
Date of Account Information (182-189)  kept: as_of; codes
Date of First Delinquency (190-197)    kept: date_of_first_delinquency; codes
Date Closed (198-205)                   kept: closed_on; codes
Date of Last Payment (206-213)         codes ``date_of_last_payment``
Interest Type Indicator (214)          codes ``interest_type``
Reserved (215-231)                     ignored
Surname, First Name, Middle Name       kept: subject.surname, subject.first_name,
(232-256, 257-276, 277-296)            subject.middle_name, and subject.name =
                                       "FIRST MIDDLE SURNAME" (characters as read, Latin-1)
Generation Code (297)                  kept: subject.generation_code (J, S, 2-9)
Social Security Number (298-306)       kept: subject.national_id; zero-filled, nine-filled or
                                       blank -> absent (then the date of birth is required);
                                       codes ``ssn_given`` ("1"/"0")
Date of Birth (307-314)                kept: subject.date_of_birth; codes
Telephone Number (315-324)             kept: subject.phone, digits, leading zeros dropped (the
                                       field is right-justified); zero-filled -> absent
ECOA Code (325)                        kept: ecoa -- 1 individual, 2 joint, 3 authorized_user,
                                       5 co_maker, 7 maker, T terminated, W business,
                                       X deceased, Z delete_consumer; codes ``ecoa_code``
Consumer Information Indicator         codes ``consumer_information_indicator``
(326-327)
Country Code (328-329)                 kept: subject.address.country
First / Second Line Address (330-393)  kept: subject.address.line1, .line2
City, State, Zip Code (394-424)        kept: subject.address.city, .state, .postal_code
Address Indicator (425)                kept: subject.address.indicator (C Y N M S B U D P)
Residence Code (426)                   kept: subject.address.residence (O, R)
(none)                                 currency = "USD" (Metro 2 is US-dollar only)
=====================================  ==========================================================

Money is whole dollars in Metro 2 and minor units (cents) in the schema: the reader multiplies by
100, the writer divides by 100 and **drops the cents**. Dates are MMDDYYYY; all zeros (or blanks)
means "no date" and the field is left out. ``RawRecord.metro2`` also carries ``segment``
("base", "J1", "J2") and ``activity_date`` (the Header's).

Appended segments
-----------------

* **J1** (associated consumer at the same address, 100): Surname, First, Middle Name,
  Generation Code, SSN, Date of Birth, Telephone, ECOA Code kept as in the base, as the subject
  of a RawRecord of its own: the base record's account fields with this subject and this ECOA
  code; its address is the base subject's. Consumer Information Indicator: codes. Reserved
  bytes ignored.
* **J2** (associated consumer elsewhere, 200): as J1, and its own Country Code, address lines,
  City, State, Zip Code, Address Indicator, Residence Code kept as subject.address.
* **K1** (original creditor, 34): kept: original_creditor.name and .classification (01-15).
* **K2** (purchased from / sold to, 34): kept: purchase.indicator (1 purchased_from, 2 sold_to,
  9 remove) and purchase.name.
* **K3** (mortgage information, 40): kept: mortgage.agency (00 none, 01 fannie_mae,
  02 freddie_mac), mortgage.agency_account, mortgage.mers_min.
* **K4** (specialised payment, 30): kept: specialised_payment.indicator (01 balloon,
  02 deferred), .deferred_start, .balloon_due, .balloon_amount (zero -> absent).
* **L1** (account number / identification number change, 54): kept: account_change -- the
  Change Indicator (1 account number, 2 identification number, 3 both) says which of
  new_account_ref and new_identification_number is read; the one it names must be there.
  The base carries the old numbers (see ``services/furnishing`` for the re-keying).
* **N1** (employment, 146): kept: subject.employer (name, address lines, city, state, ZIP,
  occupation) of the **base** consumer; J1/J2 records do not get it.

An unknown code in K2, K3, K4 or L1 is a LineError naming the segment's field (``K2 Purchased
Indicator`` ...); K1-K4, L1 and N1 appear at most once per record. A blank segment (identifier
followed by blanks, as fixed-length files carry) is skipped and not counted. Every J1/J2/K/L/N
field the schema refuses (a bad classification, generation code ...) is a field error of
``parse_account_record`` (``original_creditor.classification`` ...).

Header and Trailer
------------------

Header: the Activity Date is checked (required, a date) and passed on as codes
``activity_date``; the other header fields are ignored. Trailer: Total Base Records, Total J1/J2
Segments and Total Status Code DA/DF are checked against what was read (a mismatch is a
LineError at the trailer's line named after the field); the other counts are ignored on reading
and written true by the writer (status codes, ECOA Z, N1, K1-K4, L1, SSNs, dates of birth and
phone numbers per segment).

Account Status <-> status
=========================

=================  ===========  ===========================================================
status             writer       reader also maps
=================  ===========  ===========================================================
current            11
dpd30 ... dpd180   71 78 80 82 83 84
charged_off        97           64 (paid, was a charge-off); 89, 94, 95, 96 (deed in lieu,
                                foreclosure, voluntary surrender, repossession)
collection         93           88 (claim filed with the government)
paid               13           61, 62, 63, 65 (paid after a derogatory event)
closed             05
=================  ===========  ===========================================================

A record with a ``delete_code`` is written with Account Status DA/DF and its status in the
Payment Rating (0 current, 1-6 dpd30-dpd180, G collection, L charged_off; blank for paid and
closed). The reader takes a DA/DF record's status from the Payment Rating, "closed" when blank,
so a *paid* record with a delete code reads back as *closed*. Status 93 does not make the kind
"collection" by itself: a revolving account placed for collection stays revolving (otherwise the
writer's output could not be read back as written); the account type decides the kind.

The writer
==========

``metro2_writer`` writes a Header, the data records and a Trailer with true counts. Records of
one account that follow one another and differ only in subject and ECOA code become one data
record: the first as the base segment, the others as J1 (same address as the base subject) or
J2 segments, when their ECOA is not individual and they have no employer (see
``metro2_segments``). A record without a national id is written with a zero-filled SSN.
Reading what it wrote gives back equal records for *canonical* records: whole-dollar amounts,
upper-case descriptive text (names, addresses, employer, creditor names), the name equal to
"FIRST [MIDDLE] SURNAME" of its parts (a record without parts is written with its name split,
and reads back with the parts), an identification number (else the file's default is written
and read back), a phone of 7-10 digits not starting with 0, fields within Metro 2's lengths,
24-character payment histories (shorter ones are padded with B, as the CRRG asks), non-zero
optional amounts, ``original_amount`` only on installment/mortgage/collection accounts, and
``monthly_income``/``consent_ref`` absent (Metro 2 has no place for them). What Metro 2 cannot
carry at all (not USD, a national id other than a 9-digit SSN, a field too long, a character
outside Latin-1) is a ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from openbureau.adapters.fileformats import LineError

# the field content of a record (code tables, base and segments, trailer counts) is read in
# ``metro2_fields``; these names stay importable from here
from openbureau.adapters.metro2_fields import (
    _AMOUNT_KINDS,
    _COLLECTION_TYPES,
    _DATES,
    _ECOA,
    _ECOA_CODE,
    _KIND_CODES,
    _NO_SSN,
    _PORTFOLIO_KIND,
    _RATING_STATUS,
    _STATUS,
    _STATUS_CODE,
    _STATUS_RATING,
    _TRAILER_CHECKS,
    _TRAILER_STATUS_CODES,
    _date,
)
from openbureau.adapters.metro2_fields import data_record as _data_record
from openbureau.adapters.metro2_fields import parse_base as _parse_base
from openbureau.adapters.metro2_fields import trailer as _trailer
from openbureau.adapters.metro2_layout import CHUNK, FrameError, open_frames

BASE_LENGTH = 426
SEGMENT_LENGTHS = {"J1": 100, "J2": 200, "K1": 34, "K2": 34, "K3": 40, "K4": 30, "L1": 54,
                   "N1": 146}
_TRAILER_ID = b"TRAILER"

__all__ = ["_AMOUNT_KINDS", "_COLLECTION_TYPES", "_DATES", "_ECOA", "_ECOA_CODE", "_KIND_CODES",
           "_NO_SSN", "_PORTFOLIO_KIND", "_RATING_STATUS", "_STATUS", "_STATUS_CODE",
           "_STATUS_RATING", "_TRAILER_CHECKS", "_TRAILER_STATUS_CODES", "_data_record",
           "_parse_base", "_trailer", "read_metro2"]


class _Counts:
    __slots__ = ("base", "j1", "j2", "da", "df", "trailer_cut")

    def __init__(self) -> None:
        self.base = self.j1 = self.j2 = self.da = self.df = 0
        self.trailer_cut = False   # the file ends inside its trailer (already reported)


def read_metro2(stream: BinaryIO, *, batch: int = 0,
                hasher: Callable[[str], str] | None = None) -> Iterator[Any]:
    """Check the start of a Metro 2 file and return the iterator over its records.

    Every layout ``metro2_layout`` frames is read (line breaks or none, BDW or none, character
    or packed). Raises ``FileUnreadable`` when the file does not start with a Header record.

    With ``batch`` (and ``hasher``, the keyed hash of national ids), data records are taken
    ``batch`` at a time: the clean ones come as one ``metro2_columns.Block`` of staging lines,
    the others record by record as usual (RawRecord or LineError). Items then come in file order
    within a batch, but a LineError about the file's structure may come before the batch holding
    earlier records: sort by line where the order matters.
    """
    return _read(open_frames(stream.read(CHUNK), stream), batch, hasher)


def _read(frames: Iterator[bytes | FrameError], batch: int = 0,
          hasher: Callable[[str], str] | None = None) -> Iterator[Any]:
    header = next(frames)
    assert isinstance(header, bytes)      # open_frames checked the header
    activity = header[47:55].decode("latin-1")
    errors: list[tuple[str, str]] = []
    if activity == "00000000" or not activity.strip():
        errors.append(("Activity Date", "is required"))
    else:
        _date(activity, "Activity Date", errors)
    for field, message in errors:
        yield LineError(1, field, message)
    counts = _Counts()
    line = 1
    trailer_seen = False
    held: list[bytes] = []          # data records waiting for their batch
    held_lines: list[int] = []

    def flush() -> Iterator[Any]:
        if not held:
            return
        from openbureau.adapters.metro2_columns import parse_block

        assert hasher is not None
        block, rest, clean = parse_block(held, held_lines, hasher, activity=activity)
        counts.base += clean["base"]
        counts.j1 += clean["j1"]
        counts.da += clean["da"]
        counts.df += clean["df"]
        if block is not None:
            yield block
        for i in rest:
            yield from _data_record(held[i], held_lines[i], counts, activity)
        held.clear()
        held_lines.clear()

    for rec in frames:
        line += 1
        if rec.__class__ is not bytes:
            assert isinstance(rec, FrameError)
            line = rec.line
            counts.base += rec.data and not trailer_seen
            counts.trailer_cut = counts.trailer_cut or rec.trailer_cut
            yield LineError(rec.line, rec.field, rec.message)
            continue
        assert isinstance(rec, bytes)
        if batch and not trailer_seen and rec[4:11] != _TRAILER_ID and rec[4:10] != b"HEADER":
            held.append(rec)
            held_lines.append(line)
            if len(held) >= batch:
                yield from flush()
            continue
        if rec[4:11] == _TRAILER_ID:
            yield from flush()  # the trailer is checked against the counts
        if trailer_seen:
            yield LineError(line, "record", "record after the TRAILER record")
        elif rec[4:11] == _TRAILER_ID:
            trailer_seen = True
            yield from _trailer(rec, line, counts)
        elif rec[4:10] == b"HEADER":
            yield LineError(line, "record", "a second HEADER record")
        else:
            yield from _data_record(rec, line, counts, activity)
    yield from flush()
    if not trailer_seen and not counts.trailer_cut:
        yield LineError(line + 1, "TRAILER", f"missing trailer record (the file ends after "
                        f"record {line})")
