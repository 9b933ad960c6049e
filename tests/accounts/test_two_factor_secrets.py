"""Authenticator keys and recovery-code seeds are stored encrypted with JOURNAL_KEYS (through the
MFA adapter), rotate with the journal keys, and were encrypted in place by a data migration."""

from __future__ import annotations

from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, TOTP, generate_totp_secret
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from rp_portal.accounts.adapter import MFAAdapter
from rp_portal.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, totp_code_now
from rp_portal.accounts.two_factor_secrets import TOKEN_PREFIX, secret_encrypt
from rp_portal.audit.models import AuditEvent
from rp_portal.crypto import UnreadableText
from tests.accounts.two_factor import fresh_code, give_authenticator, recovery_codes_of
from tests.factories import PASSWORD, MembershipFactory, UserFactory

SETUP = "/accounts/2fa/totp/activate/"
AUTHENTICATE = "/accounts/2fa/authenticate/"
BEFORE = [("accounts", "0001_initial")]
AFTER = [("accounts", "0002_encrypt_two_factor_secrets")]
MFA_LATEST = ("mfa", "0003_authenticator_type_uniq")


@pytest.fixture(autouse=True)
def _two_factor_required(settings):
    settings.RP_REQUIRE_MFA_FOR_STAFF = True


@pytest.fixture
def keys():
    return {"old": Fernet.generate_key().decode(), "new": Fernet.generate_key().decode()}


