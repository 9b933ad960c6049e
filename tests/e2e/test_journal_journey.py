"""Browser journeys for the private journal: from a session to a reflection to CPD evidence.

A practitioner who came to a session follows the invitation in the post-session email, writes
with Gibbs' reflective cycle (autosaved, encrypted at rest), finishes the entry, finds it again
by a word inside it, shares a learning point with the group without their name and builds a
reflective account PDF. Two tabs editing one entry are warned rather than overwritten, and the
journal works at phone width.
"""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta
from io import BytesIO
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from groups.models import AgreementAcceptance, AgreementVersion
from journals import services
from journals.models import JournalEntry, SharedLearning
from journals.templates_catalogue import FREE_KEY, template_for
from sessions.models import Booking, GroupSession
from tests.e2e.conftest import Journey, sign_in
from tests.factories import (
    GroupMemberFactory,
    MembershipFactory,
    PracticeGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

LINK = "https://meet.example.test/reflective-group"
GROUP_NAME = "Harbour Team Reflective Group"
# The autosave fires about 2 s after typing stops; allow for a slow machine.
AUTOSAVE_WAIT = 12_000


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def person(name: str):
    first = name.split()[0].lower()
    return UserFactory(display_name=name, email=f"{first}@example.test")


def group_with_practitioner(facilitator_name: str, practitioner_name: str):
    """A group with its facilitator and one practitioner who accepted the group agreement."""
    group = PracticeGroupFactory(name=GROUP_NAME)
    facilitator = person(facilitator_name)
    MembershipFactory(organisation=group.host, user=facilitator, is_facilitator=True)
    GroupMemberFactory(group=group, user=facilitator, role="facilitator")
    practitioner = person(practitioner_name)
    MembershipFactory(organisation=group.host, user=practitioner)
    GroupMemberFactory(group=group, user=practitioner)
    AgreementAcceptance.objects.create(
        version=AgreementVersion.objects.get(group=group, number=1), user=practitioner
    )
    return group, facilitator, practitioner


def started_session(group, facilitator, *booked) -> GroupSession:
    """A session that began ten minutes ago, with these people booked."""
    now = timezone.now().replace(microsecond=0)
    session = GroupSession.objects.create(
        group=group,
        organisation=group.host,
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(minutes=80),
        capacity=6,
        online_link=LINK,
        status=GroupSession.Status.SCHEDULED,
        agenda="10 Arrive and check in\n60 Case discussion\n20 Close",
        created_by=facilitator,
    )
    for member in booked:
        Booking.objects.create(session=session, user=member, status=Booking.Status.BOOKED)
    return session


def journal_link_path(message) -> str:
    """The path and query of the journal link in a post-session email."""
    match = re.search(r"https?://\S+/journal/new/\?session=\d+", message.body)
    assert match, f"no journal link in the email:\n{message.body}"
    url = urlsplit(match.group(0))
    return f"{url.path}?{url.query}"


def free_writing_entry(author, title: str, text: str) -> JournalEntry:
    template = template_for(author, FREE_KEY)
    return services.entry_create(
        author=author,
        template=template,
        text=services.build_text(template=template, title=title, tags=[], texts=[text]),
        finished=True,
    )


def check(journey: Journey, name: str) -> None:
    """journey.check on a page that htmx will change afterwards.

    axe-core leaves an empty ``style=""`` on the form fields it inspected; when htmx later swaps
    an element with the same id it copies that attribute across, and our CSP (style-src 'self')
    reports it as a console error. The page as served has no inline styles: put it back so.
    """
    journey.check(name)
    journey.page.evaluate(
        "document.querySelectorAll('[style=\"\"]').forEach(e => e.removeAttribute('style'))"
    )


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(BytesIO(data)).pages)


# ---------------------------------------------------------------------------------------------
# 1. From a session to a reflection to a reflective account
# ---------------------------------------------------------------------------------------------

TITLE = "Handover that ran out of time"
SECTIONS = {
    "Description": "The transfer meeting overran and the duty worker left before the plan "
    "was agreed.",
    "Feelings": "I felt anxious and a little cornered when the room went quiet.",
    "Analysis": "The agenda had no slot for contingency, so the quieter voices were squeezed out.",
    "Action plan": "Next time I will ask for ten protected minutes to agree who does what.",
}
SEARCH_WORD = "contingency"  # only inside the Analysis section
SHARED_POINT = "Protect ten minutes at the end of a handover to agree who does what."


