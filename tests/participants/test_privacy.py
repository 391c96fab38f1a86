import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEntry
from participants import services
from participants.models import Contribution, Participant, Vote
from participants.privacy import mask_personal_data
from synthesis.services import workshop_purge
from tests.factories import ContributionFactory, ParticipantFactory, VoteFactory
from workshops.models import Workshop

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "text, masked, kind",
    [
        ("Email me at jo.bloggs@example.com", "Email me at [email]", "email"),
        ("Ring 07700 900123 after six", "Ring [phone] after six", "phone number"),
        ("Call +44 20 7946 0018", "Call [phone]", "phone number"),
        ("We live near M1 1AE", "We live near [postcode]", "postcode"),
        ("his NHS number is 943 476 5919", "his NHS number is [NHS number]", "NHS number"),
        ("DOB 12/03/2016", "DOB [date]", "date of birth"),
        ("she was born on 3 May 2015", "she was born on [date]", "date of birth"),
        ("My son Jack needs help", "My son [name] needs help", "name"),
        ("our daughter, Amy Jones, is 9", "our daughter, [name], is 9", "name"),
        ("The pupil Tom was excluded", "The pupil [name] was excluded", "name"),
        ("Mrs Patel the SENCO said no", "Mrs [name] the SENCO said no", "name"),
        ("my child is called Leo", "my child is called [name]", "name"),
    ],
)
def test_likely_personal_data_is_masked(text, masked, kind):
    """Each kind of personal data the safety net knows is replaced by a plain label."""
    result = mask_personal_data(text)
    assert result.text == masked
    assert kind in result.kinds


@pytest.mark.parametrize(
    "text",
    [
        "Early years are foundational.",
        "In 2024 we had 12 EHCP reviews.",
        "The workshop on 19 November 2024 was good.",
        "Support should not need a plan.",
    ],
)
def test_ordinary_words_are_left_alone(text):
    assert mask_personal_data(text).kinds == ()
    assert mask_personal_data(text).text == text


def test_masked_posts_show_masked_text_to_everyone_but_the_facilitator(participant):
    """Stored as written, shown masked: the console keeps the original for the facilitator."""
    prompt = participant.workshop.prompts.get(is_open=True)
    post, _ = services.contribution_create(
        participant=participant,
        prompt=prompt,
        text="My son Jack waited two years",
        client_id=uuid.uuid4(),
    )
    assert post.text == "My son Jack waited two years"
    assert post.public_text == "My son [name] waited two years"
    assert post.personal_data == ["name"]


def test_releasing_shows_the_words_as_written_and_is_audited(participant, facilitator):
    post = ContributionFactory(participant=participant)
    services.contribution_edit(contribution=post, text="Ask Mrs Khan", by=facilitator)
    assert post.public_text == "Ask Mrs [name]"
    services.contribution_release_personal_data(contribution=post, by=facilitator)
    post.refresh_from_db()
    assert post.public_text == "Ask Mrs Khan"
    assert AuditEntry.objects.filter(
        action="release_personal_data", target_id=post.pk, actor=facilitator
    ).exists()


def test_releasing_a_post_with_nothing_hidden_is_refused(participant, facilitator):
    post = ContributionFactory(participant=participant, text="Nothing personal")
    with pytest.raises(Exception, match="Nothing in this post was hidden"):
        services.contribution_release_personal_data(contribution=post, by=facilitator)


def test_an_edit_masks_again_and_needs_a_fresh_release(participant, facilitator):
    """New words get a fresh look: a release does not carry over to them."""
    post = ContributionFactory(participant=participant)
    services.contribution_edit(contribution=post, text="Ask Mrs Khan", by=facilitator)
    services.contribution_release_personal_data(contribution=post, by=facilitator)
    services.contribution_edit(contribution=post, text="Ask Mr Jones", by=facilitator)
    assert post.public_text == "Ask Mr [name]"


def test_the_wall_and_phone_feed_never_show_the_original(
    client, participant, facilitator, participant_client
):
    other = ParticipantFactory(workshop=participant.workshop)
    prompt = participant.workshop.prompts.get(is_open=True)
    services.contribution_create(
        participant=other, prompt=prompt, text="Email jo@example.com please", client_id=uuid.uuid4()
    )
    feed = participant_client.get(f"/w/{participant.workshop.join_code}/").content.decode()
    assert "jo@example.com" not in feed and "[email]" in feed
    client.force_login(facilitator)
    wall = client.get(f"/facilitate/workshops/{participant.workshop_id}/wall/").content.decode()
    assert "jo@example.com" not in wall and "[email]" in wall
    console = client.get(f"/facilitate/workshops/{participant.workshop_id}/").content.decode()
    assert "jo@example.com" in console and "Possible personal data: email" in console


