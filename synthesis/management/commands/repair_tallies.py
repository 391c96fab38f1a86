from django.core.management.base import BaseCommand
from django.template.defaultfilters import pluralize

from synthesis import tallies
from synthesis.management.scope import add_organisation_option, series_of
from workshops.models import Workshop


class Command(BaseCommand):
    help = (
        "Recount every post's votes per group and put right any kept count that disagrees, "
        "saying how many were wrong in each workshop."
    )

    def add_arguments(self, parser):
        add_organisation_option(parser)

    def handle(self, *args, organisation, **options):
        workshops = Workshop.objects.filter(series__in=series_of(organisation)).select_related(
            "series"
        )
        drift = tallies.repair(workshops.order_by("series__name", "starts_at", "pk"))
        for workshop, wrong in drift.items():
            self.stdout.write(
                f"{workshop.series} — {workshop}: {wrong} count{pluralize(wrong)} "
                "did not match the votes and were recounted."
            )
        checked = workshops.count()
        if drift:
            fixed = sum(drift.values())
            self.stdout.write(
                f"{fixed} count{pluralize(fixed)} put right in {len(drift)} of {checked} "
                f"workshop{pluralize(checked)}."
            )
        else:
            self.stdout.write(
                f"Every count agrees with the votes ({checked} workshop{pluralize(checked)} "
                "checked)."
            )