def test_a_practitioner_reflects_on_a_session_and_turns_it_into_cpd(
    journey, another_browser, mailoutbox
):
    group, facilitator, pia = group_with_practitioner("Fran Facilitator", "Pia Marlowe")
    session = started_session(group, facilitator, pia)
    assert SEARCH_WORD not in TITLE.lower()

    # The facilitator runs the session: Pia is present, then the session is closed.
    fran = another_browser("facilitator")
    fran_page = fran.page
    sign_in(fran, facilitator)
    fran.goto(reverse("sessions:run", args=[session.pk]))
    expect(fran_page.get_by_role("heading", name=re.compile("Register"))).to_be_visible()
    fran.check("run page before the register")
    present = fran_page.get_by_role("button", name=f"Present {pia.display_name}", exact=True)
    present.click()
    expect(present).to_have_attribute("aria-pressed", "true")
    fran_page.get_by_label("Themes").fill("Handovers under time pressure.")
    fran_page.get_by_role("button", name="Close the session").click()
    expect(fran_page.get_by_text("The session is recorded as held.")).to_be_visible()
    fran.check("session held")
    assert Booking.objects.get(session=session, user=pia).attendance == "present"

    # Pia is invited to reflect, by email with a link into her journal.
    [invitation] = [m for m in mailoutbox if m.to == [pia.email]]
    assert "Take a moment to reflect" in invitation.subject
    path = journal_link_path(invitation)
    assert path == f"{reverse('journals:new')}?session={session.pk}"

    page = journey.page
    sign_in(journey, pia)
    journey.goto(path)
    expect(page.get_by_role("heading", name="How would you like to reflect?")).to_be_visible()
    journey.check("template chooser")
    page.get_by_role("link", name=re.compile("Gibbs' reflective cycle")).click()
    expect(page.get_by_role("heading", name="Gibbs' reflective cycle")).to_be_visible()
    linked = page.get_by_label("Linked to the session")
    expect(linked).to_have_value(str(session.pk))
    expect(linked.locator("option:checked")).to_contain_text(GROUP_NAME)
    expect(page.locator("#autosave-status")).to_contain_text("Drafts save themselves as you write.")
    check(journey, "Gibbs form linked to the session")

    page.get_by_label("Title").fill(TITLE)
    for label, text in SECTIONS.items():
        page.get_by_label(label, exact=True).press_sequentially(text, delay=5)
    status = page.locator("#autosave-status")
    expect(status).to_contain_text("Draft saved at", timeout=AUTOSAVE_WAIT)
    expect(status).to_contain_text(re.compile(r"Draft saved at \d{2}:\d{2}:\d{2}"))
    journey.check("draft saved by autosave")

    # The draft is stored once, and encrypted: none of the words are in the database as typed.
    [draft] = JournalEntry.objects.filter(author=pia)
    assert draft.status == JournalEntry.Status.DRAFT
    assert draft.session_id == session.pk
    assert draft.template_key == "builtin:gibbs"
    stored = draft.content.lower()
    for words in (TITLE, *SECTIONS.values(), SEARCH_WORD, "cornered"):
        assert words.lower() not in stored, f"{words!r} is stored in the clear"
    read_back = services.read_entry(draft)
    assert read_back.title == TITLE
    assert {s["title"]: s["text"] for s in read_back.sections if s["text"]} == SECTIONS
    expect(page.locator("#entry-id")).to_have_value(str(draft.pk))

    page.get_by_role("button", name="Save as finished").click()
    expect(page.get_by_text("Saved in your journal. Only you can read it.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    for label, text in SECTIONS.items():
        expect(page.get_by_role("heading", name=label, exact=True)).to_be_visible()
        expect(page.get_by_text(text)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(GROUP_NAME))).to_be_visible()
    journey.check("finished entry")

    # Finishing saves the autosaved draft; it does not file a second copy.
    entries = list(JournalEntry.objects.filter(author=pia))
    assert [(e.pk, e.status) for e in entries] == [(draft.pk, JournalEntry.Status.FINISHED)], (
        "Save as finished after an autosave should finish the draft, not add another entry"
    )
    entry = entries[0]
    entry_url = reverse("journals:entry", args=[entry.pk])
    assert page.url.endswith(entry_url)

    # The entry is found by a word that is only inside one section.
    page.get_by_role("link", name="Your journal").click()
    expect(page.get_by_role("heading", name="Your journal")).to_be_visible()
    journey.check("journal list")
    page.get_by_label("Search", exact=True).fill(SEARCH_WORD)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 entry found.")).to_be_visible()
    found = page.get_by_role("link", name=re.compile(TITLE))
    expect(found).to_have_count(1)
    expect(found).to_contain_text("Gibbs' reflective cycle")
    journey.check("search finds the entry")
    page.get_by_label("Search", exact=True).fill("nothing-like-this")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("0 entries found.")).to_be_visible()
    expect(page.get_by_text("Nothing matches.")).to_be_visible()
    page.get_by_label("Search", exact=True).fill(SEARCH_WORD)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=re.compile(TITLE)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)

    # A learning point goes to the group, without Pia's name.
    share = page.get_by_role("region", name="Share a learning point with a group")
    expect(share.get_by_label("Share with")).to_have_value(str(group.pk))
    share.get_by_label("The learning point, as the group will read it").fill(SHARED_POINT)
    share.get_by_role("button", name="Share without my name").click()
    expect(page.get_by_text("Shared with the group, without your name.")).to_be_visible()
    journey.check("entry after sharing a learning point")
    [point] = SharedLearning.objects.filter(group=group)
    assert point.text == SHARED_POINT

    journey.goto(reverse("groups:detail", args=[group.pk]))
    page.get_by_role("navigation", name="Group pages").get_by_role(
        "link", name="Shared learning"
    ).click()
    shared = page.locator("article").filter(has_text=SHARED_POINT)
    expect(shared).to_have_count(1)
    expect(shared.get_by_role("button", name="Withdraw my point")).to_be_visible()
    main = page.locator("main")
    for who in (pia.display_name, "Pia", "Marlowe", pia.email):
        expect(main).not_to_contain_text(who)
    journey.check("shared learning as its author")

    # The facilitator sees the point too, with nothing that says who wrote it.
    fran.goto(reverse("journals:group_learning", args=[group.pk]))
    fran_point = fran_page.locator("article").filter(has_text=SHARED_POINT)
    expect(fran_point).to_have_count(1)
    expect(fran_point.get_by_role("button", name="Withdraw my point")).to_have_count(0)
    for who in (pia.display_name, "Pia", "Marlowe", pia.email):
        expect(fran_page.locator("main")).not_to_contain_text(who)
    fran.check("shared learning as the facilitator")

    # The reflective account: a PDF built in the background, then downloaded.
    journey.goto(entry_url)
    account = page.get_by_role("region", name="Reflective account for CPD")
    account.get_by_label("Professional code").select_option(
        label="Social Work England professional standards"
    )
    account.get_by_label("Maintain my continuing professional development").check()
    account.get_by_label("Be accountable for the quality of my practice").check()
    journey.check("entry with the reflective account form filled")
    account.get_by_role("button", name="Build the reflective account (PDF)").click()
    expect(page.get_by_role("heading", name="Your document")).to_be_visible()
    expect(page.get_by_text("Your document is ready.")).to_be_visible(timeout=60_000)
    download_link = page.get_by_role("link", name=re.compile(r"^Download reflective-account-"))
    expect(download_link).to_be_visible()
    journey.check("reflective account ready")

    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert re.fullmatch(r"reflective-account-\d{4}-\d{2}-\d{2}\.pdf", download.suggested_filename)
    pdf_path = journey.folder / "reflective-account.pdf"
    download.save_as(pdf_path)
    data = pdf_path.read_bytes()
    assert data.startswith(b"%PDF")
    text = " ".join(pdf_text(data).split())
    assert "Reflective account" in text
    assert "Maintain my continuing professional development" in text
    assert "Social Work England professional standards" in text
    assert " ".join(SECTIONS["Description"].split()) in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf_path),
         str(journey.folder / "reflective-account-page")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    assert list(journey.folder.glob("reflective-account-page-*1.png"))
    assert TITLE in text, "the reflective account does not name the entry it was built from"


