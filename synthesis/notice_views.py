"""Following a series' public results by email: asking, confirming, unsubscribing.

No sign-in: the confirm and unsubscribe pages are reached by the token in the emailed links.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from accounts import govuk
from live.addresses import request_client_address
from participants import ratelimit
from synthesis import notices
from workshops.models import Series


class ResultsSubscribeForm(govuk.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="We send one email to check it is yours, and nothing more until you confirm.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    # The service refuses an address without consent too; here it is told with the others.
    consent = forms.BooleanField(error_messages={"required": notices.NO_CONSENT})

    def __init__(self, *args, **kwargs):
        # Its own ids: the form sits on the results page beside others.
        kwargs.setdefault("auto_id", "follow-%s")
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = (
            "Email me when these results or the responses to them change. We keep your "
            "address only for this, delete it when you unsubscribe or "
            f"{settings.RETENTION_DAYS} days after the last workshop (after "
            f"{notices.UNCONFIRMED_DAYS} days if you do not confirm it), and never share it."
        )


@require_http_methods(["GET", "POST"])
def results_subscribe(request, code):
    """The email part of following the results, on a page of its own: where its errors are
    explained. An address already kept gets the same answer as a new one."""
    series = get_object_or_404(Series, results_code=code)
    form = ResultsSubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notices.results_subscription_create(
                series=series, address=request_client_address(request), **form.cleaned_data
            )
        except ratelimit.RateLimited as error:
            form.add_error(None, str(error))
            return _subscribe_page(request, series, form, status=429)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("results_subscribe_sent", code=series.results_code)
    return _subscribe_page(request, series, form, status=400 if form.errors else 200)


def _subscribe_page(request, series, form, *, status):
    context = {"series": series, "follow_form": form}
    return render(request, "synthesis/public/subscribe.html", context, status=status)


@require_GET
def results_subscribe_sent(request, code):
    series = get_object_or_404(Series, results_code=code)
    return render(request, "synthesis/public/subscribe_sent.html", {"series": series})


# The token pages are reached by a private link: no cache keeps them.
@never_cache
@require_http_methods(["GET", "POST"])
def results_confirm(request, code, token):
    """GET asks, POST confirms: a mail scanner that opens every link confirms nothing."""
    subscription = _subscription(code, token)
    if request.method == "POST":
        notices.results_subscription_confirm(subscription=subscription)
        return redirect(request.path)
    context = {"subscription": subscription, "series": subscription.series}
    return render(request, "synthesis/public/confirm.html", context)


# Mail programs unsubscribe with a POST of their own (RFC 8058), with no CSRF token to send:
# the token in the address is what guards it.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def results_unsubscribe(request, code, token):
    """GET asks, POST deletes the address at once."""
    subscription = _subscription(code, token)
    context = {"series": subscription.series}
    if request.method == "POST":
        notices.results_subscription_delete(subscription=subscription)
        return render(request, "synthesis/public/unsubscribe_done.html", context)
    return render(request, "synthesis/public/unsubscribe.html", context)


def _subscription(code, token):
    subscription = notices.results_subscription_get(code=code, token=token)
    if subscription is None:
        raise Http404("No address is kept under this link.")
    return subscription
