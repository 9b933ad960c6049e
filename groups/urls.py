from django.urls import path

from groups.views import audit, invitations, organisations, practice_groups, setup, workshop_pack

app_name = "groups"
urlpatterns = [
    path("orgs/", organisations.organisation_list, name="organisation_list"),
    path("orgs/new/", organisations.organisation_create, name="organisation_create"),
    path("orgs/<int:org_id>/", organisations.organisation_detail, name="organisation_detail"),
    path("orgs/<int:org_id>/edit/", organisations.organisation_edit, name="organisation_edit"),
    path("orgs/<int:org_id>/logo/", organisations.organisation_logo, name="organisation_logo"),
    path("orgs/<int:org_id>/people/", organisations.people, name="people"),
    path("orgs/<int:org_id>/audit/", audit.audit_log_page, name="audit_log"),
    path("orgs/<int:org_id>/workshop-pack/", workshop_pack.workshop_pack, name="workshop_pack"),
    path(
        "orgs/<int:org_id>/people/<int:membership_id>/roles/",
        organisations.person_roles,
        name="person_roles",
    ),
    path(
        "orgs/<int:org_id>/people/<int:membership_id>/remove/",
        organisations.person_remove,
        name="person_remove",
    ),
    path("orgs/<int:org_id>/invite/", invitations.invite, name="invite"),
    path("orgs/<int:org_id>/invite/many/", invitations.invite_many, name="invite_many"),
    path(
        "orgs/<int:org_id>/invitations/<int:invitation_id>/revoke/",
        invitations.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "orgs/<int:org_id>/invitations/<int:invitation_id>/resend/",
        invitations.invitation_resend,
        name="invitation_resend",
    ),
    path("invitations/<str:token>/", invitations.invitation_accept, name="invitation"),
    path("orgs/<int:org_id>/groups/new/", practice_groups.group_create, name="create"),
    path("groups/", practice_groups.group_list, name="list"),
    path("groups/<int:group_id>/", practice_groups.group_detail, name="detail"),
    path("groups/<int:group_id>/edit/", practice_groups.group_edit, name="edit"),
    path("groups/<int:group_id>/plan/", practice_groups.plan, name="plan"),
    path("groups/<int:group_id>/start/", practice_groups.start, name="start"),
    path("groups/<int:group_id>/sign-off/", practice_groups.sign_off, name="sign_off"),
    path("groups/<int:group_id>/members/", setup.members, name="members"),
    path(
        "groups/<int:group_id>/members/<int:member_id>/role/", setup.member_role, name="member_role"
    ),
    path(
        "groups/<int:group_id>/members/<int:member_id>/remove/",
        setup.member_remove,
        name="member_remove",
    ),
    path(
        "groups/<int:group_id>/members/<int:member_id>/trained/",
        setup.member_trained,
        name="member_trained",
    ),
    path("groups/<int:group_id>/facilitation/", setup.facilitation, name="facilitation"),
    path("groups/<int:group_id>/partners/", setup.partners, name="partners"),
    path(
        "groups/<int:group_id>/partners/<int:partner_id>/respond/",
        setup.partner_respond,
        name="partner_respond",
    ),
    path("groups/<int:group_id>/agreement/", setup.agreement, name="agreement"),
    path("groups/<int:group_id>/agreement/edit/", setup.agreement_edit, name="agreement_edit"),
    path("groups/<int:group_id>/ownership/", setup.ownership, name="ownership"),
]
