"""The figures managers and facilitators see: every number comes out of SQL aggregates and goes
through ``evaluation.disclosure.protect`` before it reaches a page, a CSV or a PDF.

Everything is computed per *host organisation* (a ``Family``): all of its groups, by calendar
quarter (in the site's time zone, whoever is looking). A manager sees their organisation's
family, plus the rows of the multi-agency groups they take part in, cut from the *host's* family;
a facilitator sees their group's rows, cut from the same family. Views and filters only choose
which of those already-protected figures to show, so whatever one person can see is a subset of
protected families and combines no further.

Only finished quarters are shown (and only questionnaires that have closed), so a figure never
changes once it has been shown.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    CharField,
    Count,
    F,
    Q,
    Sum,
    Window,
)
from django.db.models.functions import Cast, Coalesce, RowNumber, Substr, TruncQuarter
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from scipy import stats

from evaluation.disclosure import Figure, Part, People, protect
from evaluation.models import Measure, QuestionnaireWindow, Response, Score
from groups.models import PracticeGroup
from sessions.models import Booking, GroupSession

ATTENDED = [Booking.Attendance.PRESENT, Booking.Attendance.LATE]
TOKEN_LENGTH = 16  # of a pseudonym: plenty to tell people apart, and a clash only undercounts


class Tokens(Aggregate):
    """The distinct values of an expression in a group, as one comma-separated string."""

    function = "STRING_AGG"
    template = "%(function)s(DISTINCT %(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        clone = self.copy()
        clone.function = "GROUP_CONCAT"
        clone.template = "%(function)s(DISTINCT %(expressions)s)"
        return clone.as_sql(compiler, connection, **extra)


def _split(tokens: str | None) -> frozenset:
    return frozenset(t for t in (tokens or "").split(",") if t)


def site_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def quarter_of(moment) -> date:
    if isinstance(moment, datetime):
        moment = moment.astimezone(site_zone()).date()
    return date(moment.year, 3 * ((moment.month - 1) // 3) + 1, 1)


def quarter_label(quarter: date) -> str:
    return f"{quarter.year} Q{(quarter.month - 1) // 3 + 1}"


def current_quarter_start() -> datetime:
    today = timezone.now().astimezone(site_zone()).date()
    start = quarter_of(today)
    return datetime(start.year, start.month, 1, tzinfo=site_zone())


def _quarter(expression: str) -> TruncQuarter:
    return TruncQuarter(expression, tzinfo=site_zone())


def _day(value) -> date:
    return value.astimezone(site_zone()).date() if isinstance(value, datetime) else value


# --- What a page shows --------------------------------------------------------------------


@dataclass
class Row:
    key: tuple  # ("all",) | ("structure", code) | ("group", id)
    label: str
    cells: dict[date, Figure] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.key[0]


@dataclass
class Block:
    """One metric laid out as rows by quarter (attendance, a measure, the pulse…)."""

    key: str
    title: str
    unit: str  # "percent" | "score" | "count"
    rows: list[Row]
    scale: tuple[float, float] = (0, 100)
    help: str = ""


@dataclass
class ChangeLine:
    row_key: tuple
    label: str
    months: int
    quarter: date
    figure: Figure


@dataclass
class MeasureBlock:
    measure: Measure
    trend: Block
    changes: list[ChangeLine]


@dataclass
class Family:
    """Everything for one host organisation's groups, protected as a whole."""

    organisation_id: int
    groups: list[PracticeGroup]
    quarters: list[date]
    held: dict[tuple[int, date], int]
    blocks: list[Block]
    measures: list[MeasureBlock]
    comments: dict[int, dict[date, list[str]]]  # group -> quarter -> texts; never cached
    pulse_shown: list[tuple[int, date]] = field(default_factory=list)  # (group, quarter)
    before: datetime | None = None  # the start of the quarter it was computed in
    cache_key: str = ""  # set when it came from, or went into, the cache


STRUCTURES = dict(PracticeGroup.Structure.choices)


def structures_of(groups) -> set[str]:
    """Every structure the groups have or had (figures of past quarters may use an old one)."""
    return {g.structure for g in groups} | {
        change["structure"] for g in groups for change in g.structure_history
    }


