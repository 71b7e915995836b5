"""Write the hand-made Metro 2 layout corpus of this directory (``python make_corpus.py``).

Self-contained on purpose: the records are laid out here from the field tables of
/work/shared/metro2-layout.md (character and packed), without the project's writer or framing
code, so that a bug there cannot hide in the expectations. What each file holds, and what
reading it must give, is in tests/unit/test_metro2_layouts.py; what ingesting it must store and
report, in tests/integration/test_metro2_corpus_stored.py.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent

# base segment: (field, character width, packed kind: None = same bytes, "n" number, "d" date)
BASE = [
    ("rdw", 4, None), ("processing", 1, None), ("timestamp", 14, "t"), ("correction", 1, None),
    ("identification", 20, None), ("cycle", 2, None), ("account", 30, None),
    ("portfolio", 1, None), ("account_type", 2, None), ("opened", 8, "d"),
    ("credit_limit", 9, "n"), ("highest_credit", 9, "n"), ("terms", 3, None),
    ("frequency", 1, None), ("scheduled", 9, "n"), ("actual", 9, "n"), ("status", 2, None),
    ("rating", 1, None), ("history", 24, None), ("special", 2, None), ("compliance", 2, None),
    ("balance", 9, "n"), ("past_due", 9, "n"), ("charge_off", 9, "n"), ("doai", 8, "d"),
    ("dofd", 8, "d"), ("closed", 8, "d"), ("last_payment", 8, "d"), ("interest", 1, None),
    ("reserved", 17, None), ("surname", 25, None), ("first", 20, None), ("middle", 20, None),
    ("generation", 1, None), ("ssn", 9, "n"), ("dob", 8, "d"), ("phone", 10, "p"),
    ("ecoa", 1, None), ("cii", 2, None), ("country", 2, None), ("address1", 32, None),
    ("address2", 32, None), ("city", 20, None), ("state", 2, None), ("zip", 9, None),
    ("address_indicator", 1, None), ("residence", 1, None),
]
PACKED_BYTES = {"n": 5, "d": 5, "t": 8, "p": 6}
NO_SSN = ("000000000", "999999999")
TRAILER_COUNTS = ["base", "reserved1", "df", "j1", "j2", "blocks", "da", "s05", "s11", "s13",
                  "s61", "s62", "s63", "s64", "s65", "s71", "s78", "s80", "s82", "s83", "s84",
                  "s88", "s89", "s93", "s94", "s95", "s96", "s97", "ecoa_z", "n1", "k1", "k2",
                  "k3", "k4", "l1", "ssn_all", "ssn_base", "ssn_j1", "ssn_j2", "dob_all",
                  "dob_base", "dob_j1", "dob_j2", "phone_all"]


def base_fields(account: str, surname: str, first: str, ssn: str, **over: str) -> dict:
    values = {
        "processing": "1", "timestamp": "05312024120000", "correction": "0",
        "identification": "BRANCH0001", "account": account, "portfolio": "R",
        "account_type": "18", "opened": "01152020", "credit_limit": "000005000",
        "highest_credit": "000001200", "terms": "REV", "frequency": "M",
        "scheduled": "000000035", "actual": "000000035", "status": "11", "rating": " ",
        "history": "0" * 24, "balance": "000001234", "past_due": "000000000",
        "charge_off": "000000000", "doai": "05312024", "dofd": "00000000", "closed": "00000000",
        "last_payment": "05012024", "surname": surname, "first": first, "middle": "Q",
        "ssn": ssn, "dob": "02281980", "phone": "5551234567", "ecoa": "1", "country": "US",
        "address1": "1 MAIN ST", "city": "SPRINGFIELD", "state": "IL", "zip": "62701",
        "address_indicator": "Y", "residence": "O",
    }
    values.update(over)
    return values


def base_char(values: dict) -> bytes:
    out = b""
    for name, width, _ in BASE:
        text = values.get(name, "").encode("ascii")
        assert len(text) <= width, name
        out += text.ljust(width) if name != "rdw" else b"0426"
    assert len(out) == 426
    return out


def _decimal(digits: str, nbytes: int) -> bytes:
    nibbles = digits.rjust(2 * nbytes - 1, "0") + "C"
    return bytes(int(nibbles[i], 16) << 4 | int(nibbles[i + 1], 16)
                 for i in range(0, len(nibbles), 2))


def _binary(digits: str, nbytes: int, kind: str) -> bytes:
    value = int(digits)
    if kind in "dt":          # moov: 00, the value, 73; no date: all zeros
        return bytes(nbytes) if value == 0 else b"\x00" + value.to_bytes(nbytes - 2, "big") \
            + b"\x73"
    return value.to_bytes(nbytes, "big")


def packed_field(digits: str, kind: str, encoding: str) -> bytes:
    n = PACKED_BYTES[kind]
    return _decimal(digits, n) if encoding == "decimal" else _binary(digits, n, kind)


def base_packed(values: dict, encoding: str) -> bytes:
    out = b""
    for name, width, kind in BASE[1:]:
        text = values.get(name, "")
        out += text.encode().ljust(width) if kind is None else packed_field(text, kind, encoding)
    assert len(out) == 362
    return out          # without its RDW


def header_char(length: int = 426) -> bytes:
    rec = (b"%04d" % length + b"HEADER" + b"  " + b"INNOVIS001" + b"EQUIFAX001" + b"EXP01"
           + b"TRANSU0001" + b"05312024" + b"06012024" + b"01012020" + b"01012024"
           + b"ACME BANK".ljust(40) + b"1 BANK PLAZA, SPRINGFIELD IL".ljust(96) + b"5550001111"
           + b"HANDMADE".ljust(40) + b"1.0  " + b" " * 10)
    assert len(rec) == 280
    return rec.ljust(length)


def trailer_values(records: list[tuple[dict, list[bytes]]], blocks: int) -> dict:
    c = dict.fromkeys(TRAILER_COUNTS, 0)
    c["base"] = len(records)
    c["blocks"] = blocks
    for values, segments in records:
        c["s" + values["status"]] += 1
        c["ssn_base"] += values["ssn"] not in NO_SSN      # zero/nine-filled: not counted
        c["dob_base"] += values["dob"] != "00000000"
        c["phone_all"] += 1
        for seg in segments:
            sid = seg[:2].decode().lower()
            c[sid] += 1
            if sid in ("j1", "j2"):
                c["ssn_" + sid] += seg[69:78].decode() not in NO_SSN
                c["dob_" + sid] += seg[78:86] != b"00000000"
                c["phone_all"] += 1
    c["ssn_all"] = c["ssn_base"] + c["ssn_j1"] + c["ssn_j2"]
    c["dob_all"] = c["dob_base"] + c["dob_j1"] + c["dob_j2"]
    return c


def trailer_char(c: dict, length: int = 426) -> bytes:
    body = b"".join(b" " * 9 if k == "reserved1" else b"%09d" % c[k] for k in TRAILER_COUNTS)
    return (b"%04d" % length + b"TRAILER" + body + b" " * 19).ljust(length)


def trailer_packed(c: dict, encoding: str) -> bytes:
    body = b"".join(b" " * 5 if k == "reserved1" else packed_field(f"{c[k]:09d}", "n", encoding)
                    for k in TRAILER_COUNTS)
    return b"TRAILER" + body + b" " * 135          # without its RDW


def assoc(seg: str, surname: str, first: str, ssn: str) -> bytes:
    out = (seg.encode() + b" " + surname.encode().ljust(25) + first.encode().ljust(20)
           + b"".ljust(20) + b" " + ssn.encode() + b"07041979" + b"5559876543" + b"2" + b"  ")
    if seg == "J1":
        return out + b" "
    return (out + b"US" + b"9 ELM ST".ljust(32) + b"".ljust(32) + b"SHELBYVILLE".ljust(20) + b"IL"
            + b"62565".ljust(9) + b"Y" + b"R" + b"  ")


K1 = b"K1" + b"ORIGINAL BANK".ljust(30) + b"08"
K3 = b"K3" + b"01" + b"FNMA-778899".ljust(18) + b"100000000000000001".ljust(18)
L1 = b"L1" + b"1" + b"ACC-NEW-1".ljust(30) + b"".ljust(20) + b" "
N1 = (b"N1" + b"WIDGET WORKS".ljust(30) + b"5 FACTORY RD".ljust(32) + b"".ljust(32)
      + b"SPRINGFIELD".ljust(20) + b"IL" + b"62702".ljust(9) + b"MACHINIST".ljust(18) + b" ")
# K2: Purchased Indicator (1 purchased from, 2 sold to, 9 remove), name, reserved
K2 = b"K2" + b"1" + b"OLD LENDER INC".ljust(30) + b" "
K2_BAD = b"K2" + b"7" + b"OLD LENDER INC".ljust(30) + b" "       # 7: no such indicator
# K4: 01 balloon; deferred payment start (none), balloon due date, balloon amount, reserved
K4 = b"K4" + b"01" + b"00000000" + b"06012030" + b"000050000" + b" "
N1_FOUNDRY = (b"N1" + b"ACME FOUNDRY".ljust(30) + b"77 MILL LN".ljust(32) + b"UNIT 4".ljust(32)
              + b"DECATUR".ljust(20) + b"IL" + b"625210001" + b"WELDER".ljust(18) + b" ")


def data_record(values: dict, segments: list[bytes]) -> bytes:
    rec = base_char(values) + b"".join(segments)
    return b"%04d" % len(rec) + rec[4:]


def join(records: list[bytes], sep: bytes = b"", end: bytes = b"") -> bytes:
    return sep.join(records) + end


def bdw(rec: bytes) -> bytes:
    return b"%04d" % (len(rec) + 4) + rec


def packed_word(n: int) -> bytes:
    return n.to_bytes(2, "big") + b"\x00\x00"


# ------------------------------------------------------------------- the two record sets

# "furnisher": records of 426, 526 and 626 bytes (J1 and J2 after the base)
FURNISHER = [
    (base_fields("ACC-1", "DOE", "JANE", "123456789"), []),
    (base_fields("ACC-2", "ROE", "RICHARD", "234567890"), [assoc("J1", "ROE", "RITA",
                                                                "345678901")]),
    (base_fields("ACC-3", "POE", "EDGAR", "456789012"), [assoc("J2", "POE", "ANNA",
                                                               "567890123")]),
    (base_fields("ACC-4", "LEE", "MARY", "678901234", portfolio="I", account_type="01",
                 terms="060", credit_limit="000000000"), []),
]
# "moov": 1000-byte records (base + J1 + J2 + K1 + K3 + L1 + N1) and a base-only one
MOOV = [
    (base_fields("ACC-10", "SMITH", "JOHN", "111223333"),
     [assoc("J1", "SMITH", "JANE", "222334444"), assoc("J2", "SMITH", "JIM", "333445555"), K1,
      K3, L1, N1]),
    (base_fields("ACC-11", "BROWN", "ALICE", "444556666"), []),
    (base_fields("ACC-12", "GREEN", "BOB", "555667777", portfolio="M", account_type="26",
                 terms="360", credit_limit="000000000", highest_credit="000250000"),
     [assoc("J1", "GREEN", "BETTY", "666778888"), assoc("J2", "GREEN", "BILL", "777889999"), K1,
      K3, L1, N1]),
]

# "segments": K2, K4, K1+K2+K4, J2+N1, SSNs zero- and nine-filled, two records refused
SEGMENTS = [
    # line 2: base only
    (base_fields("ACC-20", "KING", "KATE", "321540001"), []),
    # line 3: bought from another lender
    (base_fields("ACC-21", "LANE", "LARRY", "321540002"), [K2]),
    # line 4: a balloon mortgage
    (base_fields("ACC-22", "MOORE", "MONA", "321540003", portfolio="M", account_type="26",
                 terms="360", credit_limit="000000000", highest_credit="000250000",
                 scheduled="000001100", actual="000001100", balance="000200000"), [K4]),
    # line 5: an instalment loan first made by ORIGINAL BANK, bought, with a balloon
    (base_fields("ACC-23", "NASH", "NED", "321540004", portfolio="I", account_type="01",
                 terms="060", credit_limit="000000000", highest_credit="000020000",
                 balance="000015000"), [K1, K2, K4]),
    # line 6: an associated consumer elsewhere (J2) and the base consumer's employer (N1)
    (base_fields("ACC-24", "ORTIZ", "OLGA", "321540005", ecoa="2"),
     [assoc("J2", "ORTIZ", "PAUL", "321540006"), N1_FOUNDRY]),
    # line 7: zero-filled SSN with a date of birth: the name and birth date of line 2
    (base_fields("ACC-25", "KING", "KATE", "000000000"), []),
    # line 8: nine-filled SSN with a date of birth nobody else has
    (base_fields("ACC-26", "QUILL", "QUINN", "999999999", dob="03151975"), []),
    # line 9: zero-filled SSN and no date of birth: refused
    (base_fields("ACC-27", "ROSS", "RORY", "000000000", dob="00000000"), []),
    # line 10: an unknown K2 Purchased Indicator: refused
    (base_fields("ACC-28", "STONE", "SUE", "321540009"), [K2_BAD]),
    # line 11: base + J1
    (base_fields("ACC-29", "TATE", "TOM", "321540010", ecoa="2"),
     [assoc("J1", "TATE", "TINA", "321540011")]),
]


def build() -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    furnisher = [data_record(v, s) for v, s in FURNISHER]
    assert [len(r) for r in furnisher] == [426, 526, 626, 426]
    trailer = trailer_char(trailer_values(FURNISHER, 0))
    out["lf.m2"] = join([header_char(), *furnisher, trailer], b"\n", b"\n")
    out["crlf.m2"] = join([header_char(), *furnisher, trailer], b"\r\n")
    out["fixed_626.m2"] = join([r.ljust(626).replace(r[:4], b"0626", 1)
                                for r in [header_char(), *furnisher, trailer]])
    moov = [data_record(v, s) for v, s in MOOV]
    assert [len(r) for r in moov] == [1000, 426, 1000]
    trailer = trailer_char(trailer_values(MOOV, 0))
    out["moov_none.m2"] = join([header_char(470), *moov, trailer])
    blocked_trailer = trailer_char(trailer_values(MOOV, len(MOOV) + 2))
    out["moov_bdw.m2"] = join([bdw(header_char(470)), bdw(moov[0]),
                               bdw(moov[1] + moov[2]), blocked_trailer])   # trailer: no BDW
    for encoding in ("decimal", "binary"):
        recs = [base_packed(v, encoding) + b"".join(s) for v, s in MOOV]
        body = [header_char()[4:366]] + recs
        blocks = b"".join(packed_word(len(r) + 8) + packed_word(len(r) + 4) + r for r in body)
        tail = trailer_packed(trailer_values(MOOV, len(MOOV) + 2), encoding)
        out[f"packed_{encoding}.m2"] = blocks + packed_word(len(tail) + 4) + tail
    # damaged files
    # line 3: not a length word; line 5: goes on past its length word; the trailer counts
    # both as sent (5 base records, 1 J1)
    bad = b"04X6" + furnisher[0][4:].replace(b"ACC-1 ", b"BAD-1 ")
    long = furnisher[3][:-1] + b"XYZ"
    sent = [FURNISHER[0], FURNISHER[0], FURNISHER[1], FURNISHER[3], FURNISHER[3]]
    lines = [header_char(), furnisher[0], bad, furnisher[1], long, furnisher[3],
             trailer_char(trailer_values(sent, 0))]
    out["lf_damaged.m2"] = join(lines, b"\n", b"\n")
    wrong = b"0400" + moov[1][4:]       # its length word is 26 bytes short
    out["none_damaged.m2"] = join([header_char(470), moov[0], wrong, moov[2],
                                   trailer_char(trailer_values(MOOV, 0))])
    out["truncated.m2"] = join([header_char(), *furnisher])[:-200]
    out["not_metro2.m2"] = b"04Z6HEADER" + header_char()[10:]
    # the "segments" family: LF with a 426 Header; BDW, no line breaks, a 500-byte Header
    # (blank-padded), two records in one block; packed (decimal), one record per block
    segments = [data_record(v, s) for v, s in SEGMENTS]
    assert [len(r) for r in segments] == [426, 460, 456, 524, 772, 426, 426, 426, 460, 526]
    trailer = trailer_char(trailer_values(SEGMENTS, 0))
    out["segments_lf.m2"] = join([header_char(), *segments, trailer], b"\n", b"\n")
    blocks = [bdw(header_char(500))] + [bdw(r) for r in segments[:4]] \
        + [bdw(segments[4] + segments[5])] + [bdw(r) for r in segments[6:]]
    out["segments_bdw.m2"] = join([*blocks, trailer_char(trailer_values(SEGMENTS,
                                                                        len(blocks)))])
    recs = [base_packed(v, "decimal") + b"".join(s) for v, s in SEGMENTS]
    body = [header_char()[4:366]] + recs
    blocks_p = b"".join(packed_word(len(r) + 8) + packed_word(len(r) + 4) + r for r in body)
    tail = trailer_packed(trailer_values(SEGMENTS, len(body)), "decimal")
    out["segments_packed.m2"] = blocks_p + packed_word(len(tail) + 4) + tail
    return out


def main() -> None:
    for name, data in build().items():
        (HERE / name).write_bytes(data)


if __name__ == "__main__":
    main()
