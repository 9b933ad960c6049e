"""Evaluation pages: who sees which dashboard, filters, the CSV and the PDF report (suppressed
like the pages), answering questionnaires, my questionnaires, measure import and the plan."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation.models import Completion, EvaluationPlan, Measure, QuestionnaireWindow, Response
from evaluation.services import measure_import, pulse_windows_open, response_submit
from rp_portal.documents.models import DocumentBuild
from sessions.models import Booking, GroupSession
from tests.evaluation.support import (
    CONFIDENCE,
    HABITS,
    LARGE,
    LONDON,
    MIDDLE,
    PROTECTS,
    TEAM_TALK,
    TOO_FEW,
    WELLBEING,
    bare_plan,
    baseline_of,
    counts,
    follow_up_of,
    full_answers,
    group_with_answers,
    library,
    make_plan,
    number_or_none,
    open_now,
    page_tables,
    respond,
    window_on,
)
from tests.factories import MembershipFactory, OrganisationFactory, PracticeGroupFactory
from tests.pdf_support import pdf_reader, pdf_text, stored_pdf
from tests.sessions.fixtures_views import book, make_session, soon

FORMULA_GROUP = '=HYPERLINK("http://evil.example.test","Open")'


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def _measure_rows(response, heading="Reflective habits") -> list[list[str]]:
    for table in page_tables(response.content.decode()):
        if table["heading"] == heading and table["caption"] == "Mean score by quarter":
            return table["rows"]
    raise AssertionError(f"no 'Mean score by quarter' table under {heading}")


# ---------------------------------------------------------------------------------------------
# Who sees which dashboard
# ---------------------------------------------------------------------------------------------


def test_a_manager_sees_their_organisations_dashboard(client, world, answered):
    response = _get(client, world.manager, reverse("evaluation:dashboard", args=[world.org.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Is reflective practice working?" in body
    assert "Riverside" in body
    # Q3 (four people) is hidden, so Q2 is hidden too: the overall figure is shown.
    assert _measure_rows(response) == [
        ["2025 Q1", "3.28"],
        ["2025 Q2", PROTECTS],
        ["2025 Q3", TOO_FEW],
    ]


def test_an_admin_sees_their_organisations_dashboard_too(client, world, answered):
    response = _get(client, world.admin, reverse("evaluation:dashboard", args=[world.org.pk]))
    assert response.status_code == 200


def test_a_manager_of_another_organisation_gets_404_everywhere(client, world, answered):
    stranger = MembershipFactory(
        organisation=world.other_org, is_manager=True, is_practitioner=False
    ).user
    client.force_login(stranger)
    assert client.get(reverse("evaluation:dashboard", args=[world.org.pk])).status_code == 404
    assert client.get(reverse("evaluation:csv", args=[world.org.pk])).status_code == 404
    assert client.post(reverse("evaluation:report", args=[world.org.pk])).status_code == 404
    assert not DocumentBuild.objects.exists()
    # Their own organisation's dashboard is theirs to see.
    assert client.get(reverse("evaluation:dashboard", args=[world.other_org.pk])).status_code == 200


@pytest.mark.parametrize("who", ["practitioner", "facilitator"])
def test_people_who_neither_manage_nor_run_the_organisation_get_404_for_its_dashboard(
    client, world, answered, who
):
    client.force_login(getattr(world, who))
    assert client.get(reverse("evaluation:dashboard", args=[world.org.pk])).status_code == 404
    assert client.get(reverse("evaluation:csv", args=[world.org.pk])).status_code == 404


def test_the_facilitator_sees_their_groups_evaluation_page_and_a_practitioner_does_not(
    client, world
):
    habits = library()[HABITS]
    plan = bare_plan(world.group, [habits])
    window = window_on(plan, "baseline", date(2025, 2, 10))
    for index, value in enumerate(MIDDLE):
        respond(window, f"p{index}", {habits: value})
    url = reverse("evaluation:group_dashboard", args=[world.group.pk])

    response = _get(client, world.facilitator, url)
    assert response.status_code == 200
    assert _measure_rows(response) == [["2025 Q1", "4.5"]]
    assert _get(client, world.practitioner, url).status_code == 403
    assert _get(client, world.manager, url).status_code == 403
    assert _get(client, world.outsider, url).status_code == 404


# ---------------------------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------------------------


def test_filters_by_group_and_structure_choose_the_rows_shown(client, world, answered):
    _habits, groups = answered
    url = reverse("evaluation:dashboard", args=[world.org.pk])
    client.force_login(world.manager)

    large = client.get(url, {"group": groups["large"].pk})
    assert _measure_rows(large)[:2] == [["2025 Q1", "3.0"], ["2025 Q2", "2.5"]]
    small = client.get(url, {"group": groups["small"].pk})
    assert _measure_rows(small) == [["2025 Q1", TOO_FEW]]
    team = client.get(url, {"structure": "team"})
    assert _measure_rows(team) == [
        ["Middle RP · 2025 Q1", PROTECTS],
        ["Middle RP · 2025 Q3", TOO_FEW],
        ["Small RP · 2025 Q1", TOO_FEW],
    ]
    multi = client.get(url, {"structure": "multi_agency"})
    assert _measure_rows(multi) == _measure_rows(large)
    # The filter form keeps the choice.
    assert re.search(
        rf'<option value="{groups["large"].pk}" selected>Large RP</option>', large.content.decode()
    )


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"group": "small"},
        {"group": "middle"},
        {"group": "large"},
        {"structure": "team"},
        {"structure": "multi_agency"},
        {"structure": "organisational"},
        {"group": "small", "structure": "team"},
        {"group": "large", "structure": "team"},
        {"group": "not-a-number"},
        {"group": "999999"},
        {"structure": "nonsense"},
    ],
)
def test_a_hidden_figure_stays_hidden_whatever_the_filter(client, world, answered, query):
    _habits, groups = answered
    params = {k: (groups[v].pk if v in groups else v) for k, v in query.items()}
    client.force_login(world.manager)
    response = client.get(reverse("evaluation:dashboard", args=[world.org.pk]), params)
    assert response.status_code == 200
    rows = _measure_rows(response)
    shown = {number_or_none(value) for _label, value in rows} - {None}
    # The small group (1.5) and the middle group (4.5) in 2025 Q1, and the middle group's four
    # in Q3 (5.0), never appear as figures.
    assert not shown & {1.5, 4.5, 5.0}
    for label, value in rows:
        if label.startswith(("Small RP", "Middle RP")) or (
            "group" in query and query["group"] in {"small", "middle"}
        ):
            assert number_or_none(value) is None, (label, value)


# ---------------------------------------------------------------------------------------------
# The CSV
# ---------------------------------------------------------------------------------------------


def _people_per_group_and_quarter(habits) -> dict[tuple[str, str], int]:
    """Counted here from the stored responses: distinct pseudonyms per group and quarter."""
    people: dict[tuple[str, str], set[str]] = {}
    for response in Response.objects.select_related("window__plan__group"):
        opens = response.window.opens_at.astimezone(LONDON)
        quarter = f"{opens.year} Q{(opens.month - 1) // 3 + 1}"
        group = response.window.plan.group.name
        people.setdefault((group, quarter), set()).add(response.pseudonym)
        people.setdefault(("all groups", quarter), set()).add(response.pseudonym)
    return {key: len(value) for key, value in people.items()}


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_csv_has_no_figure_from_fewer_than_five_people_and_says_why_a_figure_is_hidden(
    client, world, answered
):
    habits, _groups = answered
    response = _get(client, world.manager, reverse("evaluation:csv", args=[world.org.pk]))
    assert response.status_code == 200
    header, *rows = _csv(response)
    assert header == ["figure", "group", "quarter", "value", "note"]
    people = _people_per_group_and_quarter(habits)

    means = [r for r in rows if r[0] == "Reflective habits (mean score)"]
    assert ["Reflective habits (mean score)", "Small RP", "2025 Q1", "", TOO_FEW] in means
    assert ["Reflective habits (mean score)", "Middle RP", "2025 Q1", "", PROTECTS] in means
    assert ["Reflective habits (mean score)", "Large RP", "2025 Q1", "3.0", ""] in means
    assert ["Reflective habits (mean score)", "all groups", "2025 Q1", "3.28", ""] in means
    for _figure, group, quarter, value, note in means:
        if value:
            assert people[(group, quarter)] >= 5, (group, quarter, value)
            assert note == ""
        else:
            assert note in {TOO_FEW, PROTECTS}, (group, quarter)
    changes = {r[0]: r for r in rows if ": change at" in r[0]}
    assert changes["Reflective habits: change at 3 months"][3] == "-0.5"
    assert changes["Reflective habits: change at 6 months"][3:] == ["", TOO_FEW]


def test_the_csv_neutralises_cells_a_spreadsheet_would_run_as_formulas(client, world):
    habits = library()[HABITS]
    formula_measure = measure_import(
        organisation=world.org,
        actor=world.admin,
        text="name: '@SUM(1+1)'\nkey: at-sum\nitems: [One, Two]\n",
    )
    group = group_with_answers(world.org, FORMULA_GROUP, habits, LARGE)
    plan = group.evaluation_plan
    plan.measures.add(formula_measure)
    window = plan.windows.get()
    for index in range(5):
        respond(window, f"f{index}", {formula_measure: 2.0})
    plus = group_with_answers(world.org, "+1 RP", habits, LARGE)
    assert plus

    rows = _csv(_get(client, world.manager, reverse("evaluation:csv", args=[world.org.pk])))

    cells = [cell for row in rows for cell in row]
    assert f"'{FORMULA_GROUP}" in cells
    assert "'@SUM(1+1) (mean score)" in cells
    assert "'+1 RP" in cells
    for cell in cells:
        assert not cell.startswith(("=", "+", "@")), cell
        if cell.startswith("-"):
            assert number_or_none(cell) is not None, cell


# ---------------------------------------------------------------------------------------------
# The PDF report
# ---------------------------------------------------------------------------------------------


def test_the_pdf_report_is_built_with_the_organisations_name_and_the_reasons_for_hidden_figures(
    client, world, answered, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evaluation:report", args=[world.org.pk]))

    build = DocumentBuild.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:status", args=[build.pk])
    assert build.kind == "evaluation-report"
    assert build.owner == world.manager
    text = pdf_text(stored_pdf(build))
    assert "Riverside" in text
    assert "Is reflective practice working?" in text
    assert "Reflective habits" in text
    assert "fewer than 5 responses" in text  # the 6-month change from four people
    assert "-0.50" in text  # the 3-month change of the seven
    status = client.get(reverse("documents:status", args=[build.pk]))
    assert "Your document is ready." in status.content.decode()


def test_the_pdf_report_of_one_group_shows_that_group_only(
    client, world, answered, settings, tmp_path, django_capture_on_commit_callbacks
):
    _habits, groups = answered
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.manager)
    url = reverse("evaluation:report", args=[world.org.pk]) + f"?group={groups['small'].pk}"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)

    build = DocumentBuild.objects.get()
    assert build.inputs["groups"] == [groups["small"].pk]
    text = pdf_text(stored_pdf(build))
    assert "Mean score 2025 Q1 fewer than 5 responses" in text
    # Neither the overall figures nor the other groups' quarters are in this report.
    assert "3.28" not in text
    assert "2025 Q2" not in text


def test_a_long_pdf_report_runs_onto_more_pages_instead_of_being_cut_off(
    client, world, settings, tmp_path, django_capture_on_commit_callbacks
):
    chosen = library()
    measures = [chosen[key] for key in (WELLBEING, HABITS, CONFIDENCE, TEAM_TALK)]
    plan = bare_plan(world.group, measures)
    for number, day in enumerate((date(2025, 1, 10), date(2025, 4, 10), date(2025, 7, 10))):
        window = window_on(plan, "follow_up" if number else "baseline", day, months=3 * number)
        for index in range(6):
            respond(window, f"p{index}", dict.fromkeys(measures, 2.0 + number * 0.5))
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("evaluation:report", args=[world.org.pk]))

    content = stored_pdf(DocumentBuild.objects.get())
    text = pdf_text(content)
    missing = [m.name for m in measures if m.name not in text]
    assert not missing, (
        f"the report stops after {len(pdf_reader(content).pages)} page(s); "
        f"these measures are missing: {missing}"
    )
    assert len(pdf_reader(content).pages) >= 2


# ---------------------------------------------------------------------------------------------
# Answering
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def open_baseline(world):
    chosen = library()
    plan = make_plan(world.group, world.facilitator, [chosen[WELLBEING], chosen[HABITS]])
    return open_now(baseline_of(plan))


def _form(window, value="3") -> dict[str, str]:
    return {f"item-{key}": v for key, v in full_answers(window, value).items()}


def test_the_answer_page_stores_the_answers_without_a_name(client, world, open_baseline):
    url = reverse("evaluation:answer", args=[open_baseline.pk])
    page = _get(client, world.practitioner, url)
    assert page.status_code == 200
    body = page.content.decode()
    for name in _form(open_baseline):
        assert f'name="{name}"' in body

    response = client.post(url, _form(open_baseline, "4"), follow=True)

    assert response.redirect_chain == [(reverse("evaluation:mine"), 302)]
    assert "Your answers are stored without your name." in response.content.decode()
    assert Response.objects.count() == 1
    assert Completion.objects.filter(user=world.practitioner, window=open_baseline).exists()
    again = client.get(url)
    assert "You have answered this questionnaire" in again.content.decode()
    client.post(url, _form(open_baseline, "1"))
    assert Response.objects.count() == 1


def test_a_forged_item_shows_the_message_keeps_the_choices_and_stores_nothing(
    client, world, open_baseline
):
    url = reverse("evaluation:answer", args=[open_baseline.pk])
    form = _form(open_baseline, "4") | {"item-999:q1": "3"}
    before = counts()

    response = _get(client, world.practitioner, url)
    response = client.post(url, form)

    assert response.status_code == 200
    body = response.content.decode()
    assert "The form had questions that are not part of this questionnaire." in body
    assert counts() == before
    first = next(iter(_form(open_baseline)))
    assert re.search(
        rf'name="{re.escape(first)}" id="{re.escape(first)}-4" value="4" checked', body
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"first": "9"}, "Choose one of the answers offered."),
        ({"first": "<script>"}, "Choose one of the answers offered."),
        ({"drop": True}, "Please answer every question."),
    ],
)
def test_bad_answers_show_a_message_and_store_nothing(
    client, world, open_baseline, change, message
):
    url = reverse("evaluation:answer", args=[open_baseline.pk])
    form = _form(open_baseline)
    first = next(iter(form))
    if change.get("drop"):
        form.pop(first)
    else:
        form[first] = change["first"]
    client.force_login(world.practitioner)

    response = client.post(url, form)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert counts()["responses"] == 0


def test_a_closed_questionnaire_says_so_and_takes_no_answers(client, world, open_baseline):
    QuestionnaireWindow.objects.filter(pk=open_baseline.pk).update(
        closes_at=timezone.now() - timedelta(minutes=1)
    )
    url = reverse("evaluation:answer", args=[open_baseline.pk])
    response = _get(client, world.practitioner, url)
    assert "This questionnaire is closed." in response.content.decode()
    response = client.post(url, _form(open_baseline))
    assert response.status_code == 200
    assert "closed" in response.content.decode()
    assert counts()["responses"] == 0


def test_my_questionnaires_lists_open_windows_i_have_not_answered(client, world):
    chosen = library()
    plan = make_plan(world.group, world.facilitator, [chosen[HABITS]], follow_ups=[3, 6])
    baseline = open_now(baseline_of(plan))
    answered_one = open_now(follow_up_of(plan, 3))
    response_submit(
        window=answered_one, user=world.practitioner, answers=full_answers(answered_one)
    )
    # The 6-month follow-up is still to come. A closed pulse, a pulse I missed, and one I came to.
    came = make_session(world.group, starts_at=soon(hours=-5), status=GroupSession.Status.HELD)
    missed = make_session(world.group, starts_at=soon(hours=-4), status=GroupSession.Status.HELD)
    book(came, world.practitioner, attendance=Booking.Attendance.PRESENT)
    book(missed, world.practitioner, attendance=Booking.Attendance.ABSENT)
    pulse_windows_open()
    old = make_session(world.group, starts_at=soon(days=-20), status=GroupSession.Status.HELD)
    book(old, world.practitioner, attendance=Booking.Attendance.PRESENT)
    QuestionnaireWindow.objects.create(
        plan=plan,
        kind="pulse",
        session=old,
        opens_at=timezone.now() - timedelta(days=19),
        closes_at=timezone.now() - timedelta(days=12),
    )
    # Another organisation's open window.
    theirs = make_plan(world.other_group, world.outsider, [chosen[HABITS]])
    open_now(baseline_of(theirs))

    response = _get(client, world.practitioner, reverse("evaluation:mine"))

    assert response.status_code == 200
    links = re.findall(r'href="/questionnaires/(\d+)/"', response.content.decode())
    came_window = QuestionnaireWindow.objects.get(session=came)
    assert sorted(int(pk) for pk in links) == sorted([baseline.pk, came_window.pk])
    nothing = _get(client, world.manager, reverse("evaluation:mine"))
    assert "Nothing to answer right now." in nothing.content.decode()


# ---------------------------------------------------------------------------------------------
# Measures and plans
# ---------------------------------------------------------------------------------------------


def test_an_admin_imports_a_measure_and_bad_yaml_is_refused_with_a_message(client, world):
    url = reverse("evaluation:measures", args=[world.org.pk])
    page = _get(client, world.admin, url)
    assert page.status_code == 200
    assert "Wellbeing and stress" in page.content.decode()
    before = Measure.objects.count()

    bad = client.post(url, {"definition": "name: [unclosed\nitems: {"})
    assert bad.status_code == 200
    assert "This is not valid JSON or YAML" in bad.content.decode()
    two = client.post(url, {"definition": "name: Lonely\nitems: [Only one]"})
    assert "“items” must be a list of 2 to 30 questions." in two.content.decode()
    assert Measure.objects.count() == before

    good = client.post(
        url,
        {"definition": "name: Team resilience\nlicence: Licence 42\nitems: [Bounce back, Ask]"},
        follow=True,
    )
    assert good.redirect_chain == [(url, 302)]
    assert "“Team resilience” is imported" in good.content.decode()
    assert "Licence 42" in good.content.decode()
    assert Measure.objects.get(organisation=world.org).name == "Team resilience"


def _step_three(client, group) -> str:
    body = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    match = re.search(r'<li class="([^"]*)" id="step-measures">', body)
    assert match, "no step 3 on the group page"
    return match.group(1)


def test_the_plan_page_saves_a_plan_and_step_three_of_the_checklist_is_done(client, world):
    chosen = library()
    client.force_login(world.facilitator)
    assert "step-done" not in _step_three(client, world.group)
    url = reverse("evaluation:plan", args=[world.group.pk])
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "measures": [chosen[WELLBEING].pk, chosen[HABITS].pk],
            "baseline_opens": (timezone.localdate() + timedelta(days=7)).isoformat(),
            "window_days": "14",
            "follow_up_months": "6, 3",
            "pulse": "on",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("groups:detail", args=[world.group.pk])
    plan = EvaluationPlan.objects.get(group=world.group)
    assert set(plan.measures.all()) == {chosen[WELLBEING], chosen[HABITS]}
    assert plan.follow_up_months == [3, 6]
    assert plan.pulse
    assert plan.windows.count() == 3
    assert "step-done" in _step_three(client, world.group)
    again = client.get(url).content.decode()
    assert "6-month follow-up" in again
    assert 'value="3, 6"' in again


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"follow_up_months": "3"}, "Choose at least one measure"),
        ({"follow_up_months": "3, six", "measures": "habits"}, "Use whole numbers of months"),
        ({"follow_up_months": "40", "measures": "habits"}, "between 1 and 36 months"),
        ({"follow_up_months": "3", "measures": "pulse"}, "Select a valid choice"),
    ],
)
def test_the_plan_page_refuses_a_bad_plan_with_a_message(client, world, form, message):
    chosen = library()
    keys = {"habits": "reflective-habits", "pulse": "session-pulse"}
    data = {
        "baseline_opens": timezone.localdate().isoformat(),
        "window_days": "14",
        **form,
    }
    if "measures" in data:
        data["measures"] = chosen[keys[data["measures"]]].pk
    client.force_login(world.facilitator)

    response = client.post(reverse("evaluation:plan", args=[world.group.pk]), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not EvaluationPlan.objects.exists()
    assert not QuestionnaireWindow.objects.exists()


# ---------------------------------------------------------------------------------------------
# Caching
# ---------------------------------------------------------------------------------------------


def test_questionnaires_and_dashboards_are_never_cached(client, world, open_baseline):
    urls = {
        "mine": (world.practitioner, reverse("evaluation:mine")),
        "answer": (world.practitioner, reverse("evaluation:answer", args=[open_baseline.pk])),
        "dashboard": (world.manager, reverse("evaluation:dashboard", args=[world.org.pk])),
        "csv": (world.manager, reverse("evaluation:csv", args=[world.org.pk])),
        "group": (
            world.facilitator,
            reverse("evaluation:group_dashboard", args=[world.group.pk]),
        ),
    }
    for name, (user, url) in urls.items():
        response = _get(client, user, url)
        assert response.status_code == 200, name
        assert "no-store" in response.get("Cache-Control", ""), name


def test_the_dashboard_of_a_multi_agency_partner_includes_the_shared_group(client, world):
    """A partner organisation's manager sees the multi-agency groups it takes part in."""
    from groups.models import GroupPartner

    habits = library()[HABITS]
    partner_org = OrganisationFactory(name="Partner Trust")
    partner_manager = MembershipFactory(
        organisation=partner_org, is_manager=True, is_practitioner=False
    ).user
    shared = group_with_answers(world.org, "Shared RP", habits, LARGE, structure="multi_agency")
    GroupPartner.objects.create(
        group=shared, organisation=partner_org, status=GroupPartner.Status.ACCEPTED
    )
    PracticeGroupFactory(host=world.org, name="Riverside only RP")

    response = _get(client, partner_manager, reverse("evaluation:dashboard", args=[partner_org.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Shared RP" in body
    assert "Riverside only RP" not in body
    assert "Team RP" not in body
    assert _measure_rows(response) == [["2025 Q1", "3.0"]]


def test_the_facilitators_page_of_a_group_of_three_shows_no_figure(client, world):
    habits = library()[HABITS]
    plan = bare_plan(world.group, [habits])
    window = window_on(plan, "baseline", date(2025, 2, 10))
    for index, value in enumerate([1.0, 2.0, 5.0]):
        respond(window, f"p{index}", {habits: value})

    response = _get(
        client, world.facilitator, reverse("evaluation:group_dashboard", args=[world.group.pk])
    )

    assert _measure_rows(response) == [["2025 Q1", TOO_FEW]]
    assert "2.67" not in response.content.decode()


def test_a_questionnaire_that_does_not_exist_is_a_404_not_an_error(client, world):
    response = _get(client, world.practitioner, reverse("evaluation:answer", args=[999_999]))
    assert response.status_code == 404
