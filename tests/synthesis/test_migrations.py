"""Themes span recommendations: the migration that drops a theme's one recommendation keeps
every theme and the posts it links, and their recommendations are then read from the posts.

The database goes back to the migration before, is given a theme as the old code left it (its
recommendation taken from its first post), and comes forward again. The schema changes commit,
so the test commits for real; serialized_rollback puts the migrations' data back after.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from synthesis.models import Theme
from tests.factories import ContributionFactory, ParticipantFactory, make_workshop

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MIGRATION = ("synthesis", "0005_reports")


def migrate(targets):
    """Migrate to `targets`; returns the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def before_and_latest():
    loader = MigrationExecutor(connection).loader
    before = [dep for dep in loader.get_migration(*MIGRATION).dependencies if dep[0] == "synthesis"]
    return before, loader.graph.leaf_nodes()


def post_on(workshop, number):
    prompt = workshop.prompts.get(recommendation__number=number)
    return ContributionFactory(participant=ParticipantFactory(workshop=workshop), prompt=prompt)


def test_every_theme_keeps_its_posts_and_reads_its_recommendations_from_them():
    leeds = make_workshop()
    london = make_workshop(series=leeds.series)
    posts = [post_on(leeds, 3), post_on(london, 1), post_on(london, 3)]
    before, latest = before_and_latest()
    old_apps = migrate(before)
    try:
        old_theme = old_apps.get_model("synthesis", "Theme").objects.create(
            series_id=leeds.series_id,
            title="Invest in the early years",
            recommendation_id=posts[0].prompt.recommendation_id,
        )
        old_theme.contributions.set([post.pk for post in posts])
    finally:
        migrate(latest)
    theme = Theme.objects.get()
    assert (theme.pk, theme.title) == (old_theme.pk, "Invest in the early years")
    assert set(theme.contributions.all()) == set(posts)
    assert [rec.number for rec in theme.recommendations()] == [1, 3]
