"""What the workshop pack PDFs contain: the customisation, escaped user text, the chosen
emphasis, page shapes, and nothing fetched from anywhere but our own files."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.template.loader import render_to_string

from groups.models import Organisation
from groups.services.workshop_packs import workshop_pack_request
from groups.workshop_pack.builder import pack_context, render_workshop_pack
from groups.workshop_pack.colours import DEFAULT_ACCENT, contrast, pack_colours
from groups.workshop_pack.content import PARTS
from groups.workshop_pack.forms import WorkshopPackForm
from rp_portal.pdf import LocalFilesOnlyFetcher
from tests import pdf_support
from tests.groups.workshop_pack_support import minutes, pack_form
from tests.pdf_support import (
    PNG_DOT,
    is_a4_portrait,
    is_landscape_16_9,
    pdf_pages_text,
    pdf_reader,
    pdf_text,
    stored_pdf,
)

listener = pdf_support.listener  # the fixture, used by name below

DASH = "\N{EN DASH}"  # between the start and end of a time range


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def details_for(organisation, **changes) -> dict:
    form = WorkshopPackForm(pack_form(organisation, **changes), organisation=organisation)
    assert form.is_valid(), form.errors
    return form.details


def build_pack(world, django_capture_on_commit_callbacks, **changes):
    with django_capture_on_commit_callbacks(execute=True):
        build = workshop_pack_request(
            organisation=world.org,
            owner=world.facilitator,
            details=details_for(world.org, **changes),
        )
    return build, stored_pdf(build)


def render(organisation, *, fetcher=None, **changes) -> bytes:
    pdf, _pages = render_workshop_pack(
        details_for(organisation, **changes), organisation, url_fetcher=fetcher
    )
    return pdf


# --- The customisation is in the file ---------------------------------------------------------


def test_the_pack_carries_the_organisation_timings_and_facilitators(
    world, django_capture_on_commit_callbacks
):
    build, pdf = build_pack(
        world,
        django_capture_on_commit_callbacks,
        organisation_name="Riverside Youth Services",
        facilitator_names="Fran Okafor\nSam Lindqvist",
        start_time="09:30",
        **minutes(welcome=5, what_is_rp=20),
    )
    text = pdf_text(pdf)
    assert build.pages == len(pdf_reader(pdf).pages)
    assert build.filename.startswith("workshop-pack-riverside-youth-services-")
    assert text.count("Riverside Youth Services") > 20  # every part, every page footer
    assert "Fran Okafor, Sam Lindqvist" in text
    assert "With Fran Okafor, Sam Lindqvist" in text  # the title slide
    # The agenda follows the facilitator's own timings from the chosen start.
    assert f"09:30{DASH}09:35 Welcome, aims and ground rules 5" in text
    assert f"09:35{DASH}09:55 What reflective practice is 20" in text
    assert f"11:20{DASH}11:30 Next steps, questions and feedback 10" in text
    assert f"09:30{DASH}11:30 Total 120" in text
    assert "rp@riverside.example.test" in text
    assert "Room 4, The Hub" in text


FIRST_PAGE_SAYS = {
    "outline": "Introduction to reflective practice: facilitator's outline",
    "slides": "Introduction to reflective practice",
    "handouts": "Reflecting with “What? So what? Now what?”",
    "sign_in": "Sign-in sheet: introduction to reflective practice",
    "feedback": "Feedback: introduction to reflective practice",
}


def test_each_part_has_its_own_pages_and_shape(world):
    shapes = {}
    for part in PARTS:
        pdf = render(world.org, parts=[part.key])
        shapes[part.key] = pdf_reader(pdf).pages
        first_page = " ".join(pdf_pages_text(pdf)[0].split())
        assert FIRST_PAGE_SAYS[part.key] in first_page, part.key
    assert len(shapes["slides"]) == 17
    assert all(is_landscape_16_9(page) for page in shapes["slides"])
    assert all(is_a4_portrait(page) for page in shapes["outline"])
    assert len(shapes["sign_in"]) == 1
    assert len(shapes["feedback"]) == 1
    handout_shapes = [is_a4_portrait(page) for page in shapes["handouts"]]
    # Prompt sheet and draft agreement upright; the two comparison tables on landscape A4.
    assert handout_shapes == [True, False, False, True]


def test_every_slide_says_what_the_toolkit_covers(world):
    text = pdf_text(render(world.org, parts=["slides"]))
    for heading in [
        "What reflective practice is",
        "What the evidence says",
        "Kim et al., 2013",
        "Paget, 2008",
        "Three ways to organise a group",
        "Who facilitates",
        "Seven steps to a group that lasts",
        "How we will know it is working",
        "Next steps",
    ]:
        assert heading in text, heading


def test_the_emphasised_structures_come_first_and_are_marked(world):
    slides = pdf_pages_text(render(world.org, parts=["slides"], structures=["multi_agency"]))
    structure_slides = [" ".join(page.split()) for page in slides[7:10]]
    assert structure_slides[0].startswith("Multi-agency groups Our focus")
    assert structure_slides[1].startswith("Team groups")
    assert "Our focus" not in structure_slides[1]
    assert "We are setting up multi-agency reflective practice groups." in " ".join(slides)
    plain = pdf_text(render(world.org, parts=["slides"], structures=[]))
    assert "Our focus" not in plain
    assert "We are deciding which kind of group suits us best." in plain


def test_the_chosen_reflective_model_is_practised(world):
    text = pdf_text(render(world.org, parts=["slides", "handouts"], reflective_model="gibbs"))
    assert "Practising with “Gibbs' reflective cycle”" in text
    assert "Reflecting with “Gibbs' reflective cycle”" in text
    assert "6. Action plan" in text


def test_participants_set_the_sign_in_rows_and_the_copies(world):
    pdf = render(world.org, parts=["sign_in", "feedback"], participants="40", per_participant="on")
    pages = pdf_pages_text(pdf)
    sign_in = [page for page in pages if "Sign-in sheet" in page]
    # 40 people and 4 spare rows, 16 to a page: three separate tables, none split.
    assert len(sign_in) == 3
    assert len([page for page in pages if "Feedback: introduction" in page]) == 40
    assert "44" in sign_in[-1]
    assert "45" not in sign_in[-1]


def test_the_builder_reports_each_part_as_it_goes(world):
    steps = []
    render_workshop_pack(
        details_for(world.org),
        world.org,
        report=lambda percent, step: steps.append((percent, step)),
    )
    assert [step for _percent, step in steps] == [
        "Laying out the facilitator's outline (1 of 5)",
        "Laying out the slides (2 of 5)",
        "Laying out the handouts (3 of 5)",
        "Laying out the sign-in sheet (4 of 5)",
        "Laying out the feedback form (5 of 5)",
        "Writing the PDF",
    ]
    percents = [percent for percent, _step in steps]
    assert percents == sorted(percents)


# --- User text is text, never markup ----------------------------------------------------------


def test_html_typed_into_the_details_is_printed_as_typed(world, django_capture_on_commit_callbacks):
    _build, pdf = build_pack(
        world,
        django_capture_on_commit_callbacks,
        venue="<b>Room 4</b> & <script>alert(1)</script>",
        note='<img src="x" onerror="alert(1)"> Bring a case <i>you</i> can talk about',
    )
    text = pdf_text(pdf)
    assert "<b>Room 4</b> & <script>alert(1)</script>" in text
    assert '<img src="x" onerror="alert(1)"> Bring a case <i>you</i> can talk about' in text


def test_the_accent_reaches_the_document_only_as_a_css_variable(world):
    details = details_for(world.org, accent_colour="#AA3366")
    context = {**pack_context(details, world.org), "part": PARTS[0]}
    html = render_to_string("groups/pack/outline.html", context)
    style = html[html.index("<style>") : html.index("</style>")]
    assert ":root { --accent: #aa3366;" in style
    assert "#aa3366" not in html.replace(style, "")


@pytest.mark.parametrize(
    ("value", "accent"),
    [
        ("#ffff00", "#ffff00"),
        ("#FFFFFF", "#ffffff"),
        ("#0f5161", "#0f5161"),
        ("red", DEFAULT_ACCENT),
        ("#123456;} body { background: url(http://x/) }", DEFAULT_ACCENT),
        ("", DEFAULT_ACCENT),
    ],
)
def test_any_accent_gives_readable_headings_and_titles(value, accent):
    colours = pack_colours(value)
    assert colours.accent == accent
    assert contrast(colours.text, "#ffffff") >= 4.5
    assert contrast(colours.accent, colours.ink) >= 3  # slide titles are large text


# --- Nothing is fetched from outside our own files -------------------------------------------


def test_urls_in_user_supplied_fields_are_never_fetched(
    world, listener, tmp_path, django_capture_on_commit_callbacks, client
):
    base, hits = listener
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG_DOT)
    # Through the form: URLs as text in every text field, and as a "colour" (refused).
    client.force_login(world.facilitator)
    refused = client.post(
        f"/orgs/{world.org.pk}/workshop-pack/",
        pack_form(world.org, accent_colour=f"url({base}/colour.png)"),
    )
    assert "Use a colour like #0f5161." in refused.content.decode()
    _build, pdf = build_pack(
        world,
        django_capture_on_commit_callbacks,
        organisation_name=f"{base}/name.png file://{secret}",
        venue=f'<img src="{base}/venue.png"><link rel="stylesheet" href="{base}/venue.css">',
        note=f'<img src="file://{secret}"> {base}/note.png file:///etc/passwd',
        facilitator_names=f"{base}/facilitator.png",
        contact_email="someone@example.test",
    )
    assert f"{base}/venue.png" in pdf_text(pdf)
    assert hits == []

    # Straight to the builder, as if the inputs had been tampered with: a hostile colour and
    # a logo whose stored name is a URL.
    for stored_name in [f"{base}/logo.png", f"file://{secret}", "../../../etc/passwd.png"]:
        Organisation.objects.filter(pk=world.org.pk).update(logo=stored_name)
        world.org.refresh_from_db()
        details = {
            **details_for(world.org),
            "include_logo": True,
            "parts": ["outline", "slides"],
            "accent_colour": f"#000000; background: url({base}/accent.png)",
            "venue": f'<img src="{base}/again.png">',
        }
        fetcher = LocalFilesOnlyFetcher()
        render_workshop_pack(details, world.org, url_fetcher=fetcher)
        assert all("/static/css/" in url for url in fetcher.fetched), fetcher.fetched
        assert hits == []


def test_the_organisations_logo_comes_from_media(world, tmp_path):
    world.org.logo.save("riverside.png", ContentFile(PNG_DOT))
    fetcher = LocalFilesOnlyFetcher()
    pdf = render(world.org, fetcher=fetcher, include_logo="on", parts=["outline"])
    assert [url for url in fetcher.fetched if "/media/" in url] == [
        f"https://rp-portal.invalid/media/{world.org.logo.name}"
    ]
    assert fetcher.refused == []
    first_page = pdf_reader(pdf).pages[0]
    assert any(
        obj.get_object()["/Subtype"] == "/Image"
        for obj in first_page["/Resources"]["/XObject"].values()
    )

    without = LocalFilesOnlyFetcher()
    render(world.org, fetcher=without, parts=["outline"])  # the logo box left unticked
    assert not any("/media/" in url for url in without.fetched)


def test_a_stored_logo_that_is_not_png_or_jpeg_is_left_out(world):
    world.org.logo.save("old.svg", ContentFile(b"<svg xmlns='http://www.w3.org/2000/svg'/>"))
    fetcher = LocalFilesOnlyFetcher()
    render(world.org, fetcher=fetcher, include_logo="on", parts=["outline"])
    assert not any("/media/" in url for url in fetcher.fetched + fetcher.refused)
