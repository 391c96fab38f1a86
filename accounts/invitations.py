from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import get_text_list

from accounts.models import Membership
from accounts.onboarding import set_password_link


def send_invitation(*, user, organisation, roles, needs_password, request):
    """Tell someone they were added, once the change has committed. A new account gets a
    one-time link to choose its password; the link never passes through anyone else."""
    names = [label.lower() for value, label in Membership.Role.choices if value in roles]
    context = {
        "user": user,
        "organisation": organisation,
        "roles": get_text_list(names, "and"),
        "inviter": request.user.get_full_name() or request.user.email or request.user.username,
        "needs_password": needs_password,
        "link": set_password_link(user, request)
        if needs_password
        else request.build_absolute_uri(reverse("login")),
    }
    body = render_to_string("accounts/email/invitation.txt", context)
    subject = f"You have been added to {organisation} on Common Ground"
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email]))