# ---------------------------------------------------------------------------------------------
# 2. Two tabs editing one entry
# ---------------------------------------------------------------------------------------------


def test_two_tabs_editing_one_entry_are_warned_not_overwritten(journey):
    tess = person("Tess Hartley")
    entry = free_writing_entry(tess, "Supervision notes", "First thoughts after supervision.")
    edit_url = journey.base_url + reverse("journals:edit", args=[entry.pk])

    sign_in(journey, tess)
    tab_a = journey.page
    tab_b = tab_a.context.new_page()
    tab_b.set_default_timeout(15_000)
    tab_b_errors: list[str] = []
    tab_b.on("pageerror", lambda exc: tab_b_errors.append(str(exc)))
    tab_b.on("console", lambda msg: tab_b_errors.append(msg.text) if msg.type == "error" else None)
    second = Journey(tab_b, journey.base_url, journey.folder)
    second.steps = 50  # its screenshots sort after the first tab's

    # Each tab is brought to the front before it is used, as a person switching tabs would.
    for tab in (tab_a, tab_b):
        tab.bring_to_front()
        tab.goto(edit_url)
        expect(tab.get_by_role("heading", name="Free writing")).to_be_visible()
        expect(tab.get_by_label("Your reflection")).to_have_value(
            "First thoughts after supervision."
        )
    tab_a.bring_to_front()
    check(journey, "edit page in tab A")

    a_text = "Tab A: the supervisor asked what I needed, and I did not know."
    tab_a.get_by_label("Your reflection").fill(a_text)
    tab_a.get_by_role("button", name="Save as finished").click()
    expect(tab_a.get_by_text("Saved in your journal. Only you can read it.")).to_be_visible()
    expect(tab_a.get_by_text(a_text)).to_be_visible()
    check(journey, "tab A saved")

    b_text = "Tab B: something quite different, written in the older copy."
    tab_b.bring_to_front()
    tab_b.get_by_label("Your reflection").fill(b_text)
    tab_b.get_by_role("button", name="Save as finished").click()
    warning = tab_b.get_by_role("alert")
    expect(warning).to_contain_text("This entry was changed in another tab or on another device")
    expect(warning).to_contain_text("Your changes here were NOT saved")
    # Tab B keeps what was typed there, so it can be copied.
    expect(tab_b.get_by_label("Your reflection")).to_have_value(b_text)
    assert tab_b.url == edit_url
    second.check("tab B warned of the other tab")

    entry.refresh_from_db()
    assert entry.version == 2
    stored = services.read_entry(entry)
    assert [s["text"] for s in stored.sections] == [a_text]
    assert JournalEntry.objects.filter(author=tess).count() == 1

    tab_b.goto(edit_url)  # not reload(): that would send the form again
    expect(tab_b.get_by_label("Your reflection")).to_have_value(a_text)
    assert not tab_b_errors, f"tab B reported errors: {tab_b_errors}"


