from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Staff: roles, the permission decorators views use, and the audit log."""

    name = "accounts"
