import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from rp_portal.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from rp_portal.accounts.models import User

EMAILS = {
    "admin@example.org",
    "manager@example.org",
    "facilitator@example.org",
    "practitioner@example.org",
}


@pytest.mark.django_db
def test_it_refuses_to_run_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("demo_data")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_it_creates_one_verified_account_per_role_and_can_run_twice(settings, capsys):
    settings.DEBUG = True
    call_command("demo_data")
    people = User.objects.count()
    call_command("demo_data")
    assert User.objects.count() == people
    assert {a.email for a in DEMO_ACCOUNTS} == EMAILS
    assert set(User.objects.values_list("email", flat=True)) >= EMAILS
    assert not EmailAddress.objects.filter(verified=False).exists()
    assert DEMO_PASSWORD in capsys.readouterr().out


@pytest.mark.django_db
def test_it_loads_three_organisations_and_a_group_of_each_structure(settings):
    from groups.models import GroupPartner, Membership, Organisation, PracticeGroup

    call_command("demo_data", force=True)
    assert Organisation.objects.count() == 3
    assert sorted(PracticeGroup.objects.values_list("structure", flat=True)) == [
        "multi_agency",
        "organisational",
        "team",
    ]
    assert set(PracticeGroup.objects.values_list("status", flat=True)) == {"planning", "running"}
    assert sorted(GroupPartner.objects.values_list("status", flat=True)) == ["accepted", "invited"]
    roles = Membership.objects.get(user__email="admin@example.org")
    assert roles.is_admin


@pytest.mark.django_db
def test_a_demo_account_can_sign_in(client):
    call_command("demo_data", force=True)
    response = client.post(
        "/accounts/login/", {"login": "practitioner@example.org", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_demo_staff_sign_in_with_the_published_two_factor_key(client, settings, capsys):
    from allauth.mfa.models import Authenticator

    from rp_portal.accounts.demo import DEMO_TOTP_SECRET, totp_code_now

    settings.RP_REQUIRE_MFA_FOR_STAFF = True
    call_command("demo_data", force=True)
    assert DEMO_TOTP_SECRET in capsys.readouterr().out
    with_totp = set(Authenticator.objects.filter(type="totp").values_list("user__email", flat=True))
    assert {"admin@example.org", "manager@example.org", "facilitator@example.org"} <= with_totp
    assert "practitioner@example.org" not in with_totp

    client.post("/accounts/login/", {"login": "manager@example.org", "password": DEMO_PASSWORD})
    call_command("demo_two_factor_code")
    code = capsys.readouterr().out.strip()
    assert code == totp_code_now(DEMO_TOTP_SECRET)
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
