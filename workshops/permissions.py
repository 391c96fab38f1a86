"""Staff pages about one series or one workshop open only to staff of its organisation."""

from accounts.permissions import object_required, organisations_of
from workshops.models import Series, Workshop


def series_for(user, role):
    return Series.objects.filter(organisation__in=organisations_of(user, role))


def workshops_for(user, role):
    return Workshop.objects.filter(series__organisation__in=organisations_of(user, role))


series_staff_required = object_required(series_for)
workshop_staff_required = object_required(workshops_for)
