"""The figures managers and facilitators see. Every number comes out of SQL aggregates and goes
through evaluation.disclosure before it reaches a page, a CSV or a PDF.

Suppression is decided on the whole table for the scope (all its groups by all its quarters),
and filters only choose which rows to display, so no two filtered views can be subtracted to
reveal a hidden cell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Avg, Count, F, FloatField, OuterRef, Q, StdDev, Subquery, Sum
from django.db.models.functions import TruncQuarter
from django.http import Http404
from scipy import stats

from evaluation.disclosure import (
    PROTECTS_OTHERS,
    Cell,
    K,
    Table,
    single,
    suppress_small_cells,
    suppress_table,
)
from evaluation.models import Measure, QuestionnaireWindow, Response, Score
from groups.models import GroupPartner, Membership, PracticeGroup
from sessions.models import Booking, GroupSession


def quarter_label(day: date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


@dataclass
class Scope:
    title: str
    groups: list[PracticeGroup]
    organisation_id: int | None = None

    @property
    def group_ids(self) -> list[int]:
        return [g.pk for g in self.groups]


def group_scope(group: PracticeGroup) -> Scope:
    """A facilitator's view of their own group: the same figures and the same rules."""
    return Scope(title=group.name, groups=[group], organisation_id=group.host_id)


def manager_scope(user, organisation_id: int) -> Scope:
    """An organisation's groups and the multi-agency groups it takes part in, for its managers
    and admins; a 404 for anyone else."""
    membership = (
        Membership.objects.select_related("organisation")
        .filter(user=user, organisation_id=organisation_id)
        .filter(Q(is_manager=True) | Q(is_admin=True))
        .first()
    )
    if membership is None:
        raise Http404("No such dashboard.")
    partnered = GroupPartner.objects.filter(
        organisation_id=organisation_id, status=GroupPartner.Status.ACCEPTED
    ).values("group_id")
    groups = list(
        PracticeGroup.objects.filter(Q(host_id=organisation_id) | Q(pk__in=partnered))
        .select_related("host")
        .order_by("name")
    )
    return Scope(title=membership.organisation.name, groups=groups, organisation_id=organisation_id)


def _quarters(rows) -> list:
    return sorted(
        {
            row["quarter"].date() if hasattr(row["quarter"], "date") else row["quarter"]
            for row in rows
        }
    )


def _table(rows, *, value_of, groups: list[PracticeGroup]) -> Table:
    """Build a group-by-quarter table from SQL rows carrying n and the sums behind the value."""
    quarters = _quarters(rows)
    table = Table(rows=[g.pk for g in groups], columns=quarters)
    sums: dict = {}
    for row in rows:
        quarter = row["quarter"].date() if hasattr(row["quarter"], "date") else row["quarter"]
        key = (row["group"], quarter)
        table.cells[key] = Cell(n=row["n"], value=value_of(row["n"], row["sum"]), total=row["sum"])
        sums[key] = (row["n"], row["sum"])

    def combine(keys) -> Cell:
        n = sum(sums[k][0] for k in keys if k in sums)
        total = sum(sums[k][1] for k in keys if k in sums)
        return Cell(n=n, value=value_of(n, total) if n else None, total=total)

    for g in table.rows:
        table.row_totals[g] = combine([(g, q) for q in quarters])
    for q in quarters:
        table.column_totals[q] = combine([(g, q) for g in table.rows])
    table.total = combine(list(sums))
    return suppress_table(table)


def attendance_table(scope: Scope) -> Table:
    """Attendance rate (%) of held sessions by group and quarter; n = places booked."""
    rows = list(
        Booking.objects.filter(
            session__group_id__in=scope.group_ids,
            session__status=GroupSession.Status.HELD,
            status=Booking.Status.BOOKED,
        )
        .annotate(quarter=TruncQuarter("session__starts_at"), group=F("session__group_id"))
        .values("group", "quarter")
        .annotate(n=Count("id"), sum=Count("id", filter=Q(attendance__in=["present", "late"])))
        .order_by()
    )
    return _table(
        rows,
        value_of=lambda n, attended: round(100 * attended / n) if n else None,
        groups=scope.groups,
    )


