import json

from django.core.management.base import BaseCommand

from synthesis.management.scope import add_organisation_option, series_or_refuse, workshop_or_refuse
from synthesis.opinion_map import opinion_map


class Command(BaseCommand):
    help = (
        "Who votes alike in a workshop (or, across a series, over its themes), beside the "
        "groups people declared: the opinion map's clusters, splits and alliances."
    )

    def add_arguments(self, parser):
        parser.add_argument("series", type=int, metavar="SERIES_ID")
        add_organisation_option(parser)
        parser.add_argument("--workshop", type=int, metavar="ID", help="Map this workshop.")
        parser.add_argument(
            "--json", action="store_true", help="Print one JSON object on the last line."
        )

    def handle(self, *args, series, organisation, workshop, **options):
        series = series_or_refuse(series, organisation)
        workshop = workshop_or_refuse(series, workshop) if workshop else None
        found = opinion_map(series, workshop)
        if options["json"]:
            self.stdout.write(json.dumps(found.as_json()))
            return
        if found.reason:
            self.stdout.write(found.reason)
            return
        for cluster in found.clusters:
            groups = ", ".join(f"{slug} {n}" for slug, n in cluster.by_group.items())
            self.stdout.write(f"Cluster {cluster.name}: {len(cluster.people)} people ({groups})")
        for line in found.splits + found.alliances:
            self.stdout.write(line.sentence)
