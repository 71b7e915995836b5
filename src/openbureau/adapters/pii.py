"""National identifiers: a keyed HMAC for look-up and an AES-GCM ciphertext for display.

The identifier itself is never stored in clear, logged, or put in an error message.
"""

from __future__ import annotations

import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class IdentityVault:
    def __init__(self, pii_key: bytes, hmac_key: bytes) -> None:
        self._aead = AESGCM(pii_key)
        self._hmac_key = hmac_key

    def lookup_hash(self, national_id: str) -> str:
        return hmac.digest(self._hmac_key, national_id.encode(), "sha256").hex()

    def audit_hash(self, field: str, value: object) -> str | None:
        """An identity value as the audit log keeps it: the keyed look-up hash of
        ``audit:<field>:<value>`` (None stays None). Whoever holds the key can tell whether an
        event names a given value; the log alone reveals nothing, and its hashes never equal
        the look-up hashes stored with the files, so the log cannot be joined to them."""
        if value is None:
            return None
        text = value.isoformat() if hasattr(value, "isoformat") else str(value)
        return self.lookup_hash(f"audit:{field}:{text}")

    def keyed_hash(self, purpose: str, value: str) -> str:
        """A keyed hash of ``value`` for ``purpose`` (a client address for a rate limit, ...):
        without the key it cannot be reversed by hashing every candidate (an IPv4 address has
        only 2^32), and a hash made for one purpose never equals one made for another."""
        return hmac.digest(self._hmac_key, f"{purpose}\0{value}".encode(), "sha256").hex()

    def encrypt(self, national_id: str) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, national_id.encode(), b"national_id")

    def decrypt(self, blob: bytes) -> str:
        return self._aead.decrypt(blob[:12], blob[12:], b"national_id").decode()