def sessions_held(scope: Scope) -> dict[tuple[int, date], int]:
    """Sessions held per group and quarter: counts of meetings, not of people."""
    rows = (
        GroupSession.objects.filter(group_id__in=scope.group_ids, status=GroupSession.Status.HELD)
        .annotate(quarter=TruncQuarter("starts_at"))
        .values("group_id", "quarter")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {
        (r["group_id"], r["quarter"].date() if hasattr(r["quarter"], "date") else r["quarter"]): r[
            "n"
        ]
        for r in rows
    }


def measure_table(scope: Scope, measure: Measure) -> Table:
    """Mean score on a measure by group and quarter (of the questionnaire window); n = responses."""
    rows = list(
        Score.objects.filter(measure=measure, response__window__plan__group_id__in=scope.group_ids)
        .exclude(response__window__kind=QuestionnaireWindow.Kind.PULSE)
        .annotate(
            quarter=TruncQuarter("response__window__opens_at"),
            group=F("response__window__plan__group_id"),
        )
        .values("group", "quarter")
        .annotate(n=Count("id"), sum=Sum("value"))
        .order_by()
    )
    return _table(
        rows, value_of=lambda n, total: round(total / n, 2) if n else None, groups=scope.groups
    )


def pulse_table(scope: Scope) -> Table:
    rows = list(
        Score.objects.filter(
            measure__use=Measure.Use.PULSE,
            response__window__plan__group_id__in=scope.group_ids,
            response__window__kind=QuestionnaireWindow.Kind.PULSE,
        )
        .annotate(
            quarter=TruncQuarter("response__window__opens_at"),
            group=F("response__window__plan__group_id"),
        )
        .values("group", "quarter")
        .annotate(n=Count("id"), sum=Sum("value"))
        .order_by()
    )
    return _table(
        rows, value_of=lambda n, total: round(total / n, 2) if n else None, groups=scope.groups
    )


@dataclass
class Change:
    """Baseline to follow-up change for people who answered both (paired by pseudonym)."""

    measure: Measure
    months: int
    cell: Cell
    low: float | None = None
    high: float | None = None


def paired_changes(scope: Scope, measure: Measure) -> list[Change]:
    """Mean change with a 95% confidence interval (Student's t), per follow-up, in SQL."""
    baseline = Score.objects.filter(
        measure=measure,
        response__window__kind=QuestionnaireWindow.Kind.BASELINE,
        response__window__plan=OuterRef("response__window__plan"),
        response__pseudonym=OuterRef("response__pseudonym"),
    ).values("value")[:1]
    rows = (
        Score.objects.filter(
            measure=measure,
            response__window__kind=QuestionnaireWindow.Kind.FOLLOW_UP,
            response__window__plan__group_id__in=scope.group_ids,
        )
        .annotate(before=Subquery(baseline, output_field=FloatField()))
        .filter(before__isnull=False)
        .annotate(diff=F("value") - F("before"), months=F("response__window__months"))
        .values("months")
        .annotate(n=Count("id"), mean=Avg("diff"), sd=StdDev("diff", sample=True))
        .order_by("months")
    )
    changes = []
    for row in rows:
        cell = single(Cell(n=row["n"], value=round(row["mean"], 2)))
        change = Change(measure=measure, months=row["months"], cell=cell)
        if not cell.suppressed and row["n"] > 1 and row["sd"] is not None:
            margin = stats.t.ppf(0.975, row["n"] - 1) * row["sd"] / math.sqrt(row["n"])
            change.low, change.high = round(row["mean"] - margin, 2), round(row["mean"] + margin, 2)
        changes.append(change)
    return changes


def structure_comparison(scope: Scope, table: Table) -> dict[str, Cell]:
    """Mean score by group structure, built only from the groups' already-suppressed totals:
    a structure is shown only if every one of its groups is, and the breakdown is then
    suppressed again against the overall total, so the two views cannot be played off."""
    structures: dict[str, list[Cell]] = {}
    for group in scope.groups:
        cell = table.row_totals.get(group.pk)
        if cell is not None and cell.n:
            structures.setdefault(group.structure, []).append(cell)
    cells = {}
    for structure, parts in sorted(structures.items()):
        n, total = sum(c.n for c in parts), sum(c.total for c in parts)
        cell = Cell(n=n, value=round(total / n, 2), total=total)
        if any(c.suppressed for c in parts):
            cell.suppressed, cell.reason = True, parts[0].reason or str(PROTECTS_OTHERS)
        cells[structure] = cell
    overall = table.total or Cell(n=0)
    total = Cell(
        n=overall.n,
        value=overall.value,
        total=overall.total,
        suppressed=overall.suppressed,
        reason=overall.reason,
    )
    suppress_small_cells(cells, total)
    return {**cells, "all": total}


def pulse_comments(scope: Scope) -> list[str]:
    """Free-text comments, only from pulse windows answered by at least K people."""
    windows = (
        Response.objects.filter(
            window__plan__group_id__in=scope.group_ids, window__kind=QuestionnaireWindow.Kind.PULSE
        )
        .values("window")
        .annotate(n=Count("id"))
        .filter(n__gte=K)
        .values("window")
    )
    return list(
        Response.objects.filter(window__in=windows)
        .exclude(comment="")
        .order_by("-window__opens_at", "?")
        .values_list("comment", flat=True)[:50]
    )


@dataclass
class Dashboard:
    scope: Scope
    attendance: Table
    held: dict
    measures: list[tuple[Measure, Table, list[Change], dict[str, Cell]]] = field(
        default_factory=list
    )
    pulse: Table | None = None
    comments: list[str] = field(default_factory=list)


def dashboard_for(scope: Scope) -> Dashboard:
    measure_ids = (
        Score.objects.filter(response__window__plan__group_id__in=scope.group_ids)
        .exclude(measure__use=Measure.Use.PULSE)
        .values("measure_id")
        .distinct()
    )
    dashboard = Dashboard(
        scope=scope, attendance=attendance_table(scope), held=sessions_held(scope)
    )
    for measure in Measure.objects.filter(pk__in=measure_ids).order_by("name"):
        dashboard.measures.append(
            (
                measure,
                table := measure_table(scope, measure),
                paired_changes(scope, measure),
                structure_comparison(scope, table),
            )
        )
    dashboard.pulse = pulse_table(scope)
    dashboard.comments = pulse_comments(scope)
    return dashboard
