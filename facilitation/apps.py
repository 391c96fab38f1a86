from django.apps import AppConfig


class FacilitationConfig(AppConfig):
    """The facilitator console, the projector wall and scribe entry, kept live."""

    name = "facilitation"

    def ready(self):
        from facilitation import renderers
        from live.events import render_on
        from participants import signals
        from synthesis import publication

        render_on(signals.POST_CHANGED, renderers.contribution_changed)
        render_on([signals.contribution_merged], renderers.contribution_merged)
        render_on([signals.contribution_withdrawn], renderers.contribution_withdrawn)
        render_on(signals.WORKSHOP_CHANGED, renderers.staff_pages_resync)
        render_on([signals.participant_joined], renderers.people_joined)
        signals.votes_changed.connect(renderers.votes_changed)
        publication.results_changed.connect(renderers.results_changed)