def test_a_participant_withdraws_their_own_post(participant_client, participant, committed):
    """Withdrawing deletes the post and its votes (at once here, where queued tasks run at
    once), and leaves an audit entry without words."""
    post = ContributionFactory(participant=participant, text="Changed my mind")
    VoteFactory(contribution=post)
    with committed():
        response = participant_client.post(
            f"/w/{participant.workshop.join_code}/withdraw/{post.pk}/"
        )
    assert response.status_code == 302
    assert not Contribution.with_withdrawn.filter(pk=post.pk).exists()
    assert not Vote.objects.filter(contribution_id=post.pk).exists()
    entry = AuditEntry.objects.get(action="withdraw")
    assert "Changed my mind" not in str(entry.detail)


def test_no_one_withdraws_someone_elses_post(participant_client, participant):
    post = ContributionFactory(participant__workshop=participant.workshop)
    response = participant_client.post(
        f"/w/{participant.workshop.join_code}/withdraw/{post.pk}/", follow=True
    )
    assert "only withdraw your own" in response.content.decode()
    assert Contribution.objects.filter(pk=post.pk).exists()


def test_a_facilitator_erases_one_participants_data(client, facilitator, participant):
    """Erasing deletes the person, their posts and their votes; others' data stays."""
    theirs = ContributionFactory(participant=participant)
    others = ContributionFactory(participant__workshop=participant.workshop)
    VoteFactory(participant=participant, contribution=others)
    VoteFactory(contribution=theirs)
    client.force_login(facilitator)
    response = client.post(
        f"/facilitate/workshops/{participant.workshop_id}/participants/{participant.pk}/erase/"
    )
    assert response.status_code == 302
    assert not Participant.objects.filter(pk=participant.pk).exists()
    assert not Contribution.objects.filter(pk=theirs.pk).exists()
    assert not Vote.objects.filter(participant_id=participant.pk).exists()
    assert Contribution.objects.filter(pk=others.pk).exists()
    assert AuditEntry.objects.filter(action="erase_participant", actor=facilitator).exists()


def test_erasing_is_for_facilitators_only(client, analyst, participant):
    client.force_login(analyst)
    response = client.post(
        f"/facilitate/workshops/{participant.workshop_id}/participants/{participant.pk}/erase/"
    )
    assert response.status_code == 403
    assert Participant.objects.filter(pk=participant.pk).exists()


def erase_one(participant, facilitator):
    services.participant_erase(participant=participant, by=facilitator)


def purge_workshop(participant, facilitator):
    workshop = participant.workshop
    workshop.status = Workshop.Status.CLOSED
    workshop.save(update_fields=["status"])
    workshop_purge(workshop=workshop, by=facilitator)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("erase", [erase_one, purge_workshop])
def test_erased_words_do_not_stay_in_the_sqlite_files(erase, participant, facilitator):
    """On SQLite, deleted rows' pages are zeroed, and once an erasure has committed the
    write-ahead log is copied into the database file and emptied. PostgreSQL needs neither.

    (A checkpoint inside the erasing transaction would fail with "database table is locked".)
    """
    with CaptureQueriesContext(connection) as queries:
        erase(participant, facilitator)

    checkpoints = [q["sql"] for q in queries if "wal_checkpoint" in q["sql"]]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            assert cursor.execute("PRAGMA secure_delete").fetchone() == (1,)
        assert checkpoints == ["PRAGMA wal_checkpoint(TRUNCATE)"]
    else:
        assert checkpoints == []


def test_moderation_edits_and_merges_are_audited(participant, facilitator):
    post = ContributionFactory(participant=participant)
    into = ContributionFactory(participant__workshop=participant.workshop)
    services.contribution_set_state(contribution=post, state="hidden", by=facilitator)
    services.contribution_set_state(contribution=post, state="visible", by=facilitator)
    services.contribution_edit(contribution=post, text="Fixed typo", by=facilitator)
    services.contribution_merge(duplicate=post, into=into, by=facilitator)
    actions = list(
        AuditEntry.objects.filter(actor=facilitator).order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["moderate", "moderate", "edit", "merge"]
