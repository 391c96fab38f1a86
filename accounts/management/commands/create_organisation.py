from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from accounts.models import Membership
from accounts.onboarding import set_password_link
from accounts.services import member_add, organisation_create


class Command(BaseCommand):
    help = (
        "Create an organisation, with its own copy of the SEND framework, and its first "
        "admin; prints a one-time link for the admin to choose a password."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", metavar="NAME")
        parser.add_argument("--admin", required=True, metavar="EMAIL")

    def handle(self, *args, name, admin, **options):
        if not name.strip():
            raise CommandError("Give the organisation a name.")
        try:
            validate_email(admin.strip())
        except ValidationError as error:
            raise CommandError(f"“{admin}” is not an email address.") from error
        try:
            with transaction.atomic():
                organisation = organisation_create(name=name)
                user, created = member_add(
                    organisation=organisation, email=admin, roles=[Membership.Role.ADMIN]
                )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"Created {organisation}, administered by {user.email}.")
        if created:
            self.stdout.write("Send them this link to choose a password (it works once):")
            self.stdout.write(set_password_link(user))
        else:
            self.stdout.write("They already have an account: they sign in as before.")
