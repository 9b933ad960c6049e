"""The agenda a facilitator types ("10 Arrive and check in", one item per line) as timed items."""

from __future__ import annotations

import re
from dataclasses import dataclass

_LINE = re.compile(r"^\s*(\d{1,3})(?!\d)\s*(?:min(?:ute)?s?\b)?\s*[-:.)]?\s*(\S.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class AgendaItem:
    minutes: int
    title: str
    starts_after: int  # minutes from the start of the session


def parse_agenda(text: str) -> list[AgendaItem]:
    items: list[AgendaItem] = []
    elapsed = 0
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        match = _LINE.match(line)
        minutes, title = (
            (int(match.group(1)), match.group(2).strip()) if match else (0, line.strip())
        )
        items.append(AgendaItem(minutes=minutes, title=title[:200], starts_after=elapsed))
        elapsed += minutes
    return items


DEFAULT_AGENDA = """10 Arrive, settle in and revisit the group agreement
10 Check-in round: one word for how you are arriving
50 Reflecting on a case brought by a member, using the session's model
10 What are we taking away? Themes and actions, without names
10 Close and look after ourselves"""
