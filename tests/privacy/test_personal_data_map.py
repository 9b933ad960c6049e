"""Every field of every installed model that names a person is either in their subject access
export or left out for a stated reason, and erasure deletes it, anonymises it or keeps it on
purpose. A model added without that decision fails here, and each decision is checked on rows.

A field names a person when it is a key to the user model, an email address, a pseudonym, the
data of a stored sign-in session, or a key to a row the export holds as the person's own (the
confirmation of their address, the scores of their answers).
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from privacy.selectors import (
    EXPORTED,
    NOT_EXPORTED,
    SECTIONS,
    own_responses,
    own_shared_learning,
    subject_access_data,
)
from privacy.services import ANONYMISED, DELETED, ERASURE, KEPT
from rp_portal.accounts.models import User
from tests.factories import PASSWORD
from tests.privacy.conftest import give_records
from tests.privacy.test_erasure import _erase

Field = tuple[type[models.Model], models.Field]

# How the rows of a pseudonymous field are found: by recomputing the person's pseudonyms.
PSEUDONYMOUS_ROWS = {
    "journals.SharedLearning.author_pseudonym": own_shared_learning,
    "evaluation.Response.pseudonym": own_responses,
}


def _key(model, field) -> str:
    return f"{model._meta.label}.{field.name}"


def fields_naming_a_person() -> dict[str, Field]:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    found: dict[str, Field] = {}
    every_model = apps.get_models(include_auto_created=True)
    for model in every_model:
        for field in model._meta.concrete_fields:
            if (field.is_relation and field.related_model is user_model) or (
                isinstance(field, models.EmailField) or "pseudonym" in field.name
            ):
                found[_key(model, field)] = (model, field)
        if issubclass(model, AbstractBaseSession):
            found[f"{model._meta.label}.session_data"] = (
                model,
                model._meta.get_field("session_data"),
            )
    persons_own = {found[key][0] for key in EXPORTED if key in found} - {user_model}
    for model in every_model:
        for field in model._meta.concrete_fields:
            if field.is_relation and field.many_to_one and field.related_model in persons_own:
                found[_key(model, field)] = (model, field)
            if field.is_relation and field.one_to_one and field.related_model in persons_own:
                found[_key(model, field)] = (model, field)
    return found


def rows_of(key: str, person: User, emails: list[str], found: dict[str, Field]) -> set:
    """The primary keys of the rows in which ``key`` names ``person``."""
    model, field = found[key]
    rows = model._default_manager.all()
    if key in PSEUDONYMOUS_ROWS:
        return set(PSEUDONYMOUS_ROWS[key](person).values_list("pk", flat=True))
    if issubclass(model, AbstractBaseSession):
        mine = str(person.pk)
        return {s.pk for s in rows if s.get_decoded().get("_auth_user_id") == mine}
    if isinstance(field, models.EmailField):
        query = Q(pk__in=[])
        for email in emails:
            query |= Q(**{f"{field.name}__iexact": email})
        return set(rows.filter(query).values_list("pk", flat=True))
    if field.related_model is apps.get_model(settings.AUTH_USER_MODEL):
        return set(rows.filter(**{field.attname: person.pk}).values_list("pk", flat=True))
    parents: set = set()
    for parent_key, (parent_model, _) in found.items():
        if parent_model is field.related_model and parent_key in EXPORTED:
            parents |= rows_of(parent_key, person, emails, found)
    return set(rows.filter(**{f"{field.attname}__in": parents}).values_list("pk", flat=True))


def test_every_field_that_names_a_person_is_exported_or_left_out_with_a_reason():
    found = set(fields_naming_a_person())
    assert sorted(found - set(EXPORTED) - set(NOT_EXPORTED)) == [], (
        "add these to privacy.selectors.EXPORTED (and the export) or to NOT_EXPORTED with why"
    )
    assert set(EXPORTED) & set(NOT_EXPORTED) == set()
    assert sorted((set(EXPORTED) | set(NOT_EXPORTED)) - found) == [], "no longer exist"
    assert [key for key, reason in NOT_EXPORTED.items() if len(reason) < 20] == []


def test_every_section_of_the_export_comes_from_a_field_in_the_map():
    assert set(EXPORTED.values()) == set(SECTIONS)


def test_every_field_that_names_a_person_has_a_fate_on_erasure():
    found = set(fields_naming_a_person())
    assert sorted(found - set(ERASURE)) == [], (
        "say in privacy.services.ERASURE what erasure does with these, and why"
    )
    assert sorted(set(ERASURE) - found) == [], "no longer exist"
    assert {fate for fate, _ in ERASURE.values()} <= {DELETED, ANONYMISED, KEPT}
    assert [key for key, (_, reason) in ERASURE.items() if len(reason) < 10] == []


def test_the_fields_the_walk_finds_other_than_keys_to_the_account():
    """The walk itself: addresses, pseudonyms, stored sessions and rows hanging off the
    person's own. If this list changes, the three tests above say what to decide."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    others = sorted(
        key for key, (_, field) in fields_naming_a_person().items()
        if field.related_model is not user_model
    )  # fmt: skip
    assert others == [
        "account.EmailAddress.email",
        "account.EmailConfirmation.email_address",
        "accounts.User.email",
        "evaluation.Response.pseudonym",
        "evaluation.Score.response",
        "groups.Invitation.email",
        "groups.Organisation.contact_email",
        "journals.SharedLearning.author_pseudonym",
        "sessions.Session.session_data",
    ]


