"""Every form of the project, fed random and hostile values (huge, empty, unicode, HTML,
SQL-looking, NUL bytes, wrong types, dates far in the past and future) by Hypothesis.

Forms are found by walking the project's ``forms`` modules, so a new form with no entry below
fails ``test_every_form_of_the_project_is_fuzzed_or_listed``. Most are posted through their real
view by the person who uses them: the answer is a page with the form's errors, a redirect after
a valid save, never an exception; and when the form has errors, no row of the tables the view
writes has appeared, gone or changed. Forms a view builds from several parts are posted with the
others. Each example runs in a savepoint that is rolled back, so examples are independent.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from evaluation.models import Measure
from groups.models import Invitation, Membership
from groups.services.invitations import INVITATION_LIFETIME, invitation_token
from tests.security.fuzz_values import form_data
from tests.sessions.fixtures_views import book, make_poll, make_session

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = 25
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Tables any of the fuzzed views may write.
WATCHED = [
    "accounts.User",
    "account.EmailAddress",
    "groups.Organisation",
    "groups.Membership",
    "groups.Invitation",
    "groups.PracticeGroup",
    "groups.GroupPartner",
    "groups.GroupMember",
    "groups.TrainingRecord",
    "groups.AgreementVersion",
    "groups.AgreementAcceptance",
    "groups.SignOff",
    "rp_sessions.Room",
    "rp_sessions.Series",
    "rp_sessions.GroupSession",
    "rp_sessions.Poll",
    "rp_sessions.PollOption",
    "rp_sessions.SchedulePreference",
    "journals.JournalEntry",
    "journals.SharedLearning",
    "journals.ReflectiveTemplate",
    "evaluation.EvaluationPlan",
    "evaluation.Measure",
    "documents.DocumentBuild",
    "audit.AuditEvent",
]


def discovered_forms() -> dict[str, type[forms.BaseForm]]:
    """Every Form and ModelForm class defined in a ``forms`` module of the project."""
    found = {}
    packages = [p.parent.name for p in REPO.glob("*/__init__.py") if p.parent.name != "tests"]
    for package in packages:
        module = importlib.import_module(package)
        names = [package] + [
            info.name
            for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}.")
            if "migrations" not in info.name
        ]
        for name in names:
            if name.rsplit(".", 1)[-1] != "forms":
                continue
            forms_module = importlib.import_module(name)
            for _, cls in inspect.getmembers(forms_module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__ == name:
                    found[f"{name}.{cls.__name__}"] = cls
    return found


# --- The world the forms are posted in ------------------------------------------------------


@dataclass
class FuzzWorld:
    world: object
    room: object
    session: object
    held: object
    poll: object
    entry: object
    template: object
    invitation: object
    token: str
    spare: object  # a membership the admin may change
    extra: dict = field(default_factory=dict)


@pytest.fixture
def fw(world, settings, tmp_path):
    from journals.models import ReflectiveTemplate
    from sessions.models import Room
    from tests.journals.support import attend, past_session, write

    settings.MEDIA_ROOT = tmp_path
    room = Room.objects.create(organisation=world.org, name="Room 4", capacity=20)
    session = make_session(world.group, room=room)
    book(session, world.practitioner)
    held = past_session(world.group)
    attend(held, world.practitioner)
    poll = make_poll(world.group)
    entry = write(world.practitioner, session=held)
    template = ReflectiveTemplate.objects.create(
        organisation=world.org,
        name="Debrief",
        sections=[{"title": "What happened", "prompts": ["Who was there?"]}],
    )
    invitation = Invitation.objects.create(
        organisation=world.org,
        email="newcomer@example.test",
        name="New Comer",
        is_practitioner=True,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    spare = Membership.objects.create(
        organisation=world.org,
        user=type(world.practitioner).objects.create_user(
            email="spare@example.test", password="x-long-password-1"
        ),
        is_practitioner=True,
    )
    return FuzzWorld(
        world, room, session, held, poll, entry, template, invitation,
        invitation_token(invitation), spare,
    )  # fmt: skip


# --- What each form is posted to -----------------------------------------------------------


@dataclass
class Target:
    role: str
    url: Callable[[FuzzWorld], str]
    forms: Callable[
        ..., list[forms.BaseForm]
    ]  # (world, data=None): the view's forms, bound to data
    valid: Callable[[FuzzWorld], dict]  # a submission the view accepts
    method: str = "post"


def _files(data: dict | None) -> dict | None:
    """The uploads among posted values, for binding a form as the view does."""
    return {k: v for k, v in data.items() if hasattr(v, "read")} if data else None


def _initial(form: forms.BaseForm) -> dict:
    """The form's initial values as a browser would post them back."""
    posted = {}
    for name, bound in form._bound_items():
        value = bound.initial
        if isinstance(value, list | tuple):
            posted[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                posted[name] = "on"
        elif isinstance(value, date | time):
            posted[name] = str(bound.field.widget.format_value(value))
        elif value is not None:
            posted[name] = str(value)
    return posted


def _in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _targets() -> dict[str, Target]:
    from evaluation import forms as ef
    from groups import forms as gf
    from groups.workshop_pack.forms import WorkshopPackForm
    from journals import forms as jf
    from journals.templates_catalogue import builtin_templates
    from privacy import forms as pf
    from rp_portal.accounts import forms as af
    from sessions import forms as sf

    free = builtin_templates()[0]
    group_url = lambda name: lambda w: reverse(name, args=[w.world.group.pk])  # noqa: E731
    org_url = lambda name: lambda w: reverse(name, args=[w.world.org.pk])  # noqa: E731
    session_url = lambda name: lambda w: reverse(name, args=[w.session.pk])  # noqa: E731
    when = {"when-date": _in_days(10), "when-start_time": "14:00"}
    details = {
        "details-duration_minutes": "90", "details-online_link": "https://meet.example.test/x",
        "details-capacity": "10", "details-minimum_size": "2", "details-booking_cutoff_hours": "2",
        "details-reflective_model": "what_so_what_now_what", "details-agenda": "10 Arrive",
    }  # fmt: skip
    repeat = {"repeat-repeat": "once", "repeat-interval": "1", "repeat-end": "count", "repeat-count": "3"}  # fmt: skip
    return {
        "groups.forms.OrganisationForm": Target(
            "practitioner", lambda w: reverse("groups:organisation_create"),
            lambda w, d=None: [gf.OrganisationForm(d)],
            lambda w: {"name": "Fuzz Org", "description": "", "contact_email": "a@example.test"},
        ),
        "groups.forms.BrandingForm": Target(
            "admin", org_url("groups:organisation_edit"), lambda w, d=None: [gf.BrandingForm(d, _files(d))],
            lambda w: {"name": "Riverside", "description": "", "contact_email": "a@example.test", "accent_colour": "#336699"},
        ),
        "groups.forms.RolesForm": Target(
            "admin", lambda w: reverse("groups:person_roles", args=[w.world.org.pk, w.spare.pk]),
            lambda w, d=None: [gf.RolesForm(d, prefix=f"m{w.spare.pk}")],
            lambda w: {f"m{w.spare.pk}-is_practitioner": "on"},
        ),
        "groups.forms.InviteForm": Target(
            "admin", org_url("groups:invite"), lambda w, d=None: [gf.InviteForm(d)],
            lambda w: {"email": "fuzz@example.test", "name": "Fuzz", "is_practitioner": "on"},
        ),
        "groups.forms.BulkInviteForm": Target(
            "admin", org_url("groups:invite_many"), lambda w, d=None: [gf.BulkInviteForm(d, _files(d))],
            lambda w: {"rows": "bulk@example.test, Bulk Person, practitioner"},
        ),
        "groups.forms.GroupForm": Target(
            "admin", org_url("groups:create"), lambda w, d=None: [gf.GroupForm(d)],
            lambda w: {"name": "Fuzz group", "purpose": "To think together", "structure": "team", "facilitation_model": ""},
        ),
        "groups.forms.PlanForm": Target(
            "facilitator", group_url("groups:plan"), lambda w, d=None: [gf.PlanForm(d)],
            lambda w: {"aims": "a", "objectives": "b", "frequency": "monthly", "usual_place": "Room 4"},
        ),
        "groups.forms.FacilitationForm": Target(
            "facilitator", group_url("groups:facilitation"),
            lambda w, d=None: [gf.FacilitationForm(d, prefix="model")],
            lambda w: {"model-facilitation_model": "external"},
        ),
        "groups.forms.AddMemberForm": Target(
            "facilitator", group_url("groups:members"),
            lambda w, d=None: [gf.AddMemberForm(d, candidates=[w.spare])],
            lambda w: {"membership": str(w.spare.pk), "role": "member"},
        ),
        "groups.forms.MemberRoleForm": Target(
            "facilitator",
            lambda w: reverse("groups:member_role", args=[w.world.group.pk, w.world.group.members.get(user=w.world.practitioner).pk]),
            lambda w, d=None: [gf.MemberRoleForm(d)], lambda w: {"role": "member"},
        ),
        "groups.forms.TrainingForm": Target(
            "facilitator",
            lambda w: reverse("groups:member_trained", args=[w.world.group.pk, w.world.group.members.get(user=w.world.practitioner).pk]),
            lambda w, d=None: [gf.TrainingForm(d)], lambda w: {"completed_on": _in_days(-3)},
        ),
        "groups.forms.PartnerForm": Target(
            "facilitator", group_url("groups:partners"), lambda w, d=None: [gf.PartnerForm(d)],
            lambda w: {"partner_code": w.world.other_org.partner_code},
        ),
        "groups.forms.SignOffForm": Target(
            "manager", group_url("groups:sign_off"),
            lambda w, d=None: [gf.SignOffForm(d, organisations=[w.world.org])],
            lambda w: {"organisation": str(w.world.org.pk), "note": "90 minutes"},
        ),
        "groups.forms.AgreementForm": Target(
            "facilitator", group_url("groups:agreement_edit"), lambda w, d=None: [gf.AgreementForm(d)],
            lambda w: {"text": "We listen."},
        ),
        "groups.forms.AcceptAgreementForm": Target(
            "practitioner", group_url("groups:agreement"), lambda w, d=None: [gf.AcceptAgreementForm(d)],
            lambda w: {"version": str(w.world.group.agreement_versions.first().pk if w.world.group.agreement_versions.exists() else 0)},
        ),
        "groups.forms.OwnershipForm": Target(
            "facilitator", group_url("groups:ownership"), lambda w, d=None: [gf.OwnershipForm(d)],
            lambda w: {"note": "First Tuesday"},
        ),
        "groups.forms.InvitationSignupForm": Target(
            "anonymous", lambda w: reverse("groups:invitation", args=[w.token]),
            lambda w, d=None: [gf.InvitationSignupForm(d)],
            lambda w: {"display_name": "New Comer", "password1": "a-Long-pass-2026", "password2": "a-Long-pass-2026"},
        ),
        "groups.workshop_pack.forms.WorkshopPackForm": Target(
            "admin", org_url("groups:workshop_pack"),
            lambda w, d=None: [WorkshopPackForm(d, organisation=w.world.org)],
            lambda w: {
                "organisation_name": "Riverside", "accent_colour": "#336699",
                **_initial(WorkshopPackForm(organisation=w.world.org)), "start_time": "10:00",
                "length": "120", "reflective_model": "what_so_what_now_what", "participants": "12",
                "facilitator_names": "Fen", "workshop_date": _in_days(20),
            },
        ),
        "rp_portal.accounts.forms.SignupDetailsForm": Target(
            "anonymous", lambda w: reverse("account_signup"), lambda w, d=None: [af.SignupDetailsForm(d)],
            lambda w: {"display_name": "Sam", "email": "sam@example.test", "password1": "a-Long-pass-2026", "password2": "a-Long-pass-2026"},
        ),
        "rp_portal.accounts.forms.ProfileForm": Target(
            "practitioner", lambda w: reverse("accounts:profile"), lambda w, d=None: [af.ProfileForm(d)],
            lambda w: {"display_name": "Pip", "time_zone": "Europe/London"},
        ),
        "sessions.forms.RoomForm": Target(
            "admin", org_url("sessions:rooms"), lambda w, d=None: [sf.RoomForm(d)],
            lambda w: {"name": "Hall", "capacity": "30", "accessibility_notes": "", "is_active": "on"},
        ),
        "sessions.forms.WhenForm": Target(
            "facilitator", group_url("sessions:session_new"),
            lambda w, d=None: [sf.WhenForm(d, prefix="when"), sf.RepeatForm(d, prefix="repeat"), sf.SessionDetailsForm(d, prefix="details")],
            lambda w: {**when, **repeat, **details},
        ),
        "sessions.forms.SessionSettingsForm": Target(
            "facilitator", lambda w: reverse("sessions:poll_schedule", args=[w.poll.pk]),
            lambda w, d=None: [sf.RepeatForm(d, prefix="repeat"), sf.SessionSettingsForm(d, prefix="details")],
            lambda w: {"option": str(w.poll.options.first().pk), **repeat, **details},
        ),
        "sessions.forms.ScopeForm": Target(
            "facilitator", session_url("sessions:edit"),
            lambda w, d=None: [sf.WhenForm(d, prefix="when"), sf.SessionDetailsForm(d, prefix="details"), sf.ScopeForm(d, prefix="scope")],
            lambda w: {**when, **details, "scope-scope": "this"},
        ),
        "sessions.forms.CancelForm": Target(
            "facilitator", session_url("sessions:cancel"), lambda w, d=None: [sf.CancelForm(d, prefix="cancel")],
            lambda w: {"cancel-scope": "this", "cancel-reason": "Snow"},
        ),
        "sessions.forms.PollForm": Target(
            "facilitator", group_url("sessions:poll_new"),
            lambda w, d=None: [sf.PollForm(d), *sf.PollOptionFormSet(d, prefix="options").forms[:2]],
            lambda w: {
                "title": "When?", "closes_on": _in_days(5), "closes_time": "17:00",
                "options-TOTAL_FORMS": "2", "options-INITIAL_FORMS": "0",
                "options-0-date": _in_days(12), "options-0-start_time": "10:00",
                "options-0-online_link": "https://meet.example.test/x",
            },
        ),
        "sessions.forms.PreferenceForm": Target(
            "practitioner", lambda w: reverse("sessions:preferences"), lambda w, d=None: [sf.PreferenceForm(d)],
            lambda w: {"reminders_enabled": "on", "reminder_hours": "48, 2"},
        ),
        "sessions.forms.CloseForm": Target(
            "facilitator", session_url("sessions:close"), lambda w, d=None: [sf.CloseForm(d)],
            lambda w: {"themes": "Endings", "actions": "Ask"},
        ),
        "journals.forms.EntryForm": Target(
            "practitioner", lambda w: reverse("journals:new") + f"?template={free.key}",
            lambda w, d=None: [jf.EntryForm(d, template=free)],
            lambda w: {"template_key": free.key, "title": "A day", "tags": "a, b", "section_0": "Words."},
        ),
        "journals.forms.FilterForm": Target(
            "practitioner", lambda w: reverse("journals:list"), lambda w, d=None: [jf.FilterForm(d)],
            lambda w: {"q": "day"}, method="get",
        ),
        "journals.forms.ShareForm": Target(
            "practitioner", lambda w: reverse("journals:share", args=[w.entry.pk]),
            lambda w, d=None: [jf.ShareForm(d, groups=[w.world.group])],
            lambda w: {"group": str(w.world.group.pk), "text": "Slow down."},
        ),
        "journals.forms.ExportForm": Target(
            "practitioner", lambda w: reverse("journals:export"),
            lambda w, d=None: [jf.ExportForm(d, choices=[(w.entry.pk, "entry")])],
            lambda w: {"scope": "all", "fmt": "markdown"},
        ),
        "journals.forms.ReflectiveAccountForm": Target(
            "practitioner", lambda w: reverse("journals:reflective_account", args=[w.entry.pk]),
            lambda w, d=None: [jf.ReflectiveAccountForm(d)], lambda w: {"code": "swe", "themes": ["swe:cpd"]},
        ),
        "journals.forms.TemplateForm": Target(
            "admin", org_url("journals:templates"), lambda w, d=None: [jf.TemplateForm(d)],
            lambda w: {"name": "Mine", "description": "", "sections": "What: Who?"},
        ),
        "evaluation.forms.PlanForm": Target(
            "facilitator", lambda w: reverse("evaluation:plan", args=[w.world.group.pk]),
            lambda w, d=None: [ef.PlanForm(d, measures=Measure.objects.all())],
            lambda w: {"baseline_opens": _in_days(7), "window_days": "14", "follow_up_months": "3, 6", "pulse": "on"},
        ),
        "evaluation.forms.MeasureImportForm": Target(
            "admin", org_url("evaluation:measures"), lambda w, d=None: [ef.MeasureImportForm(d)],
            lambda w: {"definition": "name: Fuzz measure\nitems: [One, Two]"},
        ),
        # Filters on the organisation's dashboard (GET): a refusal shows every figure unfiltered.
        "evaluation.forms.DashboardFilterForm": Target(
            "manager", org_url("evaluation:dashboard"),
            lambda w, d=None: [ef.DashboardFilterForm(d, groups=[w.world.group])],
            lambda w: {"group": str(w.world.group.pk)}, method="get",
        ),
        "privacy.forms.ExportForm": Target(
            "practitioner", lambda w: reverse("privacy:my_data"),
            lambda w, d=None: [pf.ExportForm(d)], lambda w: {"fmt": "json"},
        ),
    }  # fmt: skip


# Forms posted together with another form's target above (so fuzzed there), and why.
FUZZED_WITH = {
    "sessions.forms.RepeatForm": "sessions.forms.WhenForm",
    "sessions.forms.SessionDetailsForm": "sessions.forms.WhenForm",
    "sessions.forms.PollOptionForm": "sessions.forms.PollForm",
}
# Forms that accept anything (every field optional, unlimited text), so no example is refused.
# Empty: the group plan's fields now have limits and refuse longer text.
CANNOT_REFUSE: dict[str, str] = {}
# Forms fuzzed through is_valid() alone, and why not through their view.
FORM_ONLY = {
    # The view wants a sign-in within the last few minutes (allauth's reauthentication), which
    # a test client's forced sign-in is not. The form compares the typed address with the
    # person's own; the erasure itself is tested in tests/privacy/.
    "privacy.forms.EraseForm": lambda data: _privacy_forms().EraseForm(
        data, email="pip@example.test"
    ),
}
# Forms not fuzzed at all, and why. Keep this short: each is a gap.
NOT_FUZZED: dict[str, str] = {}


def _privacy_forms():
    from privacy import forms

    return forms


def test_every_form_of_the_project_is_fuzzed_or_listed():
    found = set(discovered_forms())
    assert len(found) > 30, "the walk over the forms modules found too little"
    covered = set(_targets()) | set(FUZZED_WITH) | set(FORM_ONLY) | set(NOT_FUZZED)
    assert sorted(found - covered) == [], "forms with no fuzzing strategy"
    assert sorted(covered - found) == [], "entries for forms that no longer exist"
    for partner in FUZZED_WITH.values():
        assert partner in _targets()


def _rows() -> dict[str, list]:
    return {label: list(apps.get_model(label).objects.order_by("pk").values()) for label in WATCHED}


def _field_forms(parts: list) -> list[forms.BaseForm]:
    """The forms whose fields are posted: a formset's management form and first two forms."""
    found = []
    for part in parts:
        if isinstance(part, forms.BaseFormSet):
            found += [part.management_form, *part.forms[:2]]
        else:
            found.append(part)
    return found


def _valid(parts: list) -> bool:
    return all(part.is_valid() for part in parts)


def _changed(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


def _sign_in(client, visitor) -> None:
    client.force_login(visitor)


def _visitor(fw: FuzzWorld, role: str):
    return None if role == "anonymous" else getattr(fw.world, role)


@pytest.mark.parametrize("name", sorted(_targets()))
def test_hostile_values_get_a_form_error_or_a_clean_save_never_an_error(client, fw, name):
    target = _targets()[name]
    visitor = _visitor(fw, target.role)
    url = target.url(fw)
    valid = target.valid(fw)
    fields = _field_forms(target.forms(fw))
    data = st.tuples(*(form_data(form, valid) for form in fields)).map(
        lambda parts: {k: v for part in parts for k, v in part.items()}
    )
    if visitor is not None:
        _sign_in(client, visitor)
    # A first visit may set things up (reminder preferences, the measure library): done here,
    # outside the examples, so only what a post does is compared.
    assert client.get(url).status_code in {200, 405}  # 405: a POST-only action
    outcomes = {"refused": 0, "accepted": 0}

    # Always tried as well: the valid submission, and every field far over any length limit
    # (and of the wrong type).
    overlong = {
        **valid,
        **{form.add_prefix(n): "x" * 100_000 for form in fields for n in form.fields},
    }

    @FUZZ
    @example(data=dict(valid))
    @example(data=overlong)
    @given(data=data)
    def post(data):
        cache.clear()  # allauth's rate limits would otherwise answer 429 after a few examples
        with transaction.atomic():
            valid_here = _valid(target.forms(fw, data))
            client.logout()
            if visitor is not None:
                _sign_in(client, visitor)
            before = _rows()
            send = client.get if target.method == "get" else client.post
            response = send(url, data)
            assert response.status_code in {200, 302, 400, 403, 404, 409, 429}, (
                f"{name}: {response.status_code}"
            )
            if not valid_here:
                outcomes["refused"] += 1
                changed = _changed(before, _rows())
                assert changed == [], f"{name}: an invalid post changed {changed}"
            else:
                outcomes["accepted"] += 1
            transaction.set_rollback(True)

    post()
    # The examples reached both sides: refusals, and valid posts from the baseline.
    if name not in CANNOT_REFUSE:
        assert outcomes["refused"] > 0, outcomes
    assert outcomes["accepted"] > 0, outcomes


@pytest.mark.parametrize("name", sorted(FORM_ONLY))
def test_hostile_values_never_break_forms_checked_alone(db, name):
    make = FORM_ONLY[name]
    outcomes = {"refused": 0, "accepted": 0}

    @FUZZ
    @given(data=form_data(make(None), {"confirmation": "PIP@example.test "}))
    def check(data):
        form = make(data)
        if form.is_valid():
            outcomes["accepted"] += 1
            assert form.cleaned_data["confirmation"].lower() == "pip@example.test"
        else:
            outcomes["refused"] += 1
            assert form.errors

    check()
    assert outcomes["refused"] > 0, outcomes
    assert outcomes["accepted"] > 0, outcomes
