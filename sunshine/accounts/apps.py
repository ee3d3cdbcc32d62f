from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sunshine.accounts"
    label = "accounts"
