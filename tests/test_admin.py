"""The admin site keeps the app's rules: the audit log stays whole, and an edited post is
masked again."""

import pytest
from django.urls import reverse

from accounts.models import AuditEntry
from participants.models import Contribution
from tests.factories import ContributionFactory, ParticipantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_audit_rows_cannot_be_deleted_through_the_admin(superuser_client, workshop):
    entry = AuditEntry.objects.create(action="erase_participant", target_type="participant")
    page = superuser_client.get(reverse("admin:accounts_auditentry_delete", args=[entry.pk]))
    assert page.status_code == 403
    listing = superuser_client.get(reverse("admin:accounts_auditentry_changelist"))
    assert "delete_selected" not in listing.content.decode()
    superuser_client.post(
        reverse("admin:accounts_auditentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_editing_a_posts_text_in_the_admin_masks_it_again(superuser_client, workshop):
    post = ContributionFactory(
        workshop=workshop, participant=ParticipantFactory(workshop=workshop), text="Plain words."
    )
    form = {
        "workshop": workshop.pk,
        "participant": post.participant_id,
        "prompt": post.prompt_id,
        "text": "Email me at sam.jones@example.org about it.",
        "state": post.state,
        "client_id": post.client_id,
    }
    response = superuser_client.post(
        reverse("admin:participants_contribution_change", args=[post.pk]), form
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Contribution.objects.get(pk=post.pk)
    assert post.text == form["text"] and post.original_text == "Plain words."
    assert "sam.jones@example.org" not in post.public_text
    assert AuditEntry.objects.filter(action="edit", target_id=post.pk).exists()
