"""Who may do what with organisations and groups: every rule in one place.

Rules take plain values (a membership, a GroupAccess) so that a view resolves the object
once and asks as many questions as it needs without more queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from groups.models import GroupMember, GroupPartner, Membership, PracticeGroup


def can_manage_organisation(membership: Membership | None) -> bool:
    """Invite people, change roles, edit details and branding."""
    return bool(membership and membership.is_admin)


def can_create_group(membership: Membership | None) -> bool:
    return bool(membership and (membership.is_admin or membership.is_facilitator))


def can_build_workshop_pack(membership: Membership | None) -> bool:
    """Customise and download the introductory workshop pack."""
    return bool(membership and (membership.is_admin or membership.is_facilitator))


def can_see_partner_code(membership: Membership | None) -> bool:
    return bool(membership and (membership.is_admin or membership.is_manager))


@dataclass
class GroupAccess:
    """What one person may see and do in one group, worked out once per request."""

    group: PracticeGroup
    member: GroupMember | None
    memberships: dict[int, Membership]  # the person's memberships, by organisation id
    partners: list[GroupPartner] = field(default_factory=list)

    @property
    def participating_org_ids(self) -> set[int]:
        accepted = {
            p.organisation_id for p in self.partners if p.status == GroupPartner.Status.ACCEPTED
        }
        return {self.group.host_id, *accepted}

    def _leads(self, org_id: int) -> bool:
        membership = self.memberships.get(org_id)
        return bool(membership and (membership.is_admin or membership.is_manager))

    @property
    def is_member(self) -> bool:
        return self.member is not None

    @property
    def is_facilitator(self) -> bool:
        return self.member is not None and self.member.role == GroupMember.Role.FACILITATOR

    @property
    def is_host_admin(self) -> bool:
        membership = self.memberships.get(self.group.host_id)
        return bool(membership and membership.is_admin)

    @property
    def can_view(self) -> bool:
        invited = {
            p.organisation_id for p in self.partners if p.status != GroupPartner.Status.DECLINED
        }
        return self.is_member or any(
            self._leads(org) for org in self.participating_org_ids | invited
        )

    @property
    def can_facilitate(self) -> bool:
        """Plan, add members, edit the agreement, invite partners, start the group."""
        return self.is_facilitator or self.is_host_admin

    @property
    def can_see_names(self) -> bool:
        """Members see who is in their group; managers and admins of partners see counts."""
        return self.is_member or self.can_facilitate

    @property
    def sign_off_org_ids(self) -> set[int]:
        """Participating organisations this person may sign off for."""
        return {org for org in self.participating_org_ids if self._leads(org)}

    def can_respond_for(self, partner: GroupPartner) -> bool:
        return partner.status == GroupPartner.Status.INVITED and self._leads(
            partner.organisation_id
        )

    @property
    def must_accept_agreement(self) -> bool:
        return self.is_member