def _row_labels(groups, organisation_name: str) -> dict[tuple, str]:
    labels = {("all",): _("All groups hosted by %(org)s") % {"org": organisation_name}}
    for structure in structures_of(groups):
        labels[("structure", structure)] = _("All %(structure)s groups") % {
            "structure": str(STRUCTURES.get(structure, structure)).lower()
        }
    for group in groups:
        labels[("group", group.pk)] = group.name
    return labels


def structure_in(group, quarter: date) -> str:
    """The structure ``group`` had when ``quarter`` ended: its figures for that quarter count
    under it, whatever the group has become since."""
    month = quarter.month + 3
    ended = datetime(quarter.year + (month > 12), (month - 1) % 12 + 1, 1, tzinfo=site_zone())
    for change in group.structure_history:  # oldest first
        if datetime.fromisoformat(change["until"]) >= ended:
            return change["structure"]
    return group.structure


def _rows_for(group, quarter: date) -> list[tuple]:
    return [("all",), ("structure", structure_in(group, quarter)), ("group", group.pk)]


def _layout(
    *,
    name: str,
    groups: list[PracticeGroup],
    cells: dict[tuple[int, date], dict],
    parts_of,
) -> list[Figure]:
    """Figures for every (row, quarter): a group's own cell, its structure and the whole host.
    ``cells`` maps (group, quarter) to {"n": count, "sum": total}; ``parts_of(group, quarter)``
    names the parts (with coefficients) behind that cell."""
    sums: dict[tuple, dict] = defaultdict(lambda: {"n": 0, "sum": 0.0, "parts": {}})
    by_id = {g.pk: g for g in groups}
    for (group_id, quarter), values in cells.items():
        group = by_id.get(group_id)
        if group is None:
            continue
        for row in _rows_for(group, quarter):
            entry = sums[(row, quarter)]
            entry["n"] += values["n"]
            entry["sum"] += values["sum"] or 0
            entry["parts"].update(parts_of(group_id, quarter))
    return [
        Figure(
            key=(name, row, quarter),
            parts=entry["parts"],
            epoch=quarter,
            value=None,
            extra={"count": entry["n"], "sum": entry["sum"]},
        )
        for (row, quarter), entry in sums.items()
    ]


def _mean(figure: Figure, places: int = 2) -> None:
    count = figure.extra["count"]
    figure.value = round(figure.extra["sum"] / count, places) if count else None


def _percent(figure: Figure) -> None:
    count = figure.extra["count"]
    figure.value = round(100 * figure.extra["sum"] / count) if count else None


def build_family(organisation) -> Family:
    """Compute and protect every figure of one host organisation, pulse comments included."""
    family = build_families([organisation])[organisation.pk]
    attach_comments([family])
    return family


