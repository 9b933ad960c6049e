"""Facilitators, managers, organisation admins and operator staff must use an authenticator app.

The requirement is switched off in the test settings for other features' unit tests; it is on
for every test here (and in every browser test).
"""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rp_portal.accounts.demo import totp_code_now
from rp_portal.accounts.selectors import holds_a_staff_role, two_factor_setup_required
from rp_portal.audit.models import AuditEvent
from tests.accounts.two_factor import fresh_code, give_authenticator, recovery_codes_of
from tests.factories import (
    PASSWORD,
    GroupMemberFactory,
    MembershipFactory,
    OrganisationFactory,
    PracticeGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SETUP = "/accounts/2fa/totp/activate/"
AUTHENTICATE = "/accounts/2fa/authenticate/"


@pytest.fixture(autouse=True)
def _two_factor_required(settings):
    settings.RP_REQUIRE_MFA_FOR_STAFF = True


def _org_facilitator():
    return MembershipFactory(is_facilitator=True).user


def _group_facilitator():
    """Facilitates one group while being only a practitioner in their organisation."""
    user = MembershipFactory().user
    GroupMemberFactory(user=user, role="facilitator")
    return user


def _manager():
    return MembershipFactory(is_manager=True, is_practitioner=False).user


def _org_admin():
    return MembershipFactory(is_admin=True, is_practitioner=False).user


def _operator():
    return UserFactory(is_staff=True)


STAFF = {
    "organisation facilitator": _org_facilitator,
    "group facilitator": _group_facilitator,
    "manager": _manager,
    "organisation admin": _org_admin,
    "operator staff": _operator,
}


def _practitioner():
    user = MembershipFactory().user
    GroupMemberFactory(user=user)
    return user


def _reauthenticate(client):
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302


# --- Who is asked ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF)
def test_staff_without_an_authenticator_are_sent_to_set_one_up(client, role):
    user = STAFF[role]()
    client.force_login(user)
    for url in ["/", reverse("groups:list"), reverse("journals:list"), "/accounts/profile/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == SETUP, url


def test_a_practitioner_is_not_asked(client):
    client.force_login(_practitioner())
    assert client.get("/").status_code == 200
    assert client.get(reverse("journals:list")).status_code == 200


def test_a_person_in_no_organisation_is_not_asked(client):
    client.force_login(UserFactory())
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("role", STAFF)
def test_staff_with_an_authenticator_go_where_they_asked(client, role):
    user = STAFF[role]()
    give_authenticator(user)
    client.force_login(user)
    assert client.get("/").status_code == 200


def test_recovery_codes_alone_do_not_count(client):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    user = _manager()
    RecoveryCodes.activate(user)
    client.force_login(user)
    assert client.get("/")["Location"] == SETUP


def test_becoming_a_facilitator_later_asks_at_the_next_page(client):
    user = _practitioner()
    client.force_login(user)
    assert client.get("/").status_code == 200
    GroupMemberFactory(user=user, role="facilitator")
    assert client.get("/")["Location"] == SETUP


def test_the_redirect_explains_why(client):
    client.force_login(_manager())
    response = client.get("/", follow=True)
    assert "needs two-factor authentication" in response.content.decode()


def test_an_htmx_request_is_told_to_load_the_setup_page(client):
    client.force_login(_org_admin())
    response = client.get(reverse("journals:list"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == SETUP


def test_the_setup_pages_sign_out_and_health_stay_open(client):
    user = _org_facilitator()
    client.force_login(user)
    assert client.get("/accounts/2fa/").status_code == 200
    # Setting up asks for the password again first (allauth); that page is open too.
    response = client.get(SETUP)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert client.get(response["Location"]).status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/css/site.css").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_requirement_is_one_query_whatever_the_roles():
    user = _org_facilitator()
    for _ in range(5):
        MembershipFactory(user=user, is_admin=True)
        GroupMemberFactory(user=user, role="facilitator")
    with CaptureQueriesContext(connection) as queries:
        assert two_factor_setup_required(user)
    assert len(queries) == 1


def test_the_staff_helper_tells_staff_from_practitioners():
    assert all(holds_a_staff_role(make()) for make in STAFF.values())
    assert not holds_a_staff_role(_practitioner())


# --- Setting it up --------------------------------------------------------------------------


def test_a_facilitator_sets_up_an_authenticator_and_carries_on(
    client, django_capture_on_commit_callbacks
):
    user = _org_facilitator()
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert client.get("/")["Location"] == SETUP
    _reauthenticate(client)
    assert client.get(SETUP).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]

    wrong = f"{(int(totp_code_now(secret)) + 1) % 1_000_000:06d}"
    response = client.post(SETUP, {"code": wrong})
    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=user).exists()

    with django_capture_on_commit_callbacks(execute=True):  # allauth signals after commit
        response = client.post(SETUP, {"code": totp_code_now(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/recovery-codes/"
    assert Authenticator.objects.filter(user=user, type="totp").exists()
    assert len(recovery_codes_of(user)) == 10
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="mfa.totp_activate", actor=user).exists()


# --- Signing in -----------------------------------------------------------------------------


def test_a_facilitator_with_an_authenticator_is_asked_for_a_code(client):
    user = _org_facilitator()
    secret = give_authenticator(user)
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response["Location"] == AUTHENTICATE
    assert "_auth_user_id" not in client.session

    response = client.post(AUTHENTICATE, {"code": "12345x"})
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert "_auth_user_id" not in client.session

    response = client.post(AUTHENTICATE, {"code": fresh_code(user, secret)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/").status_code == 200


def test_a_code_is_refused_the_second_time(client):
    user = _manager()
    secret = give_authenticator(user)
    code = fresh_code(user, secret)
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    client.post(AUTHENTICATE, {"code": code})
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    response = client.post(AUTHENTICATE, {"code": code})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_an_emailed_sign_in_code_is_not_a_second_factor(client, mailoutbox):
    user = _org_admin()
    secret = give_authenticator(user)
    client.post("/accounts/login/code/", {"email": user.email})
    emailed = re.search(r"^\s*([A-Z0-9-]{6,12})\s*$", mailoutbox[-1].body, re.MULTILINE)
    response = client.post("/accounts/login/code/confirm/", {"code": emailed.group(1)})
    assert response.status_code == 302
    assert response["Location"] == AUTHENTICATE
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 200  # the home page, signed out
    assert "_auth_user_id" not in client.session

    response = client.post(AUTHENTICATE, {"code": fresh_code(user, secret)})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_staff_without_an_authenticator_signing_in_by_email_code_must_set_one_up(
    client, mailoutbox
):
    user = _manager()
    client.post("/accounts/login/code/", {"email": user.email})
    emailed = re.search(r"^\s*([A-Z0-9-]{6,12})\s*$", mailoutbox[-1].body, re.MULTILINE)
    client.post("/accounts/login/code/confirm/", {"code": emailed.group(1)})
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/")["Location"] == SETUP


def test_a_recovery_code_signs_in_once(client):
    user = _org_facilitator()
    give_authenticator(user)
    code = recovery_codes_of(user)[0]
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    response = client.post(AUTHENTICATE, {"code": code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert code not in recovery_codes_of(user)

    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    response = client.post(AUTHENTICATE, {"code": code})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_practitioner_may_turn_two_factor_on_and_off(client):
    user = _practitioner()
    give_authenticator(user)
    client.force_login(user)
    _reauthenticate(client)
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=user, type="totp").exists()
    assert AuditEvent.objects.filter(action="mfa.totp_deactivate", actor=user).exists()


def test_staff_cannot_turn_two_factor_off(client):
    user = _org_admin()
    give_authenticator(user)
    client.force_login(user)
    _reauthenticate(client)
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 200
    assert "must keep two-factor authentication on" in response.content.decode()
    assert Authenticator.objects.filter(user=user, type="totp").exists()
    assert not AuditEvent.objects.filter(action="mfa.totp_deactivate").exists()


def test_a_group_facilitator_in_another_organisation_counts_too():
    user = MembershipFactory().user
    elsewhere = PracticeGroupFactory(host=OrganisationFactory())
    GroupMemberFactory(group=elsewhere, user=user, role="facilitator")
    assert two_factor_setup_required(user)


def test_the_deploy_check_fails_when_the_rule_is_switched_off(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    call_command("check", "--deploy", "--tag", "security", "--fail-level", "ERROR")
    settings.RP_REQUIRE_MFA_FOR_STAFF = False
    with pytest.raises(SystemCheckError, match=r"accounts\.E001"):
        call_command("check", "--deploy", "--tag", "security", "--fail-level", "ERROR")