# ---------------------------------------------------------------------------------------------
# 3. Phone width
# ---------------------------------------------------------------------------------------------


def test_the_journal_works_at_phone_width(phone_journey):
    ola = person("Ola Brennan")
    page = phone_journey.page
    sign_in(phone_journey, ola)
    phone_journey.goto(reverse("journals:list"))
    expect(page.get_by_role("heading", name="What is the journal for?")).to_be_visible()
    phone_journey.check("empty journal on a phone")

    page.get_by_role("link", name="Write an entry").tap()
    expect(page.get_by_role("heading", name="How would you like to reflect?")).to_be_visible()
    phone_journey.check("template chooser on a phone")
    page.get_by_role("link", name=re.compile("Free writing")).tap()
    expect(page.get_by_role("heading", name="Free writing")).to_be_visible()
    check(phone_journey, "free writing on a phone")
    page.get_by_label("Title").fill("Home visit on the bus")
    page.get_by_label("Your reflection").fill(
        "Writing this on the way back. The visit went better than I feared: "
        "the grandmother did most of the talking."
    )
    page.get_by_role("button", name="Save as finished").tap()
    expect(page.get_by_text("Saved in your journal. Only you can read it.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Home visit on the bus")
    phone_journey.check("entry on a phone")
    [entry] = JournalEntry.objects.filter(author=ola)
    assert entry.status == JournalEntry.Status.FINISHED
    assert entry.template_key == FREE_KEY

    page.get_by_role("link", name="Your journal").tap()
    page.get_by_label("Search", exact=True).fill("grandmother")
    page.get_by_role("button", name="Search").tap()
    expect(page.get_by_text("1 entry found.")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Home visit on the bus"))).to_be_visible()
    phone_journey.check("search on a phone")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the journal scrolls sideways by {overflow}px on a phone"
