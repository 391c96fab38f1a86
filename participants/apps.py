from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    name = "participants"

    def ready(self):
        from live.events import render_on
        from participants import renderers, signals

        render_on(signals.POST_CHANGED, renderers.contribution_changed)
        render_on([signals.contribution_merged], renderers.contribution_merged)
        render_on([signals.contribution_withdrawn], renderers.contribution_withdrawn)
        render_on(signals.WORKSHOP_CHANGED, renderers.phones_resync)
        render_on([signals.workshop_status_changed], renderers.phones_read_only)
        signals.participant_erased.connect(renderers.erased_phones_hang_up)
