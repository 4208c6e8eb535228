"""Encryption of secrets at rest: owners' global variables and per-run header variables.

AES-256-GCM with a key derived from `SLUICE_SECRET_KEY` by HKDF-SHA256. Each value is bound to the
place it belongs (an owner's variable name, a job) as associated data, so a ciphertext copied into
another row does not decrypt there.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# Leading byte of every ciphertext, so the scheme can change without guessing at old rows.
_VERSION = b"\x01"
_NONCE_BYTES = 12
MIN_KEY_CHARS = 16


class SecretKeyError(Exception):
    """SLUICE_SECRET_KEY is missing, too short, or not the key a value was encrypted with."""


class Cipher:
    def __init__(self, secret_key: str) -> None:
        if len(secret_key) < MIN_KEY_CHARS:
            raise SecretKeyError(f"SLUICE_SECRET_KEY must be at least {MIN_KEY_CHARS} characters long.")
        key = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"sluice secrets v1").derive(
            secret_key.encode()
        )
        self._aead = AESGCM(key)

    @classmethod
    def from_key(cls, secret_key: str | None) -> Cipher:
        if not secret_key:
            raise SecretKeyError(
                "SLUICE_SECRET_KEY is not set: give the API and every worker the same long random "
                "string (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)."
            )
        return cls(secret_key)

    def encrypt(self, plaintext: bytes, bound_to: bytes) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return _VERSION + nonce + self._aead.encrypt(nonce, plaintext, bound_to)

    def decrypt(self, token: bytes, bound_to: bytes) -> bytes:
        nonce, sealed = token[1:1 + _NONCE_BYTES], token[1 + _NONCE_BYTES:]
        if token[:1] != _VERSION or len(nonce) != _NONCE_BYTES:
            raise SecretKeyError("A stored secret is not in a format this Sluice can read.")
        try:
            return self._aead.decrypt(nonce, sealed, bound_to)
        except InvalidTag:
            raise SecretKeyError(
                "A stored secret cannot be decrypted with this SLUICE_SECRET_KEY (was the key changed?)."
            ) from None


def variable_binding(owner: str, name: str) -> bytes:
    return b"variable\x00" + owner.encode() + b"\x00" + name.encode()


def job_binding(job_id: object) -> bytes:
    return b"job\x00" + str(job_id).encode()
