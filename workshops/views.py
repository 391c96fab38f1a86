import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from participants import services as participant_services
from participants.models import Contribution
from workshops import selectors, services
from workshops.forms import ConsoleFilterForm, PromptFormSet, SeriesForm, WorkshopForm
from workshops.models import Prompt, Series, Workshop

facilitator_required = permission_required("workshops.facilitate", raise_exception=True)


@require_http_methods(["GET", "POST"])
@facilitator_required
def series_list(request):
    form = SeriesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        series = services.series_create(**form.cleaned_data)
        messages.success(request, f"Series “{series.name}” created.")
        return redirect(series)
    context = {"series_list": selectors.series_list(), "form": form}
    return render(request, "workshops/series_list.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@facilitator_required
def series_detail(request, pk):
    series = get_object_or_404(Series, pk=pk)
    form = WorkshopForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        workshop = services.workshop_create(series=series, **form.cleaned_data)
        messages.success(request, f"Workshop “{workshop.title}” created with its questions.")
        return redirect(workshop)
    context = {"series": series, "workshops": selectors.series_workshops(series), "form": form}
    return render(request, "workshops/series_detail.html", context, status=400 if form.errors else 200)


@require_GET
@facilitator_required
def console(request, pk):
    workshop = get_object_or_404(Workshop.objects.select_related("series"), pk=pk)
    filters = ConsoleFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    context = {
        "workshop": workshop,
        "prompts": selectors.workshop_prompts(workshop),
        "contributions": selectors.console_contributions(workshop, **chosen),
        "filters": filters,
        "statuses": Workshop.Status,
    }
    return render(request, "workshops/console.html", context)


def _back_to_console(workshop):
    return redirect(reverse("workshops:console", args=[workshop.pk]))


def _apply(request, action, **kwargs):
    """Run a service for a console button; a refusal becomes a message, never a crash."""
    try:
        action(**kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    return True


@require_POST
@facilitator_required
def workshop_status(request, pk):
    workshop = get_object_or_404(Workshop, pk=pk)
    if _apply(request, services.workshop_set_status, workshop=workshop,
              status=request.POST.get("status")):
        messages.success(request, f"The workshop is now {workshop.get_status_display().lower()}.")
    return _back_to_console(workshop)


@require_POST
@facilitator_required
def prompt_toggle(request, pk, prompt_id):
    prompt = get_object_or_404(Prompt.objects.select_related("workshop"), pk=prompt_id, workshop=pk)
    _apply(request, services.prompt_set_open, prompt=prompt, is_open=not prompt.is_open)
    return _back_to_console(prompt.workshop)


@require_POST
@facilitator_required
def contribution_moderate(request, pk, contribution_id):
    contribution = get_object_or_404(Contribution, pk=contribution_id, workshop=pk)
    _apply(request, participant_services.contribution_set_state,
           contribution=contribution, state=request.POST.get("state"))
    return _back_to_console(contribution.workshop)


@require_http_methods(["GET", "POST"])
@facilitator_required
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
                prompt.save()
            for prompt in formset.deleted_objects:
                prompt.delete()
        messages.success(request, "Questions saved.")
        return _back_to_console(workshop)
    context = {"workshop": workshop, "formset": formset}
    return render(request, "workshops/prompts_edit.html", context, status=400 if formset.errors else 200)


def join_url(request, workshop):
    return request.build_absolute_uri(reverse("participants:workshop", args=[workshop.join_code]))


@require_GET
@facilitator_required
def wall(request, pk):
    workshop = get_object_or_404(Workshop, pk=pk)
    context = {
        "workshop": workshop,
        "join_url": join_url(request, workshop),
        "join_base": request.build_absolute_uri("/"),
        "open_prompts": workshop.prompts.filter(is_open=True),
        "contributions": workshop.contributions.filter(state=Contribution.State.VISIBLE)
        .select_related("participant__group")[:30],
    }
    return render(request, "workshops/wall.html", context)


@require_GET
@facilitator_required
def qr_code(request, pk):
    workshop = get_object_or_404(Workshop, pk=pk)
    svg = io.BytesIO()
    segno.make(join_url(request, workshop), error="m").save(
        svg, kind="svg", scale=8, title=f"QR code to join {workshop.title}"
    )
    return HttpResponse(svg.getvalue(), content_type="image/svg+xml")
