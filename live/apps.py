from django.apps import AppConfig


class LiveConfig(AppConfig):
    """The transport for live updates; it knows nothing of workshops or people."""

    name = "live"
