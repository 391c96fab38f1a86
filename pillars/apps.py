from django.apps import AppConfig


class PillarsConfig(AppConfig):
    name = "pillars"
    verbose_name = "Frameworks"

    def ready(self):
        from accounts import signals

        signals.organisation_created.connect(_give_send_framework, dispatch_uid="pillars-send")


def _give_send_framework(sender, organisation, **event):
    """Each organisation starts with its own copy of the SEND framework, from its source."""
    from pillars import send_reform
    from pillars.models import Framework, Pillar, Recommendation

    send_reform.load(Framework, Pillar, Recommendation, organisation=organisation)
