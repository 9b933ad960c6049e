"""Who sees which protected figures: the manager's and the facilitator's views, their filters,
the CSV and the PDF report. Nothing here computes a figure; it only chooses rows and quarters
of families already protected in ``evaluation.dashboard``."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field, replace
from datetime import date

from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluation.dashboard import (
    COMMENTS_SHOWN,
    Block,
    ChangeLine,
    Family,
    MeasureBlock,
    quarter_label,
    structures_of,
)
from evaluation.figures_cache import families as protected_families
from groups.models import GroupPartner, Organisation, PracticeGroup
from groups.selectors import group_access_for, organisation_for
from rp_portal.documents.registry import BuiltFile
from rp_portal.pdf import html_to_pdf

REPORT_KIND = "evaluation-report"


@dataclass
class Section:
    """One host organisation's figures as far as this viewer may see them."""

    family: Family
    title: str
    slug: str  # unique within a page, for element ids
    rows: set[tuple]
    quarters: list[date]
    blocks: list[Block] = field(default_factory=list)
    measures: list[MeasureBlock] = field(default_factory=list)
    held: list[tuple[str, list[int | None]]] = field(default_factory=list)
    comments: list[tuple[str, list[str]]] = field(default_factory=list)
    cache_key: str = ""  # names the rendered figures when the family came from the cache

    def __post_init__(self) -> None:
        if self.family.cache_key:
            shape = repr((self.title, self.slug, sorted(self.rows), self.quarters))
            digest = hashlib.sha256(shape.encode()).hexdigest()[:24]
            self.cache_key = f"{self.family.cache_key}:{digest}"


@dataclass
class Filters:
    group: int | None = None
    structure: str = ""
    start: date | None = None
    end: date | None = None

    def as_inputs(self) -> dict:
        return {
            "group": self.group,
            "structure": self.structure,
            "start": self.start.isoformat() if self.start else "",
            "end": self.end.isoformat() if self.end else "",
        }

    @classmethod
    def from_inputs(cls, data: dict) -> Filters:
        return cls(
            group=data.get("group") or None,
            structure=data.get("structure") or "",
            start=date.fromisoformat(data["start"]) if data.get("start") else None,
            end=date.fromisoformat(data["end"]) if data.get("end") else None,
        )


@dataclass
class View:
    title: str
    sections: list[Section]
    groups: list[PracticeGroup]  # every group this viewer may filter by
    quarters: list[date]  # every quarter with figures, before filtering
    organisation: Organisation | None = None
    group: PracticeGroup | None = None


def _managed(user, org_id: int) -> Organisation:
    """The organisation, for its managers and admins; a 404 for anyone else."""
    organisation, membership = organisation_for(user, org_id)
    if not (membership.is_manager or membership.is_admin):
        raise Http404("No such dashboard.")
    return organisation


def organisation_view(user, org_id: int, filters: Filters, known: dict | None = None) -> View:
    """A manager's (or org admin's) view: their organisation's groups with its totals, and the
    multi-agency groups it takes part in, cut from their host's family."""
    organisation = _managed(user, org_id)
    partnered = list(
        PracticeGroup.objects.filter(
            partners__organisation=organisation, partners__status=GroupPartner.Status.ACCEPTED
        )
        .exclude(host=organisation)
        .select_related("host")
        .order_by("host__name", "name")
    )
    hosts: dict[int, list[PracticeGroup]] = {}
    for group in partnered:
        hosts.setdefault(group.host_id, []).append(group)
    found = protected_families([organisation] + [g[0].host for g in hosts.values()], known)
    own = found[organisation.pk]
    families = [(own, None, organisation.name)]
    for host_id, groups in hosts.items():
        families.append(
            (
                found[host_id],
                {("group", g.pk) for g in groups},
                _("Multi-agency groups hosted by %(org)s") % {"org": groups[0].host.name},
            )
        )
    every_group = list(own.groups) + partnered
    return _view(
        title=organisation.name,
        families=families,
        groups=every_group,
        filters=filters,
        organisation=organisation,
    )


def group_view(user, group: PracticeGroup, filters: Filters, known: dict | None = None) -> View:
    """A facilitator's view of their own group: the group's rows of its host's family."""
    family = protected_families([group.host], known)[group.host_id]
    return _view(
        title=group.name,
        families=[(family, {("group", group.pk)}, group.name)],
        groups=[group],
        filters=Filters(start=filters.start, end=filters.end),
        group=group,
    )


def _view(*, title, families, groups, filters: Filters, organisation=None, group=None) -> View:
    all_quarters = sorted({q for family, _rows, _t in families for q in family.quarters})
    quarters = [
        q
        for q in all_quarters
        if (filters.start is None or q >= filters.start)
        and (filters.end is None or q <= filters.end)
    ]
    sections = []
    for family, allowed, section_title in families:
        rows = _rows(family, allowed, filters)
        if not rows:
            continue
        sections.append(_section(family, section_title, f"s{len(sections) + 1}", rows, quarters))
    return View(
        title=title,
        sections=sections,
        groups=groups,
        quarters=all_quarters,
        organisation=organisation,
        group=group,
    )