def _stored(user) -> dict[str, str]:
    """Each authenticator's ``data`` as PostgreSQL holds it, read without any model code."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, data::text FROM mfa_authenticator WHERE user_id = %s", [user.pk]
        )
        return dict(cursor.fetchall())


def _seed_of(user) -> str:
    authenticator = Authenticator.objects.get(user=user, type="recovery_codes")
    return MFAAdapter().decrypt(authenticator.data["seed"])


def _sign_in(client, user, code: str, password: str = PASSWORD):
    response = client.post("/accounts/login/", {"login": user.email, "password": password})
    assert response["Location"] == AUTHENTICATE
    return client.post(AUTHENTICATE, {"code": code})


# --- Stored encrypted -----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_authenticator_set_up_through_the_page_keeps_no_secret_in_the_clear(
    client, django_capture_on_commit_callbacks
):
    user = MembershipFactory(is_facilitator=True).user
    client.force_login(user)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    client.get(SETUP)
    secret = client.session[SECRET_SESSION_KEY]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SETUP, {"code": totp_code_now(secret)})
    assert response["Location"] == "/accounts/2fa/recovery-codes/"

    stored = _stored(user)
    assert set(stored) == {"totp", "recovery_codes"}
    everything = " ".join(stored.values())
    assert secret not in everything
    assert secret.lower() not in everything.lower()
    assert _seed_of(user) not in everything
    codes = recovery_codes_of(user)
    assert len(codes) == 10
    assert not [code for code in codes if code in everything]
    assert f'"secret": "{TOKEN_PREFIX}' in stored["totp"]
    assert f'"seed": "{TOKEN_PREFIX}' in stored["recovery_codes"]


@pytest.mark.django_db
def test_the_same_secret_is_stored_differently_each_time():
    first, second = UserFactory(), UserFactory()
    TOTP.activate(first, DEMO_TOTP_SECRET)
    TOTP.activate(second, DEMO_TOTP_SECRET)
    assert _stored(first)["totp"] != _stored(second)["totp"]


@pytest.mark.django_db
def test_the_benchmarks_way_of_activating_stores_it_encrypted_and_its_codes_work():
    """scripts/bench_pages.py calls TOTP.activate directly, which goes through our adapter."""
    user = UserFactory()
    secret = generate_totp_secret()
    totp = TOTP.activate(user, secret)
    assert secret not in _stored(user)["totp"]
    assert totp.validate_code(totp_code_now(secret))
    assert not TOTP(totp.instance).validate_code(f"{(int(totp_code_now(secret)) + 1) % 10**6:06d}")


@pytest.mark.django_db
def test_a_secret_in_plain_text_is_refused_rather_than_trusted():
    with pytest.raises(UnreadableText, match="not encrypted"):
        MFAAdapter().decrypt(DEMO_TOTP_SECRET)


@pytest.mark.django_db
def test_without_its_key_a_secret_cannot_be_read(settings, keys):
    settings.JOURNAL_KEYS = [keys["old"]]
    token = MFAAdapter().encrypt(DEMO_TOTP_SECRET)
    assert MFAAdapter().decrypt(token) == DEMO_TOTP_SECRET
    settings.JOURNAL_KEYS = [keys["new"]]
    with pytest.raises(UnreadableText, match="configured keys"):
        MFAAdapter().decrypt(token)


# --- Signing in still works -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_code_from_the_app_signs_in(client):
    user = MembershipFactory(is_manager=True, is_practitioner=False).user
    secret = give_authenticator(user)
    assert secret not in _stored(user)["totp"]

    response = _sign_in(client, user, fresh_code(user, secret))

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_a_wrong_code_is_still_refused(client):
    user = MembershipFactory(is_facilitator=True).user
    secret = give_authenticator(user)
    wrong = f"{(int(totp_code_now(secret)) + 1) % 10**6:06d}"

    response = _sign_in(client, user, wrong)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_recovery_code_signs_in_once_and_the_seed_stays_encrypted(client):
    user = MembershipFactory(is_admin=True, is_practitioner=False).user
    give_authenticator(user)
    code = recovery_codes_of(user)[3]

    response = _sign_in(client, user, code)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert code not in recovery_codes_of(user)
    assert len(recovery_codes_of(user)) == 9
    assert _seed_of(user) not in _stored(user)["recovery_codes"]


@pytest.mark.django_db
def test_the_demo_staff_key_is_stored_encrypted_and_gives_a_working_code(client):
    call_command("demo_data", force=True, stdout=StringIO())
    manager = Authenticator.objects.get(user__email="manager@example.org", type="totp").user
    assert DEMO_TOTP_SECRET not in _stored(manager)["totp"]

    code = fresh_code(manager, DEMO_TOTP_SECRET)
    response = _sign_in(client, manager, code, password=DEMO_PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(manager.pk)


# --- Key rotation ---------------------------------------------------------------------------


def _staff_with_authenticators_under_the_old_key(settings, keys, count=2):
    settings.JOURNAL_KEYS = [keys["old"]]
    people = []
    for _ in range(count):
        user = MembershipFactory(is_facilitator=True).user
        people.append((user, give_authenticator(user)))
    return people


@pytest.mark.django_db
def test_rotation_reencrypts_every_authenticator_so_the_old_key_can_be_removed(
    client, settings, keys
):
    people = _staff_with_authenticators_under_the_old_key(settings, keys)
    user, secret = people[0]
    used = recovery_codes_of(user)[0]
    assert RecoveryCodes(Authenticator.objects.get(user=user, type="recovery_codes")).validate_code(
        used
    )
    codes_before = recovery_codes_of(user)
    stored_before = {u.pk: _stored(u) for u, _ in people}
    settings.JOURNAL_KEYS = [keys["new"], keys["old"]]

    out = StringIO()
    call_command("rotate_journal_keys", stdout=out)

    assert (
        "Re-encrypted 0 journal entries, 0 private exports and 4 two-factor authenticators "
        "with the newest key." in out.getvalue()
    )
    assert AuditEvent.objects.get(action="keys.rotate").detail == {
        "entries": 0,
        "private_exports": 0,
        "two_factor_authenticators": 4,
    }
    settings.JOURNAL_KEYS = [keys["new"]]
    for person, person_secret in people:
        stored = _stored(person)
        assert stored["totp"] != stored_before[person.pk]["totp"]
        assert stored["recovery_codes"] != stored_before[person.pk]["recovery_codes"]
        assert person_secret not in stored["totp"]
    assert recovery_codes_of(user) == codes_before  # the used code stays used
    assert used not in recovery_codes_of(user)
    response = _sign_in(client, user, fresh_code(user, secret))
    assert client.session["_auth_user_id"] == str(user.pk)
    assert response.status_code == 302


@pytest.mark.django_db
def test_rotation_can_be_run_again_safely(settings, keys):
    [(user, secret)] = _staff_with_authenticators_under_the_old_key(settings, keys, count=1)
    codes = recovery_codes_of(user)
    settings.JOURNAL_KEYS = [keys["new"], keys["old"]]
    call_command("rotate_journal_keys", stdout=StringIO())
    call_command("rotate_journal_keys", stdout=StringIO())
    settings.JOURNAL_KEYS = [keys["new"]]
    totp = Authenticator.objects.get(user=user, type="totp").wrap()
    assert totp.validate_code(totp_code_now(secret))
    assert recovery_codes_of(user) == codes


@pytest.mark.django_db
def test_rotation_with_a_key_missing_fails_loudly_and_changes_no_authenticator(settings, keys):
    [(user, _secret)] = _staff_with_authenticators_under_the_old_key(settings, keys, count=1)
    before = _stored(user)
    settings.JOURNAL_KEYS = [keys["new"]]  # the old key removed too early
    with pytest.raises(UnreadableText):
        call_command("rotate_journal_keys", stdout=StringIO())
    assert _stored(user) == before


# --- The data migration for secrets stored before encryption --------------------------------


def _migrate(targets):
    """Migrate to ``targets``; the models as they were there (with allauth's MFA tables)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state([*targets, MFA_LATEST]).apps


def _migrate_to_the_latest():
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def before_encryption(transactional_db):
    """The database as it was before the migration; put back to the latest state afterwards."""
    try:
        yield _migrate(BEFORE)
    finally:
        _migrate_to_the_latest()


PLAIN_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PLAIN_SEED = "5f" * 40


def _codes_of_seed(seed: str) -> list[str]:
    unsaved = Authenticator(type="recovery_codes", data={"seed": secret_encrypt(seed)})
    return RecoveryCodes(unsaved).generate_codes()


def test_the_migration_encrypts_secrets_stored_before_it_and_they_still_sign_in(
    before_encryption, client
):
    user = MembershipFactory(is_facilitator=True).user
    old = before_encryption.get_model("mfa", "Authenticator")
    old.objects.create(user_id=user.pk, type="totp", data={"secret": PLAIN_SECRET})
    old.objects.create(
        user_id=user.pk, type="recovery_codes", data={"seed": PLAIN_SEED, "used_mask": 0b10}
    )
    imported = UserFactory()
    old.objects.create(
        user_id=imported.pk,
        type="recovery_codes",
        data={"seed": PLAIN_SEED, "used_mask": 0, "migrated_codes": ["11112222", "33334444"]},
    )
    codes = _codes_of_seed(PLAIN_SEED)

    _migrate(AFTER)

    stored = _stored(user)
    assert PLAIN_SECRET not in stored["totp"]
    assert PLAIN_SEED not in stored["recovery_codes"]
    assert '"used_mask": 2' in stored["recovery_codes"]
    assert "11112222" not in _stored(imported)["recovery_codes"]
    assert recovery_codes_of(imported) == ["11112222", "33334444"]
    assert recovery_codes_of(user) == [codes[0], *codes[2:]]
    response = _sign_in(client, user, fresh_code(user, PLAIN_SECRET))
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    client.post("/accounts/logout/")
    response = _sign_in(client, user, codes[5])
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_migration_can_be_reversed_to_plain_text_and_run_again(before_encryption):
    user = UserFactory()
    old = before_encryption.get_model("mfa", "Authenticator")
    old.objects.create(user_id=user.pk, type="totp", data={"secret": PLAIN_SECRET})
    _migrate(AFTER)
    encrypted = _stored(user)["totp"]
    assert PLAIN_SECRET not in encrypted

    _migrate(BEFORE)
    assert _stored(user)["totp"] == f'{{"secret": "{PLAIN_SECRET}"}}'

    _migrate(AFTER)
    totp = Authenticator.objects.get(user=user).wrap()
    assert totp.validate_code(totp_code_now(PLAIN_SECRET))
    assert PLAIN_SECRET not in _stored(user)["totp"]
