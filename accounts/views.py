from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timesince import timeuntil
from django.views.decorators.http import require_http_methods

from accounts import password_reset, two_factor
from accounts.forms import CodeForm, PasswordResetForm, SetPasswordForm
from live.addresses import request_client_address


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with a limit on how often a link is sent to one address, or from one."""

    form_class = PasswordResetForm
    email_template_name = "registration/password_reset_email.txt"

    def form_valid(self, form):
        allowed = password_reset.reset_request_allowed(
            email=form.cleaned_data["email"], address=request_client_address(self.request)
        )
        if not allowed:
            form.add_error(
                None,
                "A reset link has been asked for too many times. Please wait an hour and try "
                "again, and look for the emails already sent, in your spam folder too.",
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        now = timezone.now()
        expires = now + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
        self.extra_email_context = {"valid_for": timeuntil(expires, now)}
        return super().form_valid(form)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


def _asked_for(request):
    """The page a person was on their way to, carried through each step as `next`."""
    return request.POST.get("next") or request.GET.get("next", "")


def _next_url(request, default):
    """Where to go once a step is done: the page asked for, if it is on this site."""
    url = _asked_for(request)
    safe = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if safe else resolve_url(default)


@require_http_methods(["GET", "POST"])
@login_required
def two_factor_verify(request):
    """The second step of signing in, for those who have set up an authenticator app."""
    if request.user.is_verified() or two_factor.device_of(request.user) is None:
        return redirect(_next_url(request, settings.LOGIN_REDIRECT_URL))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.two_factor_verify(request=request, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            return redirect(_next_url(request, settings.LOGIN_REDIRECT_URL))
    context = {"form": form, "next": _asked_for(request)}
    return render(
        request, "accounts/two_factor_verify.html", context, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@login_required
def two_factor_setup(request):
    """Set up an authenticator app: scan the QR code (or type the secret), then give a code
    to show it works; only then is it switched on."""
    if two_factor.device_of(request.user) is not None:
        return render(request, "accounts/two_factor_on.html")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.two_factor_enable(request=request, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            messages.success(request, "Two-step sign-in is on.")
            return redirect(_next_url(request, "two_factor_setup"))
    qr, secret = two_factor.setup_details(request.user, two_factor.setup_key(request.session))
    context = {
        "form": form,
        "qr": qr,
        "secret": secret,
        "required": two_factor.step_needed(request.user) == "setup",
        "next": _asked_for(request),
    }
    return render(
        request, "accounts/two_factor_setup.html", context, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@login_required
def two_factor_disable(request):
    """Turn two-step sign-in off, with a code from the app."""
    if two_factor.device_of(request.user) is None:
        return redirect("two_factor_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.two_factor_disable(request=request, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            messages.success(request, "Two-step sign-in is off.")
            return redirect("two_factor_setup")
    return render(
        request,
        "accounts/two_factor_disable.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
