from django.conf import settings
from django.core.management.base import BaseCommand

from synthesis.management.scope import add_organisation_option, series_of
from synthesis.retention import expire_exports


class Command(BaseCommand):
    help = (
        "Delete reports and data exports asked for more than EXPORT_RETENTION_DAYS days ago, "
        "files and all. The beat service runs it daily; elsewhere run it from cron."
    )

    def add_arguments(self, parser):
        add_organisation_option(parser)

    def handle(self, *args, organisation, **options):
        deleted = expire_exports(series=series_of(organisation))
        self.stdout.write(
            f"{deleted} export(s) older than {settings.EXPORT_RETENTION_DAYS} days deleted."
        )
