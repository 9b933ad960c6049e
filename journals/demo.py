"""The demo practitioner's journal: a dozen entries across templates, some linked to sessions
they attended, and two learning points shared with their group."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from groups.models import PracticeGroup
from journals.models import JournalEntry
from journals.services import build_text, entry_create, learning_share
from journals.templates_catalogue import template_for
from rp_portal.accounts.models import User
from sessions.models import Booking

ENTRIES = [
    (
        "builtin:what_so_what_now_what",
        "When J stopped answering",
        ["disengagement", "hope"],
        [
            "J missed three appointments in a row and stopped replying to texts.",
            "I took it personally at first. The group helped me see it as a pattern around moves between placements.",
            "Send a short message that asks nothing of J, and keep the door open through the personal adviser.",
        ],
    ),
    (
        "builtin:gibbs",
        "A handover that went wrong",
        ["transitions", "handover"],
        [
            "The handover to adult services happened by email, a week before T's birthday.",
            "Frustrated, and worried T would feel dropped.",
            "The paperwork was complete; the relationship part was missing.",
            "Nobody owned the joint visit. Both services assumed the other would arrange it.",
            "I could have booked the joint visit myself a month earlier.",
            "Put joint visits in the plan at 17½, with a named person from each service.",
        ],
    ),
    (
        "builtin:kolb",
        "Trying a different first meeting",
        ["first contact"],
        [
            "Met R in a café instead of the office.",
            "R talked far more than at the office.",
            "Where we meet says something about who holds the power.",
            "Offer a choice of place at every first meeting this month.",
        ],
    ),
    (
        "builtin:driscoll",
        "Supervision felt rushed",
        ["supervision", "wellbeing"],
        [
            "Supervision was cut to twenty minutes again.",
            "I need reflective time, not only case management.",
            "Ask my manager for a monthly slot kept for reflection, and use the group for the rest.",
        ],
    ),
    (
        "builtin:free",
        "Notes after a hard week",
        ["wellbeing"],
        [
            "Three crises in one week. I noticed I stopped eating lunch. Writing this down is my reminder to take the break."
        ],
    ),
]


@transaction.atomic
def demo_journal_load() -> None:
    author = User.objects.filter(email="practitioner@example.org").first()
    if author is None or JournalEntry.objects.filter(author=author).exists():
        return
    attended = list(
        Booking.objects.filter(user=author, attendance__in=["present", "late"])
        .select_related("session")
        .order_by("session__starts_at")
    )
    now = timezone.now()
    for index in range(12):
        key, title, tags, texts = ENTRIES[index % len(ENTRIES)]
        template = template_for(author, key)
        suffix = "" if index < len(ENTRIES) else f" ({index // len(ENTRIES) + 1})"
        text = build_text(template=template, title=title + suffix, tags=tags, texts=texts)
        session_id = attended[index].session_id if index < len(attended) else None
        entry = entry_create(
            author=author,
            template=template,
            text=text,
            session_id=session_id,
            finished=index % 4 != 3,
        )
        when = now - timedelta(days=7 * (12 - index))
        JournalEntry.objects.filter(pk=entry.pk).update(created_at=when, updated_at=when)

    team = PracticeGroup.objects.filter(name="Leaving Care Team reflective practice").first()
    if team:
        learning_share(
            author=author,
            group_id=team.pk,
            text="A message that asks nothing back can keep a door open when a young person goes quiet.",
        )
        learning_share(
            author=author,
            group_id=team.pk,
            text="Put the joint visit with adult services in the plan months before the birthday, with a named person from each side.",
        )