def build_families(organisations) -> dict[int, Family]:
    """Compute and protect every figure of several host organisations with one set of queries
    (the same nine however many hosts), each host protected as a family of its own. Pulse
    comments are not included: ``attach_comments`` adds them (they are free text, so they are
    never kept in a cache with the figures)."""
    hosts = {organisation.pk: organisation for organisation in organisations}
    if not hosts:
        return {}
    groups = list(
        PracticeGroup.objects.filter(host_id__in=hosts).only(
            "id", "name", "structure", "structure_history", "host_id"
        )
    )
    group_ids = [g.pk for g in groups]
    before = current_quarter_start()
    data = _Data(before=before)

    # Sessions held: meetings, not people, so shown as they are.
    data.held = {
        (row["group_id"], _day(row["quarter"])): row["n"]
        for row in GroupSession.objects.filter(
            group_id__in=group_ids, status=GroupSession.Status.HELD, starts_at__lt=before
        )
        .annotate(quarter=_quarter("starts_at"))
        .values("group_id", "quarter")
        .annotate(n=Count("id"))
        .order_by()
    }

    # Attendance: bookings of held sessions; people are the booked (a person who has erased
    # their account still counts once, by the anonymous reference their bookings keep).
    person = Coalesce(Cast("user_id", CharField()), "erased_ref", output_field=CharField())
    data.attendance = list(
        Booking.objects.filter(
            session__group_id__in=group_ids,
            session__status=GroupSession.Status.HELD,
            session__starts_at__lt=before,
            status=Booking.Status.BOOKED,
        )
        .annotate(quarter=_quarter("session__starts_at"), group=F("session__group_id"), who=person)
        .values("group", "quarter")
        .annotate(
            n=Count("id"),
            came=Count("id", filter=Q(attendance__in=ATTENDED)),
            booked=Tokens("who"),
            attended=Tokens("who", filter=Q(attendance__in=ATTENDED)),
        )
        .order_by()
    )

    # Measures on baseline and follow-up questionnaires: per window, with pseudonym tokens.
    closed = Q(
        response__window__plan__group_id__in=group_ids, response__window__closes_at__lt=before
    )
    token = Substr("response__pseudonym", 1, TOKEN_LENGTH)
    data.scores = list(
        Score.objects.filter(closed)
        .exclude(response__window__kind=QuestionnaireWindow.Kind.PULSE)
        .annotate(
            group=F("response__window__plan__group_id"),
            window=F("response__window_id"),
            kind=F("response__window__kind"),
            quarter=_quarter("response__window__closes_at"),
        )
        .values("measure_id", "group", "window", "kind", "quarter")
        .annotate(n=Count("id"), total=Sum("value"), who=Tokens(token))
        .order_by()
    )
    data.windows = {
        w["id"]: w
        for w in QuestionnaireWindow.objects.filter(
            plan__group_id__in=group_ids, closes_at__lt=before
        )
        .exclude(kind=QuestionnaireWindow.Kind.PULSE)
        .values("id", "kind", "months", "closes_at", group=F("plan__group_id"))
    }

    # Never empty (no window has id 0), so the query runs whatever the data: a page's query
    # count does not depend on what it shows.
    follow_ups = [
        pk for pk, w in data.windows.items() if w["kind"] == QuestionnaireWindow.Kind.FOLLOW_UP
    ] or [0]
    baselines = [
        pk for pk, w in data.windows.items() if w["kind"] == QuestionnaireWindow.Kind.BASELINE
    ] or [0]
    data.changes = _changes(follow_ups, baselines)
    measure_ids = {row["measure_id"] for row in data.scores}
    data.measures = {m.pk: m for m in Measure.objects.filter(pk__in=measure_ids)}
    # The session pulse: per group and quarter.
    data.pulse = list(
        Score.objects.filter(closed, response__window__kind=QuestionnaireWindow.Kind.PULSE)
        .annotate(
            group=F("response__window__plan__group_id"),
            quarter=_quarter("response__window__closes_at"),
        )
        .values("group", "quarter")
        .annotate(n=Count("id"), total=Sum("value"), who=Tokens(token))
        .order_by()
    )

    by_host: dict[int, list[PracticeGroup]] = defaultdict(list)
    for group in groups:
        by_host[group.host_id].append(group)
    return {
        pk: _protected_family(organisation, by_host[pk], data.only(by_host[pk]))
        for pk, organisation in hosts.items()
    }


def _changes(follow_ups: list[int], baselines: list[int]) -> list[dict]:
    """Per measure and follow-up window: how many people answered both it and the baseline,
    and the sum and sum of squares of their change. Each follow-up score is joined to the same
    person's baseline score: a pseudonym is keyed by person and plan, and there is one baseline
    window per plan, one response per window and pseudonym and one score per response and
    measure (constraints), so each pair is found once. Written in SQL so that PostgreSQL starts
    from the follow-up windows' responses and looks the baselines up by index; the ORM's
    correlated subquery made it read every score."""
    score, response = Score._meta.db_table, Response._meta.db_table
    marks = ", ".join(["%s"] * len(follow_ups)), ", ".join(["%s"] * len(baselines))
    sql = f"""
        SELECT f.measure_id, fr.window_id, COUNT(*),
               SUM(f.value - b.value), SUM((f.value - b.value) * (f.value - b.value))
        FROM {response} fr
        JOIN {score} f ON f.response_id = fr.id
        JOIN {response} br ON br.pseudonym = fr.pseudonym AND br.window_id IN ({marks[1]})
        JOIN {score} b ON b.response_id = br.id AND b.measure_id = f.measure_id
        WHERE fr.window_id IN ({marks[0]})
        GROUP BY f.measure_id, fr.window_id
    """  # noqa: S608 -- table names from the models, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [*baselines, *follow_ups])
        return [
            {"measure_id": m, "window": w, "n": n, "total": total, "squares": squares}
            for m, w, n, total, squares in cursor.fetchall()
        ]


