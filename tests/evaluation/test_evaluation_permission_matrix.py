"""Every URL of the evaluation feature, for every kind of visitor, for GET and for an empty POST.

Dashboards are for the organisation's managers and admins (anyone else: 404, as if there were
no such organisation); a group's evaluation page and plan for those who run the group (members
without that role: 403; outsiders: 404); questionnaires for the group's members; measure import
for the organisation's admins. An anonymous visitor is sent to sign in. A URL without a row
fails ``test_every_evaluation_url_has_a_row_in_the_matrix``.
"""

from __future__ import annotations

import pytest
from django.urls import URLResolver, get_resolver, reverse

from evaluation.models import (
    Completion,
    EvaluationPlan,
    Measure,
    QuestionnaireWindow,
    Response,
    Score,
)
from evaluation.services import response_submit
from rp_portal.audit.models import AuditEvent
from rp_portal.documents.models import DocumentBuild
from tests.evaluation.support import (
    HABITS,
    baseline_of,
    full_answers,
    library,
    make_plan,
    open_now,
)

ROLES = ("anonymous", "practitioner", "facilitator", "manager", "org_admin", "outsider")

# (status for GET, status for an empty POST)
LOGIN = (302, 302)  # anonymous: sent to the sign-in page
PAGE = (200, 200)  # a page; an empty POST leaves its form unbound (or unanswered) and re-renders
ACTION = (405, 302)  # POST only; the POST redirects (to the document's progress page)
FORBIDDEN = (403, 403)
HIDDEN = (404, 404)
ACTION_HIDDEN = (405, 404)  # 405 comes before any lookup, so it tells nothing
ACTION_FORBIDDEN = (405, 403)
ACTION_LOGIN = (405, 302)  # POST only: a GET is refused before anything else, a POST signs in

# fmt: off
MATRIX: dict[str, tuple[tuple[int, int], ...]] = {
    # name              anonymous  practitioner    facilitator     manager         org_admin  outsider
    # Those who run the group choose its measures.
    "plan":            (LOGIN,     FORBIDDEN,      PAGE,           FORBIDDEN,      PAGE,      HIDDEN),
    # Everyone signed in has their own list (empty when there is nothing to answer).
    "mine":            (LOGIN,     PAGE,           PAGE,           PAGE,           PAGE,      PAGE),
    # Members answer; an empty answer is a message on the page. Managers are not members.
    "answer":          (LOGIN,     PAGE,           PAGE,           FORBIDDEN,      FORBIDDEN, HIDDEN),
    # The organisation's figures: its managers and admins only, 404 for everyone else.
    # Importing measures is the organisation admins' job.
    "measures":        (LOGIN,     FORBIDDEN,      FORBIDDEN,      FORBIDDEN,      PAGE,      HIDDEN),
    # The organisation's dashboard and its PDF report: managers and admins; others 404.
    "dashboard":       (LOGIN,     HIDDEN,         HIDDEN,         PAGE,           PAGE,      HIDDEN),
    "report":          (ACTION_LOGIN, ACTION_HIDDEN, ACTION_HIDDEN, ACTION,        ACTION,    ACTION_HIDDEN),
    # A group's own figures: those who run the group.
    "group_dashboard": (LOGIN,     FORBIDDEN,      PAGE,           FORBIDDEN,      PAGE,      HIDDEN),
    "group_report":    (ACTION_LOGIN, ACTION_FORBIDDEN, ACTION,     ACTION_FORBIDDEN, ACTION, ACTION_HIDDEN),
}
# fmt: on

NOT_RIVERSIDES = {"mine"}

SNAPSHOT_MODELS = [
    Response,
    Completion,
    Score,
    EvaluationPlan,
    QuestionnaireWindow,
    Measure,
    DocumentBuild,
    AuditEvent,
]


def _evaluation_patterns() -> dict:
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "evaluation":
            return {p.name: p for p in entry.url_patterns}
    raise AssertionError("No URLconf is included under the evaluation namespace.")


EVALUATION_PATTERNS = _evaluation_patterns()


def _snapshot() -> dict[str, list[dict]]:
    return {
        model.__name__: list(model.objects.order_by("pk").values()) for model in SNAPSHOT_MODELS
    }


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in SNAPSHOT_MODELS}


