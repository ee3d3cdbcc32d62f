"""Build the demo district (idempotent) and print the demo logins."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from sunshine.core.demo import DemoContext, demo_builders
from sunshine.orgs.demo import BUREAU_STAFF, DEMO_PASSWORD, build_district, demo_totp_secret


class Command(BaseCommand):
    help = "Build the fictional demo district with staff for every role (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")

    def handle(self, *args: Any, **options: Any) -> None:
        from sunshine.accounts.services import totp_now

        # The builders walk the real services, which log every notification they send:
        # keep that out of the newcomer's terminal so the logins below stay readable.
        logging.disable(logging.INFO)
        try:
            bureau, users = build_district()
            context = DemoContext(bureau=bureau, users=users, now=timezone.now())
            for name, builder in demo_builders():
                self.stdout.write(f"demo: {name}")
                builder(context)
        finally:
            logging.disable(logging.NOTSET)
        if options["quiet"]:
            return
        out = self.stdout.write
        out(self.style.SUCCESS(f"\n{bureau.name}: {bureau.subtree().count()} organisations, {len(users)} users."))
        out(f"Every demo login uses the password {DEMO_PASSWORD!r}; staff then enter the 6-digit TOTP code.")
        out("Add a secret to any authenticator app (TOTP, SHA1, 30 s), or read the code shown here (valid now):\n")
        out(f"{'username':<12} {'role':<22} {'TOTP secret':<34} code")
        for person in BUREAU_STAFF:
            secret = demo_totp_secret(person.username)
            out(f"{person.username:<12} {person.role:<22} {secret:<34} {totp_now(secret)}")
        for username in ("school01", "clerk01"):
            secret = demo_totp_secret(username)
            out(f"{username:<12} {'(school ' + username[-2:] + ')':<22} {secret:<34} {totp_now(secret)}")
        out("…school01–school40 (principals) and clerk01–clerk40 (clerks) follow the same pattern.")
        out("citizen      (member of the public: password only)")
        for note in context.notes:
            out(note)
