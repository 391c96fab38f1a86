"""Email notices of a series' public results: an address is stored only with consent, used
only once confirmed (double opt-in), every email can unsubscribe in one click, and the
address is deleted on unsubscribing or RETENTION_DAYS after the series' last workshop."""

import logging
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from synthesis import notices
from synthesis.models import ResultsNews, ResultsSubscription
from synthesis.publication import announce_results_changed, report_version_unpublish
from synthesis.tasks import send_results_notices
from tests.factories import ResultsSubscriptionFactory, SeriesFactory, make_workshop, publish_report
from workshops.models import Workshop

pytestmark = pytest.mark.django_db

SITE = "https://ground.example.org"
NO_CONSENT = "Tick the box to say we may keep your address for these emails"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE + "/"
    settings.RETENTION_DAYS = 30


@pytest.fixture
def series():
    return SeriesFactory(name="SEND in the South West")


def follow(client, series, **data):
    return client.post(reverse("results_subscribe", args=[series.results_code]), data)


def link(name, subscription):
    return reverse(name, args=[subscription.series.results_code, subscription.token])


def unsubscribe_header(subscription):
    return f"<{SITE}{link('results_unsubscribe', subscription)}>"


def assert_unsubscribes_in_one_click(email, subscription):
    assert email.extra_headers["List-Unsubscribe"] == unsubscribe_header(subscription)
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


# Asking


def test_the_form_offers_the_feed_first_and_an_unticked_consent_with_its_exact_use(client, series):
    """The feed needs no address, so it comes first; consent is never ticked for anyone."""
    page = client.get(reverse("results_subscribe", args=[series.results_code])).content.decode()
    feed = page.index("Follow with a feed reader — no email needed")
    assert feed < page.index('type="email"')
    assert reverse("results_feed", args=[series.results_code]) in page
    assert (
        "Email me when these results or the responses to them change. We keep your address "
        "only for this, delete it when you unsubscribe or 30 days after the last workshop (after "
        "7 days if you do not confirm it), and never share it."
    ) in page
    [tick] = re.findall(r'<input type="checkbox" name="consent"[^>]*>', page)
    assert "checked" not in tick


def test_the_results_page_offers_the_same_way_to_follow(client, series):
    page = client.get(reverse("results", args=[series.results_code])).content.decode()
    assert "Follow with a feed reader — no email needed" in page
    assert reverse("results_subscribe", args=[series.results_code]) in page


def test_nothing_is_stored_or_sent_without_consent(client, series, committed):
    """Without the tick, the address is not kept, and the page says what to do instead."""
    with committed():
        response = follow(client, series, email="parent@example.org")
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error: " in page
    assert 'class="error-summary"' in page and NO_CONSENT in page
    assert '<a href="#follow-consent">' in page
    assert 'value="parent@example.org"' in page  # nothing typed is lost
    assert not ResultsSubscription.objects.exists()
    assert mail.outbox == []


def test_the_service_itself_refuses_an_address_without_consent(series):
    with pytest.raises(ValidationError, match=NO_CONSENT):
        notices.results_subscription_create(
            series=series, email="parent@example.org", consent=False, address="192.0.2.1"
        )
    assert not ResultsSubscription.objects.exists()


def test_a_bad_address_and_no_consent_are_explained_together(client, series):
    page = follow(client, series, email="not an address").content.decode()
    assert '<a href="#follow-email">' in page and '<a href="#follow-consent">' in page


@pytest.mark.parametrize(
    "email, message",
    [
        ("", "Enter the email address"),
        ("not an address", "Enter an email address in the correct format"),
        ("parent@", "Enter an email address in the correct format"),
        ("a" * 250 + "@example.org", "Email address must be 254 characters or fewer"),
    ],
)
def test_a_bad_address_is_explained_and_nothing_stored(client, series, committed, email, message):
    with committed():
        response = follow(client, series, email=email, consent="on")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary"' in page and '<a href="#follow-email">' in page
    assert message in page
    assert not ResultsSubscription.objects.exists()
    assert mail.outbox == []


def test_an_unknown_results_code_is_not_found(client):
    response = client.post(reverse("results_subscribe", args=["NOPE234"]), {})
    assert response.status_code == 404


def test_asking_keeps_the_address_unconfirmed_and_sends_one_confirmation(client, series, committed):
    with committed():
        response = follow(client, series, email="Parent@Example.ORG", consent="on")
    assert response.status_code == 302
    assert response["Location"] == reverse("results_subscribe_sent", args=[series.results_code])
    subscription = ResultsSubscription.objects.get()
    assert subscription.email == "Parent@example.org"
    assert subscription.consented is not None and subscription.confirmed is None
    [email] = mail.outbox
    assert email.to == ["Parent@example.org"]
    assert series.name in email.subject
    assert f"{SITE}{link('results_confirm', subscription)}" in email.body
    assert_unsubscribes_in_one_click(email, subscription)


