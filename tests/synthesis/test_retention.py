import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import AuditEntry
from participants.models import Contribution, Participant, Vote
from synthesis.models import Finding
from tests.factories import ContributionFactory, ParticipantFactory, VoteFactory, make_workshop
from workshops.models import Workshop, WorkshopSummary

pytestmark = pytest.mark.django_db


def closed_workshop(days_ago):
    workshop = make_workshop(
        status=Workshop.Status.CLOSED, starts_at=timezone.now() - timezone.timedelta(days=days_ago)
    )
    post = ContributionFactory(participant__workshop=workshop)
    VoteFactory(contribution=post)
    return workshop


def test_purge_deletes_participant_data_of_old_closed_workshops_and_keeps_counts():
    """Old closed workshops lose participants, posts and votes; counts and findings stay."""
    old = closed_workshop(days_ago=400)
    finding = Finding.objects.create(
        series=old.series, title="Early years", body="Invest.", kind="common_ground"
    )
    finding.contributions.set(Contribution.objects.filter(workshop=old))
    call_command("purge_closed_workshops", "--older-than", "365")
    assert not Participant.objects.filter(workshop=old).exists()
    assert not Contribution.objects.filter(workshop=old).exists()
    assert not Vote.objects.filter(contribution__workshop=old).exists()
    summary = WorkshopSummary.objects.get(workshop=old)
    assert summary.contributions == 1 and summary.votes == 1
    assert sum(summary.participants_by_group.values()) == 2
    assert Finding.objects.filter(pk=finding.pk).exists()
    assert AuditEntry.objects.filter(action="purge", target_id=old.pk).exists()


def test_purge_leaves_recent_live_and_draft_workshops_alone():
    recent = closed_workshop(days_ago=10)
    live = make_workshop(starts_at=timezone.now() - timezone.timedelta(days=400))
    ParticipantFactory(workshop=live)
    call_command("purge_closed_workshops", "--older-than", "365")
    assert Participant.objects.filter(workshop=recent).exists()
    assert Participant.objects.filter(workshop=live).exists()


def test_dry_run_purges_nothing(capsys):
    old = closed_workshop(days_ago=400)
    call_command("purge_closed_workshops", "--older-than", "30", "--dry-run")
    assert "Would purge" in capsys.readouterr().out
    assert Participant.objects.filter(workshop=old).exists()


def test_a_negative_age_is_refused():
    with pytest.raises(CommandError, match="number of days"):
        call_command("purge_closed_workshops", "--older-than", "-3")
