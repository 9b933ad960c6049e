"""Protected families kept between requests.

A family's figures cover finished quarters only, so they change only when somebody edits the
past: a late register, a renamed group, a moved or deleted session, an erased window. Each
family is kept in the cache under a key naming its host, the current quarter, the language its
labels are in, this code's own version and a *data version*. Any save or delete that can touch
a finished quarter (``evaluation/receivers.py``) replaces the data version with a new random
value, at once and again when its transaction commits, so no page reads a family computed from
older data once the change is committed. A new quarter starts new keys; old keys expire.

What is kept: the protected figures (a hidden figure keeps no value) and their labels. Pulse
comments are free text and are read from the database for each page, never kept here.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from uuid import uuid4

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

from evaluation.dashboard import Family, attach_comments, build_families, current_quarter_start

VERSION_KEY = "evaluation:figures-version"
TIMEOUT = 6 * 60 * 60  # a safety net: every change we know of replaces the keys at once
# The code's own version: a family pickled by other code is never read back.
CODE = hashlib.sha256(
    b"".join(
        (Path(__file__).parent / name).read_bytes() for name in ("dashboard.py", "disclosure.py")
    )
).hexdigest()[:12]


def data_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def figures_changed() -> None:
    """Data behind finished quarters may have changed: every family is computed afresh."""
    cache.set(VERSION_KEY, uuid4().hex, timeout=None)


def figures_changed_on_commit() -> None:
    """For a change inside a transaction: at once (for readers in the same transaction) and
    again on commit (for readers elsewhere who computed from the data before it)."""
    figures_changed()
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        entry[1] is figures_changed for entry in connection.run_on_commit
    ):
        return
    transaction.on_commit(figures_changed)


def family_key(organisation_id: int, version: str) -> str:
    quarter = current_quarter_start().date().isoformat()
    return f"evaluation:family:{CODE}:{organisation_id}:{quarter}:{get_language()}:{version}"


def families(organisations, known: dict | None = None) -> dict[int, Family]:
    """The protected families of these host organisations: from the cache where kept, the rest
    computed together (one set of queries) and kept; then their pulse comments (one query).
    ``known`` holds the families already fetched in this request."""
    known = {} if known is None else known
    wanted = {o.pk: o for o in organisations if o.pk not in known}
    if wanted:
        version = data_version()
        keys = {pk: family_key(pk, version) for pk in wanted}
        found = cache.get_many(list(keys.values()))
        fetched = {pk: found[key] for pk, key in keys.items() if key in found}
        built = build_families([o for pk, o in wanted.items() if pk not in fetched])
        for pk, family in built.items():
            family.cache_key = keys[pk]
        if built:
            cache.set_many({keys[pk]: family for pk, family in built.items()}, TIMEOUT)
        fresh = fetched | built
        attach_comments(list(fresh.values()))
        known.update(fresh)
    return {o.pk: known[o.pk] for o in organisations}
