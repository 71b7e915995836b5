"""Money: integer minor units of an ISO 4217 currency, their digits, and the one way they are
written for people (pages, PDF, form input).

A currency's minor units are its ISO 4217 exponent: a yen has none (¥1,234 is 1234), a dollar
two (1234.50 USD is 123450), a dinar of Bahrain three. The exponent is ISO's, not CLDR's display
convention (CLDR shows forints, rupiahs and Colombian pesos without decimals, but ISO 4217 and
the furnishers' files count them in hundredths).
"""

from __future__ import annotations

import re

# ISO 4217 currencies whose exponent is not 2 (the list's "minor unit" column); funds and
# metals without minor units (XAU, XDR ...) are not amounts a file carries and default to 2.
_EXPONENTS: dict[str, int] = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF",
                     "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    **dict.fromkeys(("CLF", "UYW"), 4),
}
DEFAULT_DIGITS = 2
_DIGIT_WORDS = {0: "no decimals, such as 1234", 2: "at most two decimals, such as 1234.50",
                3: "at most three decimals, such as 1234.500",
                4: "at most four decimals, such as 1234.5000"}
# an amount as a person writes it: digits and a fraction; no sign, no exponent ("1e20"), no
# "inf" or "nan"
_AMOUNT = re.compile(r"(\d+)(?:\.(\d+))?")


def exponents() -> dict[str, int]:
    """The currencies whose exponent is not :data:`DEFAULT_DIGITS`, with theirs."""
    return dict(_EXPONENTS)


def digits(currency: str | None) -> int:
    """The number of decimal digits of ``currency``'s minor unit (2 when unknown)."""
    return _EXPONENTS.get((currency or "").strip().upper(), DEFAULT_DIGITS)


def format_money(amount: int | None, currency: str | None) -> str:
    """``amount`` minor units written in major units with the currency code: "1,234.50 USD",
    "1,234 JPY"; "—" for no amount. Exact for any integer (no float)."""
    if amount is None:
        return "—"
    n = digits(currency)
    whole, frac = divmod(abs(amount), 10 ** n)
    text = f"{'-' if amount < 0 else ''}{whole:,}" + (f".{frac:0{n}d}" if n else "")
    return f"{text} {currency or ''}".strip()


def parse_major(text: str, currency: str | None) -> int | str:
    """An amount written in ``currency``'s major units ("1234.50") as integer minor units
    (123450), or the reason it is not written that way. Its bounds are the caller's."""
    text = text.strip()
    n = digits(currency)
    match = _AMOUNT.fullmatch(text) if text.isascii() else None
    if match is None or len(match[2] or "") > n or (n == 0 and match[2] is not None):
        if text.startswith("-"):
            return "must not be negative"
        return "give the amount in digits with " + _DIGIT_WORDS.get(n, f"at most {n} decimals")
    return int(match[1]) * int(10 ** n) + int((match[2] or "").ljust(n, "0") or "0")