@dataclass
class _Data:
    """The aggregate rows behind one or more families, before protection."""

    before: datetime
    held: dict = field(default_factory=dict)
    attendance: list = field(default_factory=list)
    scores: list = field(default_factory=list)
    changes: list = field(default_factory=list)
    measures: dict = field(default_factory=dict)
    windows: dict = field(default_factory=dict)
    pulse: list = field(default_factory=list)

    def only(self, groups) -> _Data:
        """The rows of these groups only (one host's)."""
        ids = {g.pk for g in groups}
        windows = {pk: w for pk, w in self.windows.items() if w["group"] in ids}
        return _Data(
            before=self.before,
            held={cell: n for cell, n in self.held.items() if cell[0] in ids},
            attendance=[r for r in self.attendance if r["group"] in ids],
            scores=[r for r in self.scores if r["group"] in ids],
            changes=[r for r in self.changes if r["window"] in windows],
            measures=self.measures,
            windows=windows,
            pulse=[r for r in self.pulse if r["group"] in ids],
        )


def _protected_family(organisation, groups: list[PracticeGroup], data: _Data) -> Family:
    figures: list[Figure] = []
    parts: list[Part] = []
    held = data.held
    booked_cells, active_cells = {}, {}
    for row in data.attendance:
        cell = (row["group"], _day(row["quarter"]))
        parts.append(Part(("booked", *cell), _split(row["booked"])))
        attended = _split(row["attended"])
        parts.append(Part(("came", *cell), attended))
        booked_cells[cell] = {"n": row["n"], "sum": row["came"]}
        active_cells[cell] = {"n": len(attended), "sum": 0}
    attendance = _layout(
        name="attendance",
        groups=groups,
        cells=booked_cells,
        parts_of=lambda g, q: {("booked", g, q): 1},
    )
    active = _layout(
        name="active",
        groups=groups,
        cells=active_cells,
        parts_of=lambda g, q: {("came", g, q): 1},
    )
    for figure in attendance:
        _percent(figure)
    everyone = People(parts)
    for figure in active:
        # Different people, across groups too.
        figure.value = figure.extra["count"] = everyone.count(figure.parts)
    figures += attendance + active

    score_rows, change_rows, windows = data.scores, data.changes, data.windows
    measure_ids = sorted({row["measure_id"] for row in score_rows})
    measures = data.measures
    measure_figures: dict[int, tuple[list[Figure], list[Figure]]] = {}
    for measure_id in measure_ids:
        trend, changes = _measure_figures(
            measure_id,
            [r for r in score_rows if r["measure_id"] == measure_id],
            [r for r in change_rows if r["measure_id"] == measure_id],
            windows,
            groups,
            parts,
        )
        measure_figures[measure_id] = (trend, changes)
        figures += trend + changes

    pulse_cells = {}
    for row in data.pulse:
        cell = (row["group"], _day(row["quarter"]))
        parts.append(Part(("pulse", *cell), _split(row["who"]), domain=row["group"]))
        pulse_cells[cell] = {"n": row["n"], "sum": row["total"]}
    pulse = _layout(
        name="pulse",
        groups=groups,
        cells=pulse_cells,
        parts_of=lambda g, q: {("pulse", g, q): 1},
    )
    for figure in pulse:
        _mean(figure)
    figures += pulse

    protect(figures, parts)
    for figure in figures:
        if figure.suppressed:
            # A hidden figure keeps only how many answers or places it stood for, never what
            # they added up to (families are kept in the cache).
            figure.value = None
            figure.extra = {k: v for k, v in figure.extra.items() if k == "count"}

    quarters = sorted({f.epoch for f in figures} | {q for _g, q in held})
    labels = _row_labels(groups, organisation.name)
    blocks = [
        _block(
            "attendance",
            _("Attendance rate"),
            "percent",
            attendance,
            labels,
            help=_(
                "Of the places booked on sessions that were held, the share where the person came."
            ),
        ),
        _block(
            "active",
            _("People who came at least once"),
            "count",
            active,
            labels,
            help=_(
                "How many different people came in the quarter: whether the group keeps its members."
            ),
            scale=None,
        ),
    ]
    if pulse:
        blocks.append(
            _block(
                "pulse",
                _("Session pulse"),
                "score",
                pulse,
                labels,
                help=_(
                    "Mean of the three pulse questions after each session, 1 (low) to 5 (high)."
                ),
                scale=(1, 5),
            )
        )
    measure_blocks = []
    for measure_id in measure_ids:
        measure = measures[measure_id]
        trend, changes = measure_figures[measure_id]
        block = _block(
            f"measure-{measure_id}",
            measure.name,
            "score",
            trend,
            labels,
            help=measure.description,
            scale=(measure.scale_min, measure.scale_max),
        )
        lines = [
            ChangeLine(
                row_key=f.key[1], label=labels[f.key[1]], months=f.key[2], quarter=f.epoch, figure=f
            )
            for f in changes
        ]
        lines.sort(key=lambda line: (_row_order(line.row_key, groups), line.months, line.quarter))
        measure_blocks.append(MeasureBlock(measure=measure, trend=block, changes=lines))
    return Family(
        organisation_id=organisation.pk,
        groups=groups,
        quarters=quarters,
        held=held,
        blocks=blocks,
        measures=measure_blocks,
        comments={},
        pulse_shown=sorted(
            (f.key[1][1], f.epoch) for f in pulse if f.key[1][0] == "group" and not f.suppressed
        ),
        before=data.before,
    )


