"""Helpers for evaluation tests: the measure library, plans, open windows, answers, and
pseudonymous responses written straight to the database (as the demo data does), plus a reader
for the figures a dashboard page actually shows."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

from django.utils import timezone

from evaluation.library import ensure_library
from evaluation.models import EvaluationPlan, Measure, QuestionnaireWindow, Response, Score
from evaluation.services import measures_for_window, plan_save
from rp_portal.crypto import pseudonym
from tests.factories import GroupMemberFactory, MembershipFactory, PracticeGroupFactory

LONDON = ZoneInfo("Europe/London")

WELLBEING = "wellbeing-and-stress"
CONFIDENCE = "confidence-in-practice"
TEAM_TALK = "thinking-and-talking-in-the-team"
HABITS = "reflective-habits"
CHANGE = "change-in-practice"
PULSE = "session-pulse"

# Three groups' baseline answers: three, six and seven people.
SMALL = [1.25, 1.5, 1.75]  # mean 1.5
MIDDLE = [4.25, 4.75, 4.5, 4.5, 4.25, 4.75]  # mean 4.5
LARGE = [2.75, 3.25, 3.0, 3.0, 2.5, 3.5, 3.0]  # mean 3.0

TOO_FEW = "fewer than 5 responses"
PROTECTS = "hidden so that a smaller figure cannot be worked out from it"


def library() -> dict[str, Measure]:
    """The shipped measures by key."""
    ensure_library()
    return {m.key: m for m in Measure.objects.filter(organisation=None)}


def london(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=LONDON)


def member_of(group, *, role: str = "member", **roles):
    """A new person of the group's host organisation, in the group."""
    user = MembershipFactory(organisation=group.host, **roles).user
    GroupMemberFactory(group=group, user=user, role=role)
    return user


def make_plan(group, actor, measures, *, follow_ups=(3,), pulse=True, baseline=None):
    """A plan through the service, with the baseline opening today."""
    return plan_save(
        group=group,
        actor=actor,
        measures=list(measures),
        baseline_opens=baseline or timezone.localdate(),
        follow_up_months=list(follow_ups),
        pulse=pulse,
    )


def open_now(window: QuestionnaireWindow, *, days_left: int = 7) -> QuestionnaireWindow:
    """Move a window so that it is open right now."""
    now = timezone.now()
    QuestionnaireWindow.objects.filter(pk=window.pk).update(
        opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=days_left)
    )
    window.refresh_from_db()
    return window


def baseline_of(plan) -> QuestionnaireWindow:
    return plan.windows.get(kind=QuestionnaireWindow.Kind.BASELINE)


def follow_up_of(plan, months: int) -> QuestionnaireWindow:
    return plan.windows.get(kind=QuestionnaireWindow.Kind.FOLLOW_UP, months=months)


def full_answers(window: QuestionnaireWindow, value: int | str = 3) -> dict[str, str]:
    """An answer for every question of the window, all the same value."""
    return {
        f"{m.pk}:{item['key']}": str(value) for m in measures_for_window(window) for item in m.items
    }


def counts() -> dict[str, int]:
    from evaluation.models import Completion

    return {
        "responses": Response.objects.count(),
        "completions": Completion.objects.count(),
        "scores": Score.objects.count(),
        "plans": EvaluationPlan.objects.count(),
        "measures": Measure.objects.count(),
    }


# --- Data for dashboards, written straight to the database --------------------------------


def bare_plan(group, measures, *, pulse: bool = True) -> EvaluationPlan:
    plan = EvaluationPlan.objects.create(
        group=group, baseline_opens=date(2025, 1, 15), follow_up_months=[3], pulse=pulse
    )
    plan.measures.set(measures)
    return plan


def window_on(plan, kind: str, day: date, *, months: int = 0, session=None):
    opens = london(day)
    return QuestionnaireWindow.objects.create(
        plan=plan,
        kind=kind,
        months=months,
        session=session,
        opens_at=opens,
        closes_at=opens + timedelta(days=14),
    )


def respond(window, who: str, scores: dict[Measure, float], comment: str = "") -> Response:
    """One pseudonymous response: ``who`` is only a label, hashed with the plan as in production."""
    response = Response.objects.create(
        window=window, pseudonym=pseudonym("test", who, window.plan_id), comment=comment
    )
    Score.objects.bulk_create(
        Score(response=response, measure=m, value=value) for m, value in scores.items()
    )
    return response


def group_with_answers(
    org, name: str, measure: Measure, values: list[float], *, structure="team", day=None
):
    """A group whose baseline (in the quarter of ``day``) was answered with ``values``."""
    group = PracticeGroupFactory(host=org, name=name, structure=structure)
    plan = bare_plan(group, [measure])
    window = window_on(plan, QuestionnaireWindow.Kind.BASELINE, day or date(2025, 2, 10))
    for index, value in enumerate(values):
        respond(window, f"{name}-{index}", {measure: value})
    return group


