"""Encryption of journal text (MultiFernet) and keyed pseudonyms (HMAC).

Keys come from the environment: ``JOURNAL_KEYS`` (comma-separated Fernet keys, newest first;
encrypting always uses the first, decrypting tries each) and ``PSEUDONYM_KEY``. Settings refuse
to start without valid keys, so nothing is ever written in plain text by mistake.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class UnreadableText(Exception):
    """A token none of the configured keys can open (a key was removed too early)."""


@lru_cache(maxsize=4)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _cipher() -> MultiFernet:
    return _multifernet(tuple(settings.JOURNAL_KEYS))


def encrypt_json(value) -> str:
    return _cipher().encrypt(json.dumps(value, ensure_ascii=False).encode()).decode()


def decrypt_json(token: str):
    try:
        return json.loads(_cipher().decrypt(token.encode()))
    except InvalidToken as exc:
        raise UnreadableText("journal text cannot be decrypted with the configured keys") from exc


def rotate(token: str) -> str:
    """Re-encrypt with the newest key (the text itself is never exposed)."""
    try:
        return _cipher().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise UnreadableText("journal text cannot be decrypted with the configured keys") from exc


def pseudonym(*parts) -> str:
    """A stable keyed pseudonym: the same inputs always give the same value, and without the
    key nobody can work back from it to the person."""
    message = "\x1f".join(str(part) for part in parts).encode()
    return hmac.new(settings.PSEUDONYM_KEY.encode(), message, hashlib.sha256).hexdigest()


def validate_fernet_keys(keys: list[str]) -> None:
    for key in keys:
        Fernet(key)  # raises ValueError for anything that is not a 32-byte url-safe base64 key


def encrypt_bytes(data: bytes) -> bytes:
    return _cipher().encrypt(data)


def rotate_bytes(token: bytes) -> bytes:
    try:
        return _cipher().rotate(token)
    except InvalidToken as exc:
        raise UnreadableText("a private file cannot be decrypted with the configured keys") from exc


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _cipher().decrypt(token)
    except InvalidToken as exc:
        raise UnreadableText("a private file cannot be decrypted with the configured keys") from exc
