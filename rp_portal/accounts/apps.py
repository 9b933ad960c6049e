from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rp_portal.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from rp_portal.accounts import (  # noqa: F401 -- registers the checks and receivers
            checks,
            receivers,
        )
