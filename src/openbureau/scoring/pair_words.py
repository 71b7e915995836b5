"""A pair row in words: how its reasons name an attribute off its best bins, the advice that goes
with them, and the row's own name (what the simulator says moved). Training writes the reasons
with these words (``modelling.pairs``); the simulator and the catalogue read the names."""

from __future__ import annotations

from openbureau.scoring.spec import PairCard

#: How a pair's reason names an attribute off its best bins, by side; and the advice that goes
#: with acting on it (the action is the attribute row's: ``scoring.actions``).
PHRASES: dict[str, dict[str, str]] = {
    "dpd_30_59_24m": {"high": "payments 30 to 59 days late in the last 24 months"},
    "dpd_60_89_24m": {"high": "payments 60 to 89 days late in the last 24 months"},
    "dpd_90_plus_24m": {"high": "payments 90 or more days late, or accounts in collection, "
                                "in the last 24 months"},
    "open_trades": {"low": "fewer open accounts and loans than in the best-scoring files",
                    "high": "more open accounts and loans than in the best-scoring files"},
    "real_estate_trades": {"high": "more mortgages or real-estate loans at the same time than "
                                   "in the best-scoring files"},
}
NOUNS: dict[str, str] = {
    "dpd_30_59_24m": "payments 30 to 59 days late",
    "dpd_60_89_24m": "payments 60 to 89 days late",
    "dpd_90_plus_24m": "payments 90 or more days late",
    "open_trades": "number of open accounts and loans",
    "real_estate_trades": "number of real-estate loans",
}
ADVICE: dict[str, dict[str, str]] = {
    "dpd_30_59_24m": {"high": "Paying every account on time helps."},
    "dpd_60_89_24m": {"high": "Paying every account on time helps."},
    "dpd_90_plus_24m": {"high": "Bringing accounts up to date and paying on time helps."},
    "open_trades": {"low": "Accounts kept in good standing over time help.",
                    "high": "Closing accounts you have paid off helps."},
    "real_estate_trades": {"high": "Paying one off helps."},
}


def pair_text(pair: PairCard) -> str:
    """A pair row named in words (what the simulator says moved)."""
    return pair_words(pair.x, pair.y)


def pair_words(x: str, y: str) -> str:
    """The words of a pair row on attributes ``x`` and ``y``: one sentence, so that the
    catalogue (``adapters.i18n.extract_reasons``) translates it whole."""
    def noun(name: str) -> str:
        return NOUNS.get(name, name.replace("_", " "))
    return f"The {noun(x)} together with the {noun(y)}"
