"""The evaluation CSV and PDF report: the same protected figures as the pages, hidden ones
empty with the reason, an audit event for each download, and a PDF built through the shared
document mechanism (its first page kept as a PNG under test-artifacts/ for a person to look at).

The world is ``answered``: Riverside's groups of three (Small RP), six (Middle RP) and seven
(Large RP, multi-agency) answered the reflective habits baseline in 2025 Q1; the seven a 3-month
follow-up 0.5 lower (Q2); four of the six a 6-month follow-up (Q3, too few to show)."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from groups.models import Membership
from rp_portal.audit.models import AuditEvent
from rp_portal.documents.models import DocumentBuild
from tests.evaluation.support import HABITS, PROTECTS, TOO_FEW, group_with_answers, library
from tests.factories import GroupMemberFactory
from tests.pdf_support import pdf_reader, pdf_text, stored_pdf

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "evaluation-report"
HEADER = ["section", "figure", "row", "quarter", "value", "answers or places", "95% CI low",
          "95% CI high", "follow-up months", "status"]  # fmt: skip
# Figures the page hides, as the page and the report would print them: the small group's mean
# (1.5), the middle group's (4.5) and the 6-month change of four people (0.5, 0.18 to 0.82).
HIDDEN_VALUES = ["1.50", "4.50", "0.50", "0.18", "0.82"]


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="evaluation-\d{4}-\d{2}-\d{2}\.csv"',
        response["Content-Disposition"],
    )
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_csv_has_a_header_shown_figures_and_hidden_ones_empty_with_the_reason(
    client, world, answered
):
    client.force_login(world.manager)
    url = reverse("evaluation:dashboard", args=[world.org.pk]) + "?format=csv"

    header, *rows = _csv(client.get(url))

    assert header == HEADER
    habits = [r[1:] for r in rows if r[1] == "Reflective habits"]
    assert ["Reflective habits", "All groups hosted by Riverside", "2025 Q1", "3.28", "16",
            "", "", "", "shown"] in habits  # fmt: skip
    assert ["Reflective habits", "Large RP", "2025 Q2", "2.5", "7", "", "", "", "shown"] in habits
    assert ["Reflective habits", "Small RP", "2025 Q1", "", "", "", "", "", TOO_FEW] in habits
    assert ["Reflective habits", "Middle RP", "2025 Q1", "", "", "", "", "", PROTECTS] in habits
    change = [r[1:] for r in rows if r[1] == "Change since baseline: Reflective habits"]
    assert ["Change since baseline: Reflective habits", "Large RP", "2025 Q2", "-0.5", "7",
            "-0.5", "-0.5", "3", "shown"] in change  # fmt: skip
    assert ["Change since baseline: Reflective habits", "Middle RP", "2025 Q3", "", "", "", "",
            "6", TOO_FEW] in change  # fmt: skip
    for row in rows:
        assert row[0] == "Riverside"
        if row[-1] != "shown":
            assert row[4:8] == ["", "", "", ""], row
            assert row[-1] in {TOO_FEW, PROTECTS}
    assert all(value not in {r[4] for r in rows} for value in ("1.5", "4.5", "0.5"))


def test_downloading_the_csv_is_written_to_the_audit_log(client, world, answered):
    _habits, groups = answered
    client.force_login(world.manager)
    client.get(reverse("evaluation:dashboard", args=[world.org.pk]) + "?format=csv")
    GroupMemberFactory(group=groups["large"], user=world.facilitator, role="facilitator")
    client.force_login(world.facilitator)
    client.get(reverse("evaluation:group_dashboard", args=[groups["large"].pk]) + "?format=csv")

    events = list(AuditEvent.objects.filter(action="evaluation.csv").order_by("id"))
    assert [(e.actor, e.organisation_id) for e in events] == [
        (world.manager, world.org.pk),
        (world.facilitator, world.org.pk),
    ]
    assert (events[0].target_type, events[0].target_id) == ("groups.organisation", world.org.pk)
    assert events[1].target_id == groups["large"].pk
    # Only ids, never a figure.
    assert all("3.28" not in str(e.detail) for e in events)


def test_the_groups_csv_holds_only_that_groups_rows(client, world, answered):
    _habits, groups = answered
    client.force_login(world.admin)
    url = reverse("evaluation:group_dashboard", args=[groups["large"].pk]) + "?format=csv"
    _header, *rows = _csv(client.get(url))
    assert rows
    assert {r[2] for r in rows} == {"Large RP"}
    assert "3.28" not in {r[4] for r in rows}


def test_the_csv_keeps_a_spreadsheet_from_running_a_name_as_a_formula(client, world):
    """Group names are typed by people; a name like =HYPERLINK(...) must reach a spreadsheet
    as text, not as a formula."""
    habits = library()[HABITS]
    formula = '=HYPERLINK("http://evil.example.test","Open")'
    group_with_answers(world.org, formula, habits, [3.0] * 5)
    group_with_answers(world.org, "+1 RP", habits, [3.0] * 5)
    group_with_answers(world.org, "@SUM(1+1)", habits, [3.0] * 5)
    client.force_login(world.manager)

    _header, *rows = _csv(
        client.get(reverse("evaluation:dashboard", args=[world.org.pk]) + "?format=csv")
    )

    cells = [cell for row in rows for cell in row]
    assert f"'{formula}" in cells
    for cell in cells:
        assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
        if cell.startswith("-"):
            assert re.fullmatch(r"-\d+(\.\d+)?", cell), cell


# ---------------------------------------------------------------------------------------------
# The PDF report
# ---------------------------------------------------------------------------------------------


def _report(client, url, capture) -> DocumentBuild:
    with capture(execute=True):
        response = client.post(url)
    build = DocumentBuild.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:status", args=[build.pk])
    return build


def _first_page_png(content: bytes, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / f"{name}.pdf"
    pdf.write_bytes(content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(pdf),
         str(ARTIFACTS / f"{name}-page-1")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return ARTIFACTS / f"{name}-page-1.png"


def test_the_pdf_report_shows_the_pages_figures_and_reasons_and_nothing_the_page_hides(
    client, world, answered, settings, tmp_path, django_capture_on_commit_callbacks
):
    assert shutil.which("pdftoppm"), "pdftoppm (poppler-utils) is needed"
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.manager)

    build = _report(
        client,
        reverse("evaluation:report", args=[world.org.pk]),
        django_capture_on_commit_callbacks,
    )

    assert (build.kind, build.owner, build.organisation_id) == (
        "evaluation-report",
        world.manager,
        world.org.pk,
    )
    content = stored_pdf(build)
    png = _first_page_png(content, "organisation")
    text = pdf_text(content)
    assert "Evaluation report: Riverside" in text
    assert "Reflective habits" in text
    assert "3.28" in text  # the host's Q1 mean
    assert "-0.50" in text  # the seven people's change
    assert "hidden: fewer than 5 responses" in text
    assert "hidden: hidden so that a smaller figure cannot be worked out from it" in text
    for value in HIDDEN_VALUES:
        found = re.search(rf"(?<![\d.-]){re.escape(value)}(?!\d)", text)
        assert found is None, f"{value}, hidden on the page, is in the report"
    assert AuditEvent.objects.filter(action="evaluation.report", actor=world.manager).count() == 1
    status = client.get(reverse("documents:status", args=[build.pk]))
    assert "Your document is ready." in status.content.decode()
    download = client.get(reverse("documents:download", args=[build.pk]))
    assert download.status_code == 200
    assert re.fullmatch(
        r'attachment; filename="evaluation-\d{4}-\d{2}-\d{2}\.pdf"',
        download["Content-Disposition"],
    )
    assert png.stat().st_size > 10_000
    assert len(pdf_reader(content).pages) >= 1


def test_the_pdf_report_follows_the_filters_of_the_page(
    client, world, answered, settings, tmp_path, django_capture_on_commit_callbacks
):
    _habits, groups = answered
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.manager)
    url = reverse("evaluation:report", args=[world.org.pk]) + f"?group={groups['large'].pk}"

    build = _report(client, url, django_capture_on_commit_callbacks)

    assert build.inputs["filters"]["group"] == groups["large"].pk
    text = pdf_text(stored_pdf(build))
    assert "Large RP" in text
    assert "Filtered as on the dashboard." in text
    assert "3.28" not in text  # the host's total is not a row of this group
    assert "Small RP" not in text
    assert "Middle RP" not in text


def test_a_bad_filter_builds_the_unfiltered_report(
    client, world, answered, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.manager)
    url = reverse("evaluation:report", args=[world.org.pk]) + "?group=999999&start=1999-01-01"

    build = _report(client, url, django_capture_on_commit_callbacks)

    assert build.inputs["filters"] == {"group": None, "structure": "", "start": "", "end": ""}
    assert "3.28" in pdf_text(stored_pdf(build))


def test_a_facilitators_report_shows_their_groups_rows_only(
    client, world, answered, settings, tmp_path, django_capture_on_commit_callbacks
):
    _habits, groups = answered
    GroupMemberFactory(group=groups["large"], user=world.facilitator, role="facilitator")
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.facilitator)

    build = _report(
        client,
        reverse("evaluation:group_report", args=[groups["large"].pk]),
        django_capture_on_commit_callbacks,
    )

    text = pdf_text(stored_pdf(build))
    assert "Evaluation report: Large RP" in text
    assert "-0.50" in text
    assert "3.28" not in text
    assert "All groups hosted by" not in text
    _first_page_png(stored_pdf(build), "group")


def test_access_is_checked_again_when_the_report_is_built(
    client, world, answered, settings, tmp_path, django_capture_on_commit_callbacks
):
    """Asked for by a manager who stops being one before the worker gets to it: no report."""
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.manager)
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse("evaluation:report", args=[world.org.pk]))
    Membership.objects.filter(user=world.manager, organisation=world.org).update(
        is_manager=False, is_practitioner=True
    )

    for callback in callbacks:
        callback()

    build = DocumentBuild.objects.get()
    assert build.status == DocumentBuild.Status.FAILED
    assert not build.file


@pytest.mark.parametrize("who", ["practitioner", "outsider"])
def test_people_who_may_not_see_the_figures_cannot_ask_for_the_report(client, world, who):
    client.force_login(getattr(world, who))
    response = client.post(reverse("evaluation:report", args=[world.org.pk]))
    assert response.status_code == 404
    assert not DocumentBuild.objects.exists()
