"""Reads: scoped querysets and the set-up checklist."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from groups.models import (
    AgreementAcceptance,
    AgreementVersion,
    GroupMember,
    GroupPartner,
    Invitation,
    Membership,
    Organisation,
    PracticeGroup,
    SignOff,
    TrainingRecord,
)
from groups.permissions import GroupAccess
from groups.workshop_pack.content import KIND as WORKSHOP_PACK
from rp_portal.documents.models import DocumentBuild


def memberships_of(user) -> dict[int, Membership]:
    if not user.is_authenticated:
        return {}
    return {m.organisation_id: m for m in Membership.objects.filter(user=user)}


def organisations_for(user) -> QuerySet[Organisation]:
    """The organisations a person belongs to, with their people and group counts."""
    return (
        Organisation.objects.filter(memberships__user=user)
        .annotate(
            people_count=Count("memberships", distinct=True),
            group_count=Count("hosted_groups", distinct=True),
        )
        .order_by("name", "id")
    )


def organisation_for(user, organisation_id: int) -> tuple[Organisation, Membership]:
    """The organisation and the person's membership of it; a 404 for anyone else."""
    membership = (
        Membership.objects.select_related("organisation")
        .filter(user=user, organisation_id=organisation_id)
        .first()
    )
    if membership is None:
        raise Http404("No such organisation.")
    return membership.organisation, membership


def people_of(organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("user__display_name", "user__email")
    )


def open_invitations_of(organisation: Organisation) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        organisation=organisation, accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("invited_by")


def _leading_org_ids(user):
    return Membership.objects.filter(user=user).filter(Q(is_admin=True) | Q(is_manager=True))


def _visible_group_ids(user, led) -> QuerySet:
    """Ids of the groups a person is in, hosts or partners (invited or accepted) through an
    organisation they lead. ``led``: those organisations' ids (a list or a subquery).

    One UNION, so PostgreSQL reads each part by index: an OR of the three conditions made it
    scan every group, and counting members by a join read every membership row.
    """
    return (
        GroupMember.objects.filter(user=user)
        .order_by()
        .values("group_id")
        .union(
            PracticeGroup.objects.filter(host_id__in=led).order_by().values("pk"),
            GroupPartner.objects.filter(
                organisation_id__in=led,
                status__in=[GroupPartner.Status.INVITED, GroupPartner.Status.ACCEPTED],
            )
            .order_by()
            .values("group_id"),
        )
    )


def _visible_groups(user, led) -> QuerySet[PracticeGroup]:
    return (
        PracticeGroup.objects.filter(pk__in=_visible_group_ids(user, led))
        .select_related("host")
        .order_by("name", "id")
    )


