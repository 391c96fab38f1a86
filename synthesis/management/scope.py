"""What a command is asked about, or a polite refusal.

Commands are operator tools: they act on every organisation's series unless given
`--organisation`, which keeps them to that organisation's.
"""

from django.core.management.base import CommandError

from accounts.models import Organisation
from workshops.models import Series, Workshop


def add_organisation_option(parser):
    parser.add_argument(
        "--organisation",
        metavar="NAME",
        help="Act only on this organisation's series (by default, on every organisation's).",
    )


def series_of(organisation):
    """Every series, or those of the organisation named, refusing a name we do not know."""
    if organisation is None:
        return Series.objects.all()
    found = Organisation.objects.filter(name__iexact=" ".join(organisation.split())).first()
    if found is None:
        raise CommandError(f"There is no organisation called “{organisation}”.")
    return Series.objects.filter(organisation=found)


def series_or_refuse(pk, organisation=None):
    series = series_of(organisation).filter(pk=pk).first()
    if series is not None:
        return series
    if organisation is not None and Series.objects.filter(pk=pk).exists():
        raise CommandError(f"Series {pk} is not one of {organisation}’s.")
    raise CommandError(f"There is no series {pk}.")


def workshop_or_refuse(series, pk):
    workshop = Workshop.objects.filter(pk=pk).first()
    if workshop is None:
        raise CommandError(f"There is no workshop {pk}.")
    if workshop.series_id != series.pk:
        raise CommandError(f"Workshop {pk} ({workshop}) is not part of series {series.pk}.")
    return workshop
