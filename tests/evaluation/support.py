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
    """Every <table> of a page: the section (h2) and heading above it, its id, its caption and
    its (th, td) rows."""

    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self.heading = ""
        self.section = ""
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
            self._table = {
                "heading": self.heading,
                "section": self.section,
                "id": dict(attrs).get("id", ""),
                "caption": "",
                "head": [],
                "rows": [],
            }
        elif tag == "tr":
            self._row = []

    def handle_endtag(self, tag):
        if tag == self._in:
            text = " ".join("".join(self._text).split())
            if tag in {"h1", "h2", "h3"}:
                self.heading = text
                if tag == "h2":
                    self.section = text
            elif tag == "caption" and self._table is not None:
                self._table["caption"] = text
            elif tag in {"th", "td"}:
                self._row.append(text)
            self._in = None
        elif tag == "thead":
            self._head = False
        elif tag == "tr" and self._table is not None and self._row:
            self._table["head" if self._head else "rows"].append(self._row)
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


# --- Sessions for attendance -------------------------------------------------------------


def held_session(group, day: date, people, *, came: int | None = None, hour: int = 14):
    """A held session on ``day`` (London time) with a place booked by each of ``people``; the
    first ``came`` of them came (all of them unless given), the others were absent."""
    from sessions.models import Booking, GroupSession

    starts = london(day, hour)
    session = GroupSession.objects.create(
        organisation=group.host, group=group, starts_at=starts,
        ends_at=starts + timedelta(minutes=90), capacity=max(len(people), 1),
        status=GroupSession.Status.HELD, held_at=starts + timedelta(minutes=90),
    )  # fmt: skip
    came = len(people) if came is None else came
    Booking.objects.bulk_create(
        Booking(
            session=session,
            user=person,
            status=Booking.Status.BOOKED,
            attendance=Booking.Attendance.PRESENT if index < came else Booking.Attendance.ABSENT,
        )
        for index, person in enumerate(people)
    )
    return session


# --- The figures a view shows, and what can be worked out from them ------------------------


def view_figures(view) -> dict[tuple, object]:
    """Every figure a view (``evaluation.reports.View``) lays out, shown or hidden, keyed by
    (host organisation id, figure key): the same key on two pages is the same figure."""
    found = {}
    for section in view.sections:
        family = section.family.organisation_id
        blocks = section.blocks + [m.trend for m in section.measures]
        for block in blocks:
            for row in block.rows:
                for figure in row.cells.values():
                    found[(family, figure.key)] = figure
        for measure in section.measures:
            for line in measure.changes:
                found[(family, line.figure.key)] = line.figure
    return found


def shown_figures(view) -> dict[tuple, object]:
    return {k: f for k, f in view_figures(view).items() if not f.suppressed}


def pseudonym_owners(labels, plans) -> dict[str, str]:
    """Who is behind each pseudonym token (as the dashboard cuts it) for the given respondent
    labels (see ``respond``) and plans."""
    from evaluation.dashboard import TOKEN_LENGTH

    return {
        pseudonym("test", label, plan.pk)[:TOKEN_LENGTH]: label
        for label in labels
        for plan in plans
    }


def person_label(user) -> str:
    """The label under which a user answers in these tests, so a booking and an answer by the
    same person are seen as one person."""
    return f"user-{user.pk}"


def real_people(parts, owners: dict[str, str]) -> dict:
    """The real people behind each part: booking tokens are user ids, answer tokens pseudonyms
    (mapped back through ``owners``). An unknown token stands for a person of its own."""
    people = {}
    for key, part in parts.items():
        people[key] = {
            owners.get(token) or (f"user-{token}" if token.isdigit() else f"?{token}")
            for token in part.tokens
        }
    return people


def small_sets_worked_out(figures, people_of: dict, k: int = 5) -> list[tuple]:
    """Every set of parts behind 1 to k-1 real people whose sum follows from the figures
    (adding and subtracting them): rank(A) > rank(A without the set's columns). Sets are grown
    part by part while they stay under k people, so large worlds stay quick."""
    import numpy as np

    keys = sorted({key for f in figures for key, c in f.parts.items() if c}, key=repr)
    index = {key: i for i, key in enumerate(keys)}
    matrix = np.zeros((max(len(figures), 1), len(keys)))
    for row, figure in enumerate(figures):
        for key, coefficient in figure.parts.items():
            matrix[row, index[key]] = coefficient
    full = np.linalg.matrix_rank(matrix)
    small = [key for key in keys if 0 < len(people_of.get(key, ())) < k]
    leaks = []

    def grow(chosen: tuple, people: set, start: int) -> None:
        rest = [i for i in range(len(keys)) if keys[i] not in chosen]
        without = np.linalg.matrix_rank(matrix[:, rest]) if rest else 0
        if without < full:
            leaks.append(chosen)
            return
        for position in range(start, len(small)):
            more = people | people_of[small[position]]
            if len(more) < k:
                grow((*chosen, small[position]), more, position + 1)

    for position, key in enumerate(small):
        grow((key,), set(people_of[key]), position + 1)
    return leaks