def groups_for(user) -> QuerySet[PracticeGroup]:
    """Groups a person is in, or leads as an admin or manager of a taking-part organisation."""
    members = (
        GroupMember.objects.filter(group=OuterRef("pk"))
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    led = _leading_org_ids(user).values("organisation_id")
    return _visible_groups(user, led).annotate(member_count=Coalesce(Subquery(members), 0))


def group_access_for(user, group_id: int, *, agreement_state: bool = False) -> GroupAccess:
    """Resolve a group for this person, or 404 (another organisation's group, or no such id).

    ``agreement_state``: also say, on ``access.member``, whether the person accepted the
    group's current agreement (``accepted_current_agreement``), in the same query.
    """
    group = (
        PracticeGroup.objects.select_related("host")
        .prefetch_related(
            Prefetch("partners", queryset=GroupPartner.objects.select_related("organisation"))
        )
        .filter(pk=group_id)
        .first()
    )
    if group is None:
        raise Http404("No such group.")
    places = GroupMember.objects.filter(group=group, user=user)
    if agreement_state:
        latest = AgreementVersion.objects.filter(group=group).order_by("-number").values("pk")
        places = places.annotate(
            accepted_current_agreement=Exists(
                AgreementAcceptance.objects.filter(version_id=Subquery(latest[:1]), user=user)
            )
        )
    member = places.first()
    access = GroupAccess(
        group=group,
        member=member,
        memberships=memberships_of(user),
        partners=list(group.partners.all()),
    )
    if not access.can_view:
        raise Http404("No such group.")
    return access


def current_agreement(group: PracticeGroup) -> AgreementVersion | None:
    return AgreementVersion.objects.filter(group=group).order_by("-number").first()


def has_accepted_current_agreement(user, group: PracticeGroup) -> bool:
    # One query: the newest version's id as a subquery (NULL, so no match, when there is none).
    latest = AgreementVersion.objects.filter(group=group).order_by("-number").values("pk")[:1]
    return AgreementAcceptance.objects.filter(version_id=Subquery(latest), user=user).exists()


def group_members(group: PracticeGroup) -> QuerySet[GroupMember]:
    """Members with what the members page shows: organisation, training, agreement."""
    latest = AgreementVersion.objects.filter(group=group).order_by("-number").values("pk")[:1]
    return (
        GroupMember.objects.filter(group=group)
        .select_related("user", "organisation")
        .annotate(
            # Training recorded by any organisation counts.
            is_trained=Exists(TrainingRecord.objects.filter(user=OuterRef("user"))),
            accepted_agreement=Exists(
                AgreementAcceptance.objects.filter(user=OuterRef("user"), version=latest)
            ),
        )
        .order_by("role", "user__display_name", "user__email")
    )


def group_places(user) -> list[GroupMember]:
    """The person's places in groups, ordered by group name, each with its group (and host)
    and two annotations: ``agreement``, the id of the group's latest agreement version (None
    when there is none), and ``accepted``, whether this person accepted that version."""
    latest = (
        AgreementVersion.objects.filter(group=OuterRef("group")).order_by("-number").values("pk")
    )[:1]
    return list(
        GroupMember.objects.filter(user=user)
        .select_related("group__host")
        .only(*_PLACE_FIELDS)
        .annotate(
            agreement=Subquery(latest),
            accepted=Exists(
                AgreementAcceptance.objects.filter(user=user, version=OuterRef("agreement"))
            ),
        )
        .order_by("group__name", "group_id")
    )


# What the home page and the first-visit guides read of a place and its group.
_PLACE_FIELDS = (
    "group", "added_at",
    "group__name", "group__status", "group__structure", "group__host", "group__host__name",
)  # fmt: skip


def home_summary(user, *, group_limit: int = 8) -> dict:
    """What a signed-in person's home page shows: their groups, organisations and to-dos.

    Also ``memberships`` (with their organisations) and ``places`` (``group_places``), which
    the first-visit guides reuse instead of asking again.
    """
    memberships = list(Membership.objects.filter(user=user).select_related("organisation"))
    led = sorted({m.organisation_id for m in memberships if m.is_admin or m.is_manager})
    places = group_places(user)
    if led:
        groups = list(_visible_groups(user, led).only(*_GROUP_LIST_FIELDS)[:group_limit])
        partner_requests = list(
            GroupPartner.objects.filter(status=GroupPartner.Status.INVITED, organisation_id__in=led)
            .select_related("group__host", "organisation")
            .only("group__name", "group__host__name", "organisation__name")
            .order_by("invited_at")
        )
        to_sign = _groups_to_sign(led)
    else:
        # Someone who leads no organisation sees just the groups they are in (their places,
        # already in the database's name order) and has nothing to sign off or answer.
        groups = [place.group for place in places[:group_limit]]
        partner_requests, to_sign = [], []
    # A group with no agreement yet is listed too (there is nothing to accept, but its page
    # says so), as it always has been.
    to_accept = [place.group for place in places if not place.accepted]
    return {
        "organisations": [m.organisation for m in memberships],
        "groups": groups,
        "to_accept": to_accept,
        "partner_requests": partner_requests,
        "to_sign": to_sign,
        "memberships": memberships,
        "places": places,
    }


_GROUP_LIST_FIELDS = ("name", "status", "structure", "host", "host__name")


def _groups_to_sign(led: list[int]) -> list[PracticeGroup]:
    """Groups that an organisation in ``led`` hosts or takes part in as an accepted partner
    but has not signed off, by name. (Four plain queries cost less to build than one UNION
    with two anti-joins, which took 3,000 more Python calls.)"""
    hosted = PracticeGroup.objects.filter(host_id__in=led).values_list("pk", "host_id")
    partnered = GroupPartner.objects.filter(
        organisation_id__in=led, status=GroupPartner.Status.ACCEPTED
    ).values_list("group_id", "organisation_id")
    pairs = set(hosted) | set(partnered)
    signed = set(
        SignOff.objects.filter(group_id__in={g for g, _ in pairs}).values_list(
            "group_id", "organisation_id"
        )
    )
    unsigned_group_ids = {g for g, org in pairs - signed}
    return list(
        PracticeGroup.objects.filter(pk__in=unsigned_group_ids).only("name").order_by("name")
    )


def recent_workshop_packs(user, organisation: Organisation, *, limit: int = 6):
    """This person's latest workshop pack builds for the organisation (each is theirs only)."""
    return list(
        DocumentBuild.objects.filter(
            owner=user, kind=WORKSHOP_PACK, organisation_id=organisation.pk
        )
        .only("pk", "status", "inputs", "created_at", "filename")
        .order_by("-created_at", "-id")[:limit]
    )