def test_asking_again_gives_the_same_answer_and_confirms_only_an_unconfirmed_address(
    client, series, committed
):
    """Whether an address was already kept is never revealed; one still unconfirmed gets
    the confirmation again, one confirmed gets nothing more."""
    confirmed = ResultsSubscriptionFactory(
        series=series, email="kept@example.org", confirmed=timezone.now()
    )
    with committed():
        first = follow(client, series, email="new@example.org", consent="on")
        again = follow(client, series, email="NEW@example.org", consent="on")
        kept = follow(client, series, email="kept@example.org", consent="on")
    assert first["Location"] == again["Location"] == kept["Location"]
    sent = client.get(first["Location"]).content.decode()
    assert "Check your email" in sent and "If you already get these emails" in sent
    assert ResultsSubscription.objects.count() == 2
    assert [email.to for email in mail.outbox] == [["new@example.org"], ["new@example.org"]]
    assert ResultsSubscription.objects.get(pk=confirmed.pk).confirmed == confirmed.confirmed


def test_no_one_can_fill_an_inbox_with_confirmations(client, series, committed):
    with committed():
        for _ in range(notices.CONFIRMATIONS_PER_EMAIL_PER_HOUR + 2):
            assert (
                follow(client, series, email="target@example.org", consent="on").status_code == 302
            )
    assert len(mail.outbox) == notices.CONFIRMATIONS_PER_EMAIL_PER_HOUR


def test_too_many_asks_from_one_network_are_refused_politely(client, series, committed):
    with committed():
        for n in range(notices.SUBSCRIBES_PER_ADDRESS_PER_HOUR):
            follow(client, series, email=f"person{n}@example.org", consent="on")
        response = follow(client, series, email="one-more@example.org", consent="on")
    assert response.status_code == 429
    assert notices.TOO_MANY in response.content.decode()
    assert not ResultsSubscription.objects.filter(email="one-more@example.org").exists()


# Confirming


def test_opening_the_confirmation_link_confirms_nothing_and_pressing_confirm_does(client):
    """Mail scanners open links: only the POST of the page's button confirms."""
    subscription = ResultsSubscriptionFactory()
    url = link("results_confirm", subscription)
    page = client.get(url)
    assert page.status_code == 200 and "Confirm your email address" in page.content.decode()
    subscription.refresh_from_db()
    assert subscription.confirmed is None
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == url
    subscription.refresh_from_db()
    assert subscription.confirmed is not None
    assert "Your email address is confirmed" in client.get(url).content.decode()


@pytest.mark.parametrize("name", ["results_confirm", "results_unsubscribe"])
def test_a_wrong_token_or_another_series_code_is_not_found(client, name):
    subscription = ResultsSubscriptionFactory()
    other = SeriesFactory()
    wrong = [
        reverse(name, args=[subscription.series.results_code, "not-the-token"]),
        reverse(name, args=[other.results_code, subscription.token]),
    ]
    for url in wrong:
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    subscription.refresh_from_db()
    assert subscription.confirmed is None


# Notices


def test_publishing_emails_confirmed_followers_only(series, committed):
    """Unconfirmed addresses, and followers of another series, get nothing."""
    follower = ResultsSubscriptionFactory(series=series, confirmed=timezone.now())
    ResultsSubscriptionFactory(series=series)
    ResultsSubscriptionFactory(confirmed=timezone.now())
    with committed():
        publish_report(series)
    [email] = mail.outbox
    assert email.to == [follower.email]
    assert email.subject == f"News about the results of {series.name}"
    assert "The results were published." in email.body
    assert f"{SITE}{reverse('results', args=[series.results_code])}" in email.body
    assert f"{SITE}{link('results_unsubscribe', follower)}" in email.body
    assert_unsubscribes_in_one_click(email, follower)


def test_a_changed_response_is_told_in_plain_text(series, committed):
    follower = ResultsSubscriptionFactory(series=series, confirmed=timezone.now())
    what = "A response to “Speech & language therapy” was changed."
    with committed():
        announce_results_changed(series, what)
    [email] = mail.outbox
    assert what in email.body  # a plain-text email: nothing HTML-escaped
    assert_unsubscribes_in_one_click(email, follower)


def test_an_unconfirmed_address_is_never_sent_a_notice(series, committed):
    ResultsSubscriptionFactory(series=series)
    with committed():
        announce_results_changed(series, "The results were published.")
        publish_report(series)
    assert mail.outbox == []


