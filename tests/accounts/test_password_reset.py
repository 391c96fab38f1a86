import re

import pytest
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from accounts import password_reset
from accounts.onboarding import set_password_link
from tests.accounts.helpers import PASSWORD, sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a new, long enough password"


def ask_for_link(client, email, address="198.51.100.7"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def link_in(message):
    return re.search(r"https?://\S+", message.body).group()


def choose_password(client, link, password=NEW_PASSWORD, again=None):
    """Open the link (it moves on to a page without the token in its address) and send the
    form; returns the form's response."""
    form_page = client.get(link)
    assert form_page.status_code == 302
    return client.post(
        form_page.url, {"new_password1": password, "new_password2": again or password}
    )


@pytest.fixture
def staff(db):
    return UserFactory(email="sam@example.org")


def test_the_sign_in_page_offers_a_reset(client):
    page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}">Forgotten your password?' in page


def test_the_locked_out_page_offers_a_reset_instead_of_asking_an_admin(client, staff, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for guess in ("one", "two"):
        locked = sign_in(client, staff, guess)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert reverse("password_reset") in page and "administrator" not in page


def test_a_reset_link_by_email_sets_a_new_password(client, staff):
    """The email's link leads to a form; the new password then signs in, the old one not."""
    response = ask_for_link(client, "Sam@Example.org")
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert "Check your email" in client.get(response.url).content.decode()
    (message,) = mail.outbox
    assert message.to == ["sam@example.org"]
    assert message.subject == "Choose a new password for Common Ground"
    assert "stops working in 3\xa0days" in message.body
    link = link_in(message)
    assert link.startswith("http://testserver/accounts/password-reset/")

    done = choose_password(client, link)
    assert done.status_code == 302 and done.url == reverse("password_reset_complete")
    assert "Your password is saved" in client.get(done.url).content.decode()
    assert sign_in(client, staff, PASSWORD).status_code == 200  # the form again: wrong
    assert sign_in(client, staff, NEW_PASSWORD).status_code == 302


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, staff):
    """Whether an address has an account is not given away."""
    response = ask_for_link(client, "nobody@example.org")
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert mail.outbox == []


@pytest.mark.parametrize(
    "email, error",
    [
        ("", "Enter the email address of your staff account."),
        ("sam at example", "Enter an email address in the correct format"),
        ("x" * 250 + "@example.org", "Email address must be 254 characters or fewer"),
    ],
)
def test_a_bad_address_is_a_clear_error(client, email, error):
    response = ask_for_link(client, email)
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error: Reset your password" in page
    assert "There is a problem" in page and error in page
    assert 'href="#id_email"' in page  # the summary links to the box
    assert mail.outbox == []


def test_one_address_cannot_be_sent_link_after_link(client, staff):
    statuses = [ask_for_link(client, staff.email).status_code for _ in range(7)]
    assert statuses == [302] * password_reset.PER_EMAIL_PER_HOUR + [429, 429]
    assert len(mail.outbox) == password_reset.PER_EMAIL_PER_HOUR
    page = ask_for_link(client, staff.email, address="203.0.113.9").content.decode()
    assert "too many times. Please wait an hour" in page


def test_one_network_address_cannot_ask_for_links_to_many_addresses(client):
    limit = password_reset.PER_ADDRESS_PER_HOUR
    statuses = [ask_for_link(client, f"person{n}@example.org").status_code for n in range(limit)]
    assert set(statuses) == {302}
    assert ask_for_link(client, "one-more@example.org").status_code == 429
    assert ask_for_link(client, "one-more@example.org", address="203.0.113.9").status_code == 302


@pytest.mark.parametrize(
    "password, again, error",
    [
        (NEW_PASSWORD, "something else", "The two passwords are different."),
        ("short", None, "This password is too short."),
        ("password123", None, "This password is too common."),
        ("", "", "Enter a new password."),
    ],
)
def test_a_bad_new_password_is_a_clear_error(client, staff, password, again, error):
    response = choose_password(client, set_password_link(staff), password, again)
    assert response.status_code == 400
    page = response.content.decode()
    assert "<title>Error: Choose a password" in page and error in page
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


def test_the_weak_password_error_is_shown_at_the_box_it_was_typed_in(client, staff):
    response = choose_password(client, set_password_link(staff), "short")
    assert 'href="#id_new_password1">This password is too short.' in response.content.decode()


def test_a_link_works_once(client, staff):
    link = set_password_link(staff)
    choose_password(client, link)
    page = client.get(link, follow=True).content.decode()
    assert "This link does not work" in page and reverse("password_reset") in page


def test_a_made_up_link_is_refused_politely(client, staff):
    link = reverse("password_reset_confirm", args=["MQ", "not-a-token"])
    response = client.get(link)
    assert response.status_code == 200
    assert "This link does not work" in response.content.decode()


def test_someone_with_no_password_yet_chooses_one_through_the_link(client):
    """New organisation admins and invited members start with no usable password; the
    set-password link is how they get one."""
    invited = UserFactory(email="new@example.org", password=None)
    invited.set_unusable_password()
    invited.save()
    response = choose_password(client, set_password_link(invited))
    assert response.url == reverse("password_reset_complete")
    invited.refresh_from_db()
    assert invited.check_password(NEW_PASSWORD)
    assert sign_in(client, invited, NEW_PASSWORD).status_code == 302


def test_the_set_password_link_is_on_this_request_or_on_site_url(staff, settings):
    request = RequestFactory().get("/", HTTP_HOST="workshops.example.org", secure=True)
    settings.ALLOWED_HOSTS = ["workshops.example.org"]
    assert set_password_link(staff, request).startswith(
        "https://workshops.example.org/accounts/password-reset/"
    )
    settings.SITE_URL = "https://ground.example.org/"
    link = set_password_link(staff)
    assert link.startswith("https://ground.example.org/accounts/password-reset/")
    assert "//accounts" not in link
