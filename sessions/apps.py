from django.apps import AppConfig


class SessionsConfig(AppConfig):
    """Group sessions. The label avoids a clash with django.contrib.sessions ("sessions")."""

    name = "sessions"
    label = "rp_sessions"
    verbose_name = "Group sessions"
