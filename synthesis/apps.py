import logging

from django.apps import AppConfig

logger = logging.getLogger(__name__)


class SynthesisConfig(AppConfig):
    name = "synthesis"

    def ready(self):
        from participants import signals
        from synthesis.publication import results_changed

        for signal in (*signals.POST_CHANGED, signals.contribution_merged):
            signal.connect(_embed_posts, dispatch_uid=f"synthesis-embed-{id(signal)}")
        signals.participant_erased.connect(_forget_erased, dispatch_uid="synthesis-erased")
        signals.workshop_purged.connect(_forget_purged, dispatch_uid="synthesis-purged")
        signals.vote_recorded.connect(_count_vote, dispatch_uid="synthesis-count-vote")
        signals.votes_rewritten.connect(_recount_votes, dispatch_uid="synthesis-recount-votes")
        results_changed.connect(_notify_followers, dispatch_uid="synthesis-results-notices")


def _count_vote(sender, **event):
    from synthesis import tallies

    tallies.count_vote(**event)


def _recount_votes(sender, contribution_ids, **event):
    from synthesis import tallies

    tallies.recount(contribution_ids)


def _embed_posts(sender, workshop_id, **event):
    """A post was made, shown, edited or merged into another: the workshop's posts whose
    words changed get new vectors in the background, gathered while the room is busy."""
    from synthesis import vectors
    from synthesis.tasks import embed_workshop

    vectors.refresh_soon(workshop_id, embed_workshop)


def _forget_erased(sender, workshop_id, **event):
    from synthesis import retention

    retention.forget_exports_of(workshop_id, because=retention.ERASED)


def _forget_purged(sender, workshop_id, **event):
    from synthesis import retention

    retention.forget_exports_of(workshop_id, because=retention.PURGED)


def _notify_followers(sender, series, what, **event):
    """The public results changed: when there is news, it is kept and, a few minutes later
    with any that followed, emailed in the background to those who confirmed their address."""
    from synthesis import notices
    from synthesis.tasks import send_results_notices

    if not what:
        return
    notices.results_news_add(series=series, what=what)
    try:
        send_results_notices.apply_async([series.pk], countdown=notices.NEWS_GATHERED_FOR)
    except Exception:
        # Sent after the change committed: a broker that is down must not turn the analyst's
        # saved change into an error page. The news is kept, and goes with the next.
        logger.exception("Results notices for series %s could not be queued", series.pk)
