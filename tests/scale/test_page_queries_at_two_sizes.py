"""Every main page runs the same, small number of queries on a small and a larger seeded data
set, and none of them while its template renders.

Two data sets from the scale seeder live side by side in the test database: a small one (2
organisations, 3 weeks of history) and a larger one (3 organisations, 12 weeks: each person,
group and organisation holds four times as much, and the tables hold more than both). The same
people of the same roles open the same pages in each; the counts must match and stay within the
ceiling.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluation.figures_cache import figures_changed
from rp_portal.scale.seed import Seeder, seed_scale
from sessions.models import GroupSession
from tests.scale.zen import TemplateQueryError, no_queries_while_rendering

CEILING = 15


@dataclass(frozen=True)
class Page:
    name: str
    role: str
    url: object  # Seeder -> str
    ceiling: int = CEILING
    # Dashboards keep their figures between requests; measured as computed afresh, the most
    # they ever run (tests/evaluation/test_figures_cache.py counts what the cache saves).
    afresh: bool = False


def _group(seeder: Seeder):
    return seeder.groups_by[0, 3]  # the first organisation's multi-agency group


def _next_session(seeder: Seeder) -> GroupSession:
    return (
        GroupSession.objects.filter(group=_group(seeder), status=GroupSession.Status.SCHEDULED)
        .order_by("starts_at")
        .first()
    )


PAGES = [
    Page("floor (benchmark only)", "practitioner", lambda s: reverse("bench_floor")),
    Page("profile", "practitioner", lambda s: reverse("accounts:profile")),
    Page("home, practitioner", "practitioner", lambda s: reverse("home")),
    Page("home, facilitator", "facilitator", lambda s: reverse("home")),
    Page("home, manager", "manager", lambda s: reverse("home")),
    Page("my sessions", "practitioner", lambda s: reverse("sessions:mine")),
    Page(
        "my sessions, page 2",
        "practitioner",
        lambda s: reverse("sessions:mine") + "?page=2&open=2&past=2",
    ),
    Page("group page", "practitioner", lambda s: reverse("groups:detail", args=[_group(s).pk])),
    Page(
        "group page, facilitator",
        "facilitator",
        lambda s: reverse("groups:detail", args=[_group(s).pk]),
    ),
    Page(
        "sessions list",
        "facilitator",
        lambda s: reverse("sessions:group_sessions", args=[_group(s).pk]),
    ),
    Page(
        "sessions list, page 2",
        "facilitator",
        lambda s: reverse("sessions:group_sessions", args=[_group(s).pk]) + "?page=2&past=2",
    ),
    Page(
        "run-session register",
        "facilitator",
        lambda s: reverse("sessions:run", args=[_next_session(s).pk]),
    ),
    Page("journal list", "practitioner", lambda s: reverse("journals:list")),
    Page("journal list, page 2", "practitioner", lambda s: reverse("journals:list") + "?page=2"),
    Page("journal search", "practitioner", lambda s: reverse("journals:list") + "?q=case"),
    Page("my questionnaires", "practitioner", lambda s: reverse("evaluation:mine")),
    Page(
        "group dashboard",
        "facilitator",
        lambda s: reverse("evaluation:group_dashboard", args=[_group(s).pk]),
        afresh=True,
    ),
    Page(
        "manager dashboard",
        "manager",
        lambda s: reverse("evaluation:dashboard", args=[s.orgs[0].pk]),
        afresh=True,
    ),
]
PEOPLE = {"practitioner": (0, 7), "facilitator": (0, 6), "manager": (0, 1)}


@pytest.fixture
def two_sizes(db):
    small = seed_scale(organisations=2, weeks_past=16, weeks_future=3, tag="small")
    large = seed_scale(organisations=3, weeks_past=40, weeks_future=8, tag="large", seed=7)
    return small, large


def _measure(client, seeder: Seeder, page: Page) -> list[str]:
    client.force_login(seeder.users[PEOPLE[page.role]])
    url = page.url(seeder)
    client.get(url)  # warm-up: per-process caches (content types, the library measures)
    if page.afresh:
        figures_changed()
    with CaptureQueriesContext(connection) as context, no_queries_while_rendering():
        response = client.get(url)
    assert response.status_code == 200, f"{page.name}: {url} answered {response.status_code}"
    return [query["sql"] for query in context.captured_queries]


def _shape(sql: str) -> str:
    """The query without its values, so the same query for other people compares equal."""
    sql = re.sub(r"'[^']*'(::\w+)?", "?", sql)
    sql = re.sub(r"\b\d+\b", "?", sql)
    return re.sub(r"IN \([?, ]+\)", "IN (...)", sql)


def _extra(large: list[str], small: list[str]) -> list[str]:
    return list((Counter(map(_shape, large)) - Counter(map(_shape, small))).elements())


def test_every_main_page_runs_the_same_queries_at_both_sizes_and_none_while_rendering(
    client, two_sizes, settings
):
    settings.ROOT_URLCONF = "rp_portal.scale.urls"  # the production URLs and the floor
    small, large = two_sizes
    problems, counts = [], {}
    for page in PAGES:
        try:
            at_small, at_large = _measure(client, small, page), _measure(client, large, page)
        except TemplateQueryError as error:
            problems.append(f"{page.name}: a query ran while the template rendered: {error}")
            continue
        counts[page.name] = (len(at_small), len(at_large))
        if len(at_small) != len(at_large):
            problems.append(
                f"{page.name}: {len(at_small)} queries small, {len(at_large)} larger; only at the "
                "larger size:\n  " + "\n  ".join(_extra(at_large, at_small))
            )
        if len(at_large) > page.ceiling:
            problems.append(f"{page.name}: {len(at_large)} queries (at most {page.ceiling})")
    print("\n".join(f"{name}: {a} / {b}" for name, (a, b) in counts.items()))
    assert not problems, "\n".join(problems)


def test_the_journal_and_session_lists_are_paginated_on_seeded_data(client, db):
    seeder = seed_scale(organisations=1, weeks_past=30, weeks_future=25)  # 32 entries each
    client.force_login(seeder.users[PEOPLE["practitioner"]])

    first = client.get(reverse("journals:list")).content.decode()
    second = client.get(reverse("journals:list"), {"page": 2}).content.decode()

    assert "page=2" in first
    assert first.count('href="/journal/') > second.count('href="/journal/') > 0
    client.force_login(seeder.users[PEOPLE["facilitator"]])
    url = reverse("sessions:group_sessions", args=[_group(seeder).pk])
    response = client.get(url)
    rest = client.get(url, {"page": 2, "past": 2})
    for name in ("upcoming", "past"):  # about 25 to come and 30 held, 20 a page
        first_page, second_page = response.context[name], rest.context[name]
        assert len(first_page) == 20
        assert 0 < len(second_page) == first_page.paginator.count - 20
