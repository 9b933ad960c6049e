"""A complete, valid workshop pack form, to change one field at a time."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from groups.workshop_pack.content import ACTIVITIES, PART_KEYS, suggested_minutes


def pack_form(organisation, **changes) -> dict:
    day = timezone.localdate() + timedelta(days=21)
    data = {
        "organisation_name": organisation.name,
        "accent_colour": "#0f5161",
        "contact_email": "rp@riverside.example.test",
        "workshop_date": day.isoformat(),
        "start_time": "09:30",
        "venue": "Room 4, The Hub",
        "length": "120",
        "facilitator_names": "Fran Okafor\nSam Lindqvist",
        "structures": ["multi_agency"],
        "reflective_model": "what_so_what_now_what",
        "participants": "14",
        "note": "",
        "parts": list(PART_KEYS),
    }
    data.update({f"minutes_{key}": str(value) for key, value in suggested_minutes(120).items()})
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def minutes(length: int = 120, **changes) -> dict:
    values = {**suggested_minutes(length), **changes}
    return {f"minutes_{a.key}": str(values[a.key]) for a in ACTIVITIES}