def test_results_taken_down_are_no_news_to_email(series, committed):
    """Unpublishing redraws walls showing the results, but no one is emailed about it."""
    ResultsSubscriptionFactory(series=series, confirmed=timezone.now())
    version = publish_report(series)
    mail.outbox.clear()
    with committed():
        report_version_unpublish(version)
    assert mail.outbox == []


def test_news_of_a_few_minutes_goes_out_in_one_email(series, committed, monkeypatch):
    """Ten responses recorded in a row: each follower gets one email, a few minutes after
    the first, with every change in it; the later runs find nothing left to send."""
    ResultsSubscriptionFactory(series=series, confirmed=timezone.now())
    queued = []
    monkeypatch.setattr(
        send_results_notices, "apply_async", lambda args, **options: queued.append(options)
    )
    with committed():
        for n in range(3):
            announce_results_changed(series, f"Change {n + 1}.")
    assert {options["countdown"] for options in queued} == {notices.NEWS_GATHERED_FOR}
    assert mail.outbox == []
    for _ in queued:
        send_results_notices.apply([series.pk])
    [email] = mail.outbox
    assert "Change 1.\nChange 2.\nChange 3." in email.body
    assert not ResultsNews.objects.exists()


def test_news_is_sent_once_however_many_runs_find_it(series):
    ResultsSubscriptionFactory(series=series, confirmed=timezone.now())
    notices.results_news_add(series=series, what="One change.")
    assert notices.results_notices_send(series_id=series.pk) == 1
    assert notices.results_notices_send(series_id=series.pk) == 0
    assert len(mail.outbox) == 1


def test_the_sweep_sends_news_whose_own_run_was_lost(series):
    """Only news older than the gathering time: the rest still has its own run coming."""
    ResultsSubscriptionFactory(series=series, confirmed=timezone.now())
    old = notices.results_news_add(series=series, what="Waited too long.")
    ResultsNews.objects.filter(pk=old.pk).update(
        created=timezone.now() - timedelta(seconds=notices.NEWS_GATHERED_FOR + 1)
    )
    other = SeriesFactory()
    notices.results_news_add(series=other, what="Just now.")
    assert notices.results_news_send_due() == 1
    assert "Waited too long." in mail.outbox[0].body
    assert list(ResultsNews.objects.values_list("what", flat=True)) == ["Just now."]
    assert "synthesis.tasks.send_due_results_news" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }


def test_news_of_results_taken_down_is_not_sent(series, committed):
    ResultsSubscriptionFactory(series=series, confirmed=timezone.now())
    version = publish_report(series)
    notices.results_news_add(series=series, what="The results were published.")
    with committed():
        report_version_unpublish(version)
    assert notices.results_notices_send(series_id=series.pk) == 0
    assert mail.outbox == []


def test_asking_again_does_not_extend_how_long_an_unconfirmed_address_is_kept(
    client, series, committed
):
    with committed():
        follow(client, series, email="new@example.org", consent="on")
    kept = ResultsSubscription.objects.get()
    week_ago = timezone.now() - timedelta(days=notices.UNCONFIRMED_DAYS, minutes=1)
    ResultsSubscription.objects.filter(pk=kept.pk).update(consented=week_ago)
    with committed():
        follow(client, series, email="new@example.org", consent="on")
    assert notices.expire_results_subscriptions() == 1


@pytest.mark.parametrize("path", ["confirm/%00/", "unsubscribe/tok%00en/", "confirm/a b/"])
def test_a_malformed_token_is_no_address(client, series, path):
    assert client.get(f"/r/{series.results_code}/{path}").status_code == 404
    assert client.post(f"/r/{series.results_code}/{path}").status_code == 404


def test_news_that_could_not_be_sent_goes_with_the_next(series, monkeypatch):
    ResultsSubscriptionFactory(series=series, confirmed=timezone.now())
    notices.results_news_add(series=series, what="First change.")

    def mail_server_down(*args, **kwargs):
        raise ConnectionError("mail server unreachable")

    with monkeypatch.context() as patched:
        patched.setattr(locmem.EmailBackend, "send_messages", mail_server_down)
        with pytest.raises(ConnectionError):
            notices.results_notices_send(series_id=series.pk)
    notices.results_news_add(series=series, what="Second change.")
    assert notices.results_notices_send(series_id=series.pk) == 1
    assert "First change.\nSecond change." in mail.outbox[0].body


