"""Demo organisations and groups at different set-up stages (loaded by `manage.py demo_data`)."""

from __future__ import annotations

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from groups.models import (
    AgreementAcceptance,
    GroupMember,
    Membership,
    Organisation,
    PracticeGroup,
    TrainingRecord,
)
from groups.selectors import group_access_for
from groups.services import practice_groups as group_services
from groups.services.organisations import organisation_create
from rp_portal.accounts.demo import DEMO_PASSWORD
from rp_portal.accounts.models import User

HOST = "Riverside Youth Services"


def _person(email: str, name: str) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"display_name": name})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _join(org: Organisation, user: User, **roles) -> Membership:
    membership, _ = Membership.objects.update_or_create(organisation=org, user=user, defaults=roles)
    return membership


@transaction.atomic
def demo_groups_load(people: dict[str, User]) -> None:
    if Organisation.objects.filter(name=HOST).exists():
        return
    admin, manager = people["admin@example.org"], people["manager@example.org"]
    facilitator, practitioner = (
        people["facilitator@example.org"],
        people["practitioner@example.org"],
    )

    riverside = organisation_create(
        creator=admin, name=HOST, contact_email="rp@riverside.example.org",
        description="Leaving care, youth justice and supported housing teams for young people in the city.",
    )  # fmt: skip
    _join(riverside, manager, is_manager=True)
    _join(riverside, facilitator, is_facilitator=True, is_practitioner=True)
    _join(riverside, practitioner, is_practitioner=True)
    colleagues = [
        _person(f"{first.lower()}@riverside.example.org", f"{first} {last}")
        for first, last in [
            ("Alex", "Morgan"),
            ("Jamie", "Clarke"),
            ("Sam", "Okafor"),
            ("Taylor", "Reid"),
        ]
    ]
    for colleague in colleagues:
        _join(riverside, colleague, is_practitioner=True)

    northgate_admin = _person("admin@northgate.example.org", "Nadia Northgate")
    northgate = organisation_create(creator=northgate_admin, name="Northgate Housing Trust")
    northgate_staff = [
        _person("lee@northgate.example.org", "Lee Hughes"),
        _person("kim@northgate.example.org", "Kim Patel"),
    ]
    for person in northgate_staff:
        _join(northgate, person, is_practitioner=True)
    citywide_admin = _person("admin@cityhealth.example.org", "Chris Cityhealth")
    citywide = organisation_create(creator=citywide_admin, name="City Health Partnership")
    _join(citywide, manager, is_manager=True)  # managers of partner agencies often belong to both

    # 1. A team group, well on its way: running, signed off, planned, trained, agreement accepted.
    team = group_services.group_create(
        host=riverside, creator=facilitator, name="Leaving Care Team reflective practice",
        purpose="A monthly space for the leaving care team to think together about the young people we find hardest to reach.",
        structure=PracticeGroup.Structure.TEAM, facilitation_model=PracticeGroup.Facilitation.INTERNAL,
    )  # fmt: skip
    group_services.group_update(
        group=team, actor=facilitator,
        aims="Learn from cases that did not go as hoped, without blame, and share what works.",
        objectives="Practitioners feel more confident and less alone; young people get more consistent support.",
        frequency="Monthly, 90 minutes", usual_place="Room 4, Riverside Hub",
    )  # fmt: skip
    access = group_access_for(manager, team.pk)
    group_services.sign_off_record(
        access=access,
        organisation_id=riverside.pk,
        actor=manager,
        note="90 minutes a month in work time",
    )
    for person in [practitioner, *colleagues[:3]]:
        member = group_services.group_member_add(
            access=access, membership=Membership.objects.get(organisation=riverside, user=person),
            role=GroupMember.Role.MEMBER, actor=facilitator,
        )  # fmt: skip
        group_services.training_record(
            member=member, actor=facilitator, completed_on=timezone.localdate() - timedelta(days=40)
        )
    TrainingRecord.objects.get_or_create(
        user=facilitator, organisation=riverside,
        defaults={"completed_on": timezone.localdate() - timedelta(days=90), "recorded_by": admin},
    )  # fmt: skip
    version = team.agreement_versions.first()
    for person in [facilitator, *colleagues[:3]]:  # the demo practitioner still has to accept
        AgreementAcceptance.objects.get_or_create(version=version, user=person)
    group_services.ownership_record(
        group=team, actor=facilitator, note="First Tuesday of the month, 2 to 3.30pm, Room 4."
    )
    group_services.group_start(group=team, actor=facilitator)

    # 2. An organisational group just set up, with peer facilitation to sort out.
    group_services.group_create(
        host=riverside, creator=facilitator, name="Across the teams",
        purpose="Youth justice, housing and leaving care staff learning from each other's work.",
        structure=PracticeGroup.Structure.ORGANISATIONAL, facilitation_model=PracticeGroup.Facilitation.PEER,
    )  # fmt: skip

    # 3. A multi-agency group across three organisations: one partner in, one still deciding.
    multi = group_services.group_create(
        host=riverside, creator=facilitator, name="Transitions to adulthood (multi-agency)",
        purpose="Housing, health and leaving care practitioners reflecting together on young people moving to adult services.",
        structure=PracticeGroup.Structure.MULTI_AGENCY, facilitation_model=PracticeGroup.Facilitation.EXTERNAL,
    )  # fmt: skip
    access = group_access_for(facilitator, multi.pk)
    northgate_partner = group_services.group_partner_invite(
        access=access, partner_code=northgate.partner_code, actor=facilitator
    )
    group_services.group_partner_respond(
        partner=northgate_partner, actor=northgate_admin, accept=True
    )
    group_services.group_partner_invite(
        access=access, partner_code=citywide.partner_code, actor=facilitator
    )
    access = group_access_for(manager, multi.pk)
    group_services.sign_off_record(access=access, organisation_id=riverside.pk, actor=manager)
    access = group_access_for(facilitator, multi.pk)
    group_services.group_member_add(
        access=access, membership=Membership.objects.get(organisation=riverside, user=practitioner),
        role=GroupMember.Role.MEMBER, actor=facilitator,
    )  # fmt: skip
    for person in northgate_staff:
        group_services.group_member_add(
            access=access, membership=Membership.objects.get(organisation=northgate, user=person),
            role=GroupMember.Role.MEMBER, actor=facilitator,
        )  # fmt: skip
