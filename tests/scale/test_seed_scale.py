"""`manage.py seed_scale`: what it creates, that it is repeatable, and when it refuses."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from evaluation.models import Completion, Response, Score
from evaluation.services import response_pseudonym
from groups.models import GroupMember, GroupPartner, Membership, Organisation, PracticeGroup
from journals.models import JournalEntry
from journals.services import read_entry
from rp_portal.accounts.models import User
from rp_portal.scale.seed import seed_scale
from sessions.models import Booking, GroupSession
from tests.factories import UserFactory


def test_one_organisations_worth_has_the_shape_of_s_divided_by_ten(db):
    call_command("seed_scale", "--scale", "0.1", "--weeks", "4")

    assert Organisation.objects.count() == 1
    assert User.objects.count() == 50
    assert PracticeGroup.objects.count() == 4
    assert GroupSession.objects.count() == 4 * (4 + 12)
    assert GroupSession.objects.filter(status="held").count() == 4 * 4
    assert Booking.objects.count() == 10 * GroupSession.objects.count()
    held = Booking.objects.filter(session__status="held", status="booked")
    assert not held.filter(attendance="").exists()  # everyone booked on a held session is marked
    assert JournalEntry.objects.count() == 50 * (4 + 2)
    roles = Membership.objects.all()
    for flag in ("is_admin", "is_manager", "is_facilitator", "is_practitioner"):
        assert roles.filter(**{flag: True}).exists()
    assert GroupMember.objects.filter(role="facilitator").count() == 4


def test_journal_text_is_encrypted_and_readable_by_the_real_functions(db):
    seed_scale(organisations=1, weeks_past=2, weeks_future=1)
    entry = JournalEntry.objects.filter(session__isnull=False).first()

    assert entry.content.startswith("gAAAA")  # a Fernet token, not text
    text = read_entry(entry)
    assert text.title
    assert text.sections
    assert entry.word_count == text.words
    assert Booking.objects.filter(
        session=entry.session, user=entry.author, attendance__in=["present", "late"]
    ).exists()  # linked only to a session the author attended


def test_every_response_is_under_the_pseudonym_of_someone_who_completed_that_window(db):
    seed_scale(organisations=2, weeks_past=20, weeks_future=1)
    completions = Completion.objects.select_related("user", "window__plan")
    expected = {(c.window_id, response_pseudonym(c.user, c.window.plan)) for c in completions}

    assert set(Response.objects.values_list("window_id", "pseudonym")) == expected
    assert Score.objects.filter(response__window__kind="pulse").exists()
    assert Score.objects.filter(response__window__kind="follow_up").exists()
    assert GroupPartner.objects.filter(status="accepted").count() == 2


def test_the_same_seed_gives_the_same_data(db):
    def fingerprint(tag: str) -> list:
        bookings = Booking.objects.filter(user__email__startswith=tag).order_by(
            "session__starts_at", "user__email"
        )
        return [(b.user.email[len(tag) :], b.status, b.attendance) for b in bookings]

    seed_scale(organisations=1, weeks_past=3, weeks_future=1, tag="a")
    seed_scale(organisations=1, weeks_past=3, weeks_future=1, tag="b")

    assert fingerprint("a") == fingerprint("b")


def test_it_refuses_a_database_with_people_unless_forced(db):
    UserFactory()

    with pytest.raises(CommandError, match="already has people or organisations"):
        call_command("seed_scale", "--scale", "0.1", "--weeks", "1")
    assert Organisation.objects.count() == 0

    call_command("seed_scale", "--scale", "0.1", "--weeks", "1", "--force")
    assert Organisation.objects.count() == 1


def test_it_never_seeds_twice_into_one_database(db):
    call_command("seed_scale", "--scale", "0.1", "--weeks", "1")

    with pytest.raises(CommandError, match="already holds seeded scale data"):
        call_command("seed_scale", "--scale", "0.1", "--weeks", "1", "--force")
    assert Organisation.objects.count() == 1


@pytest.mark.parametrize(
    "arguments",
    [[], ["--size", "S", "--scale", "1"], ["--scale", "0.01"], ["--scale", "0.1", "--weeks", "0"]],
)
def test_bad_arguments_are_explained_and_change_nothing(db, arguments):
    with pytest.raises(CommandError):
        call_command("seed_scale", *arguments)
    assert not User.objects.exists()
