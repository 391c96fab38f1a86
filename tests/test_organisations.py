"""Organisations: each owns its series and frameworks, its admins manage its members, and
operators' commands act on one organisation when asked to."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts import audit
from accounts.models import AuditEntry, Membership, Organisation
from accounts.services import organisation_create
from pillars.models import Framework
from synthesis.models import ReportExport
from tests.factories import SeriesFactory, UserFactory, make_workshop, send_reform
from tests.helpers import framework_edit_data, new_client

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def theirs():
    """Another organisation, with a series and a workshop of its own."""
    organisation = organisation_create(name="Northshire Parent Carer Forum")
    series = SeriesFactory(organisation=organisation, framework=send_reform(organisation))
    return make_workshop(series=series, title="Their workshop")


def signed_in(user):
    client = new_client()
    client.force_login(user)
    return client


def roles_in(organisation):
    return sorted(
        (m.user.email or m.user.username, m.role)
        for m in Membership.objects.filter(organisation=organisation).select_related("user")
    )


# Frameworks


def test_a_new_organisation_has_its_own_send_framework(theirs):
    ours, mine = send_reform(), send_reform(theirs.series.organisation)
    assert ours.pk != mine.pk
    assert [r.title for r in ours.recommendations()] == [r.title for r in mine.recommendations()]


def test_one_organisations_framework_edits_never_reach_another(theirs):
    admin = UserFactory(roles=["admin"], roles__organisation=theirs.series.organisation)
    mine = send_reform(theirs.series.organisation)
    data = framework_edit_data(mine)
    data["recommendations-0-title"] = "Our own wording"
    response = signed_in(admin).post(reverse("pillars:framework_edit", args=[mine.pk]), data)
    assert response.status_code == 302
    assert mine.recommendations().first().title == "Our own wording"
    assert send_reform().recommendations().first().title != "Our own wording"


def test_a_series_must_use_a_framework_of_its_own_organisation(theirs, facilitator):
    """A facilitator of two organisations cannot start one's series on the other's framework."""
    Membership.objects.create(
        user=facilitator, organisation=theirs.series.organisation, role="facilitator"
    )
    data = {
        "name": "Mixed up",
        "organisation": theirs.series.organisation.pk,
        "framework": send_reform().pk,
    }
    response = signed_in(facilitator).post(reverse("facilitation:series_list"), data)
    assert response.status_code == 400
    assert "Choose one of Northshire Parent Carer Forum’s frameworks" in response.content.decode()
    assert not theirs.series.organisation.series.filter(name="Mixed up").exists()


# Onboarding


def set_password_through(link, password):
    """Follow a one-time link as its owner would and choose a password."""
    client = new_client()
    form = client.get(link, follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": password, "new_password2": password},
    )
    assert response.status_code == 302
    return response


def test_create_organisation_prints_a_one_time_link_for_its_admin():
    out = StringIO()
    call_command(
        "create_organisation", "Eastshire Council", "--admin", "Lead@Eastshire.example", stdout=out
    )
    organisation = Organisation.objects.get(name="Eastshire Council")
    assert Framework.objects.filter(organisation=organisation, slug="send-reform").exists()
    assert roles_in(organisation) == [("Lead@eastshire.example", "admin")]
    link = re.search(r"http://\S+", out.getvalue()).group()
    set_password_through(link, "a long new passphrase 42")
    user = User.objects.get(email="Lead@eastshire.example")
    assert user.check_password("a long new passphrase 42")
    # Used once, the link is spent.
    assert "This link does not work" in new_client().get(link, follow=True).content.decode()


@pytest.mark.parametrize(
    "args, message",
    [
        (["  ", "--admin", "a@example.org"], "Give the organisation a name."),
        (["Westshire", "--admin", "not an address"], "is not an email address"),
        (["Default organisation", "--admin", "a@example.org"], "already exists"),
    ],
)
def test_create_organisation_refuses_bad_input_and_makes_nothing(args, message):
    before = (Organisation.objects.count(), User.objects.count())
    with pytest.raises(CommandError, match=message):
        call_command("create_organisation", *args, stdout=StringIO())
    assert (Organisation.objects.count(), User.objects.count()) == before


# Members


@pytest.fixture
def admin(db):
    return UserFactory(roles=["admin"], email="admin@example.org")


def test_an_admin_adds_someone_new_who_gets_a_link_to_choose_a_password(admin, committed):
    organisation = admin.memberships.get().organisation
    page = reverse("facilitation:organisation", args=[organisation.pk])
    with committed():
        response = signed_in(admin).post(
            page, {"email": "new.analyst@example.org", "roles": ["analyst"]}
        )
    assert response.status_code == 302
    assert ("new.analyst@example.org", "analyst") in roles_in(organisation)
    [email] = mail.outbox
    assert email.to == ["new.analyst@example.org"]
    assert "as analyst" in email.body
    link = re.search(r"http://\S+", email.body).group()
    set_password_through(link, "another long passphrase 7")
    assert User.objects.get(email="new.analyst@example.org").has_usable_password()


def test_someone_with_an_account_is_told_and_gets_no_password_link(admin, facilitator, committed):
    facilitator.email = "known@example.org"
    facilitator.save()
    organisation = admin.memberships.get().organisation
    page = reverse("facilitation:organisation", args=[organisation.pk])
    with committed():
        signed_in(admin).post(page, {"email": "KNOWN@example.org", "roles": ["analyst"]})
    assert User.objects.filter(email__iexact="known@example.org").count() == 1
    [email] = mail.outbox
    assert "password" not in email.body.lower()
    assert ("known@example.org", "analyst") in roles_in(organisation)


@pytest.mark.parametrize(
    "data, error",
    [
        ({"email": "not an address", "roles": ["analyst"]}, "Enter an email address in the"),
        ({"email": "a@example.org"}, "Choose at least one role for them."),
        ({"email": "a@example.org", "roles": ["owner"]}, "Choose the roles from the list"),
    ],
)
def test_adding_a_member_with_bad_input_says_why_and_adds_no_one(admin, data, error):
    organisation = admin.memberships.get().organisation
    before = roles_in(organisation)
    page = reverse("facilitation:organisation", args=[organisation.pk])
    response = signed_in(admin).post(page, data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert roles_in(organisation) == before
    assert mail.outbox == []


def test_an_address_whose_username_another_account_holds_is_refused_politely(admin):
    """New accounts are named by their address; one already taken by someone else's
    account (with another address) is said, not a server error."""
    UserFactory(username="taken@example.org", email="someone.else@example.org")
    organisation = admin.memberships.get().organisation
    page = reverse("facilitation:organisation", args=[organisation.pk])
    response = signed_in(admin).post(page, {"email": "taken@example.org", "roles": ["analyst"]})
    assert response.status_code == 400
    assert "A user with that username already exists." in response.content.decode()
    assert roles_in(organisation) == [("admin@example.org", "admin")]
    assert mail.outbox == []


def test_an_admin_changes_roles_and_removes_a_member(admin, analyst):
    organisation = admin.memberships.get().organisation
    url = reverse("facilitation:member_roles", args=[organisation.pk, analyst.pk])
    client = signed_in(admin)
    client.post(url, {f"member-{analyst.pk}-roles": ["facilitator", "analyst"]})
    assert {m.role for m in analyst.memberships.all()} == {"facilitator", "analyst"}
    response = client.post(url, {}, follow=True)
    assert "is no longer a member" in response.content.decode()
    assert not analyst.memberships.exists()
    assert AuditEntry.objects.filter(action="member_roles_set", organisation=organisation).count()


def test_the_last_admin_cannot_be_removed(admin):
    organisation = admin.memberships.get().organisation
    url = reverse("facilitation:member_roles", args=[organisation.pk, admin.pk])
    response = signed_in(admin).post(url, {f"member-{admin.pk}-roles": ["analyst"]}, follow=True)
    assert "is the only admin of" in response.content.decode()
    assert roles_in(organisation) == [("admin@example.org", "admin")]


def test_roles_that_cannot_be_read_change_nothing(admin, analyst):
    organisation = admin.memberships.get().organisation
    url = reverse("facilitation:member_roles", args=[organisation.pk, analyst.pk])
    response = signed_in(admin).post(url, {f"member-{analyst.pk}-roles": ["root"]}, follow=True)
    assert "could not be read" in response.content.decode()
    assert [m.role for m in analyst.memberships.all()] == ["analyst"]


def test_a_member_of_another_organisation_is_not_found_here(admin, theirs):
    stranger = UserFactory(roles=["analyst"], roles__organisation=theirs.series.organisation)
    organisation = admin.memberships.get().organisation
    url = reverse("facilitation:member_roles", args=[organisation.pk, stranger.pk])
    assert signed_in(admin).post(url, {}).status_code == 404
    assert stranger.memberships.count() == 1


def test_the_audit_log_holds_this_organisations_entries_only(admin, theirs):
    ours = make_workshop(title="Our workshop")
    organisation = admin.memberships.get().organisation
    audit.record("ours_in_a_workshop", ours, workshop_id=ours.pk)
    audit.record("ours_as_a_whole", organisation, organisation=organisation)
    audit.record("theirs_in_a_workshop", theirs, workshop_id=theirs.pk)
    audit.record("theirs_as_a_whole", theirs.series, organisation=theirs.series.organisation)
    page = signed_in(admin).get(reverse("facilitation:organisation_audit", args=[organisation.pk]))
    actions = re.findall(r"<td>((?:Ours|Theirs) [a-z ]+)</td>", page.content.decode())
    assert sorted(actions) == ["Ours as a whole", "Ours in a workshop"]


# Operators' commands


def test_commands_keep_to_the_organisation_they_are_given(theirs, tmp_path):
    ours = make_workshop(title="Ours")
    with pytest.raises(CommandError, match="is not one of Northshire Parent Carer Forum’s"):
        call_command(
            "opinion_map",
            str(ours.series.pk),
            "--organisation",
            "Northshire Parent Carer Forum",
            stdout=StringIO(),
        )
    out = StringIO()
    call_command(
        "opinion_map",
        str(theirs.series.pk),
        "--organisation",
        "northshire parent carer forum",
        stdout=out,
    )
    assert out.getvalue()


def test_a_command_names_an_organisation_it_does_not_know():
    with pytest.raises(CommandError, match="There is no organisation called “Nowhere”"):
        call_command("expire_exports", "--organisation", "Nowhere", stdout=StringIO())


def test_expiring_exports_for_one_organisation_leaves_the_others(theirs, settings):
    settings.EXPORT_RETENTION_DAYS = 1
    old = timezone.now() - timedelta(days=3)
    kept = ReportExport.objects.create(series=SeriesFactory(), kind="votes_csv", fingerprint="a")
    gone = ReportExport.objects.create(series=theirs.series, kind="votes_csv", fingerprint="b")
    ReportExport.objects.update(created=old)
    call_command(
        "expire_exports", "--organisation", "Northshire Parent Carer Forum", stdout=StringIO()
    )
    assert list(ReportExport.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not ReportExport.objects.filter(pk=gone.pk).exists()
