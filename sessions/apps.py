from django.apps import AppConfig


class SessionsConfig(AppConfig):
    """Group sessions. The label avoids a clash with django.contrib.sessions ("sessions")."""

    name = "sessions"
    label = "rp_sessions"
    verbose_name = "Group sessions"

    def ready(self) -> None:
        # The Celery worker builds documents by kind; it learns this one here.
        from rp_portal.documents.registry import register
        from sessions.session_pack import KIND, build_session_pack

        register(KIND, build_session_pack)
