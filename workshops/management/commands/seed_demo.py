from django.core.management.base import BaseCommand

from workshops import demo


class Command(BaseCommand):
    help = (
        "Load the demo SEND reform series: three workshops (one live, join code "
        f"{demo.JOIN_CODE}), participants, contributions and votes, and two logins. "
        "Safe to run again: it refreshes the same rows."
    )

    def handle(self, *args, **options):
        summary = demo.seed(stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: {len(summary.workshops)} workshops, {summary.participants} "
                f"participants, {summary.contributions} contributions, {summary.votes} votes."
            )
        )
        for line in demo.closing_lines():
            self.stdout.write(line)
