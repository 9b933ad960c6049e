"""Support views for the operator. Read-mostly: changes go through the product's own pages."""

from django.contrib import admin

from groups import models


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = models.Membership
    fields = ["user", "is_admin", "is_manager", "is_facilitator", "is_practitioner", "joined_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(models.Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ["name", "contact_email", "created_at"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(models.Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = [
        "email",
        "organisation",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = ["organisation"]
    search_fields = ["email"]
    exclude = ["nonce"]


@admin.register(models.PracticeGroup)
class PracticeGroupAdmin(ReadOnlyAdmin):
    list_display = ["name", "host", "structure", "facilitation_model", "status", "created_at"]
    list_filter = ["structure", "status"]
    search_fields = ["name", "host__name"]
