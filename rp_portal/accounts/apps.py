from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rp_portal.accounts"
    label = "accounts"
    verbose_name = "Accounts"
