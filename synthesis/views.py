import base64
import hashlib
import re
from html import unescape

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.permissions import Role, analyst_required
from participants.models import Contribution
from synthesis import board, publication, selectors, services, vectors, versions
from synthesis.docx_report import report_html
from synthesis.forms import (
    BoardFilterForm,
    ExportForm,
    FinalVersionForm,
    FindingForm,
    FindingResponseForm,
    JudgementForm,
    PostNumbersForm,
    ReportChoiceForm,
    ReportTextForm,
    SeriesFilterForm,
    ThemeForm,
)
from synthesis.models import (
    Finding,
    FindingResponse,
    Judgement,
    ReportExport,
    ReportVersion,
    Theme,
)
from synthesis.opinion_map import opinion_map
from synthesis.opinion_map import thresholds as opinion_map_thresholds
from synthesis.suggestions import suggested_themes
from workshops.models import Series, Workshop
from workshops.permissions import series_for, series_staff_required, workshop_staff_required
from workshops.selectors import series_with_counts

ITEM_KINDS = ("contribution", "theme")


def _series(pk):
    return get_object_or_404(Series.objects.select_related("framework"), pk=pk)


@require_GET
@analyst_required
def series_list(request):
    context = {"series_list": series_with_counts(series_for(request.user, Role.ANALYST))}
    return render(request, "synthesis/series_list.html", context)


@require_GET
@series_staff_required(Role.ANALYST)
def series_board(request, pk):
    return _board_page(request, _series(pk))


@require_GET
@workshop_staff_required(Role.ANALYST)
def workshop_board(request, pk):
    workshop = get_object_or_404(Workshop.objects.select_related("series__framework"), pk=pk)
    return _board_page(request, workshop.series, workshop=workshop)


def _board_page(request, series, workshop=None, judged=None):
    """The board; `judged` is (item, bound JudgementForm) when a decision on that item was
    refused, so its form shows again open, with what was chosen and why it was refused."""
    filters = BoardFilterForm(request.GET or None, series=series)
    chosen = dict(filters.cleaned_data) if filters.is_valid() else {}
    chosen = {key: value for key, value in chosen.items() if value}
    if workshop:
        chosen["workshop"] = workshop
    context = {
        "series": series,
        "workshop": workshop,
        "filters": filters,
        "board": board.build_board(series, **chosen),
        "judgement_form": judged[1] if judged else JudgementForm(),
        "judged_anchor": judged[0].anchor if judged else None,
        "report_choice_form": ReportChoiceForm(),
        "thresholds": selectors.thresholds(),
    }
    return render(request, "synthesis/board.html", context, status=400 if judged else 200)


@require_GET
@series_staff_required(Role.ANALYST)
def series_contributions(request, pk):
    series = _series(pk)
    filters = SeriesFilterForm(request.GET or None, series=series)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    context = {
        "series": series,
        "filters": filters,
        "contributions": selectors.series_contributions(series, **chosen),
    }
    return render(request, "synthesis/series_contributions.html", context)


def _board_item(series, kind, item_pk):
    item = board.find_item(series, kind, item_pk) if kind in ITEM_KINDS else None
    if item is None:
        raise Http404("No such item in this series.")
    return item


def _board_anchor(series, kind, item_pk):
    return redirect(reverse("synthesis:series_board", args=[series.pk]) + f"#{kind}-{item_pk}")


