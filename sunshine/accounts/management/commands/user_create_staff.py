"""Create a staff account: ``manage.py user_create_staff USERNAME --org CODE --role ROLE``.

Prints a one-time enrolment link (the path on this site): the person opens it, sets
their own password and authenticator, and receives recovery codes. Nobody else ever
knows the password or the authenticator's secret.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from sunshine.accounts.services import staff_user_create
from sunshine.orgs.models import Organization, Role


class Command(BaseCommand):
    help = "Create a staff user with a role in an organisation; prints a one-time enrolment link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--org", required=True, help="organisation code")
        parser.add_argument("--role", required=True, choices=Role.values)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organization = Organization.objects.get(code=options["org"])
        except Organization.DoesNotExist as exc:
            raise CommandError(f"No organisation with code {options['org']!r}.") from exc
        try:
            created = staff_user_create(
                username=options["username"], organization=organization, role=options["role"], actor=None
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        link = reverse("accounts:enrol-link", kwargs={"token": created.enrolment_token})
        self.stdout.write(f"User:            {created.user.username}")
        self.stdout.write(f"Enrolment link:  {link}  (on this site; works once, expires)")
        self.stdout.write("Hand the link over privately. With it the person sets a password and an authenticator")
        self.stdout.write("and receives ten recovery codes.")
