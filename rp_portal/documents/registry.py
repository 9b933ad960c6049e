"""Builders register here: ``kind`` -> a function that turns a build's inputs into a file.

A builder is ``build(build, report) -> BuiltFile``; it calls ``report(percent, step)`` as it goes,
so the person watching sees the step being rendered. Apps register their builders when Django
starts (in their AppConfig.ready) so the worker knows every kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class BuiltFile:
    filename: str
    content: bytes
    pages: int | None = None
    private: bool = False  # journal text: stored encrypted, kept for a day


Report = Callable[[int, str], None]
Builder = Callable[[object, Report], BuiltFile]

_BUILDERS: dict[str, Builder] = {}


def register(kind: str, builder: Builder) -> None:
    _BUILDERS[kind] = builder


def builder_for(kind: str) -> Builder:
    try:
        return _BUILDERS[kind]
    except KeyError:
        raise LookupError(f"no document builder registered for {kind!r}") from None


def known_kinds() -> set[str]:
    return set(_BUILDERS)