def _url_kwargs(world) -> dict[str, object]:
    """Team RP has a plan with an open baseline, which the facilitator has already answered
    (so the snapshot has responses, completions and scores to protect)."""
    plan = make_plan(world.group, world.facilitator, [library()[HABITS]])
    window = open_now(baseline_of(plan))
    response_submit(window=window, user=world.facilitator, answers=full_answers(window))
    # An empty POST by the facilitator then re-renders "you have answered" and stores nothing.
    return {"group_id": world.group.pk, "org_id": world.org.pk, "window_id": window.pk}


def _visitor(world, role: str):
    return {
        "anonymous": None,
        "practitioner": world.practitioner,
        "facilitator": world.facilitator,
        "manager": world.manager,
        "org_admin": world.admin,
        "outsider": world.outsider,
    }[role]


def test_every_evaluation_url_has_a_row_in_the_matrix():
    assert set(EVALUATION_PATTERNS) == set(MATRIX), (
        "URLs without a row: "
        f"{sorted(set(EVALUATION_PATTERNS) - set(MATRIX))}; "
        f"rows without a URL: {sorted(set(MATRIX) - set(EVALUATION_PATTERNS))}"
    )


def test_the_world_gives_an_id_for_every_part_of_every_evaluation_url(world):
    kwargs = _url_kwargs(world)
    for name, pattern in EVALUATION_PATTERNS.items():
        needed = set(pattern.pattern.converters)
        assert needed <= set(kwargs), f"{name} needs {needed - set(kwargs)}"


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(EVALUATION_PATTERNS))
def test_each_visitor_gets_the_expected_status_and_only_allowed_visitors_change_anything(
    client, world, settings, tmp_path, name, role, method
):
    assert name in MATRIX, f"evaluation:{name} has no row in the permission matrix"
    settings.MEDIA_ROOT = tmp_path
    kwargs = _url_kwargs(world)
    pattern = EVALUATION_PATTERNS[name]
    url = reverse(f"evaluation:{name}", kwargs={k: kwargs[k] for k in pattern.pattern.converters})
    visitor = _visitor(world, role)
    if visitor is not None:
        client.force_login(visitor)
    expected = MATRIX[name][ROLES.index(role)][0 if method == "GET" else 1]
    before, before_counts = _snapshot(), _counts()

    response = client.get(url) if method == "GET" else client.post(url, {})

    assert response.status_code == expected, (
        f"{method} evaluation:{name} as {role}: expected {expected}, got {response.status_code}"
    )
    if expected == 302 and role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    refused = expected in {403, 404, 405} or role == "anonymous"
    if refused:
        assert _snapshot() == before, f"{method} evaluation:{name} as {role} changed data"
    if name == "answer" and method == "POST":
        # An empty answer stores nothing, whoever sends it.
        assert _counts() == before_counts
    if role == "outsider":
        assert _counts() == before_counts
        assert _snapshot() == before, f"{method} evaluation:{name} as the outsider changed data"
        if name not in NOT_RIVERSIDES and method == "POST":
            assert expected == 404
        body = response.content.decode(errors="replace")
        assert "Riverside" not in body
        assert "Team RP" not in body


def test_the_outsider_cannot_answer_or_import_into_riverside(client, world):
    kwargs = _url_kwargs(world)
    client.force_login(world.outsider)
    before = _counts()
    window = QuestionnaireWindow.objects.get(pk=kwargs["window_id"])
    answers = {
        f"item-{library()[HABITS].pk}:{item['key']}": "5" for item in library()[HABITS].items
    }

    assert client.post(reverse("evaluation:answer", args=[window.pk]), answers).status_code == 404
    measures = reverse("evaluation:measures", args=[world.org.pk])
    definition = {"definition": "name: Spy measure\nitems: [One, Two]"}
    assert client.post(measures, definition).status_code == 404
    plan = reverse("evaluation:plan", args=[world.group.pk])
    form = {"measures": library()[HABITS].pk, "baseline_opens": "2030-01-01", "window_days": 14}
    assert client.post(plan, form).status_code == 404

    assert _counts() == before
    assert not Measure.objects.filter(name="Spy measure").exists()