@pytest.fixture
def everywhere(privacy):
    """The subject has a row in every field that names a person."""
    give_records(privacy, privacy.subject)
    return privacy


def _emails(user) -> list[str]:
    return [user.email, *user.emailaddress_set.values_list("email", flat=True)]


def test_the_export_holds_the_persons_rows_of_every_exported_field(everywhere):
    subject = everywhere.subject
    found = fields_naming_a_person()
    data = subject_access_data(subject)
    by_section: dict[str, dict[type, set]] = {}
    for key, section in EXPORTED.items():
        rows = rows_of(key, subject, _emails(subject), found)
        assert rows, f"the fixture gives the subject no row for {key}"
        by_section.setdefault(section, {}).setdefault(found[key][0], set()).update(rows)
    for section, models_rows in by_section.items():
        held = data[section] if isinstance(data[section], list) else [data[section]]
        if len(models_rows) == 1:
            # One kind of row: one row of the export for each of the person's rows.
            assert len(held) == len(next(iter(models_rows.values()))), section
        else:
            assert held, section


def test_erasure_does_what_the_map_says_with_every_row_that_names_the_person(client, everywhere):
    subject = everywhere.subject
    # Signed in on another device too (through allauth, as every sign-in is), so a stored
    # session names them until erasure ends it.
    elsewhere = Client()
    elsewhere.post(reverse("account_login"), {"login": subject.email, "password": PASSWORD})
    found = fields_naming_a_person()
    emails = _emails(subject)
    before = {key: rows_of(key, subject, emails, found) for key in found}
    assert [key for key, rows in before.items() if not rows] == [], (
        "give the subject a row of these in tests/privacy/conftest.py, so erasure is checked"
    )
    former = User(pk=subject.pk, email=subject.email)

    assert _erase(client, subject).status_code == 302

    wrong = []
    for key, (fate, _) in ERASURE.items():
        model = found[key][0]
        still = set(model._default_manager.filter(pk__in=before[key]).values_list("pk", flat=True))
        naming = rows_of(key, former, emails, found) & before[key]
        if fate == DELETED and still:
            wrong.append(f"{key}: {len(still)} rows not deleted")
        if fate == ANONYMISED and (still != before[key] or naming):
            wrong.append(f"{key}: {len(before[key] - still)} rows gone, {len(naming)} still name")
        if fate == KEPT and naming != before[key]:
            wrong.append(f"{key}: not kept as it was")
    assert wrong == []
