"""Password and API-key hashing (argon2id), and constant-time token digests."""

from __future__ import annotations

import hashlib
import hmac

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(stored: str, secret: str) -> bool:
    try:
        return _hasher.verify(stored, secret)
    except (VerificationError, InvalidHashError):
        return False


def digest(token: str) -> str:
    """SHA-256 of a high-entropy random token (session tokens, enrolment codes)."""
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def needs_rehash(stored: str) -> bool:
    """Whether ``stored`` was made with other parameters than this module's hasher."""
    try:
        return _hasher.check_needs_rehash(stored)
    except InvalidHashError:
        return True