def _measure_figures(measure_id, score_rows, change_rows, windows, groups, parts):
    """Trend figures (group/structure/host by quarter of closing) and baseline-to-follow-up
    change figures, over parts that separate the paired people from the others."""
    tokens = {row["window"]: _split(row["who"]) for row in score_rows}
    by_group: dict[int, list[int]] = defaultdict(list)
    for window_id in tokens:
        by_group[windows[window_id]["group"]].append(window_id)
    window_parts: dict[int, dict[tuple, int]] = {}
    baseline_of: dict[int, int] = {}  # group -> its baseline window
    for group_id, window_ids in by_group.items():
        base = [w for w in window_ids if windows[w]["kind"] == QuestionnaireWindow.Kind.BASELINE]
        base_tokens = tokens[base[0]] if base else frozenset()
        follow = [w for w in window_ids if windows[w]["kind"] == QuestionnaireWindow.Kind.FOLLOW_UP]
        for window_id in follow:
            paired = tokens[window_id] & base_tokens
            keys = {
                ("m", measure_id, window_id, "paired"): paired,
                ("m", measure_id, window_id, "alone"): tokens[window_id] - paired,
            }
            for key, people in keys.items():
                parts.append(Part(key, people, domain=group_id))
            window_parts[window_id] = dict.fromkeys(keys, 1)
        if base:
            baseline_of[group_id] = base[0]
            signatures: dict[frozenset, set] = defaultdict(set)
            for person in base_tokens:
                signatures[frozenset(w for w in follow if person in tokens[w])].add(person)
            window_parts[base[0]] = {}
            for signature, people in signatures.items():
                key = ("m", measure_id, base[0], tuple(sorted(signature)))
                parts.append(Part(key, frozenset(people), domain=group_id))
                window_parts[base[0]][key] = 1

    cells: dict[tuple[int, date], dict] = defaultdict(lambda: {"n": 0, "sum": 0.0})
    cell_windows: dict[tuple[int, date], list[int]] = defaultdict(list)
    for row in score_rows:
        cell = (row["group"], _day(row["quarter"]))
        cells[cell]["n"] += row["n"]
        cells[cell]["sum"] += row["total"]
        cell_windows[cell].append(row["window"])

    def trend_parts(group_id, quarter):
        merged = {}
        for window_id in cell_windows[(group_id, quarter)]:
            merged.update(window_parts.get(window_id, {}))
        return merged

    trend = _layout(
        name=f"measure-{measure_id}", groups=groups, cells=dict(cells), parts_of=trend_parts
    )
    for figure in trend:
        _mean(figure)

    # Change: +1 on the follow-up's paired part, -1 on every baseline part paired with it.
    by_id = {g.pk: g for g in groups}
    sums: dict[tuple, dict] = defaultdict(lambda: {"n": 0, "sum": 0.0, "squares": 0.0, "parts": {}})
    for row in change_rows:
        window = windows.get(row["window"])
        if window is None or window["group"] not in by_id:
            continue
        group = by_id[window["group"]]
        quarter = quarter_of(window["closes_at"])
        vector = {("m", measure_id, row["window"], "paired"): 1}
        for key in window_parts.get(baseline_of.get(window["group"]), {}):
            if row["window"] in key[3]:
                vector[key] = -1
        for line in _rows_for(group, quarter):
            entry = sums[(line, window["months"], quarter)]
            entry["n"] += row["n"]
            entry["sum"] += row["total"]
            entry["squares"] += row["squares"]
            entry["parts"].update(vector)
    changes = []
    for (line, months, quarter), entry in sums.items():
        figure = Figure(
            key=(f"change-{measure_id}", line, months),
            parts=entry["parts"],
            epoch=quarter,
            extra={"count": entry["n"], "sum": entry["sum"], "squares": entry["squares"]},
        )
        _change_statistics(figure)
        changes.append(figure)
    # The key must be unique per quarter too.
    for figure in changes:
        figure.key = (*figure.key, figure.epoch)
    return trend, changes


