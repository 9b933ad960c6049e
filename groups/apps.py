from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = "Organisations and groups"

    def ready(self) -> None:
        # The Celery worker builds documents by kind; it learns this one here.
        from groups.workshop_pack.builder import build_workshop_pack
        from groups.workshop_pack.content import KIND
        from rp_portal.documents.registry import register

        register(KIND, build_workshop_pack)
