"""Writing, changing, deleting and sharing from a private journal, the reflective templates on
offer, and moving every entry to a new encryption key."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from groups.selectors import group_access_for
from journals import services
from journals.models import JournalEntry, ReflectiveTemplate, SharedLearning
from journals.selectors import my_shared_learning, shared_learning_of
from journals.templates_catalogue import (
    FREE_KEY,
    builtin_templates,
    organisation_templates,
    template_for,
    templates_for,
)
from rp_portal.audit.models import AuditEvent
from rp_portal.crypto import UnreadableText
from rp_portal.documents.models import DocumentBuild
from tests.factories import GroupMemberFactory, MembershipFactory, PracticeGroupFactory
from tests.journals.support import (
    GIBBS,
    THREE_QUESTIONS,
    attend,
    builtin,
    content_bytes,
    past_session,
    pdf_text,
    write,
)


def _refused(call) -> list[str]:
    with pytest.raises(ValidationError) as error:
        call()
    return error.value.messages


def _text(template_key: str = FREE_KEY, *, title="A title", tags=(), texts=None):
    template = builtin(template_key)
    texts = texts if texts is not None else ["Words."] * len(template.sections)
    return services.build_text(template=template, title=title, tags=list(tags), texts=texts)


# --- Writing -------------------------------------------------------------------------------


def test_an_entry_is_stored_encrypted_and_reads_back_exactly_as_written(world):
    entry = write(
        world.practitioner,
        title="  A hard visit  ",
        tags=["endings", "supervision"],
        texts=["What happened.", "Why it mattered.", "What I will do."],
        key=THREE_QUESTIONS,
    )
    entry.refresh_from_db()
    text = services.read_entry(entry)
    assert text.title == "A hard visit"
    assert text.tags == ["endings", "supervision"]
    assert [s["text"] for s in text.sections] == [
        "What happened.",
        "Why it mattered.",
        "What I will do.",
    ]
    assert [s["title"] for s in text.sections] == ["What?", "So what?", "Now what?"]
    assert text.template_name == "What? So what? Now what?"
    assert entry.template_key == THREE_QUESTIONS
    assert entry.word_count == 3 + 2 + 3 + 4
    assert "A hard visit" not in entry.content
    assert entry.content.startswith("gAAAAA")  # a Fernet token


def test_a_new_entry_is_a_draft_unless_it_is_finished(world):
    draft = write(world.practitioner, finished=False)
    done = write(world.practitioner, finished=True)
    assert (draft.status, done.status) == ("draft", "finished")
    assert (draft.version, done.version) == (1, 1)


def test_writing_an_entry_audits_its_id_but_never_its_text(world):
    entry = write(world.practitioner, title="Private words in the title")
    event = AuditEvent.objects.get(action="journal.create")
    assert (event.actor, event.target_id) == (world.practitioner, entry.pk)
    assert "Private words" not in str(event.detail)


def test_tags_are_folded_to_lower_case_without_duplicates_or_blanks():
    assert services.clean_tags(" Endings, endings ;  Supervision  , ,  two  words ") == [
        "endings",
        "supervision",
        "two words",
    ]


def test_forty_characters_is_the_longest_tag_allowed():
    assert services.clean_tags("x" * 40) == ["x" * 40]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: _text(title="", texts=["   "]),
            "Write something first: a title or a few words in any section.",
        ),
        (lambda: _text(title="x" * 201), "Keep the title under 200 characters."),
        (
            lambda: _text(texts=["x" * 20_001]),
            "“Your reflection” is longer than 20,000 characters. Split it into another entry.",
        ),
        (
            lambda: _text(GIBBS, texts=["x" * 10_001] * 6),
            "An entry can hold up to 60,000 characters.",
        ),
        (lambda: _text(tags=services.clean_tags(",".join(f"t{n}" for n in range(31)))), None),
    ],
    ids=["empty", "long title", "long section", "long entry", "31 tags"],
)
def test_bad_entries_are_refused_with_a_clear_message_and_nothing_is_stored(world, build, message):
    def attempt():
        text = build()
        services.entry_create(author=world.practitioner, template=builtin(), text=text)

    messages = _refused(attempt)
    assert messages == [message or "Use at most 30 tags."]
    assert not JournalEntry.objects.exists()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (",".join(f"tag{n}" for n in range(31)), "Use at most 30 tags."),
        (",".join(f"tag{n}" for n in range(500)), "Use at most 30 tags."),
        ("fine, " + "x" * 41, "Keep each tag under 40 characters."),
    ],
    ids=["31 tags", "500 tags", "41-character tag"],
)
def test_too_many_or_too_long_tags_are_refused(raw, message):
    assert _refused(lambda: services.clean_tags(raw)) == [message]


def test_a_section_of_exactly_twenty_thousand_characters_is_accepted(world):
    entry = write(world.practitioner, texts=["x" * 20_000])
    assert len(services.read_entry(entry).sections[0]["text"]) == 20_000


def test_a_form_with_the_wrong_number_of_sections_is_refused():
    assert _refused(
        lambda: services.build_text(template=builtin(GIBBS), title="t", tags=[], texts=["a"])
    ) == ["The form did not match its template. Reload the page and try again."]


def test_html_and_script_are_stored_as_plain_text(world):
    hostile = '<script>alert("x")</script><b onmouseover="steal()">bold</b> & "quotes"'
    entry = write(world.practitioner, title=hostile, tags=["<i>tag</i>"], texts=[hostile])
    text = services.read_entry(JournalEntry.objects.get(pk=entry.pk))
    assert text.title == hostile
    assert text.tags == ["<i>tag</i>"]
    assert text.sections[0]["text"] == hostile


# --- Sessions ------------------------------------------------------------------------------


@pytest.mark.parametrize("attendance", ["present", "late"])
def test_an_entry_can_be_linked_to_a_session_the_author_attended(world, attendance):
    session = past_session(world.group)
    attend(session, world.practitioner, attendance=attendance)
    entry = write(world.practitioner, session=session)
    assert entry.session_id == session.pk


@pytest.mark.parametrize(
    ("status", "attendance"),
    [
        ("booked", "absent"),
        ("booked", ""),  # not marked
        ("waitlisted", ""),
        ("cancelled", "present"),
        (None, None),  # never booked
    ],
    ids=["absent", "unmarked", "waiting", "cancelled", "no booking"],
)
def test_linking_an_entry_to_a_session_the_author_did_not_attend_is_refused(
    world, status, attendance
):
    session = past_session(world.group)
    if status:
        attend(session, world.practitioner, attendance=attendance, status=status)
    attend(session, world.facilitator)  # someone else was there
    assert _refused(lambda: write(world.practitioner, session=session)) == [
        "You can only link an entry to a session you attended."
    ]
    assert not JournalEntry.objects.exists()


def test_changing_the_link_to_a_session_not_attended_is_refused_and_keeps_the_entry(world):
    entry = write(world.practitioner, title="Before")
    session = past_session(world.group)
    attend(session, world.facilitator)
    assert _refused(
        lambda: services.entry_update(
            entry=entry,
            author=world.practitioner,
            text=_text(title="After"),
            expected_version=1,
            session_id=session.pk,
        )
    ) == ["You can only link an entry to a session you attended."]
    entry.refresh_from_db()
    assert (services.read_entry(entry).title, entry.session_id, entry.version) == (
        "Before",
        None,
        1,
    )


# --- Changing and deleting -----------------------------------------------------------------


def test_an_update_saves_a_new_version(world):
    entry = write(world.practitioner, title="First", finished=False)
    updated = services.entry_update(
        entry=entry,
        author=world.practitioner,
        text=_text(title="Second", texts=["New words here."]),
        expected_version=1,
        finished=True,
    )
    updated.refresh_from_db()
    assert updated.version == 2
    assert updated.status == "finished"
    assert services.read_entry(updated).title == "Second"
    assert updated.word_count == 1 + 3
    assert updated.updated_at > entry.updated_at


def test_an_update_without_finished_keeps_the_status(world):
    entry = write(world.practitioner, finished=True)
    updated = services.entry_update(
        entry=entry, author=world.practitioner, text=_text(title="Again"), expected_version=1
    )
    assert updated.status == "finished"


def test_a_stale_version_raises_an_edit_conflict_and_leaves_the_stored_text_alone(world):
    entry = write(world.practitioner, title="Original")
    services.entry_update(
        entry=entry, author=world.practitioner, text=_text(title="Tab one"), expected_version=1
    )
    before = JournalEntry.objects.get(pk=entry.pk).content
    with pytest.raises(services.EditConflict) as conflict:
        services.entry_update(
            entry=entry,
            author=world.practitioner,
            text=_text(title="Tab two, older"),
            expected_version=1,
        )
    assert conflict.value.entry.version == 2
    stored = JournalEntry.objects.get(pk=entry.pk)
    assert stored.content == before
    assert stored.version == 2
    assert services.read_entry(stored).title == "Tab one"


def test_nobody_else_can_update_an_entry(world):
    entry = write(world.practitioner, title="Mine")
    with pytest.raises(JournalEntry.DoesNotExist):
        services.entry_update(
            entry=entry, author=world.facilitator, text=_text(title="Theirs"), expected_version=1
        )
    assert services.read_entry(JournalEntry.objects.get(pk=entry.pk)).title == "Mine"


def test_the_author_deletes_an_entry_and_the_audit_keeps_only_its_id(world):
    entry = write(world.practitioner, title="Gone soon")
    services.entry_delete(entry=entry, author=world.practitioner)
    assert not JournalEntry.objects.exists()
    event = AuditEvent.objects.get(action="journal.delete")
    assert event.detail == {"entry_id": entry.pk}
    assert event.actor == world.practitioner


def test_nobody_else_can_delete_an_entry(world):
    entry = write(world.practitioner)
    services.entry_delete(entry=entry, author=world.facilitator)
    assert JournalEntry.objects.filter(pk=entry.pk).exists()


# --- Templates -----------------------------------------------------------------------------


def test_free_writing_and_four_reflective_models_are_built_in():
    templates = builtin_templates()
    assert [(t.key, len(t.sections)) for t in templates] == [
        (FREE_KEY, 1),
        (THREE_QUESTIONS, 3),
        (GIBBS, 6),
        ("builtin:kolb", 4),
        ("builtin:driscoll", 3),
    ]
    assert all(prompts for t in templates[1:] for _title, prompts in t.sections)


def test_an_organisations_template_is_offered_only_to_its_own_people(world):
    own = ReflectiveTemplate.objects.create(
        organisation=world.org,
        name="Riverside prep",
        sections=[{"title": "Case", "prompts": ["Initials only"]}, {"title": "Worry"}],
    )
    ReflectiveTemplate.objects.create(
        organisation=world.org, name="Retired", sections=[{"title": "Old"}], is_active=False
    )
    ReflectiveTemplate.objects.create(
        organisation=world.other_org, name="Elsewhere's", sections=[{"title": "Theirs"}]
    )
    offered = organisation_templates(world.practitioner)
    assert [(t.key, t.name) for t in offered] == [(f"org:{own.pk}", "Riverside prep")]
    assert offered[0].sections == (("Case", ("Initials only",)), ("Worry", ()))
    assert offered[0].summary == "From Riverside"
    assert [t.name for t in organisation_templates(world.outsider)] == ["Elsewhere's"]
    assert template_for(world.outsider, f"org:{own.pk}") is None
    assert template_for(world.practitioner, f"org:{own.pk}").name == "Riverside prep"
    assert len(templates_for(world.practitioner)) == 6


# --- Shared learning -----------------------------------------------------------------------


def test_a_member_shares_a_learning_point_without_their_name(world):
    item = services.learning_share(
        author=world.practitioner, group_id=world.group.pk, text="  Slow down at endings.  "
    )
    assert item.text == "Slow down at endings."
    assert item.author_pseudonym == services.learning_pseudonym(world.practitioner, world.group.pk)
    assert str(world.practitioner.pk) != item.author_pseudonym
    event = AuditEvent.objects.get(action="learning.share")
    assert event.actor is None
    assert world.practitioner.email not in str(event.detail)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "Write the learning point you want to share."),
        ("x" * 1001, "Keep a shared point under 1000 characters."),
    ],
)
def test_an_empty_or_long_learning_point_is_refused(world, text, message):
    assert _refused(
        lambda: services.learning_share(
            author=world.practitioner, group_id=world.group.pk, text=text
        )
    ) == [message]
    assert not SharedLearning.objects.exists()


@pytest.mark.parametrize("who", ["manager", "admin", "outsider"])
def test_only_members_of_the_group_can_share_with_it(world, who):
    assert _refused(
        lambda: services.learning_share(
            author=getattr(world, who), group_id=world.group.pk, text="A point"
        )
    ) == ["You can share only with a group you are a member of."]
    assert not SharedLearning.objects.exists()


def test_the_author_withdraws_their_own_point(world):
    item = services.learning_share(author=world.practitioner, group_id=world.group.pk, text="P")
    assert my_shared_learning(world.practitioner, [world.group.pk]) == {item.pk}
    services.learning_withdraw(author=world.practitioner, item=item)
    assert not SharedLearning.objects.exists()


def test_another_member_cannot_withdraw_a_point_they_did_not_share(world):
    item = services.learning_share(author=world.practitioner, group_id=world.group.pk, text="P")
    for other in (world.facilitator, world.manager, world.outsider):
        assert _refused(lambda o=other: services.learning_withdraw(author=o, item=item)) == [
            "You can only withdraw points you shared."
        ]
        assert my_shared_learning(other, [world.group.pk]) == set()
    assert SharedLearning.objects.filter(pk=item.pk).exists()


def test_the_pseudonym_differs_per_person_and_per_group(world):
    second = PracticeGroupFactory(host=world.org, name="Second group")
    GroupMemberFactory(group=second, user=world.practitioner)
    pseudonyms = {
        services.learning_pseudonym(world.practitioner, world.group.pk),
        services.learning_pseudonym(world.practitioner, second.pk),
        services.learning_pseudonym(world.facilitator, world.group.pk),
    }
    assert len(pseudonyms) == 3
    # A point shared in one group cannot be withdrawn by way of a point in the other.
    item = services.learning_share(author=world.practitioner, group_id=second.pk, text="P")
    assert my_shared_learning(world.practitioner, [world.group.pk]) == set()
    assert my_shared_learning(world.practitioner, [second.pk]) == {item.pk}


def test_the_facilitator_hides_a_point_and_only_facilitators_see_it_then(world):
    item = services.learning_share(author=world.practitioner, group_id=world.group.pk, text="P")
    access = group_access_for(world.facilitator, world.group.pk)
    services.learning_hide(access=access, item=item, actor=world.facilitator)
    item.refresh_from_db()
    assert item.hidden_at is not None
    assert item.hidden_by == world.facilitator
    assert list(shared_learning_of(world.group.pk)) == []
    assert list(shared_learning_of(world.group.pk, include_hidden=True)) == [item]


@pytest.mark.parametrize("who", ["practitioner", "manager"])
def test_people_who_do_not_facilitate_the_group_cannot_hide_a_point(world, who):
    item = services.learning_share(author=world.practitioner, group_id=world.group.pk, text="P")
    access = group_access_for(getattr(world, who), world.group.pk)
    assert _refused(
        lambda: services.learning_hide(access=access, item=item, actor=getattr(world, who))
    ) == ["Only the group's facilitators can hide shared learning."]
    item.refresh_from_db()
    assert item.hidden_at is None


def test_the_facilitator_of_another_group_cannot_hide_a_point(world):
    item = services.learning_share(author=world.practitioner, group_id=world.group.pk, text="P")
    access = group_access_for(world.outsider, world.other_group.pk)
    assert access.can_facilitate
    assert _refused(
        lambda: services.learning_hide(access=access, item=item, actor=world.outsider)
    ) == ["Only the group's facilitators can hide shared learning."]
    item.refresh_from_db()
    assert item.hidden_at is None


# --- Key rotation --------------------------------------------------------------------------


@pytest.fixture
def keys():
    return {"old": Fernet.generate_key().decode(), "new": Fernet.generate_key().decode()}


def _entries_under_the_old_key(settings, keys, author, count=5):
    settings.JOURNAL_KEYS = [keys["old"]]
    return [write(author, title=f"Entry {n}", texts=[f"Words {n}"]) for n in range(count)]


def test_before_rotation_the_new_key_alone_cannot_read_old_entries(settings, keys, world):
    [entry] = _entries_under_the_old_key(settings, keys, world.practitioner, count=1)
    settings.JOURNAL_KEYS = [keys["new"], keys["old"]]
    assert services.read_entry(entry).title == "Entry 0"
    settings.JOURNAL_KEYS = [keys["new"]]
    with pytest.raises(UnreadableText):
        services.read_entry(JournalEntry.objects.get(pk=entry.pk))


def test_rotation_reencrypts_every_entry_so_the_old_key_can_be_removed(settings, keys, world):
    entries = _entries_under_the_old_key(settings, keys, world.practitioner)
    other = MembershipFactory(organisation=world.org).user
    entries.append(write(other, title="Someone else's", texts=["Theirs"]))
    before = {e.pk: (e.content, e.version, e.updated_at) for e in JournalEntry.objects.all()}
    settings.JOURNAL_KEYS = [keys["new"], keys["old"]]

    assert services.entries_rotate_keys(batch_size=2) == 6

    settings.JOURNAL_KEYS = [keys["new"]]
    after = {e.pk: e for e in JournalEntry.objects.all()}
    assert set(after) == set(before)
    for pk, (content, version, updated_at) in before.items():
        assert after[pk].content != content
        assert (after[pk].version, after[pk].updated_at) == (version, updated_at)
    titles = sorted(services.read_entry(e).title for e in after.values())
    assert titles == sorted([f"Entry {n}" for n in range(5)] + ["Someone else's"])


def test_rotation_can_be_run_again_safely(settings, keys, world):
    _entries_under_the_old_key(settings, keys, world.practitioner, count=2)
    settings.JOURNAL_KEYS = [keys["new"], keys["old"]]
    assert services.entries_rotate_keys() == 2
    assert services.entries_rotate_keys() == 2
    settings.JOURNAL_KEYS = [keys["new"]]
    assert all(services.read_entry(e).title for e in JournalEntry.objects.all())


def test_the_management_command_rotates_every_entry(settings, keys, world):
    _entries_under_the_old_key(settings, keys, world.practitioner, count=3)
    settings.JOURNAL_KEYS = [keys["new"], keys["old"]]
    out = StringIO()
    call_command("rotate_journal_keys", stdout=out)
    assert (
        "Re-encrypted 3 journal entries, 0 private exports and 0 two-factor authenticators "
        "with the newest key." in out.getvalue()
    )
    settings.JOURNAL_KEYS = [keys["new"]]
    assert sorted(services.read_entry(e).title for e in JournalEntry.objects.all()) == [
        "Entry 0",
        "Entry 1",
        "Entry 2",
    ]
    rotation = AuditEvent.objects.get(action="keys.rotate")  # who ran it: the operator
    assert rotation.detail == {
        "entries": 3,
        "private_exports": 0,
        "two_factor_authenticators": 0,
    }


def test_rotation_with_a_key_missing_fails_loudly_and_writes_nothing(settings, keys, world):
    [entry] = _entries_under_the_old_key(settings, keys, world.practitioner, count=1)
    before = JournalEntry.objects.get(pk=entry.pk).content
    settings.JOURNAL_KEYS = [keys["new"]]  # the old key removed too early
    with pytest.raises(UnreadableText):
        services.entries_rotate_keys()
    assert JournalEntry.objects.get(pk=entry.pk).content == before


def test_a_private_export_built_before_rotation_still_downloads_after_the_old_key_is_removed(
    client, settings, keys, world, media, django_capture_on_commit_callbacks
):
    """The command promises to re-encrypt every entry "and private export": an export kept for
    its day must not become a server error once the old key is removed."""
    _entries_under_the_old_key(settings, keys, world.practitioner, count=1)
    client.force_login(world.practitioner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("journals:export"), {"scope": "all", "fmt": "pdf"})
    build = DocumentBuild.objects.get()
    assert build.status == "done"
    settings.JOURNAL_KEYS = [keys["new"], keys["old"]]
    call_command("rotate_journal_keys", stdout=StringIO())
    settings.JOURNAL_KEYS = [keys["new"]]

    client.raise_request_exception = False
    response = client.get(reverse("documents:download", args=[build.pk]))

    assert response.status_code == 200
    assert "Entry 0" in pdf_text(content_bytes(response))


def test_without_a_key_writing_fails_loudly_and_nothing_is_stored_in_plain_text(settings, world):
    settings.JOURNAL_KEYS = []
    with pytest.raises(ValueError, match="at least one Fernet"):
        write(world.practitioner, title="Never in plain text")
    assert not JournalEntry.objects.exists()
