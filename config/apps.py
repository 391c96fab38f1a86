from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """Holds project-wide system checks."""

    name = "config"

    def ready(self):
        from config import checks  # noqa: F401  (registers the checks)
