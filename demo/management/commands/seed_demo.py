from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo import URL


class Command(BaseCommand):
    help = (
        "Load the demo SEND reform series from demo/content/*.yaml: three workshops (one "
        "live, with a join code), participants, contributions and votes, and two logins. "
        "Safe to run again: it refreshes the same rows."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--url",
            default=URL,
            help=f"Where the app is served, printed at the end (default: {URL}).",
        )

    def handle(self, *args, url, **options):
        if not settings.DEMO:
            raise CommandError(
                "The demo's logins have published passwords, so seed_demo runs only in demo "
                "mode (DEMO=true). To start a real instance, run "
                "`manage.py create_organisation NAME --admin EMAIL` instead."
            )
        # Imported here rather than at the top: importing reads and checks the YAML, and a
        # mistake in it should reach whoever ran the command as a CommandError message,
        # not as an import traceback.
        from demo import seed as demo

        summary = demo.seed(stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: {len(summary.workshops)} workshops, {summary.participants} "
                f"participants, {summary.contributions} contributions, {summary.votes} votes."
            )
        )
        for line in demo.closing_lines(url):
            self.stdout.write(line)