def _rows(family: Family, allowed: set[tuple] | None, filters: Filters) -> set[tuple]:
    rows = {("group", g.pk) for g in family.groups}
    if allowed is None:  # the host's own managers: totals and structures too
        rows |= {("all",)} | {("structure", s) for s in structures_of(family.groups)}
    else:
        rows &= allowed
    structure_of = {g.pk: g.structure for g in family.groups}
    if filters.group:
        rows &= {("group", filters.group)}
    if filters.structure:
        rows = {
            r
            for r in rows
            if (r[0] == "structure" and r[1] == filters.structure)
            or (r[0] == "group" and structure_of.get(r[1]) == filters.structure)
        }
    return rows


def _section(
    family: Family, title: str, slug: str, rows: set[tuple], quarters: list[date]
) -> Section:
    wanted = set(quarters)
    every_quarter = wanted.issuperset(family.quarters)  # unfiltered: rows kept as they are

    def trim(block: Block) -> Block:
        kept = [
            row
            if every_quarter
            else replace(row, cells={q: f for q, f in row.cells.items() if q in wanted})
            for row in block.rows
            if row.key in rows
        ]
        return replace(block, rows=kept)

    def trim_changes(lines: list[ChangeLine]) -> list[ChangeLine]:
        return [line for line in lines if line.row_key in rows and line.quarter in wanted]

    names = {g.pk: g.name for g in family.groups}
    group_ids = [
        g.pk for g in sorted(family.groups, key=lambda g: g.name) if ("group", g.pk) in rows
    ]
    return Section(
        family=family,
        title=title,
        slug=slug,
        rows=rows,
        quarters=quarters,
        blocks=[trim(b) for b in family.blocks],
        measures=[
            replace(m, trend=trim(m.trend), changes=trim_changes(m.changes))
            for m in family.measures
        ],
        held=[(names[g], [family.held.get((g, q)) for q in quarters]) for g in group_ids],
        comments=[
            (names[g], texts) for g in group_ids if (texts := _comments(family, g, quarters))
        ],
    )


def _comments(family: Family, group_id: int, quarters: list[date]) -> list[str]:
    """A group's pulse comments from the quarters shown, in alphabetical order, at most as many
    as one quarter may show."""
    by_quarter = family.comments.get(group_id, {})
    texts = sorted(text for q in quarters for text in by_quarter.get(q, []))
    return texts[:COMMENTS_SHOWN]


# --- CSV and PDF ---------------------------------------------------------------------------


def _status(figure) -> str:
    return figure.reason if figure.suppressed else _("shown")


def csv_text(view: View) -> str:
    out = io.StringIO()
    writer = csv.writer(out)

    def write(values) -> None:
        writer.writerow([_cell(v) for v in values])

    write(
        [_("section"), _("figure"), _("row"), _("quarter"), _("value"), _("answers or places"),
         _("95% CI low"), _("95% CI high"), _("follow-up months"), _("status")]
    )  # fmt: skip
    for section in view.sections:
        for name, counts in section.held:
            for quarter, count in zip(section.quarters, counts, strict=True):
                write(
                    [section.title, _("Sessions held"), name, quarter_label(quarter),
                     count or 0, "", "", "", "", _("shown")]
                )  # fmt: skip
        blocks = section.blocks + [m.trend for m in section.measures]
        for block in blocks:
            for row in block.rows:
                for quarter, figure in sorted(row.cells.items()):
                    write(
                        [section.title, block.title, row.label, quarter_label(quarter),
                         (figure.shown), (None if figure.suppressed else figure.extra.get("count")),
                         "", "", "", _status(figure)]
                    )  # fmt: skip
        for measure in section.measures:
            for line in measure.changes:
                figure = line.figure
                shown = not figure.suppressed
                write(
                    [section.title, _("Change since baseline: %(m)s") % {"m": measure.measure.name},
                     line.label, quarter_label(line.quarter), (figure.shown),
                     (figure.extra.get("count") if shown else None),
                     (figure.extra.get("low") if shown else None),
                     (figure.extra.get("high") if shown else None),
                     line.months, _status(figure)]
                )  # fmt: skip
    return out.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A CSV cell a spreadsheet shows as text: names typed by people (a group called
    "=HYPERLINK(...)") get a leading apostrophe instead of being run as formulas. Numbers,
    negative ones included, stay numbers."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def filename(view: View, extension: str) -> str:
    return f"evaluation-{timezone.localdate():%Y-%m-%d}.{extension}"


def evaluation_report(build, report) -> BuiltFile:
    """The PDF report: the same protected figures and charts as the page, access checked again
    when the report is built."""
    report(10, _("Checking access"))
    inputs = build.inputs
    filters = Filters.from_inputs(inputs.get("filters", {}))
    if inputs.get("group"):
        access = group_access_for(build.owner, inputs["group"])
        if not access.can_facilitate:
            raise Http404("No such dashboard.")
        view = group_view(build.owner, access.group, filters)
    else:
        view = organisation_view(build.owner, inputs["organisation"], filters)
    report(40, _("Adding up the figures"))
    html = render_to_string(
        "evaluation/pdf/report.html",
        {"view": view, "filters": filters, "made": timezone.localdate()},
    )
    report(70, _("Laying out the report"))
    content = html_to_pdf(html)
    return BuiltFile(filename=filename(view, "pdf"), content=content)