def _change_statistics(figure: Figure) -> None:
    """Mean change with a 95% confidence interval from Student's t distribution."""
    n, total, squares = figure.extra["count"], figure.extra["sum"], figure.extra["squares"]
    if not n:
        return
    mean = total / n
    figure.value = round(mean, 2)
    if n > 1:
        variance = max((squares - n * mean * mean) / (n - 1), 0.0)
        margin = stats.t.ppf(0.975, n - 1) * math.sqrt(variance / n)
        figure.extra["low"], figure.extra["high"] = round(mean - margin, 2), round(mean + margin, 2)


def _row_order(key: tuple, groups) -> tuple:
    if key[0] == "all":
        return (0, "")
    if key[0] == "structure":
        return (1, key[1])
    names = {g.pk: g.name for g in groups}
    return (2, names.get(key[1], ""))


def _block(key, title, unit, figures, labels, *, help="", scale=(0, 100)) -> Block:
    rows: dict[tuple, Row] = {}
    for figure in figures:
        row_key = figure.key[1]
        row = rows.setdefault(row_key, Row(key=row_key, label=labels.get(row_key, "")))
        row.cells[figure.epoch] = figure
    ordered = sorted(rows.values(), key=lambda r: (r.kind != "all", r.kind != "structure", r.label))
    if scale is None:
        top = max((f.value or 0 for f in figures if not f.suppressed), default=0)
        scale = (0, max(5, top))
    return Block(key=key, title=str(title), unit=unit, rows=ordered, scale=scale, help=str(help))


COMMENTS_SHOWN = 30  # per group and quarter, the first in alphabetical order


def attach_comments(families: list[Family]) -> None:
    """Pulse comments by group and quarter, only from group quarters whose pulse figure is
    shown, at most ``COMMENTS_SHOWN`` each, sorted by text so their order says nothing about
    who wrote them or when. One query for all the families (none when no pulse figure is
    shown), which returns at most that many per group and quarter."""
    shown = sorted({(g, q) for family in families for g, q in family.pulse_shown})
    for family in families:
        family.comments = {}
    if not shown:
        return
    quarter = _quarter("window__closes_at")
    rows = (
        Response.objects.filter(
            window__kind=QuestionnaireWindow.Kind.PULSE,
            window__plan__group_id__in={g for g, _q in shown},
            window__closes_at__lt=min(family.before for family in families if family.pulse_shown),
        )
        .exclude(comment="")
        .annotate(
            group=F("window__plan__group_id"),
            quarter=quarter,
            place=Window(
                RowNumber(),
                partition_by=[F("window__plan__group_id"), quarter],
                order_by=[F("comment").asc(), F("pk").asc()],
            ),
        )
        .filter(place__lte=COMMENTS_SHOWN)
        .values_list("group", "quarter", "comment")
    )
    comments: dict[int, dict[date, list[str]]] = defaultdict(lambda: defaultdict(list))
    shown_cells = set(shown)
    for group_id, at, comment in rows:
        quarter = _day(at)
        if (group_id, quarter) in shown_cells:
            comments[group_id][quarter].append(comment)
    for family in families:
        ids = {g.pk for g in family.groups}
        family.comments = {
            g: {q: sorted(texts) for q, texts in sorted(by_quarter.items())}
            for g, by_quarter in comments.items()
            if g in ids
        }


NOT_YET = gettext_lazy(
    "Figures appear once a quarter has ended and its questionnaires have closed."
)
