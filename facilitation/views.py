import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import services as account_services
from accounts.invitations import send_invitation
from accounts.models import Organisation
from accounts.permissions import (
    Role,
    admin_required,
    facilitator_required,
    organisation_required,
    organisations_of,
    roles_of,
)
from accounts.selectors import members_of
from facilitation import selectors
from facilitation.forms import ConsoleFilterForm, InviteForm, RolesForm, ScribeForm
from facilitation.services import wall_set_paused, wall_set_showing, workshop_spotlight
from participants import services as participant_services
from participants.models import Contribution, Participant
from synthesis import vectors
from workshops import selectors as workshop_selectors
from workshops import services
from workshops.forms import PromptFormSet, SeriesForm, WorkshopForm
from workshops.models import Prompt, Series, Workshop
from workshops.permissions import series_for, series_staff_required, workshop_staff_required


@require_GET
@login_required
def staff_home(request):
    """Where staff land after signing in: the page their role works from."""
    roles = roles_of(request.user)
    if Role.FACILITATOR in roles:
        return redirect("facilitation:series_list")
    if Role.ANALYST in roles:
        return redirect("synthesis:series_list")
    if Role.ADMIN in roles:
        return redirect("facilitation:organisations")
    raise PermissionDenied


@require_http_methods(["GET", "POST"])
@facilitator_required
def series_list(request):
    organisations = organisations_of(request.user, Role.FACILITATOR)
    form = SeriesForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        series = services.series_create(**form.cleaned_data)
        messages.success(request, f"Series “{series.name}” created.")
        return redirect("facilitation:series_detail", series.pk)
    series = workshop_selectors.series_with_counts(series_for(request.user, Role.FACILITATOR))
    context = {"series_list": series, "form": form}
    return render(
        request, "facilitation/series_list.html", context, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@series_staff_required(Role.FACILITATOR)
def series_detail(request, pk):
    series = get_object_or_404(Series, pk=pk)
    form = WorkshopForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        workshop = services.workshop_create(series=series, **form.cleaned_data)
        messages.success(request, f"Workshop “{workshop.title}” created with its questions.")
        return redirect("facilitation:console", workshop.pk)
    context = {"series": series, "workshops": selectors.series_workshops(series), "form": form}
    return render(
        request, "facilitation/series_detail.html", context, status=400 if form.errors else 200
    )


@require_GET
@workshop_staff_required(Role.FACILITATOR)
def console(request, pk):
    workshop = get_object_or_404(selectors.console_workshops(), pk=pk)
    return render_console(request, workshop)


def render_console(request, workshop, *, scribe_form=None, status=200):
    filters = ConsoleFilterForm(request.GET or None, tables=selectors.tables_in_use(workshop))
    chosen = filters.cleaned_data if filters.is_valid() else {}
    context = {
        "workshop": workshop,
        "prompts": selectors.workshop_prompts(workshop),
        "contributions": selectors.console_contributions(workshop, **chosen),
        "filters": filters,
        "statuses": Workshop.Status,
        "scribe_form": scribe_form or ScribeForm(workshop=workshop),
        "people": selectors.people_joined(workshop),
        "wall": selectors.wall_display(workshop.pk),
    }
    # A live page re-syncing asks for just its live region.
    template = "facilitation/_console_live.html" if request.htmx else "facilitation/console.html"
    return render(request, template, context, status=status)


def _number(value):
    """A whole number typed into a form, or None: never a crash on "abc" or "²"."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    # Beyond a database integer, no row can match; PostgreSQL would raise instead of saying so.
    return number if abs(number) < 2**63 else None


def _chosen(rows, number):
    """The row of `rows` with the number a form sent, or None."""
    number = _number(number)
    return None if number is None else rows.filter(pk=number).first()


def _post_in(workshop_id, number):
    """The post of this workshop with the number a facilitator chose, or None."""
    return _chosen(Contribution.objects.filter(workshop=workshop_id), number)


def _back_to_console(workshop):
    return redirect(reverse("facilitation:console", args=[workshop.pk]))


def _apply(request, action, **kwargs):
    """Run a service for a console button; a refusal becomes a message, never a crash."""
    try:
        return action(**kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return None


@require_POST
@workshop_staff_required(Role.FACILITATOR)
def workshop_status(request, pk):
    workshop = get_object_or_404(Workshop, pk=pk)
    if _apply(
        request, services.workshop_set_status, workshop=workshop, status=request.POST.get("status")
    ):
        messages.success(request, f"The workshop is now {workshop.get_status_display().lower()}.")
    return _back_to_console(workshop)


@require_GET
@workshop_staff_required(Role.FACILITATOR)
def workshop_close(request, pk):
    """Closing stops every phone posting and voting: the console asks first."""
    workshop = get_object_or_404(Workshop, pk=pk)
    return _confirm(
        request,
        workshop,
        title="Close this workshop?",
        warning="Phones will stop taking posts and votes, and the open questions close. "
        "If you reopen the workshop, the same questions open again.",
        action=reverse("facilitation:workshop_status", args=[workshop.pk]),
        fields={"status": Workshop.Status.CLOSED},
        button="Close workshop",
    )


def _confirm(request, workshop, *, title, warning, action, button, fields=None):
    """The GOV.UK pattern for an action that is hard to undo: a page that says what will
    happen, a warning button that does it, and a way back that does nothing."""
    context = {
        "about": workshop.title,
        "title": title,
        "warning": warning,
        "action": action,
        "fields": fields or {},
        "button": button,
        "back": reverse("facilitation:console", args=[workshop.pk]),
        "back_label": "Back to the console",
    }
    return render(request, "confirm.html", context)


@require_POST
@workshop_staff_required(Role.FACILITATOR)
def workshop_premoderation(request, pk):
    workshop = get_object_or_404(Workshop, pk=pk)
    services.workshop_set_premoderation(
        workshop=workshop, premoderation=request.POST.get("premoderation") == "on"
    )
    return _back_to_console(workshop)


EASY_READ_DEFAULT = {"on": True, "off": False}


@require_POST
@workshop_staff_required(Role.FACILITATOR)
def workshop_easy_read_default(request, pk):
    workshop = get_object_or_404(Workshop, pk=pk)
    chosen = EASY_READ_DEFAULT.get(request.POST.get("easy_read_default"))
    if chosen is None:
        messages.error(request, "Please choose whether phones start in Easy Read: on or off.")
    else:
        services.workshop_set_easy_read_default(workshop=workshop, easy_read_default=chosen)
    return _back_to_console(workshop)


@require_POST
@workshop_staff_required(Role.FACILITATOR)
def spotlight(request, pk):
    workshop = get_object_or_404(Workshop, pk=pk)
    chosen = request.POST.get("contribution", "")
    contribution = None
    if chosen:
        contribution = _post_in(workshop.pk, chosen)
        if contribution is None:
            messages.error(request, "That post is not in this workshop.")
            return _back_to_console(workshop)
    _apply(request, workshop_spotlight, workshop=workshop, contribution=contribution)
    return _back_to_console(workshop)


@require_POST
@workshop_staff_required(Role.FACILITATOR)
def prompt_toggle(request, pk, prompt_id):
    prompt = get_object_or_404(Prompt.objects.select_related("workshop"), pk=prompt_id, workshop=pk)
    _apply(request, services.prompt_set_open, prompt=prompt, is_open=not prompt.is_open)
    return _back_to_console(prompt.workshop)


@require_POST
@workshop_staff_required(Role.FACILITATOR)
def prompt_timer(request, pk, prompt_id):
    prompt = get_object_or_404(Prompt.objects.select_related("workshop"), pk=prompt_id, workshop=pk)
    minutes = _number(request.POST.get("minutes"))
    _apply(request, services.prompt_set_timer, prompt=prompt, minutes=minutes)
    return _back_to_console(prompt.workshop)


def _moderated(request, contribution, *, undo=None):
    """The console's copy of a post after an action: a fragment for htmx, else the page.

    `undo` is the state a post just hidden was in, for its Undo button."""
    if request.htmx:
        shown = selectors.console_contribution(contribution.pk)
        return render(
            request,
            "facilitation/_console_contribution.html",
            {"contribution": shown, "messages_oob": True, "undo": undo},
        )
    return _back_to_console(contribution.workshop)


def _act_on_post(request, pk, contribution_id, action, **fields):
    """Run a moderation service on one post of this workshop and show the post again."""
    contribution = get_object_or_404(Contribution, pk=contribution_id, workshop=pk)
    _apply(request, action, contribution=contribution, by=request.user, **fields)
    return _moderated(request, contribution)


# How long the console offers to undo hiding a post (live.js removes the button then;
# Show again stays on the post).
UNDO_SECONDS = 10


@require_POST
@workshop_staff_required(Role.FACILITATOR)
def contribution_moderate(request, pk, contribution_id):
    contribution = get_object_or_404(Contribution, pk=contribution_id, workshop=pk)
    before, state = contribution.state, request.POST.get("state")
    done = _apply(
        request,
        participant_services.contribution_set_state,
        contribution=contribution,
        state=state,
        by=request.user,
    )
    hidden = done and state == Contribution.State.HIDDEN and before != state
    if hidden:
        messages.success(
            request,
            f"Post {contribution.pk} hidden. You can undo this for {UNDO_SECONDS} seconds."
            if request.htmx
            else f"Post {contribution.pk} hidden. To undo it, choose Show again on the post.",
        )
    elif done and before == Contribution.State.HIDDEN and state != before:
        messages.success(request, f"Post {contribution.pk} is shown again.")
    return _moderated(request, contribution, undo=before if hidden else None)


@require_POST
@workshop_staff_required(Role.FACILITATOR)
def contribution_edit(request, pk, contribution_id):
    return _act_on_post(
        request,
        pk,
        contribution_id,
        participant_services.contribution_edit,
        text=request.POST.get("text", ""),
    )


@require_POST
@workshop_staff_required(Role.FACILITATOR)
def contribution_merge(request, pk, contribution_id):
    duplicate = get_object_or_404(Contribution, pk=contribution_id, workshop=pk)
    into = _post_in(pk, request.POST.get("into"))
    if into is None:
        messages.error(request, "Please give the number of a post in this workshop.")
    elif _apply(
        request,
        participant_services.contribution_merge,
        duplicate=duplicate,
        into=into,
        by=request.user,
    ):
        messages.success(request, f"Post {duplicate.pk} merged into post {into.pk}.")
    return _back_to_console(duplicate.workshop)


@require_GET
@workshop_staff_required(Role.FACILITATOR)
def merge_candidates(request, pk, contribution_id):
    """Posts to merge one post into, chosen by a button: those whose text holds the words
    searched for, or else those nearest in meaning (the likely duplicates)."""
    post = get_object_or_404(
        Contribution.objects.select_related("workshop"), pk=contribution_id, workshop=pk
    )
    words = request.GET.get("q", "")[: selectors.MERGE_SEARCH_MAX_LENGTH]
    context = {"post": post, "words": words.strip(), "limit": selectors.MERGE_SEARCH_LIMIT}
    if context["words"]:
        context["found"] = selectors.merge_search(post, words)
    else:
        among = post.workshop.contributions.select_related("participant__group")
        context["alike"] = vectors.nearest(post, among)
    # The console asks for the choices alone; without JavaScript they come in a page.
    template = "facilitation/_merge_candidates.html" if request.htmx else "facilitation/merge.html"
    return render(request, template, context)


@require_POST
@workshop_staff_required(Role.FACILITATOR)
def contribution_release(request, pk, contribution_id):
    return _act_on_post(
        request, pk, contribution_id, participant_services.contribution_release_personal_data
    )


@require_http_methods(["GET", "POST"])
@workshop_staff_required(Role.FACILITATOR)
def participant_erase(request, pk, participant_id):
    """Erasing cannot be undone: the page says what will be lost, and the button does it."""
    participant = get_object_or_404(
        Participant.objects.select_related("workshop", "group"), pk=participant_id, workshop=pk
    )
    if request.method == "POST":
        participant_services.participant_erase(participant=participant, by=request.user)
        messages.success(request, "Everything this participant gave has been erased.")
        return redirect(reverse("facilitation:console", args=[pk]))
    lost = selectors.erasure_summary(participant)
    posts = f"{lost['posts']} post{pluralize(lost['posts'])}"
    votes = f"{lost['votes']} vote{pluralize(lost['votes'])}"
    return _confirm(
        request,
        participant.workshop,
        title="Erase this person's data?",
        warning=f"This deletes {posts} and {votes} from this person ({participant.group.name}"
        f"{f', table {participant.table_number}' if participant.table_number else ''}), "
        "and their place in the workshop. It cannot be undone.",
        action=request.path,
        button="Erase their data",
    )


@require_POST
@workshop_staff_required(Role.FACILITATOR)
def scribe(request, pk):
    workshop = get_object_or_404(selectors.console_workshops(), pk=pk)
    form = ScribeForm(request.POST, workshop=workshop)
    if form.is_valid():
        try:
            participant_services.contribution_create_for_group(
                entered_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Post added.")
            return _back_to_console(workshop)
    return render_console(request, workshop, scribe_form=form, status=400)


@require_http_methods(["GET", "POST"])
@workshop_staff_required(Role.FACILITATOR)
def prompts_edit(request, pk):
    workshop = get_object_or_404(Workshop.objects.select_related("series__framework"), pk=pk)
    formset = PromptFormSet(
        request.POST or None,
        queryset=workshop.prompts.all(),
        form_kwargs={"framework": workshop.series.framework},
    )
    if request.method == "POST" and formset.is_valid():
        with transaction.atomic():
            for prompt in formset.save(commit=False):
                prompt.workshop = workshop
                services.prompt_save(prompt=prompt)
            for prompt in formset.deleted_objects:
                prompt.delete()
        messages.success(request, "Questions saved.")
        return _back_to_console(workshop)
    context = {"workshop": workshop, "formset": formset}
    return render(
        request, "facilitation/prompts_edit.html", context, status=400 if formset.errors else 200
    )


def join_url(request, workshop):
    return request.build_absolute_uri(reverse("participants:workshop", args=[workshop.join_code]))


@require_GET
@workshop_staff_required(Role.FACILITATOR)
def wall(request, pk):
    workshop = get_object_or_404(Workshop.objects.select_related("series"), pk=pk)
    display = selectors.wall_display(workshop.pk)
    context = {
        "workshop": workshop,
        "display": display,
        "join_url": join_url(request, workshop),
        "join_address": workshop_selectors.short_address(request.get_host()),
        "timed_prompts": workshop.prompts.filter(is_open=True, timer_ends_at__isnull=False),
        "waiting": selectors.posts_waiting(workshop, display),
        **selectors.wall_content(workshop, display),
    }
    template = "facilitation/_wall_live.html" if request.htmx else "facilitation/wall.html"
    return render(request, template, context)


# The wall is a display: what it shows is chosen here, from the console.
PAUSE_CHOICES = {"yes": True, "no": False}


@require_POST
@workshop_staff_required(Role.FACILITATOR)
def wall_pause(request, pk):
    workshop = get_object_or_404(Workshop, pk=pk)
    paused = PAUSE_CHOICES.get(request.POST.get("paused"))
    if paused is None:
        messages.error(request, "Please choose to pause the wall or to let it carry on.")
    elif _apply(request, wall_set_paused, workshop=workshop, paused=paused):
        messages.success(
            request,
            "The wall is paused: new posts wait until you resume it."
            if paused
            else "The wall is showing new posts again.",
        )
    return _back_to_console(workshop)


@require_POST
@workshop_staff_required(Role.FACILITATOR)
def wall_show(request, pk):
    workshop = get_object_or_404(Workshop, pk=pk)
    chosen = request.POST.get("prompt", "")
    prompt = None
    if chosen:
        prompt = _chosen(workshop.prompts.all(), chosen)
        if prompt is None:
            messages.error(request, "That question is not in this workshop. Please choose again.")
            return _back_to_console(workshop)
    display = _apply(
        request,
        wall_set_showing,
        workshop=workshop,
        showing=request.POST.get("showing"),
        prompt=prompt,
    )
    if display:
        messages.success(request, f"The wall now shows {display.describe()}.")
    return _back_to_console(workshop)


@require_GET
@workshop_staff_required(Role.FACILITATOR)
def qr_code(request, pk):
    workshop = get_object_or_404(Workshop, pk=pk)
    return _qr_svg(join_url(request, workshop), title=f"QR code to join {workshop.title}")


@require_GET
@workshop_staff_required(Role.FACILITATOR)
def results_qr_code(request, pk):
    """The QR code of the series' public results page, for the wall of this workshop."""
    workshop = get_object_or_404(Workshop.objects.select_related("series"), pk=pk)
    url = selectors.results_page(workshop.series)["url"]
    return _qr_svg(url, title=f"QR code for the results of {workshop.series.name}")


def _qr_svg(url, *, title):
    svg = io.BytesIO()
    segno.make(url, error="m").save(svg, kind="svg", scale=8, title=title)
    return HttpResponse(svg.getvalue(), content_type="image/svg+xml")


# The organisation, for its admins: members, their roles, invitations and the audit log.


@require_GET
@admin_required
def organisations(request):
    mine = list(organisations_of(request.user, Role.ADMIN))
    if len(mine) == 1:
        return redirect("facilitation:organisation", mine[0].pk)
    return render(request, "facilitation/organisations.html", {"organisations": mine})


@require_http_methods(["GET", "POST"])
@organisation_required(Role.ADMIN)
def organisation(request, pk):
    """Who is a member, with what roles; and a form to add someone by email."""
    organisation = get_object_or_404(Organisation, pk=pk)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        roles = form.cleaned_data["roles"]
        try:
            user, _ = account_services.member_add(
                organisation=organisation,
                email=form.cleaned_data["email"],
                roles=roles,
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error("email", " ".join(error.messages))
        else:
            send_invitation(
                user=user,
                organisation=organisation,
                roles=roles,
                needs_password=not user.has_usable_password(),
                request=request,
            )
            messages.success(request, f"{user.email} is added and has been sent an email.")
            return redirect("facilitation:organisation", organisation.pk)
    members = [
        (user, RolesForm(initial={"roles": sorted(roles)}, prefix=f"member-{user.pk}"))
        for user, roles in members_of(organisation)
    ]
    context = {"organisation": organisation, "members": members, "form": form}
    return render(
        request, "facilitation/organisation.html", context, status=400 if form.errors else 200
    )


@require_POST
@organisation_required(Role.ADMIN)
def member_roles(request, pk, user_id):
    organisation = get_object_or_404(Organisation, pk=pk)
    members = User.objects.filter(memberships__organisation=organisation).distinct()
    member = get_object_or_404(members, pk=user_id)
    form = RolesForm(request.POST, prefix=f"member-{member.pk}")
    if not form.is_valid():
        messages.error(request, "Those roles could not be read. Please choose again.")
        return redirect("facilitation:organisation", organisation.pk)
    roles = form.cleaned_data["roles"]
    try:
        account_services.member_set_roles(
            organisation=organisation, user=member, roles=roles, actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        name = member.email or member.username
        messages.success(
            request, f"Roles of {name} saved." if roles else f"{name} is no longer a member."
        )
    return redirect("facilitation:organisation", organisation.pk)


@require_GET
@organisation_required(Role.ADMIN)
def organisation_audit(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    context = {"organisation": organisation, "entries": selectors.organisation_audit(organisation)}
    return render(request, "facilitation/organisation_audit.html", context)
