from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from live.addresses import request_client_address
from participants import easy_read, ratelimit, selectors, services, tokens
from participants.forms import (
    ContributionForm,
    EasyReadForm,
    JoinCodeForm,
    ParticipantJoinForm,
)
from participants.models import Contribution
from workshops.models import Prompt
from workshops.selectors import workshop_by_code

TOO_MANY_CODES = "Too many wrong codes. Please wait a minute and try again shortly."
TOO_MANY_JOINS = (
    "More people have joined from this network in the last minute than we expect. "
    "Please wait a minute and try again."
)


def _too_many(request, message=TOO_MANY_CODES):
    return render(request, "participants/too_many.html", {"message": message}, status=429)


@require_http_methods(["GET", "POST"])
def home(request):
    """Enter a workshop code. Wrong codes are counted per address to slow guessing."""
    form = JoinCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        workshop = workshop_by_code(form.cleaned_data["code"])
        if workshop is None and not ratelimit.wrong_join_code(request_client_address(request)):
            return _too_many(request)
        if workshop is None:
            form.add_error("code", "We could not find a workshop with that code. Please check it.")
        elif workshop.status == workshop.Status.CLOSED:
            form.add_error("code", "That workshop has finished, so it cannot take new people.")
        else:
            return redirect("participants:workshop", code=workshop.join_code)
    return render(request, "participants/home.html", {"form": form})


def participant_view(view):
    """Resolve the workshop from its code and the participant from their cookie.

    Views get `workshop` and `participant` (None if this browser has not joined it).
    """

    @wraps(view)
    def wrapper(request, code, *args, **kwargs):
        workshop = workshop_by_code(code)
        if workshop is None and not ratelimit.wrong_join_code(request_client_address(request)):
            return _too_many(request)
        if workshop is None:
            raise Http404("No workshop has that code.")
        participant = selectors.participant_get(
            workshop=workshop, participant_id=tokens.participant_id_from_request(request, workshop)
        )
        return view(request, workshop, participant, *args, **kwargs)

    return wrapper


def participant_required(view):
    @wraps(view)
    def wrapper(request, workshop, participant, *args, **kwargs):
        if participant is None:
            messages.info(request, "Please join the workshop first.")
            return redirect("participants:workshop", code=workshop.join_code)
        return view(request, workshop, participant, *args, **kwargs)

    return participant_view(wrapper)


def _phone_context(request, workshop):
    """What every phone page of the workshop shows the same way: its Easy Read choice, and
    where a closed workshop's results will be."""
    return {
        "workshop": workshop,
        "easy_read": easy_read.is_on(request, workshop),
        "results_address": selectors.results_address(workshop),
    }


def _join_page(request, workshop, form, *, status=200):
    context = {**_phone_context(request, workshop), "form": form}
    return render(request, "participants/join.html", context, status=status)


def _workshop_page(request, workshop, participant, *, status=200):
    if participant is None:
        return _join_page(request, workshop, ParticipantJoinForm(), status=status)
    return render_feed(request, participant, status=status)


@require_GET
@participant_view
def workshop(request, workshop, participant):
    return _workshop_page(request, workshop, participant)


def render_feed(request, participant, *, failed_form=None, status=200):
    prompts = selectors.participant_feed(participant)
    unplaced_form = failed_form
    failed_prompt = failed_form.data.get("prompt") if failed_form is not None else None
    for prompt in prompts:
        if prompt.is_open and failed_prompt == str(prompt.pk):
            prompt.form, unplaced_form = failed_form, None
        else:
            prompt.form = ContributionForm(initial={"prompt": prompt.pk})
    # A post to a question that has since closed (and so has no box) still shows its error
    # and its text, at the top.
    context = {
        **_phone_context(request, participant.workshop),
        "participant": participant,
        "prompts": prompts,
        "unplaced_form": unplaced_form,
    }
    # Without the page's script, the Undo for a post just withdrawn is on the page itself.
    context["withdrawn"] = selectors.withdrawal_to_undo(
        participant=participant, contribution_id=request.GET.get("withdrawn")
    )
    # A live page re-syncing asks for just its live region.
    template = "participants/_feed_live.html" if request.htmx else "participants/feed.html"
    return render(request, template, context, status=status)


