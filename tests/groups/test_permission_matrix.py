"""Every URL of the groups feature, for every kind of visitor, for GET and for an empty POST.

The privacy model: someone outside an organisation or group gets a 404 and nothing changes;
someone inside without the right role gets a 403; an anonymous visitor is sent to sign in.
The table below is the expected status for each URL; a new URL without a row fails
``test_every_groups_url_has_a_row_in_the_matrix``.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from groups.models import GroupPartner, Invitation, Membership, PracticeGroup
from groups.services.invitations import INVITATION_LIFETIME, invitation_token
from tests.factories import MembershipFactory, OrganisationFactory

ROLES = ("anonymous", "practitioner", "facilitator", "manager", "org_admin", "outsider")

# (status for GET, status for an empty POST)
LOGIN = (302, 302)  # anonymous: sent to the sign-in page
PAGE = (200, 200)  # a page; an empty POST re-renders it (an empty POST leaves the form unbound)
PAGE_REDIRECTS = (200, 302)  # a page whose empty POST is refused with a message and a redirect
READ_ONLY = (200, 403)  # may look, may not change
ACTION = (405, 302)  # POST only; the POST redirects back with a message
ACTION_RENDERS = (405, 200)  # POST only; the POST re-renders a page
FORBIDDEN = (403, 403)
ACTION_FORBIDDEN = (405, 403)
HIDDEN = (404, 404)
HIDDEN_TO_ALL = (404, 404)  # GET and POST alike: nothing to show
ACTION_HIDDEN = (405, 404)  # 405 comes before any lookup, so it tells nothing

# fmt: off
MATRIX: dict[str, tuple[tuple[int, int], ...]] = {
    # name                  anonymous  practitioner      facilitator       manager           org_admin         outsider
    "organisation_list":   (LOGIN,    PAGE,             PAGE,             PAGE,             PAGE,             PAGE),
    "organisation_create": (LOGIN,    PAGE,             PAGE,             PAGE,             PAGE,             PAGE),
    "organisation_detail": (LOGIN,    PAGE,             PAGE,             PAGE,             PAGE,             HIDDEN),
    "organisation_edit":   (LOGIN,    FORBIDDEN,        FORBIDDEN,        FORBIDDEN,        PAGE,             HIDDEN),
    # A 404 for members too here: the organisation has no logo in this world.
    "organisation_logo":   (LOGIN,    HIDDEN_TO_ALL,    HIDDEN_TO_ALL,    HIDDEN_TO_ALL,    HIDDEN_TO_ALL,    HIDDEN),
    "people":              (LOGIN,    FORBIDDEN,        FORBIDDEN,        FORBIDDEN,        PAGE,             HIDDEN),
    "audit_log":           (LOGIN,    FORBIDDEN,        FORBIDDEN,        FORBIDDEN,        PAGE,             HIDDEN),
    # Admins and facilitators customise the workshop pack; an empty POST re-renders the form.
    "workshop_pack":       (LOGIN,    FORBIDDEN,        PAGE,             FORBIDDEN,        PAGE,             HIDDEN),
    "person_roles":        (LOGIN,    ACTION_FORBIDDEN, ACTION_FORBIDDEN, ACTION_FORBIDDEN, ACTION,           ACTION_HIDDEN),
    "person_remove":       (LOGIN,    ACTION_FORBIDDEN, ACTION_FORBIDDEN, ACTION_FORBIDDEN, ACTION,           ACTION_HIDDEN),
    "invite":              (LOGIN,    FORBIDDEN,        FORBIDDEN,        FORBIDDEN,        PAGE,             HIDDEN),
    "invite_many":         (LOGIN,    ACTION_FORBIDDEN, ACTION_FORBIDDEN, ACTION_FORBIDDEN, ACTION_RENDERS,   ACTION_HIDDEN),
    "invitation_revoke":   (LOGIN,    ACTION_FORBIDDEN, ACTION_FORBIDDEN, ACTION_FORBIDDEN, ACTION,           ACTION_HIDDEN),
    "invitation_resend":   (LOGIN,    ACTION_FORBIDDEN, ACTION_FORBIDDEN, ACTION_FORBIDDEN, ACTION,           ACTION_HIDDEN),
    # The emailed link is public: the token is the secret. A wrong address re-renders.
    "invitation":          (PAGE,     PAGE,             PAGE,             PAGE,             PAGE,             PAGE),
    "create":              (LOGIN,    FORBIDDEN,        PAGE,             FORBIDDEN,        PAGE,             HIDDEN),
    "list":                (LOGIN,    PAGE,             PAGE,             PAGE,             PAGE,             PAGE),
    "detail":              (LOGIN,    PAGE,             PAGE,             PAGE,             PAGE,             HIDDEN),
    "edit":                (LOGIN,    FORBIDDEN,        PAGE,             FORBIDDEN,        PAGE,             HIDDEN),
    "plan":                (LOGIN,    FORBIDDEN,        PAGE,             FORBIDDEN,        PAGE,             HIDDEN),
    "start":               (LOGIN,    ACTION_FORBIDDEN, ACTION,           ACTION_FORBIDDEN, ACTION,           ACTION_HIDDEN),
    "sign_off":            (LOGIN,    ACTION_FORBIDDEN, ACTION_FORBIDDEN, ACTION,           ACTION,           ACTION_HIDDEN),
    # Managers never see names.
    "members":             (LOGIN,    READ_ONLY,        PAGE,             FORBIDDEN,        PAGE,             HIDDEN),
    "member_role":         (LOGIN,    ACTION_FORBIDDEN, ACTION,           ACTION_FORBIDDEN, ACTION,           ACTION_HIDDEN),
    "member_remove":       (LOGIN,    ACTION_FORBIDDEN, ACTION,           ACTION_FORBIDDEN, ACTION,           ACTION_HIDDEN),
    "member_trained":      (LOGIN,    ACTION_FORBIDDEN, ACTION,           ACTION_FORBIDDEN, ACTION,           ACTION_HIDDEN),
    "facilitation":        (LOGIN,    FORBIDDEN,        PAGE,             FORBIDDEN,        PAGE,             HIDDEN),
    "partners":            (LOGIN,    FORBIDDEN,        PAGE,             FORBIDDEN,        PAGE,             HIDDEN),
    # Only an admin or manager of the invited partner organisation answers for it.
    "partner_respond":     (LOGIN,    ACTION_FORBIDDEN, ACTION_FORBIDDEN, ACTION_FORBIDDEN, ACTION_FORBIDDEN, ACTION_HIDDEN),
    "agreement":           (LOGIN,    PAGE_REDIRECTS,   PAGE_REDIRECTS,   PAGE_REDIRECTS,   PAGE_REDIRECTS,   HIDDEN),
    "agreement_edit":      (LOGIN,    FORBIDDEN,        PAGE,             FORBIDDEN,        PAGE,             HIDDEN),
    "ownership":           (LOGIN,    FORBIDDEN,        PAGE,             FORBIDDEN,        PAGE,             HIDDEN),
}
# fmt: on

# Pages that belong to nobody's organisation in particular: everyone signed in may use them.
NOT_RIVERSIDES = {"organisation_list", "organisation_create", "list", "invitation"}

SNAPSHOT_MODELS = [
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
    "audit.AuditEvent",
]


def _groups_patterns() -> dict:
    """The groups namespace's URL patterns by name, read from the project's resolver."""
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "groups":
            return {p.name: p for p in entry.url_patterns}
    raise AssertionError("No URLconf is included under the groups namespace.")


GROUPS_PATTERNS = _groups_patterns()


def _snapshot() -> dict[str, list[dict]]:
    """Every row of every table the groups pages can change."""
    return {
        label: list(apps.get_model(label).objects.order_by("pk").values())
        for label in SNAPSHOT_MODELS
    }


def _url_kwargs(world) -> dict[str, object]:
    """An object of the Riverside world for every kind of id a groups URL takes."""
    # A multi-agency group with a partner that none of the six visitors leads.
    world.group.structure = PracticeGroup.Structure.MULTI_AGENCY
    world.group.save(update_fields=["structure"])
    partner_org = OrganisationFactory(name="Partner Trust")
    partner = GroupPartner.objects.create(group=world.group, organisation=partner_org)
    spare = MembershipFactory(organisation=world.org)  # someone an admin may change or remove
    invitation = Invitation.objects.create(
        organisation=world.org,
        email="newcomer@example.test",
        name="New Comer",
        is_practitioner=True,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    return {
        "org_id": world.org.pk,
        "group_id": world.group.pk,
        "membership_id": spare.pk,
        "member_id": world.group.members.get(user=world.practitioner).pk,
        "invitation_id": invitation.pk,
        "partner_id": partner.pk,
        "token": invitation_token(invitation),
    }


def _visitor(world, role: str):
    return {
        "anonymous": None,
        "practitioner": world.practitioner,
        "facilitator": world.facilitator,
        "manager": world.manager,
        "org_admin": world.admin,
        "outsider": world.outsider,
    }[role]


def test_every_groups_url_has_a_row_in_the_matrix():
    assert set(GROUPS_PATTERNS) == set(MATRIX), (
        "URLs without a row: "
        f"{sorted(set(GROUPS_PATTERNS) - set(MATRIX))}; "
        f"rows without a URL: {sorted(set(MATRIX) - set(GROUPS_PATTERNS))}"
    )


def test_the_world_gives_an_id_for_every_part_of_every_groups_url(world):
    kwargs = _url_kwargs(world)
    for name, pattern in GROUPS_PATTERNS.items():
        needed = set(pattern.pattern.converters)
        assert needed <= set(kwargs), f"{name} needs {needed - set(kwargs)}"


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(GROUPS_PATTERNS))
def test_each_visitor_gets_the_expected_status_and_only_allowed_visitors_change_anything(
    client, world, name, role, method
):
    assert name in MATRIX, f"groups:{name} has no row in the permission matrix"
    kwargs = _url_kwargs(world)
    pattern = GROUPS_PATTERNS[name]
    url = reverse(f"groups:{name}", kwargs={k: kwargs[k] for k in pattern.pattern.converters})
    visitor = _visitor(world, role)
    if visitor is not None:
        client.force_login(visitor)
    expected = MATRIX[name][ROLES.index(role)][0 if method == "GET" else 1]
    before = _snapshot()

    response = client.get(url) if method == "GET" else client.post(url, {})

    assert response.status_code == expected, (
        f"{method} groups:{name} as {role}: expected {expected}, got {response.status_code}"
    )
    if expected == 302 and role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    # Refusals change nothing; nor does an empty answer to the invitation link.
    refused = expected in {403, 404, 405} or role == "anonymous" or name == "invitation"
    if refused:
        assert _snapshot() == before, f"{method} groups:{name} as {role} changed data"
    if role == "outsider":
        # Whatever the outsider sends, nothing of Riverside's changes, and nothing is revealed.
        assert _snapshot() == before, f"{method} groups:{name} as the outsider changed data"
        if name not in NOT_RIVERSIDES and method == "POST":
            assert expected == 404
        body = response.content.decode()
        if name != "invitation":
            assert "Riverside" not in body
            assert "Team RP" not in body


def test_a_post_only_url_answers_405_for_an_id_that_does_not_exist_too(client, world):
    """So a 405 to the outsider's GET reveals nothing about Riverside."""
    client.force_login(world.outsider)
    real = client.get(reverse("groups:start", args=[world.group.pk]))
    missing = client.get(reverse("groups:start", args=[world.group.pk + 10_000]))
    assert real.status_code == missing.status_code == 405


def test_the_outsider_cannot_invite_anyone_into_riverside(client, world):
    client.force_login(world.outsider)
    before = Membership.objects.filter(organisation=world.org).count()
    response = client.post(
        reverse("groups:invite", args=[world.org.pk]),
        {"email": "spy@example.test", "is_practitioner": "on"},
    )
    assert response.status_code == 404
    assert Membership.objects.filter(organisation=world.org).count() == before
    assert not Invitation.objects.filter(email="spy@example.test").exists()
