"""The measure library shipped with rp_portal: short Likert measures written for this product.

They cover what the evidence on reflective practice groups points at — wellbeing and stress,
confidence, critical thinking and communication in the team, reflective habits, lasting change
in practice — plus a three-item pulse after each session. Validated instruments that need a
licence (for example WEMWBS) are not shipped; an organisation that holds a licence can import one.
"""

from __future__ import annotations

from django.db import transaction

AGREE = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]

LIBRARY = [
    {
        "key": "wellbeing-and-stress",
        "name": "Wellbeing and stress",
        "description": "How people are coping with the emotional demands of the work.",
        "use": "any",
        "items": [
            {"key": "cope", "text": "I have felt able to cope with the demands of my work."},
            {"key": "calm", "text": "I have felt calm at the end of the working day."},
            {
                "key": "worries",
                "text": "Worries about work have stayed with me when I am off duty.",
                "reverse": True,
            },
            {
                "key": "talk",
                "text": "I have had someone to talk to about the hard parts of my work.",
            },
            {
                "key": "drained",
                "text": "I have felt emotionally drained by my work.",
                "reverse": True,
            },
        ],
    },
    {
        "key": "confidence-in-practice",
        "name": "Confidence in practice",
        "description": "Confidence in making and explaining decisions in complex cases.",
        "use": "any",
        "items": [
            {"key": "decide", "text": "I feel confident making decisions in complex cases."},
            {"key": "turn", "text": "I know where to turn when I am unsure what to do."},
            {
                "key": "explain",
                "text": "I can explain the reasons for my decisions to colleagues and young people.",
            },
            {
                "key": "doubt",
                "text": "I often doubt whether I am doing the right thing for the young people I work with.",
                "reverse": True,
            },
        ],
    },
    {
        "key": "thinking-and-talking-in-the-team",
        "name": "Critical thinking and communication in the team",
        "description": "Whether the team questions its assumptions and talks openly.",
        "use": "any",
        "items": [
            {"key": "question", "text": "In my team we question our assumptions about a case."},
            {"key": "listen", "text": "Colleagues listen to different views before deciding."},
            {"key": "raise", "text": "I can raise a concern in my team without fear of blame."},
            {"key": "open", "text": "We talk openly about what did not go well."},
        ],
    },
    {
        "key": "reflective-habits",
        "name": "Reflective habits",
        "description": "How much people stop and think about their practice.",
        "use": "any",
        "items": [
            {"key": "time", "text": "I make time to think back over my work."},
            {"key": "feelings", "text": "I notice how my feelings affect my practice."},
            {
                "key": "other-ways",
                "text": "I look for other ways to understand a young person's behaviour.",
            },
            {"key": "try", "text": "I try out new approaches after thinking a case through."},
        ],
    },
    {
        "key": "change-in-practice",
        "name": "Change in practice",
        "description": "Lasting change attributed to the group (asked at follow-ups only).",
        "use": "follow_up",
        "items": [
            {
                "key": "young-person",
                "text": "Since joining the group I have changed how I work with at least one young person.",
            },
            {"key": "planning", "text": "Learning from the group has changed how I plan my work."},
            {
                "key": "shared",
                "text": "I have passed on something I learned in the group to colleagues outside it.",
            },
        ],
    },
    {
        "key": "session-pulse",
        "name": "Session pulse",
        "description": "Three quick questions after each session.",
        "use": "pulse",
        "items": [
            {"key": "safe", "text": "I felt safe to share in this session."},
            {"key": "useful", "text": "This session was useful to me."},
            {"key": "different", "text": "I will do something differently after this session."},
        ],
    },
]


@transaction.atomic
def ensure_library() -> None:
    """Create or refresh the library measures (idempotent): one query when they are as
    defined, a write only for a measure that is missing or differs."""
    from evaluation.models import Measure

    existing = {m.key: m for m in Measure.objects.filter(organisation=None)}
    for definition in LIBRARY:
        wanted = {
            "name": definition["name"],
            "description": definition["description"],
            "use": definition["use"],
            "items": definition["items"],
            "scale_min": 1,
            "scale_max": 5,
            "scale_labels": AGREE,
        }
        measure = existing.get(definition["key"])
        if measure is None or any(getattr(measure, k) != v for k, v in wanted.items()):
            Measure.objects.update_or_create(
                organisation=None, key=definition["key"], defaults=wanted
            )
