"""The series (and workshop) a command is asked about, or a polite refusal."""

from django.core.management.base import CommandError

from workshops.models import Series, Workshop


def series_or_refuse(pk):
    series = Series.objects.filter(pk=pk).first()
    if series is None:
        raise CommandError(f"There is no series {pk}.")
    return series


def workshop_or_refuse(series, pk):
    workshop = Workshop.objects.filter(pk=pk).first()
    if workshop is None:
        raise CommandError(f"There is no workshop {pk}.")
    if workshop.series_id != series.pk:
        raise CommandError(f"Workshop {pk} ({workshop}) is not part of series {series.pk}.")
    return workshop
