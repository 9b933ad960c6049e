from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rp_portal.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from rp_portal.accounts import receivers  # noqa: F401 -- connects the signal receivers
