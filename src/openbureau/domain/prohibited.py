"""The line openbureau does not cross: data categories no furnisher may send.

A field outside the credit-reporting schema is refused. When its name belongs to one of the
categories below the refusal names the category, so the caller learns *why* and not only *what*.
Matching is by whole name or whole word (``facebook_handle`` -> social_media), never by substring,
so that a legitimate name like ``balance`` cannot be caught by ``ban``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ProhibitedCategory:
    key: str
    label: str
    why: str
    words: frozenset[str]


def _cat(key: str, label: str, why: str, words: str) -> ProhibitedCategory:
    return ProhibitedCategory(key, label, why, frozenset(words.split()))


CATEGORIES: tuple[ProhibitedCategory, ...] = (
    _cat("social_media", "social media", "online activity is not credit data",
         "social_media facebook twitter weibo wechat tiktok instagram followers posts likes "
         "online_activity social_network"),
    _cat("contacts_relationships", "contacts and relationships",
         "nothing about one person may change another person's file",
         "contacts friends relatives relationships relationship spouse family_members "
         "social_graph connections associates"),
    _cat("political_views", "political views", "special-category data (GDPR art. 9)",
         "political political_views party_membership voting vote protest petition"),
    _cat("religious_views", "religious or philosophical beliefs",
         "special-category data (GDPR art. 9)",
         "religion religious faith church mosque temple beliefs"),
    _cat("ethnicity", "racial or ethnic origin", "special-category data (GDPR art. 9)",
         "ethnicity ethnic race racial_origin"),
    _cat("health", "health", "special-category data (GDPR art. 9)",
         "health medical medical_condition diagnosis disability illness pregnancy"),
    _cat("biometrics", "biometrics", "special-category data (GDPR art. 9)",
         "biometric biometrics fingerprint face_image facial iris voiceprint"),
    _cat("genetics", "genetic data", "special-category data (GDPR art. 9)",
         "genetic genetics dna genome"),
    _cat("sexual_life", "sex life or sexual orientation", "special-category data (GDPR art. 9)",
         "sexual sexual_orientation sex_life"),
    _cat("protected_characteristics", "protected characteristics",
         "a prohibited basis for credit decisions (ECOA, Reg B)",
         "sex gender marital_status nationality citizenship national_origin dependants "
         "dependents number_of_dependents"),
    _cat("location", "location or travel history", "movements are not credit data",
         "location gps latitude longitude geolocation travel_history whereabouts check_ins "
         "checkins trips"),
    _cat("lawful_purchases", "lawful purchases", "what a person lawfully buys is not credit data",
         "purchases purchase_history shopping alcohol games gaming video_games tobacco basket"),
    _cat("family_visits", "family visits", "private life is not credit data",
         "family_visits parent_visits visits_to_parents"),
    _cat("non_financial_conduct", "non-financial conduct",
         "conduct is not credit data; a fine is reportable only as an unpaid debt",
         "conduct behaviour behavior jaywalking traffic_violations waste_sorting recycling "
         "volunteering blood_donation civility social_score reputation moral_score "
         "fines fare_evasion"),
)

_BY_WORD: dict[str, ProhibitedCategory] = {w: c for c in CATEGORIES for w in c.words}


def _normalise(name: str) -> str:
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.strip())
    return re.sub(r"[^a-z0-9]+", "_", snake.lower()).strip("_")


def category_of(field_name: str) -> ProhibitedCategory | None:
    """The prohibited category a field name belongs to, or None."""
    norm = _normalise(field_name)
    if norm in _BY_WORD:
        return _BY_WORD[norm]
    tokens = norm.split("_")
    for size in (3, 2, 1):
        for i in range(len(tokens) - size + 1):
            hit = _BY_WORD.get("_".join(tokens[i : i + size]))
            if hit is not None:
                return hit
    return None
