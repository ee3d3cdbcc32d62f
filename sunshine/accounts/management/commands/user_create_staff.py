"""Create a staff account: ``manage.py user_create_staff USERNAME --org CODE --role ROLE``.

Prints a one-time password and the otpauth:// URI of the authenticator to set up; the
person confirms it with a code at first login and then receives recovery codes.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sunshine.accounts.services import staff_user_create, totp_secret_base32
from sunshine.orgs.models import Organization, Role


class Command(BaseCommand):
    help = "Create a staff user with a role in an organisation; prints a one-time password and an otpauth URI."

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
        self.stdout.write(f"User:              {created.user.username}")
        self.stdout.write(f"One-time password: {created.password}")
        self.stdout.write(f"Authenticator URI: {created.device.config_url}")
        self.stdout.write(f"Secret (base32):   {totp_secret_base32(created.device)}")
        self.stdout.write("Hand these over privately. At first login the user confirms the authenticator with a code,")
        self.stdout.write("receives ten recovery codes, and should then change the password (/accounts/password/).")
