from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from synthesis import selectors
from synthesis.forms import SeriesFilterForm
from workshops.models import Series
from workshops.selectors import series_list as all_series

analyst_required = permission_required("workshops.analyse", raise_exception=True)


@require_GET
@analyst_required
def series_list(request):
    return render(request, "synthesis/series_list.html", {"series_list": all_series()})


@require_GET
@analyst_required
def series_contributions(request, pk):
    series = get_object_or_404(Series.objects.select_related("framework"), pk=pk)
    filters = SeriesFilterForm(request.GET or None, series=series)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    context = {
        "series": series,
        "filters": filters,
        "contributions": selectors.series_contributions(series, **chosen),
    }
    return render(request, "synthesis/series_contributions.html", context)
