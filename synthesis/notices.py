"""Email notices for a series' public results: double opt-in, one-click unsubscribe, and
addresses kept no longer than RETENTION_DAYS after the series' last workshop.

An address is stored only with consent, and used for nothing but the one email that asks its
owner to confirm it until they do. News is gathered for a few minutes and sent in one email.
Every email carries a one-click unsubscribe (RFC 8058); unsubscribing deletes the address.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from participants import ratelimit
from synthesis.models import ResultsNews, ResultsSubscription
from workshops.models import Series

NO_CONSENT = (
    "Tick the box to say we may keep your address for these emails, or follow the results "
    "with a feed reader instead, which needs no email address"
)
TOO_MANY = "Too many addresses have been sent from here. Please try again in an hour."
# Asking is counted per network address, confirmation emails per email address: no one can
# use the form to fill another person's inbox.
SUBSCRIBES_PER_ADDRESS_PER_HOUR = 20
CONFIRMATIONS_PER_EMAIL_PER_HOUR = 3
HOUR = 60 * 60
# An address whose owner never confirmed it is not kept waiting for them.
UNCONFIRMED_DAYS = 7
# Seconds news is gathered before it is emailed: an analyst recording ten responses in a row
# sends each follower one email, not ten.
NEWS_GATHERED_FOR = 5 * 60


def results_subscription_create(*, series, email, consent, address):
    """Keep `email` for notices about `series` and ask its owner to confirm it.

    An address already kept gets the same answer, so the form never tells whether it was;
    one not yet confirmed is sent the confirmation again. Raises ValidationError without
    consent, and RateLimited when `address` (the network's) has sent too many.
    """
    if not consent:
        raise ValidationError({"consent": NO_CONSENT})
    ratelimit.check(
        f"results-follow:{address}",
        limit=SUBSCRIBES_PER_ADDRESS_PER_HOUR,
        period=HOUR,
        message=TOO_MANY,
    )
    subscription = _kept(series, BaseUserManager.normalize_email(email))
    if subscription.confirmed is None:
        # Imported here: the tasks module runs this one's senders.
        from synthesis.tasks import send_results_confirmation

        # In the background: a mail server that is slow or down must not fail the page,
        # and the address is kept either way.
        send_results_confirmation.delay_on_commit(subscription.pk)
    return subscription


def _kept(series, email):
    """The series' subscription for `email` (whatever its case), stored now if need be."""
    kept = ResultsSubscription.objects.filter(series=series, email__iexact=email).first()
    if kept is not None:
        return kept
    subscription = ResultsSubscription(series=series, email=email)
    subscription.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            subscription.save()
    except IntegrityError:
        # The same form sent twice at once (a double click): the other request stored it.
        return ResultsSubscription.objects.get(series=series, email__iexact=email)
    return subscription


def results_confirmation_send(*, subscription_id):
    """Ask the owner of a newly kept address to confirm it, unless it has been sent too many
    such emails this hour or is no longer kept (unsubscribed, confirmed meanwhile)."""
    subscription = ResultsSubscription.objects.filter(
        pk=subscription_id, confirmed__isnull=True
    ).first()
    if subscription is None:
        return
    key = f"results-confirm:{subscription.email.lower()}"
    if ratelimit.allow(
        key, limit=CONFIRMATIONS_PER_EMAIL_PER_HOUR, period=HOUR, open_when_down=False
    ):
        subject = f"Confirm you want emails about the results of {subscription.series}"
        _email(subscription, subject, "email_confirm.txt").send()


def results_subscription_confirm(*, subscription):
    """Start sending notices to the address: its owner followed the link and confirmed."""
    if subscription.confirmed is None:
        subscription.confirmed = timezone.now()
        subscription.save(update_fields=["confirmed"])
    return subscription


def results_subscription_delete(*, subscription):
    """Unsubscribe: the address is deleted at once, not kept with a flag."""
    subscription.delete()


def results_subscription_get(*, code, token):
    """The subscription a confirm or unsubscribe link names, or None."""
    return (
        ResultsSubscription.objects.select_related("series")
        .filter(series__results_code=code, token=token)
        .first()
    )


def results_followers(series):
    """The confirmed subscriptions of a series: the only addresses notices go to."""
    return series.results_subscriptions.filter(confirmed__isnull=False).order_by("pk")


def results_news_add(*, series, what):
    """Keep `what` (a sentence saying what changed) for the series' next notice, which goes
    out NEWS_GATHERED_FOR seconds after the first news it holds."""
    return ResultsNews.objects.create(series=series, what=what)


def results_notices_send(*, series_id):
    """Email the series' news gathered so far, in one email each, to everyone who follows
    its results; returns how many emails were sent. News already sent is gone, so a later
    call with nothing new sends nothing."""
    waiting = ResultsNews.objects.filter(series_id=series_id).select_related("series")
    # Each item is taken by deleting it, so a run at the same moment cannot send it again.
    news = [item for item in waiting if ResultsNews.objects.filter(pk=item.pk).delete()[0]]
    if not news:
        return 0
    series = news[0].series
    subject = f"News about the results of {series}"
    connection = get_connection()
    notices = [
        _email(subscription, subject, "email_notice.txt", news=news, connection=connection)
        for subscription in results_followers(series)
    ]
    try:
        return connection.send_messages(notices) or 0
    except Exception:
        # Not sent: the news goes with the next.
        ResultsNews.objects.bulk_create(news)
        raise


def results_news_send_due(now=None):
    """Send the news that has waited longer than NEWS_GATHERED_FOR, whatever became of the
    run queued for it (a stopped process, a mail server that was down); returns how many
    emails were sent."""
    due = (now or timezone.now()) - timedelta(seconds=NEWS_GATHERED_FOR)
    series_ids = set(ResultsNews.objects.filter(created__lt=due).values_list("series", flat=True))
    return sum(results_notices_send(series_id=series_id) for series_id in series_ids)


def _email(subscription, subject, template, *, connection=None, **context):
    """One email to the subscriber, with its one-click unsubscribe in the headers."""
    code, token = subscription.series.results_code, subscription.token
    links = {
        "results": subscription.series.results_url,
        "confirm": _absolute("results_confirm", code, token),
        "unsubscribe": _absolute("results_unsubscribe", code, token),
    }
    body = render_to_string(
        f"synthesis/public/{template}",
        {
            "series": subscription.series,
            "links": links,
            "days": settings.RETENTION_DAYS,
            "unconfirmed_days": UNCONFIRMED_DAYS,
            **context,
        },
    )
    headers = {
        "List-Unsubscribe": f"<{links['unsubscribe']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return EmailMessage(
        subject, body, to=[subscription.email], headers=headers, connection=connection
    )


def _absolute(name, *args):
    # Notices are sent from a background task, with no request to take the host from.
    return settings.SITE_URL.rstrip("/") + reverse(name, args=args)


def results_subscriptions_expired(*, now=None, series=None):
    """Subscriptions (of `series`, by default of all) of series whose last workshop started
    more than RETENTION_DAYS ago, and any never confirmed UNCONFIRMED_DAYS after it was
    asked for. A series with no workshop yet keeps its confirmed ones."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.RETENTION_DAYS)
    finished = Series.objects.annotate(last=Max("workshops__starts_at")).filter(last__lt=cutoff)
    forgotten = Q(confirmed__isnull=True, consented__lt=now - timedelta(days=UNCONFIRMED_DAYS))
    expired = ResultsSubscription.objects.filter(Q(series__in=finished) | forgotten)
    return expired if series is None else expired.filter(series__in=series)


def expire_results_subscriptions(now=None, series=None):
    """Delete the addresses of series whose last workshop started more than RETENTION_DAYS
    ago; returns how many."""
    deleted, _ = results_subscriptions_expired(now=now, series=series).delete()
    return deleted