# --- What a page shows --------------------------------------------------------------------


class _Tables(HTMLParser):
    """Every <table> of a page: the heading above it, its caption and its (th, td) rows."""

    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self.heading = ""
        self._in: str | None = None
        self._text: list[str] = []
        self._row: list[str] = []
        self._table: dict | None = None
        self._head = False

    def handle_starttag(self, tag, attrs):
        if tag in {"h1", "h2", "h3", "caption", "th", "td"}:
            self._in, self._text = tag, []
        elif tag == "thead":
            self._head = True
        elif tag == "table":
            self._table = {"heading": self.heading, "caption": "", "rows": []}
        elif tag == "tr":
            self._row = []

    def handle_endtag(self, tag):
        if tag == self._in:
            text = " ".join("".join(self._text).split())
            if tag in {"h1", "h2", "h3"}:
                self.heading = text
            elif tag == "caption" and self._table is not None:
                self._table["caption"] = text
            elif tag in {"th", "td"}:
                self._row.append(text)
            self._in = None
        elif tag == "thead":
            self._head = False
        elif tag == "tr" and self._table is not None and self._row and not self._head:
            self._table["rows"].append(self._row)
        elif tag == "table" and self._table is not None:
            self.tables.append(self._table)
            self._table = None

    def handle_data(self, data):
        if self._in:
            self._text.append(data)


def page_tables(html: str) -> list[dict]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def number_or_none(text: str) -> float | None:
    try:
        return float(text.rstrip("%"))
    except ValueError:
        return None


# --- Working out hidden figures from visible ones ------------------------------------------

STRUCTURE_LABELS = {
    "Team": "team",
    "Organisational": "organisational",
    "Multi-agency": "multi_agency",
}


def visible_means(client, pages, groups, measure_name: str) -> list[tuple[frozenset, float]]:
    """Every visible mean of one measure on the given pages, each with the set of cells
    (group id, quarter label) it is the mean of. ``pages`` holds (url, ids of the groups the
    page shows); ``groups`` every group of the scope."""
    by_name = {g.name: g.pk for g in groups}
    structure_of = {g.pk: g.structure for g in groups}
    every = frozenset(by_name.values())
    found = []
    for url, shown in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        quarters: set[str] = set()
        rows = []
        for table in page_tables(response.content.decode()):
            if table["heading"] == measure_name and table["caption"] == "Mean score by quarter":
                for label, value in table["rows"]:
                    quarter = label.split(" · ")[-1]
                    quarters.add(quarter)
                    if number_or_none(value) is None:
                        continue
                    if " · " in label:
                        members = {by_name[label.split(" · ")[0]]}
                    elif shown == every:
                        members = set(every)
                    else:
                        [only] = shown
                        members = {only}
                    rows.append((members, quarter, float(value)))
            if table["heading"] == "By group structure":
                for label, value in table["rows"]:
                    if number_or_none(value) is not None:
                        key = STRUCTURE_LABELS.get(label)
                        members = {g for g, s in structure_of.items() if label == "All" or s == key}
                        rows.append((members, None, float(value)))
        found.extend((frozenset(m), q, v) for m, q, v in rows)
    return found


def cells_of(equations, cells: dict[tuple[int, str], int]):
    """Turn (groups, quarter or None for all quarters, value) into (set of cells, value)."""
    return [
        (frozenset(k for k in cells if k[0] in groups and (quarter is None or k[1] == quarter)), v)
        for groups, quarter, v in equations
    ]


def worked_out(equations, cells: dict[tuple[int, str], int], target: set) -> float | None:
    """The mean of the ``target`` cells if it follows from the visible means, else None. A
    visible mean of a set of cells gives their summed scores (mean x people): a linear
    equation. The target follows exactly when its indicator lies in the equations' span."""
    import numpy as np

    keys = sorted(cells)
    equations = [(members, value) for members, value in equations if members]
    if not equations:
        return None
    matrix = np.array([[1.0 if k in members else 0.0 for k in keys] for members, _v in equations])
    goal = np.array([1.0 if k in target else 0.0 for k in keys])
    if np.linalg.matrix_rank(np.vstack([matrix, goal])) > np.linalg.matrix_rank(matrix):
        return None
    sums = np.array([value * sum(cells[k] for k in members) for members, value in equations])
    solution = np.linalg.lstsq(matrix, sums, rcond=None)[0]
    return float(goal @ solution) / sum(cells[k] for k in target)
