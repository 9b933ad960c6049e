"""Browser journeys for the PDF packs, with a real Celery worker.

A facilitator customises the workshop pack, sees the build wait for a worker, watches the
progress bar move as the worker lays out each part, downloads the pack and then each part
alone. A facilitator builds the session pack for the next session. Page 1 of every file is
rendered to PNG with pdftoppm (Debian's poppler-utils) and kept under test-artifacts/packs/
for a person to look at; the test checks the image too (shape, and the organisation's accent).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image, ImageDraw
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from rp_portal.documents.models import DocumentBuild
from sessions.models import Booking
from tests.e2e.conftest import ARTIFACTS, sign_in
from tests.factories import (
    GroupMemberFactory,
    MembershipFactory,
    OrganisationFactory,
    PracticeGroupFactory,
    UserFactory,
)
from tests.pdf_support import is_a4_portrait, is_landscape_16_9, pdf_reader, pdf_text
from tests.sessions.fixtures_views import make_session
from tests.sessions.support import at

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]

PACKS = ARTIFACTS / "packs"
ACCENT = (0x7A, 0x2E, 0x8E)  # the organisation's purple


def logo_png() -> bytes:
    """A small logo: a purple disc and bar on white."""
    image = Image.new("RGB", (360, 120), "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 110, 110), fill=ACCENT)
    draw.rectangle((130, 45, 350, 75), fill=(0x33, 0x33, 0x33))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def render_page(pdf: Path, page: int, name: str) -> Path:
    """Render one page to PNG with pdftoppm and keep it under test-artifacts/packs/."""
    PACKS.mkdir(parents=True, exist_ok=True)
    target = PACKS / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page), "-singlefile",
         str(pdf), str(target)],
        check=True, timeout=60,
    )  # fmt: skip
    return target.with_suffix(".png")


def share_of_colour(png: Path, colour: tuple[int, int, int], tolerance: int = 12) -> float:
    with Image.open(png) as image:
        rgb = image.convert("RGB")
    pixels = [rgb.getpixel((x, y)) for x in range(0, rgb.width, 2) for y in range(0, rgb.height, 2)]
    close = [
        p for p in pixels if all(abs(a - b) <= tolerance for a, b in zip(p, colour, strict=True))
    ]
    return len(close) / len(pixels)


def watch_build(page, *, seconds: float = 120) -> list[str]:
    """Read the progress box as the browser polls it, until the download link appears.
    Returns the distinct texts it showed, in order."""
    seen: list[str] = []
    box = page.locator(".build-status")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            text = " ".join(box.inner_text(timeout=2_000).split())
        except PlaywrightError:  # the box is being swapped by htmx at this instant
            continue
        if not seen or seen[-1] != text:
            seen.append(text)
        if "Your document is ready." in text or "Try again" in text:
            return seen
        time.sleep(0.1)
    raise AssertionError(f"the build did not finish; the box showed {seen}")


def download(page, tmp_path: Path, name: str) -> Path:
    with page.expect_download() as info:
        page.get_by_role("link", name="Download").click()
    target = tmp_path / name
    info.value.save_as(target)
    assert info.value.suggested_filename.endswith(".pdf")
    return target


def test_a_facilitator_customises_a_workshop_pack_watches_it_build_and_downloads_it(
    journey, broker, request, settings, tmp_path
):
    assert shutil.which("pdftoppm"), (
        "pdftoppm (poppler-utils) is needed: scripts/system-packages --tests"
    )
    # The worker started below keeps its media under tmp_path/media: use the same folder here.
    settings.MEDIA_ROOT = tmp_path / "media"
    org = OrganisationFactory(name="Harbour Youth Trust", accent_colour="#7a2e8e")
    org.logo.save("harbour.png", ContentFile(logo_png()))
    fran = UserFactory(display_name="Fran Okafor", email="fran@example.test")
    MembershipFactory(organisation=org, user=fran, is_facilitator=True)
    page = journey.page

    sign_in(journey, fran)
    journey.goto(reverse("groups:organisation_detail", args=[org.pk]))
    page.get_by_role("link", name="Workshop pack").click()
    expect(page.get_by_role("heading", name="Workshop pack", exact=True)).to_be_visible()
    expect(page.get_by_label("Organisation name")).to_have_value("Harbour Youth Trust")
    journey.check("workshop pack form")

    # Three hours: the suggested timings follow, and the running total says so.
    page.get_by_label("3 hours").check()
    expect(page.get_by_label("Practice round with a reflective model")).to_have_value("45")
    expect(page.locator("#minutes-total")).to_have_text("Planned so far: 180 of 180 minutes.")
    page.get_by_label("Starts at").fill("09:30")
    page.get_by_label("Where (optional)").fill("The Boathouse, <Quay Street>")
    page.get_by_label("Facilitators").fill("Fran Okafor\nSam Lindqvist")
    page.get_by_label("Multi-agency").check()
    page.get_by_label("Print the handouts and a feedback form for each participant").check()
    # An absurd timing is refused with a clear message, and nothing is built.
    page.get_by_label("Practice round with a reflective model").fill("500")
    expect(page.locator("#minutes-total")).to_have_text("Planned so far: 635 of 180 minutes.")
    page.get_by_role("button", name="Build the pack").click()
    expect(page.get_by_text("No single activity can take more than 180 minutes.")).to_be_visible()
    journey.check("absurd timings refused")
    assert not DocumentBuild.objects.exists()

    # Timings that do not fill the workshop exactly are refused too.
    page.get_by_label("Practice round with a reflective model").fill("50")
    page.get_by_role("button", name="Build the pack").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "The activities add up to 185 minutes, but a 3-hour workshop is 180 minutes."
    )
    page.get_by_label("Next steps, questions and feedback").fill("10")
    expect(page.locator("#minutes-total")).to_have_text("Planned so far: 180 of 180 minutes.")
    page.get_by_role("button", name="Build the pack").click()

    # The request only enqueued: with no worker yet, the build waits with an empty bar.
    expect(page.get_by_role("heading", name="Your pack")).to_be_visible()
    expect(page.get_by_text("Waiting to start…")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "0")
    journey.check("pack waiting for a worker")
    pack = DocumentBuild.objects.get()
    assert pack.status == DocumentBuild.Status.QUEUED

    request.getfixturevalue("worker")  # now a real worker picks the build up
    seen = watch_build(page)
    assert seen[0].startswith("Waiting to start")
    assert any(text.startswith("Laying out the") for text in seen), seen
    assert seen[-1].startswith("✓ Your document is ready.")
    journey.check("pack ready")

    path = download(page, tmp_path, "pack.pdf")
    content = path.read_bytes()
    text = pdf_text(content)
    assert "Harbour Youth Trust" in text
    assert "Fran Okafor, Sam Lindqvist" in text
    assert "09:30\N{EN DASH}12:30" in text
    assert "11:00\N{EN DASH}11:50 Practice round with a reflective model 50" in text
    assert "The Boathouse, <Quay Street>" in text
    pack.refresh_from_db()
    assert len(pdf_reader(content).pages) == pack.pages
    png = render_page(path, 1, "0-whole-pack-page-1")
    with Image.open(png) as image:
        assert abs(image.width / image.height - 210 / 297) < 0.01  # A4 upright
    assert share_of_colour(png, ACCENT) > 0.005  # headings, the rule under them, the logo

    # Each part on its own, from the pack's page.
    pack_page = page.url
    for number, (label, name, shape) in enumerate(
        [
            ("Facilitator's outline alone", "outline", is_a4_portrait),
            ("Slides alone", "slides", is_landscape_16_9),
            ("Handouts alone", "handouts", is_a4_portrait),
            ("Sign-in sheet alone", "sign-in-sheet", is_a4_portrait),
            ("Feedback form alone", "feedback-form", is_a4_portrait),
        ],
        start=1,
    ):
        page.goto(pack_page)
        page.get_by_role("button", name=label).click()
        watch_build(page)
        if number == 2:
            journey.check("a part built alone")
        path = download(page, tmp_path, f"{name}.pdf")
        first = pdf_reader(path.read_bytes()).pages[0]
        assert shape(first), name
        png = render_page(path, 1, f"{number}-{name}-page-1")
        assert png.stat().st_size > 5_000
    # The title slide is the organisation's colour from edge to edge.
    assert share_of_colour(PACKS / "2-slides-page-1.png", ACCENT) > 0.6
    assert DocumentBuild.objects.filter(status="done").count() == 6


def test_a_facilitator_builds_the_session_pack_for_the_next_session(
    journey, broker, request, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    group = PracticeGroupFactory(name="Harbour Team Reflective Group")
    group.host.accent_colour = "#7a2e8e"
    group.host.save()
    fran = UserFactory(display_name="Fran Okafor", email="fran@example.test")
    MembershipFactory(organisation=group.host, user=fran, is_facilitator=True)
    GroupMemberFactory(group=group, user=fran, role="facilitator")
    session = make_session(
        group, starts_at=at(2, hour=14), agenda="10 Arrive\n60 Reflect on a case\n20 Close"
    )
    for name in ["Ben Adeyemi", "Cara Lindqvist"]:
        member = UserFactory(display_name=name)
        MembershipFactory(organisation=group.host, user=member)
        GroupMemberFactory(group=group, user=member)
        Booking.objects.create(session=session, user=member, status=Booking.Status.BOOKED)
    page = journey.page

    sign_in(journey, fran)
    journey.goto(reverse("sessions:detail", args=[session.pk]))
    page.get_by_role("link", name="Session pack (PDF)").click()
    expect(page.get_by_role("heading", name="Session pack")).to_be_visible()
    journey.check("session pack page")
    page.get_by_role("button", name="Build the session pack").click()
    expect(page.get_by_text("Waiting to start…")).to_be_visible()
    journey.check("session pack waiting")

    request.getfixturevalue("worker")
    assert watch_build(page)[-1].startswith("✓ Your document is ready.")
    journey.check("session pack ready")
    path = download(page, tmp_path, "session-pack.pdf")
    content = path.read_bytes()
    text = pdf_text(content)
    assert "Harbour Team Reflective Group" in text
    assert "14:10 Reflect on a case 60" in text
    assert "Ben Adeyemi" in text
    assert "Cara Lindqvist" in text
    render_page(path, 1, "6-session-pack-page-1")
    register = render_page(path, len(pdf_reader(content).pages), "7-session-pack-register")
    assert register.stat().st_size > 5_000