@require_POST
@participant_view
def join(request, workshop, participant):
    if participant is not None:
        # This phone has joined already: sending the form again (a reload, a back button) is
        # not another person.
        return redirect("participants:workshop", code=workshop.join_code)
    if not ratelimit.join_from(request_client_address(request)):
        return render(
            request, "participants/too_many.html", {"message": TOO_MANY_JOINS}, status=429
        )
    form = ParticipantJoinForm(request.POST)
    if form.is_valid():
        try:
            participant = services.participant_join(workshop=workshop, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            response = redirect("participants:workshop", code=workshop.join_code)
            return tokens.set_cookie(response, participant)
    return _join_page(request, workshop, form, status=400)


@require_POST
@participant_required
def contribute(request, workshop, participant):
    form = ContributionForm(request.POST)
    prompt = None
    if form.is_valid():
        prompt = Prompt.objects.filter(pk=form.cleaned_data["prompt"]).first()
        if prompt is None:
            form.add_error(None, "That question no longer exists.")
    if form.is_valid():
        try:
            services.contribution_create(
                participant=participant,
                prompt=prompt,
                text=form.cleaned_data["text"],
                client_id=form.cleaned_data["client_id"],
            )
        except ratelimit.RateLimited as error:
            form.add_error(None, str(error))
            return _contribution_failed(request, participant, form, prompt, status=429)
        except ValidationError as error:
            form.add_error(None, error)
    if not form.is_valid():
        return _contribution_failed(request, participant, form, prompt, status=400)
    if request.htmx:
        fresh_form = ContributionForm(initial={"prompt": prompt.pk})
        return _prompt_block(request, participant, prompt, fresh_form, sent=True)
    messages.success(request, "Thank you. Your post has been sent.")
    anchor = f"#prompt-{prompt.pk}"
    return redirect(reverse("participants:workshop", args=[workshop.join_code]) + anchor)


def _contribution_failed(request, participant, form, prompt, *, status):
    if request.htmx and prompt is not None and prompt.workshop_id == participant.workshop_id:
        return _prompt_block(request, participant, prompt, form, status=status)
    return render_feed(request, participant, failed_form=form, status=status)


def _prompt_block(request, participant, prompt, form, *, sent=False, status=200):
    prompts = {p.pk: p for p in selectors.participant_feed(participant)}
    if prompt.pk in prompts:
        prompt = prompts[prompt.pk]
    else:
        prompt.feed = []
    prompt.form = form
    context = {
        "prompt": prompt,
        "participant": participant,
        "workshop": participant.workshop,
        "easy_read": easy_read.is_on(request, participant.workshop),
        "sent": sent,
    }
    return render(request, "participants/_prompt.html", context, status=status)


@require_POST
@participant_view
def easy_read_switch(request, workshop, participant):
    """Easy Read on or off for this phone, and back to the page it was switched on. Phones
    that have not joined may switch too: the join page's words are in Easy Read as well."""
    form = EasyReadForm(request.POST)
    if not form.is_valid():
        for error in form.errors["easy_read"]:
            messages.error(request, error)
        return _workshop_page(request, workshop, participant, status=400)
    # Back at the switch, so the next Tab goes on from where the person was.
    page = reverse("participants:workshop", args=[workshop.join_code]) + "#easy-read"
    return easy_read.remember(redirect(page), on=easy_read.CHOICES[form.cleaned_data["easy_read"]])


@require_POST
@participant_required
def vote(request, workshop, participant, contribution_id):
    contribution = get_object_or_404(Contribution, pk=contribution_id)
    error, status = None, 200
    try:
        services.vote_cast(
            participant=participant, contribution=contribution, choice=request.POST.get("choice")
        )
    except ratelimit.RateLimited as refusal:
        error, status = str(refusal), 429
    except ValidationError as refusal:
        error, status = " ".join(refusal.messages), 400
    if not request.htmx:
        if error:
            messages.error(request, error)
        anchor = f"#contribution-{contribution.pk}"
        return redirect(reverse("participants:workshop", args=[workshop.join_code]) + anchor)
    shown = selectors.feed_contribution(participant=participant, contribution_id=contribution.pk)
    if shown is None or shown.state != Contribution.State.VISIBLE:
        return HttpResponse(error or "", status=status)
    context = {
        "contribution": shown,
        "participant": participant,
        "workshop": workshop,
        "error": error,
    }
    return render(request, "participants/_contribution.html", context, status=status)


@require_POST
@participant_required
def withdraw(request, workshop, participant, contribution_id):
    contribution = get_object_or_404(Contribution, pk=contribution_id, workshop=workshop)
    try:
        services.contribution_withdraw(participant=participant, contribution=contribution)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
        return redirect("participants:workshop", code=workshop.join_code)
    feed = reverse("participants:workshop", args=[workshop.join_code])
    return redirect(f"{feed}?withdrawn={contribution.pk}")


@require_POST
@participant_required
def withdraw_undo(request, workshop, participant, contribution_id):
    try:
        contribution = services.contribution_withdraw_undo(
            participant=participant, contribution_id=contribution_id
        )
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
        return redirect("participants:workshop", code=workshop.join_code)
    messages.success(request, "Your post is back.")
    anchor = f"#contribution-{contribution.pk}"
    return redirect(reverse("participants:workshop", args=[workshop.join_code]) + anchor)


def csrf_failure(request, reason=""):
    """A form sent from a page that had expired: say what to do, in plain words."""
    return render(request, "403_csrf.html", status=403)
