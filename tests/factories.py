import uuid

import factory
from django.contrib.auth.models import User
from django.utils import timezone

from accounts.models import Membership, Organisation
from participants.models import Contribution, Participant, StakeholderGroup, Vote
from pillars.models import Framework
from synthesis import tallies
from synthesis.models import Finding, FindingResponse, ReportVersion, ResultsSubscription
from synthesis.publication import public_content, report_version_publish
from workshops import services as workshop_services
from workshops.models import Series, Workshop


def default_organisation():
    """The organisation that owns what was there before organisations (made by migration)."""
    return Organisation.objects.get(name="Default organisation")


def send_reform(organisation=None):
    return Framework.objects.get(
        slug="send-reform", organisation=organisation or default_organisation()
    )


def stakeholder_group(slug):
    return StakeholderGroup.objects.get(slug=slug)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """Roles ("facilitator", "analyst", "admin") in `organisation`, by default the
        organisation that make_workshop's series belong to."""
        organisation = kwargs.get("organisation") or default_organisation()
        for role in extracted or []:
            Membership.objects.create(user=self, organisation=organisation, role=role)
        self.save()


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series

    name = factory.Sequence(lambda n: f"Series {n}")
    organisation = factory.LazyFunction(default_organisation)
    framework = factory.LazyAttribute(lambda series: send_reform(series.organisation))


def make_workshop(
    *, series=None, status=Workshop.Status.LIVE, open_prompts=1, premoderation=False, **fields
):
    """A workshop made the way facilitators make one: through the service, with its prompts.

    Pre-moderation is off unless asked for, so posts show at once.
    """
    fields.setdefault("title", "Regional workshop")
    fields.setdefault("starts_at", timezone.now())
    workshop = workshop_services.workshop_create(series=series or SeriesFactory(), **fields)
    workshop.status = status
    workshop.premoderation = premoderation
    workshop.save(update_fields=["status", "premoderation"])
    for prompt in workshop.prompts.all()[:open_prompts]:
        prompt.is_open = status == Workshop.Status.LIVE
        prompt.save(update_fields=["is_open"])
    return workshop


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    workshop = factory.LazyFunction(make_workshop)
    group = factory.LazyFunction(lambda: stakeholder_group("pcf"))
    consented_at = factory.LazyFunction(timezone.now)


class ContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contribution

    participant = factory.SubFactory(ParticipantFactory)
    workshop = factory.SelfAttribute("participant.workshop")
    prompt = factory.LazyAttribute(lambda o: o.workshop.prompts.order_by("order").first())
    text = factory.Sequence(lambda n: f"Contribution number {n}")
    client_id = factory.LazyFunction(uuid.uuid4)


class VoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vote
        skip_postgeneration_save = True

    contribution = factory.SubFactory(ContributionFactory)
    participant = factory.SubFactory(
        ParticipantFactory, workshop=factory.SelfAttribute("..contribution.workshop")
    )
    choice = Vote.Choice.AGREE

    @factory.post_generation
    def counted(vote, create, extracted, **kwargs):
        """Saved past the vote service, so its post's counts are made again from its votes."""
        if create:
            tallies.recount([vote.contribution_id])


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    series = factory.SubFactory(SeriesFactory)
    title = factory.Sequence(lambda n: f"Key finding {n}")
    body = "What the groups said, and how many agreed."
    kind = Finding.Kind.COMMON_GROUND
    order = factory.Sequence(lambda n: n)


class FindingResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FindingResponse

    finding = factory.SubFactory(FindingFactory)
    status = FindingResponse.Status.AGREED
    action = "We will do what the groups asked, starting next term."
    responsible = "SEND strategic lead"
    easy_read = "We will do what you asked."


def publish_report(series, *, user=None):
    """The series report as it stands now, made final and published. The version row is
    built directly: making it final through the service renders its PDFs, which is slow."""
    version = ReportVersion.objects.create(
        series=series,
        number=series.report_versions.count() + 1,
        status=ReportVersion.Status.FINAL,
        fingerprint="published-for-a-test",
        contributions=0,
        votes=0,
        unconfirmed=0,
        finalised=timezone.now(),
        public_content=public_content(series),
    )
    return report_version_publish(version, user=user)


class ReportVersionFactory(factory.django.DjangoModelFactory):
    """A final version of the series report as it stands, not published. Its PDFs are left
    out: making them is slow, and only the report tests read them."""

    class Meta:
        model = ReportVersion

    series = factory.SubFactory(SeriesFactory)
    number = factory.LazyAttribute(lambda version: version.series.report_versions.count() + 1)
    status = ReportVersion.Status.FINAL
    fingerprint = "made-for-a-test"
    contributions = 0
    votes = 0
    unconfirmed = 0
    finalised = factory.LazyFunction(timezone.now)
    public_content = factory.LazyAttribute(lambda version: public_content(version.series))


class ResultsSubscriptionFactory(factory.django.DjangoModelFactory):
    """An address kept for a series' results notices; pass `confirmed` for one in use."""

    class Meta:
        model = ResultsSubscription

    series = factory.SubFactory(SeriesFactory)
    email = factory.Sequence(lambda n: f"follower{n}@example.org")
