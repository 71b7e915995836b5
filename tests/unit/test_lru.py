"""The bounded cache behind the scorecards and the verified API keys a process remembers."""

from __future__ import annotations

import pytest

from openbureau.adapters.lru import LruCache
from openbureau.bootstrap import VERIFIED_KEYS


def test_the_least_recently_used_entry_goes_first():
    cache: LruCache[int, str] = LruCache(2)
    cache.put(1, "a")
    cache.put(2, "b")
    assert cache.get(1) == "a"          # 1 is now the most recently used
    cache.put(3, "c")
    assert 2 not in cache and cache.get(1) == "a" and cache.get(3) == "c"
    cache.put(3, "C")                   # replacing does not grow it
    assert len(cache) == 2 and cache.get(3) == "C"
    cache.clear()
    assert len(cache) == 0 and cache.get(1) is None


def test_verified_keys_stay_bounded_however_many_are_seen():
    cache: LruCache[int, str] = LruCache(VERIFIED_KEYS)
    for key_id in range(VERIFIED_KEYS + 500):
        cache.put(key_id, f"digest{key_id}")
    assert len(cache) == VERIFIED_KEYS and 0 not in cache and VERIFIED_KEYS + 499 in cache


def test_an_empty_cache_is_refused():
    with pytest.raises(ValueError):
        LruCache(0)
