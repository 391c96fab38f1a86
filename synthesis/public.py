"""The public results of a series at its short address: the page, its Easy Read version, its
Atom feed and the published PDFs.

No sign-in. Only what `synthesis.publication` says is published is ever shown or served, and
nothing here may be cached, so unpublishing takes the results down at once.
"""

import re
from datetime import date, datetime
from functools import wraps
from typing import NamedTuple

from django.contrib.syndication.views import Feed
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from synthesis.models import FindingResponse
from synthesis.publication import public_results, published_version
from workshops.models import Series
from workshops.selectors import normalise_join_code

Status = FindingResponse.Status
# Where a response stands, in the words of the Easy Read page.
EASY_READ_STATUS = {
    Status.CONSIDERING: "We are thinking about this.",
    Status.AGREED: "We said yes to this.",
    Status.IN_PROGRESS: "We are doing this now.",
    Status.DONE: "We have done this.",
    Status.NOT_TAKEN_FORWARD: "We will not do this.",
}
# How a group stands on a recommendation, by the overview cell's shade, in Easy Read.
EASY_READ_SHADE = {
    "agree-strong": "Most of them agree.",
    "agree": "More of them agree than disagree.",
    "mixed": "They do not agree with each other.",
    "disagree": "More of them disagree than agree.",
    "disagree-strong": "Most of them disagree.",
    "none": "We cannot say. Not enough of them voted.",
}


def results_view(view):
    """Find the series by its results code, forgiving case, spaces and dashes (people type
    it from a wall); a code typed otherwise is sent to the one address worth bookmarking."""

    @wraps(view)
    def wrapper(request, code, **kwargs):
        series = Series.objects.filter(results_code=normalise_join_code(code)).first()
        if series is None:
            return render(request, "synthesis/public/not_found.html", status=404)
        if code != series.results_code:
            return redirect(request.resolver_match.view_name, code=series.results_code)
        return view(request, series, **kwargs)

    return require_GET(never_cache(wrapper))


@results_view
def results(request, series):
    return render(request, "synthesis/public/results.html", _page(request, series))


@results_view
def results_easy_read(request, series):
    return render(request, "synthesis/public/easy_read.html", _page(request, series))


@results_view
def results_file(request, series, easy_read=False):
    """A PDF of the published version, and of no other."""
    version = published_version(series)
    file = version and (version.easy_read_file if easy_read else version.file)
    if not file:
        raise Http404("These results have no PDF to download.")
    return FileResponse(file.open("rb"), as_attachment=True, filename=file.name.rsplit("/", 1)[-1])


def _page(request, series):
    shown = public_results(series)
    address = request.build_absolute_uri(reverse("results", args=[series.results_code]))
    context = {"series": series, "results": shown, "address": address}
    if shown is None:
        return context
    return {**context, **_published(shown)}


def _published(shown):
    version = shown["version"]
    about = shown["about"]
    return {
        "version": version,
        "about": {**about, "first": _day(about["first"]), "last": _day(about["last"])},
        "findings": [_with_history(finding) for finding in shown["findings"]],
        "overview": _overview(shown["overview"]),
        "downloads": {
            "report": bool(version.file),
            "easy_read": bool(version.easy_read_file),
        },
    }


def _day(iso):
    return date.fromisoformat(iso) if iso else None


def _with_history(finding):
    """A finding with where it stands now (its latest response) and what came before."""
    responses = finding["responses"]
    for response in responses:
        response.easy_read_status = EASY_READ_STATUS[response.status]
    return {**finding, "latest": responses[-1] if responses else None, "earlier": responses[:-1]}


def _overview(overview):
    """The overview's rows with each cell's view in Easy Read words, and the one view every
    group shares, if they do, so Easy Read says it once."""
    rows = []
    for row in overview["rows"]:
        cells = [
            {**cell, "group": group, "easy_read": EASY_READ_SHADE.get(cell["shade"], "")}
            for group, cell in zip(overview["groups"], row["cells"], strict=True)
        ]
        views = {cell["easy_read"] for cell in cells}
        rows.append({**row, "cells": cells, "shared": views.pop() if len(views) == 1 else ""})
    return {**overview, "rows": rows}


# Characters XML 1.0 cannot hold: a pasted one would stop the whole feed from being written.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_safe(text):
    return NOT_IN_XML.sub("", text)


class Entry(NamedTuple):
    """One entry of the feed: the publication, or one response to a finding. Its link, to
    its place on the page, is also its id."""

    link: str
    title: str
    description: str
    published: datetime
    updated: datetime


class ResultsFeed(Feed):
    """The publication and every response, each its own entry, updated when it changes; no
    entries at all while nothing is published."""

    feed_type = Atom1Feed

    def get_object(self, request, series):
        return series

    def title(self, series):
        return xml_safe(f"Results: {series.name}")

    def subtitle(self, series):
        return "What people said at the workshops, and what the organisers are doing about it."

    def link(self, series):
        return reverse("results", args=[series.results_code])

    def author_name(self, series):
        return xml_safe(series.organisation.name)

    def items(self, series):
        shown = public_results(series)
        if shown is None:
            return []
        version = shown["version"]
        page = reverse("results", args=[series.results_code])
        published = Entry(
            link=f"{page}#version-{version.number}",
            title="The results were published",
            description=format_html(
                "<p>The results of {} are on the results page.</p>", series.name
            ),
            published=version.published,
            updated=version.published,
        )
        return [published] + [
            _response_entry(finding, response, page)
            for finding in shown["findings"]
            for response in finding["responses"]
        ]

    def item_title(self, entry):
        return xml_safe(entry.title)

    def item_description(self, entry):
        return xml_safe(entry.description)

    def item_link(self, entry):
        return entry.link

    def item_pubdate(self, entry):
        return entry.published

    def item_updateddate(self, entry):
        return entry.updated


def _response_entry(finding, response, page):
    because = format_html(" Why: {}", response.reason) if response.reason else ""
    return Entry(
        link=f"{page}#response-{response.pk}",
        title=f"{finding['title']}: {response.get_status_display()}",
        description=format_html(
            "<p>{}: {}{}</p><p>Who is responsible: {}. Date: {}.</p>",
            response.get_status_display(),
            response.action,
            because,
            response.responsible,
            date_format(response.date, "j F Y"),
        ),
        published=response.created,
        updated=response.updated,
    )


_feed = ResultsFeed()


@results_view
def results_feed(request, series):
    return _feed(request, series)
