"""The evaluation report PDF: the same suppressed figures and charts as the dashboard."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from evaluation import dashboard as figures
from rp_portal.documents.registry import BuiltFile
from rp_portal.pdf import html_to_pdf


def evaluation_report(build, report) -> BuiltFile:
    report(10, "Checking access")
    scope = figures.manager_scope(build.owner, build.inputs["organisation"])  # still a manager?
    report(30, "Adding up the figures")
    data = figures.dashboard_for(scope)
    visible = set(build.inputs.get("groups") or scope.group_ids) & set(scope.group_ids)
    report(60, "Laying out the report")
    html = render_to_string(
        "evaluation/pdf/report.html",
        {"scope": scope, "data": data, "visible": visible, "made": timezone.localdate()},
    )
    pdf = html_to_pdf(html)
    return BuiltFile(filename=f"evaluation-report-{timezone.localdate():%Y-%m-%d}.pdf", content=pdf)
