"""What the data migrations leave in a fresh database: the SEND reform framework, the
stakeholder groups and the two staff roles.

Expected values are written out here (from /work/shared/content/send-reform.md) rather than
read from pillars/send_reform.py, so a slip in that module is caught rather than mirrored.
"""

import pytest

from participants.models import StakeholderGroup
from pillars import send_reform
from pillars.models import Framework, Pillar, Recommendation

pytestmark = pytest.mark.django_db

TITLES = {
    1: "National government should set out a new national ambition",
    2: "Create a National Framework that describes types and levels of needs",
    3: "Put in place measures to enable inclusive practice in mainstream education settings",
    4: "Reform elements of the SEND statutory framework",
    5: "Create a new Destinations and Progression Service in each local area",
    6: (
        "Reconfigure the role of partners so they are coherent and give a robust foundation "
        "for joint working"
    ),
    7: (
        "Articulate a new, more strategic relationship between the state and the independent sector"
    ),
    8: "Recommendation 8",
}
PILLAR_OF = {1: 1, 3: 1, 5: 1, 8: 1, 2: 2, 4: 2, 6: 2, 7: 2}


@pytest.fixture
def framework():
    return Framework.objects.get(slug="send-reform")


def test_send_reform_framework_is_loaded_once():
    """Exactly one SEND reform framework exists after migrating."""
    assert Framework.objects.filter(slug="send-reform").count() == 1


def test_send_reform_has_two_pillars(framework):
    """Pillar 1 is support capacity, pillar 2 the legislative framework."""
    pillars = list(framework.pillars.order_by("number"))
    assert [p.number for p in pillars] == [1, 2]
    assert "support capacity" in pillars[0].title.lower()
    assert "legislative framework" in pillars[1].title.lower()
    assert all(p.easy_read for p in pillars)


def test_send_reform_has_the_eight_published_titles(framework):
    """Eight recommendations, numbered 1-8, with the titles from the content brief."""
    titles = {r.number: r.title for r in framework.recommendations()}
    assert titles == TITLES
    assert Recommendation.objects.filter(pillar__framework=framework).count() == 8


def test_recommendations_are_grouped_into_pillars(framework):
    """1, 3, 5 and 8 sit under pillar 1; 2, 4, 6 and 7 under pillar 2."""
    grouping = {r.number: r.pillar.number for r in framework.recommendations()}
    assert grouping == PILLAR_OF
    assert all(r.pillar.framework_id == framework.pk for r in framework.recommendations())


def test_only_recommendation_8_needs_completion(framework):
    """Recommendation 8's wording is unknown, so only it is marked for completion."""
    needs = {r.number: r.needs_completion for r in framework.recommendations()}
    assert needs == {n: n == 8 for n in range(1, 9)}


def test_recommendations_1_to_7_have_easy_read_text(framework):
    """Participants see Easy Read text for every recommendation whose wording is known."""
    for rec in framework.recommendations().exclude(number=8):
        assert rec.easy_read.strip(), rec.number


def test_sources_credit_isos_partnership_and_the_lga(framework):
    """The framework says where its wording comes from."""
    assert "Isos Partnership" in framework.sources
    assert "LGA" in framework.sources


def test_no_other_pillars_or_recommendations_are_loaded():
    """The migration adds nothing beyond the SEND reform framework."""
    assert Pillar.objects.exclude(framework__slug="send-reform").count() == 0
    assert Recommendation.objects.exclude(pillar__framework__slug="send-reform").count() == 0


def test_loading_again_adds_nothing(framework):
    """The loader is idempotent: running it again (say, a re-run migration) adds no rows."""
    send_reform.load(Framework, Pillar, Recommendation)
    assert Framework.objects.filter(slug="send-reform").count() == 1
    assert framework.pillars.count() == 2
    assert framework.recommendations().count() == 8


def test_loading_again_keeps_facilitators_edits(framework):
    """Re-running the loader never overwrites what facilitators have changed."""
    rec = framework.recommendations().get(number=8)
    rec.title = "Invest in the early years"
    rec.pillar = framework.pillars.get(number=2)
    rec.save()
    send_reform.load(Framework, Pillar, Recommendation)
    rec.refresh_from_db()
    assert (rec.title, rec.pillar.number) == ("Invest in the early years", 2)


def test_six_stakeholder_groups_in_order():
    """The six stakeholder groups, in display order, each with a name and short name."""
    groups = list(StakeholderGroup.objects.all())
    assert [g.slug for g in groups] == [
        "pcf",
        "education",
        "health",
        "local_government",
        "young_person",
        "other",
    ]
    assert all(g.name and g.short_name for g in groups)
    assert len({g.order for g in groups}) == 6
