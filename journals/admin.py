"""Support views show metadata only. No field holding journal text is ever displayed."""

from django.contrib import admin

from journals.models import JournalEntry, ReflectiveTemplate, SharedLearning


@admin.register(JournalEntry)
class JournalEntryAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "author",
        "status",
        "template_key",
        "word_count",
        "created_at",
        "updated_at",
    ]
    list_filter = ["status"]
    fields = [
        "author",
        "status",
        "template_key",
        "session",
        "word_count",
        "version",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields
    search_fields = ["author__email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReflectiveTemplate)
class ReflectiveTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "is_active"]


@admin.register(SharedLearning)
class SharedLearningAdmin(admin.ModelAdmin):
    """Shared text is not journal text (the author chose to share it), but the pseudonym is
    never shown: support has no reason to group points by author."""

    list_display = ["id", "group", "created_at", "hidden_at"]
    fields = ["group", "text", "created_at", "hidden_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False