def test_each_follower_gets_their_own_unsubscribe_link(series):
    followers = ResultsSubscriptionFactory.create_batch(2, series=series, confirmed=timezone.now())
    notices.results_news_add(series=series, what="Something changed.")
    assert notices.results_notices_send(series_id=series.pk) == 2
    by_address = {email.to[0]: email for email in mail.outbox}
    for follower in followers:
        assert_unsubscribes_in_one_click(by_address[follower.email], follower)


def test_a_change_is_saved_even_when_notices_cannot_be_queued(
    series, committed, monkeypatch, caplog
):
    """Notices are queued after the change has committed: a broker that is down is logged,
    never shown to the analyst as an error."""

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(send_results_notices, "apply_async", broker_down)
    with caplog.at_level(logging.ERROR), committed():
        publish_report(series)
    assert series.report_versions.filter(published__isnull=False).exists()
    assert "could not be queued" in caplog.text


# Unsubscribing


def test_the_unsubscribe_page_asks_and_its_button_deletes_the_address(client):
    subscription = ResultsSubscriptionFactory(confirmed=timezone.now())
    url = link("results_unsubscribe", subscription)
    page = client.get(url)
    assert page.status_code == 200 and ">Unsubscribe</button>" in page.content.decode()
    assert ResultsSubscription.objects.filter(pk=subscription.pk).exists()
    response = client.post(url)
    assert response.status_code == 200
    assert "We have deleted your email address" in response.content.decode()
    assert not ResultsSubscription.objects.filter(pk=subscription.pk).exists()


def test_a_mail_program_unsubscribes_in_one_click_without_a_csrf_token():
    """RFC 8058: the mail program POSTs to the List-Unsubscribe address, with no cookie and
    no CSRF token; the token in the address is the guard."""
    subscription = ResultsSubscriptionFactory(confirmed=timezone.now())
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        link("results_unsubscribe", subscription),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not ResultsSubscription.objects.exists()


def test_confirming_still_needs_the_csrf_token(client):
    subscription = ResultsSubscriptionFactory()
    response = Client(enforce_csrf_checks=True).post(link("results_confirm", subscription))
    assert response.status_code == 403
    subscription.refresh_from_db()
    assert subscription.confirmed is None


# Retention


def last_workshop(series, days_ago):
    return make_workshop(
        series=series,
        status=Workshop.Status.CLOSED,
        starts_at=timezone.now() - timedelta(days=days_ago),
    )


def test_addresses_are_deleted_retention_days_after_the_series_last_workshop(series):
    last_workshop(series, days_ago=100)
    last_workshop(series, days_ago=31)
    expired = ResultsSubscriptionFactory(series=series, confirmed=timezone.now())
    recent = SeriesFactory()
    last_workshop(recent, days_ago=100)
    last_workshop(recent, days_ago=29)  # the series' last workshop decides, not its first
    kept = ResultsSubscriptionFactory(series=recent, confirmed=timezone.now())
    not_started = ResultsSubscriptionFactory()  # a series with no workshop yet
    assert notices.expire_results_subscriptions() == 1
    assert not ResultsSubscription.objects.filter(pk=expired.pk).exists()
    remaining = set(ResultsSubscription.objects.values_list("pk", flat=True))
    assert remaining == {kept.pk, not_started.pk}


def test_an_address_never_confirmed_is_deleted_after_a_week(series):
    """Whatever the series' dates: its owner did not take up the offer."""
    last_workshop(series, days_ago=1)
    week_ago = timezone.now() - timedelta(days=notices.UNCONFIRMED_DAYS, minutes=1)
    forgotten = ResultsSubscriptionFactory(series=series, consented=week_ago)
    waiting = ResultsSubscriptionFactory(series=series)
    confirmed = ResultsSubscriptionFactory(series=series, consented=week_ago, confirmed=week_ago)
    assert notices.expire_results_subscriptions() == 1
    remaining = set(ResultsSubscription.objects.values_list("pk", flat=True))
    assert remaining == {waiting.pk, confirmed.pk}
    assert not ResultsSubscription.objects.filter(pk=forgotten.pk).exists()


def test_the_daily_retention_job_deletes_expired_addresses_and_says_how_many(series, capsys):
    last_workshop(series, days_ago=31)
    ResultsSubscriptionFactory.create_batch(2, series=series)
    call_command("purge_closed_workshops", "--older-than", "30", "--dry-run")
    assert "2 email address(es) for results notices to delete" in capsys.readouterr().out
    assert ResultsSubscription.objects.count() == 2
    call_command("purge_closed_workshops", "--older-than", "30")
    assert "2 email address(es) for results notices deleted" in capsys.readouterr().out
    assert not ResultsSubscription.objects.exists()
