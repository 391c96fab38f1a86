import json

from django.core.management.base import BaseCommand, CommandError

from participants.models import Contribution
from synthesis import vectors
from synthesis.management.scope import add_organisation_option, series_or_refuse
from synthesis.suggestions import similar_by_post, suggested_themes


class Command(BaseCommand):
    help = (
        "Work out the meaning of a series' posts (those not yet done), then print the themes "
        "suggested for it and each post's most similar posts."
    )

    def add_arguments(self, parser):
        parser.add_argument("series", type=int, metavar="SERIES_ID")
        add_organisation_option(parser)
        parser.add_argument(
            "--similar",
            type=int,
            default=vectors.SIMILAR,
            metavar="N",
            help=f"Similar posts listed for each post ({vectors.SIMILAR}).",
        )
        parser.add_argument(
            "--json", action="store_true", help="Print one JSON object on the last line."
        )

    def handle(self, *args, series, organisation, similar, **options):
        if similar < 1:
            raise CommandError("--similar must be at least 1.")
        series = series_or_refuse(series, organisation)
        done = vectors.refresh(Contribution.objects.filter(workshop__series=series))
        themes = suggested_themes(series)
        if options["json"]:
            printed = {
                "themes": [{"title": s.title, "contributions": s.contribution_ids} for s in themes],
                "similar": {str(pk): ids for pk, ids in similar_by_post(series, similar).items()},
            }
            self.stdout.write(json.dumps(printed))
            return
        self.stdout.write(f"Worked out the meaning of {done} post{'s' if done != 1 else ''}.")
        for suggestion in themes:
            numbers = ", ".join(str(pk) for pk in suggestion.contribution_ids)
            self.stdout.write(f"{suggestion.title} (posts {numbers})")
        if not themes:
            self.stdout.write("No themes to suggest.")
