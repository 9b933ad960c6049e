from django.urls import path

from journals.views import entries, exports, org_templates, sharing

app_name = "journals"
urlpatterns = [
    path("journal/", entries.journal_list, name="list"),
    path("journal/new/", entries.entry_new, name="new"),
    path("journal/autosave/", entries.autosave, name="autosave"),
    path("journal/export/", exports.export, name="export"),
    path("journal/<int:entry_id>/", entries.entry_detail, name="entry"),
    path("journal/<int:entry_id>/edit/", entries.entry_edit, name="edit"),
    path("journal/<int:entry_id>/delete/", entries.entry_delete, name="delete"),
    path("journal/<int:entry_id>/share/", sharing.share, name="share"),
    path(
        "journal/<int:entry_id>/reflective-account/",
        exports.reflective_account,
        name="reflective_account",
    ),
    path("groups/<int:group_id>/learning/", sharing.group_learning, name="group_learning"),
    path("learning/<int:item_id>/withdraw/", sharing.withdraw, name="withdraw"),
    path("learning/<int:item_id>/hide/", sharing.hide, name="hide"),
    path("orgs/<int:org_id>/templates/", org_templates.templates_list, name="templates"),
    path(
        "orgs/<int:org_id>/templates/<int:template_id>/",
        org_templates.template_edit,
        name="template_edit",
    ),
]
