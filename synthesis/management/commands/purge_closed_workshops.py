from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from synthesis.management.scope import add_organisation_option, series_of
from synthesis.notices import expire_results_subscriptions, results_subscriptions_expired
from synthesis.services import workshop_purge
from workshops.models import Workshop


class Command(BaseCommand):
    help = (
        "Delete participant-level data (participants, contributions, votes) of closed "
        "workshops that started more than DAYS days ago, keeping anonymised counts and "
        "the series' findings. Also delete the email addresses kept for results notices of "
        "series whose last workshop started more than RETENTION_DAYS days ago."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, required=True, metavar="DAYS")
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be purged, and purge nothing."
        )
        add_organisation_option(parser)

    def handle(self, *args, older_than, dry_run, organisation, **options):
        if older_than < 0:
            raise CommandError("--older-than takes a number of days, 0 or more.")
        cutoff = timezone.now() - timedelta(days=older_than)
        workshops = Workshop.objects.filter(
            series__in=series_of(organisation),
            status=Workshop.Status.CLOSED,
            starts_at__lt=cutoff,
            participants__isnull=False,
        ).distinct()
        for workshop in workshops:
            if not dry_run:
                workshop_purge(workshop=workshop)
            verb = "Would purge" if dry_run else "Purged"
            self.stdout.write(f"{verb} {workshop} ({workshop.starts_at:%d %b %Y})")
        self.stdout.write(f"{len(workshops)} workshop(s) {'to purge' if dry_run else 'purged'}.")
        self._expire_addresses(dry_run, series_of(organisation))

    def _expire_addresses(self, dry_run, series):
        if dry_run:
            count = results_subscriptions_expired(series=series).count()
        else:
            count = expire_results_subscriptions(series=series)
        self.stdout.write(
            f"{count} email address(es) for results notices {'to delete' if dry_run else 'deleted'}"
            f" ({settings.RETENTION_DAYS} days after their series' last workshop)."
        )
