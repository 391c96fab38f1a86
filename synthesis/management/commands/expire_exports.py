from django.conf import settings
from django.core.management.base import BaseCommand

from synthesis.retention import expire_exports


class Command(BaseCommand):
    help = (
        "Delete reports and data exports asked for more than EXPORT_RETENTION_DAYS days ago, "
        "files and all. The beat service runs it daily; elsewhere run it from cron."
    )

    def handle(self, *args, **options):
        deleted = expire_exports()
        self.stdout.write(
            f"{deleted} export(s) older than {settings.EXPORT_RETENTION_DAYS} days deleted."
        )
