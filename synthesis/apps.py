from django.apps import AppConfig


class SynthesisConfig(AppConfig):
    name = "synthesis"

    def ready(self):
        from participants import signals

        for signal in (*signals.POST_CHANGED, signals.contribution_merged):
            signal.connect(_embed_posts, dispatch_uid=f"synthesis-embed-{id(signal)}")


def _embed_posts(sender, workshop_id, **event):
    """A post was made, shown, edited or merged into another: the workshop's posts whose
    words changed get new vectors in the background, gathered while the room is busy."""
    from synthesis import vectors
    from synthesis.tasks import embed_workshop

    vectors.refresh_soon(workshop_id, embed_workshop)