@require_POST
@series_staff_required(Role.ANALYST)
def judge(request, pk, kind, item_pk):
    series = _series(pk)
    item = _board_item(series, kind, item_pk)
    form = JudgementForm(request.POST, auto_id=f"%s-{item.anchor}")
    if form.is_valid():
        try:
            services.judgement_record(
                series=series, item=item, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Decision saved.")
            return _board_anchor(series, kind, item_pk)
    return _board_page(request, series, judged=(item, form))


@require_POST
@series_staff_required(Role.ANALYST)
def report_choice(request, pk, kind, item_pk):
    series = _series(pk)
    item = _board_item(series, kind, item_pk)
    form = ReportChoiceForm(request.POST)
    if form.is_valid():
        services.report_choice_set(
            series=series, item=item, user=request.user, choice=form.cleaned_data["choice"]
        )
        messages.success(request, "Saved: the next draft of the report follows it.")
    else:
        messages.error(request, "Please choose how the report treats this item.")
    return _board_anchor(series, kind, item_pk)


@require_POST
@series_staff_required(Role.ANALYST)
def judgement_withdraw(request, pk, judgement_id):
    judgement = get_object_or_404(Judgement, pk=judgement_id, series=pk)
    kind = "theme" if judgement.theme_id else "contribution"
    item_pk = judgement.theme_id or judgement.contribution_id
    services.judgement_withdraw(judgement=judgement)
    messages.success(request, "Decision withdrawn: the suggested class applies again.")
    return _board_anchor(judgement.series, kind, item_pk)


@require_http_methods(["GET", "POST"])
@series_staff_required(Role.ANALYST)
def themes(request, pk):
    series = _series(pk)
    form = ThemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.theme_create(
                series=series,
                user=request.user,
                title=form.cleaned_data["title"],
                contribution_ids=form.cleaned_data["contributions"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Theme saved. Its posts' votes now pool.")
            return redirect("synthesis:themes", pk=series.pk)
    context = {
        "series": series,
        "form": form,
        "meanings": vectors.counts(series),
        "meanings_progress": vectors.progress(series),
        "suggestions": suggested_themes(series),
        "themes": series.themes.prefetch_related(
            "contributions__participant__group", "contributions__prompt__recommendation"
        ),
    }
    return render(request, "synthesis/themes.html", context, status=400 if form.errors else 200)


@require_POST
@series_staff_required(Role.ANALYST)
def meanings(request, pk):
    series = _series(pk)
    services.meanings_request(series=series)
    messages.success(request, "The meanings of this series' posts are being worked out.")
    return redirect("synthesis:themes", pk=series.pk)


@require_POST
@series_staff_required(Role.ANALYST)
def suggestion_dismiss(request, pk):
    series = _series(pk)
    form = PostNumbersForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["contributions"])
        services.suggestion_dismiss(
            series=series, contribution_ids=form.cleaned_data["contributions"], user=request.user
        )
    except ValidationError as error:
        messages.error(
            request, "That suggestion could not be dismissed: " + " ".join(error.messages)
        )
    else:
        messages.success(request, "Dismissed: it will not be suggested again.")
    return redirect("synthesis:themes", pk=series.pk)


@require_GET
@series_staff_required(Role.ANALYST)
def similar_posts(request, pk, contribution_pk):
    series = _series(pk)
    post = get_object_or_404(
        Contribution.objects.select_related("participant__group", "workshop"),
        pk=contribution_pk,
        workshop__series=series,
        state=Contribution.State.VISIBLE,
    )
    context = {
        "series": series,
        "post": post,
        "similar": vectors.nearest(post, Contribution.objects.filter(workshop__series=series)),
    }
    template = "synthesis/_similar.html" if request.htmx else "synthesis/similar_posts.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@series_staff_required(Role.ANALYST)
def theme_edit(request, pk, theme_id):
    theme = get_object_or_404(Theme.objects.select_related("series"), pk=theme_id, series=pk)
    initial = {
        "title": theme.title,
        "contributions": ", ".join(str(c.pk) for c in theme.contributions.all()),
    }
    form = ThemeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.theme_update(
                theme=theme,
                title=form.cleaned_data["title"],
                contribution_ids=form.cleaned_data["contributions"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Theme saved.")
            return redirect("synthesis:themes", pk=pk)
    context = {"series": theme.series, "theme": theme, "form": form}
    return render(request, "synthesis/theme_edit.html", context, status=400 if form.errors else 200)


@require_POST
@series_staff_required(Role.ANALYST)
def theme_delete(request, pk, theme_id):
    theme = get_object_or_404(Theme, pk=theme_id, series=pk)
    services.theme_delete(theme=theme)
    messages.success(request, "Theme removed. Its posts stand on their own again.")
    return redirect("synthesis:themes", pk=pk)


@require_http_methods(["GET", "POST"])
@series_staff_required(Role.ANALYST)
def findings(request, pk):
    series = _series(pk)
    return _finding_form_page(request, series, finding=None)


@require_http_methods(["GET", "POST"])
@series_staff_required(Role.ANALYST)
def finding_edit(request, pk, finding_id):
    finding = get_object_or_404(Finding, pk=finding_id, series=pk)
    return _finding_form_page(request, finding.series, finding=finding)


def _finding_form_page(request, series, finding):
    initial = {}
    if finding:
        initial = {
            "title": finding.title,
            "body": finding.body,
            "easy_read": finding.easy_read,
            "kind": finding.kind,
            "pillar": finding.pillar_id,
            "themes": list(finding.themes.all()),
            "contributions": ", ".join(str(c.pk) for c in finding.contributions.all()),
        }
    form = FindingForm(request.POST or None, initial=initial, series=series)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.finding_save(
                series=series,
                finding=finding,
                user=request.user,
                title=data["title"],
                body=data["body"],
                easy_read=data["easy_read"],
                kind=data["kind"],
                pillar=data["pillar"],
                contribution_ids=data["contributions"],
                themes=data["themes"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Finding saved.")
            return redirect("synthesis:findings", pk=series.pk)
    context = {
        "series": series,
        "form": form,
        "finding": finding,
        "findings": selectors.findings_with_history(series),
    }
    return render(request, "synthesis/findings.html", context, status=400 if form.errors else 200)


def _to_finding(finding):
    return redirect(
        reverse("synthesis:findings", args=[finding.series_id]) + f"#finding-{finding.pk}"
    )


def _response(series_pk, response_id):
    return get_object_or_404(
        FindingResponse.objects.select_related("finding__series"),
        pk=response_id,
        finding__series=series_pk,
    )


@require_http_methods(["GET", "POST"])
@series_staff_required(Role.ANALYST)
def finding_response_add(request, pk, finding_id):
    finding = get_object_or_404(Finding.objects.select_related("series"), pk=finding_id, series=pk)
    return _response_form_page(request, finding, response=None)


@require_http_methods(["GET", "POST"])
@series_staff_required(Role.ANALYST)
def finding_response_edit(request, pk, response_id):
    response = _response(pk, response_id)
    return _response_form_page(request, response.finding, response=response)


def _response_form_page(request, finding, response):
    form = FindingResponseForm(
        request.POST if request.method == "POST" else None, instance=response
    )
    if request.method == "POST" and form.is_valid():
        try:
            if response is None:
                services.finding_response_add(
                    finding=finding, user=request.user, **form.cleaned_data
                )
            else:
                services.finding_response_edit(
                    response=response, user=request.user, **form.cleaned_data
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Response to “{finding.title}” saved.")
            return _to_finding(finding)
    context = {"series": finding.series, "finding": finding, "response": response, "form": form}
    status = 400 if form.errors else 200
    return render(request, "synthesis/responses/form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@series_staff_required(Role.ANALYST)
def finding_response_delete(request, pk, response_id):
    response = _response(pk, response_id)
    finding = response.finding
    if request.method == "POST":
        services.finding_response_delete(response=response, user=request.user)
        messages.success(request, f"Response to “{finding.title}” deleted.")
        return _to_finding(finding)
    return _confirm(
        request,
        finding.series,
        title="Delete this response?",
        warning=f"It goes from the history of “{finding.title}”, and at once from the public "
        "results page if that shows this finding. To say that things have moved on, add a new "
        "response instead: the history stays.",
        button="Delete response",
        back=reverse("synthesis:findings", args=[pk]) + f"#finding-{finding.pk}",
    )


def _confirm(request, series, *, title, warning, button, back):
    """The GOV.UK pattern for what is hard to undo: a page that says what will happen, a
    warning button that does it (posting to this same address), and a way back that does
    nothing."""
    context = {
        "about": series.name,
        "title": title,
        "warning": warning,
        "button": button,
        "back": back,
    }
    return render(request, "confirm.html", context)


@require_http_methods(["GET", "POST"])
@series_staff_required(Role.ANALYST)
def report_text(request, pk):
    return _report_text_page(request, _series(pk))


@require_http_methods(["GET", "POST"])
@workshop_staff_required(Role.ANALYST)
def workshop_report_text(request, pk):
    workshop = get_object_or_404(Workshop.objects.select_related("series"), pk=pk)
    return _report_text_page(request, workshop.series, workshop)


def _report_text_page(request, series, workshop=None):
    form = ReportTextForm(
        request.POST or None, instance=selectors.report_text_to_edit(series, workshop)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.report_text_save(
                series=series, workshop=workshop, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Report text saved.")
            return redirect(request.path)
    context = {
        "series": series,
        "workshop": workshop,
        "workshops": series.workshops.all(),
        "form": form,
    }
    return render(
        request, "synthesis/report_text.html", context, status=400 if form.errors else 200
    )


@require_POST
@series_staff_required(Role.ANALYST)
def finding_delete(request, pk, finding_id):
    finding = get_object_or_404(Finding, pk=finding_id, series=pk)
    services.finding_delete(finding=finding)
    messages.success(request, "Finding deleted.")
    return redirect("synthesis:findings", pk=pk)


@require_http_methods(["GET", "POST"])
@series_staff_required(Role.ANALYST)
def exports(request, pk):
    series = _series(pk)
    form = ExportForm(request.POST or None, series=series)
    if request.method == "POST" and form.is_valid():
        try:
            export, created = services.export_request(
                series=series, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                "Export queued."
                if created
                else "Nothing has changed since this export was asked for: here it is.",
            )
            return redirect(reverse("synthesis:exports", args=[series.pk]) + f"#export-{export.pk}")
    context = {
        "series": series,
        "form": form,
        "exports": series.exports.select_related("workshop", "requested_by")[:50],
        "to_complete": selectors.recommendations_to_complete(series),
    }
    return render(request, "synthesis/exports.html", context, status=400 if form.errors else 200)


def _exports_of(user):
    """An export's link works only for analysts of the organisation whose series it is."""
    return ReportExport.objects.filter(series__in=series_for(user, Role.ANALYST))


@require_GET
@analyst_required
def export_status(request, token):
    """The export's row; while it is unfinished the row asks again (htmx polling)."""
    export = get_object_or_404(
        _exports_of(request.user).select_related("workshop", "requested_by"), token=token
    )
    return render(request, "synthesis/_export.html", {"export": export})


@require_GET
@analyst_required
def export_download(request, token):
    export = get_object_or_404(
        _exports_of(request.user), token=token, status=ReportExport.Status.DONE
    )
    if not export.file:
        raise Http404("This export has no file.")
    return FileResponse(
        export.file.open("rb"), as_attachment=True, filename=export.file.name.rsplit("/", 1)[-1]
    )


@require_POST
@analyst_required
def export_retry(request, token):
    export = get_object_or_404(_exports_of(request.user), token=token)
    try:
        services.export_retry(export=export)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(reverse("synthesis:exports", args=[export.series_id]) + f"#export-{export.pk}")


# The report's print styles: its <style> block and the bars' style attributes.
INLINE_STYLES = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL)
STYLE_ATTRIBUTES = re.compile(r'\sstyle="([^"]*)"')


@require_GET
@series_staff_required(Role.ANALYST)
def series_report(request, pk):
    return _report_page(_series(pk))


@require_GET
@workshop_staff_required(Role.ANALYST)
def workshop_report(request, pk):
    workshop = get_object_or_404(Workshop.objects.select_related("series__framework"), pk=pk)
    return _report_page(workshop.series, workshop)


def _report_page(series, workshop=None):
    """The report as the PDF prints it, a document of its own. The site's policy allows no
    inline styles; this page allows its own, by their hashes, and nothing else."""
    page = report_html(series, workshop)
    styles = INLINE_STYLES.findall(page)
    attributes = {unescape(value) for value in STYLE_ATTRIBUTES.findall(page)}
    sources = [_csp_hash(text) for text in [*styles, *sorted(attributes)]]
    response = HttpResponse(page)
    response._csp_update = {"style-src": [*sources, "'unsafe-hashes'"]}
    return response


def _csp_hash(text):
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


@require_GET
@series_staff_required(Role.ANALYST)
def series_opinion_map(request, pk):
    return _opinion_map_page(request, _series(pk))


@require_GET
@workshop_staff_required(Role.ANALYST)
def workshop_opinion_map(request, pk):
    workshop = get_object_or_404(Workshop.objects.select_related("series"), pk=pk)
    return _opinion_map_page(request, workshop.series, workshop)


def _opinion_map_page(request, series, workshop=None):
    context = {
        "series": series,
        "workshop": workshop,
        "workshops": series.workshops.order_by("starts_at", "pk"),
        "found": opinion_map(series, workshop),
        "thresholds": opinion_map_thresholds(),
    }
    return render(request, "synthesis/opinion_map.html", context)


@require_http_methods(["GET", "POST"])
@series_staff_required(Role.ANALYST)
def report_versions(request, pk):
    series = _series(pk)
    form = FinalVersionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.report_version_request(series=series, user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"Version {version.number} is being made final: it shows here when ready."
            )
            return redirect("synthesis:report_versions", pk=series.pk)
    attempts = list(series.report_versions.select_related("finalised_by", "published_by"))
    finals = [v for v in attempts if v.status == ReportVersion.Status.FINAL]
    context = {
        "series": series,
        "form": form,
        "finals": finals,
        "attempt": next((v for v in attempts if v.status != ReportVersion.Status.FINAL), None),
        "next_number": selectors.next_report_version(series),
        "results_address": request.build_absolute_uri(
            reverse("results", args=[series.results_code])
        ),
        "changes": versions.changes_since(finals[0]) if finals else [],
        "unconfirmed": versions.unconfirmed_items(series),
    }
    status = 400 if form.errors else 200
    return render(request, "synthesis/report_versions.html", context, status=status)


@require_GET
@series_staff_required(Role.ANALYST)
def report_version_file(request, pk, number, easy_read=False):
    version = get_object_or_404(
        ReportVersion, series=pk, number=number, status=ReportVersion.Status.FINAL
    )
    file = version.easy_read_file if easy_read else version.file
    if version.files_deleted:
        raise Http404(f"This version's files were deleted: {version.files_deleted_because}.")
    if not file:
        raise Http404("This version was made final before its Easy Read version existed.")
    return FileResponse(file.open("rb"), as_attachment=True, filename=file.name.rsplit("/", 1)[-1])


def _version_of(series_pk, number):
    return get_object_or_404(
        ReportVersion.objects.select_related("series"), series=series_pk, number=number
    )


def _to_version(version):
    return redirect(
        reverse("synthesis:report_versions", args=[version.series_id])
        + f"#version-{version.number}"
    )


@require_POST
@series_staff_required(Role.ANALYST)
def report_version_publish(request, pk, number):
    version = _version_of(pk, number)
    try:
        publication.report_version_publish(version, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Version {number} is published: the public results page shows it now, "
            "in place of any other version.",
        )
    return _to_version(version)


@require_http_methods(["GET", "POST"])
@series_staff_required(Role.ANALYST)
def report_version_unpublish(request, pk, number):
    version = _version_of(pk, number)
    if not version.published:
        messages.info(request, f"Version {number} is not published: there is nothing to take down.")
        return _to_version(version)
    if request.method == "POST":
        publication.report_version_unpublish(version, user=request.user)
        messages.success(
            request,
            f"Version {number} is no longer published: the public results page shows no "
            "results until you publish a version again.",
        )
        return _to_version(version)
    return _confirm(
        request,
        version.series,
        title=f"Unpublish version {number}?",
        warning="The public results page stops showing it at once, and says the results will "
        "appear when the organisers publish them. You can publish it again at any time.",
        button=f"Unpublish version {number}",
        back=reverse("synthesis:report_versions", args=[pk]) + f"#version-{number}",
    )
