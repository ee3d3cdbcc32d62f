"""Build the demo district (idempotent) and print the demo logins."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import ForeignKey, Model
from django.utils import timezone

from sunshine.core.demo import DemoContext, demo_builders
from sunshine.core.imports import own_files_parsed_in_process
from sunshine.orgs.demo import BUREAU_STAFF, DEMO_PASSWORD, build_district, demo_totp_secret


@contextmanager
def _keys_checked_by_the_database() -> Iterator[None]:
    """Skip Django's queries in ``full_clean()`` that the database repeats while the demo builds.

    Django's SELECT per foreign key, per unique field and per unique or check
    constraint: the builders pass only objects they have just made, and the database
    still enforces every key and constraint (a clash would stop the build with an
    IntegrityError, not let other data in); together they were a sixth of the build.
    Demo data only: the services keep the checks everywhere else.
    """
    no_check = lambda *args, **kwargs: None  # noqa: E731
    with (
        mock.patch.object(ForeignKey, "validate", no_check),
        mock.patch.object(Model, "validate_unique", no_check),
        mock.patch.object(Model, "validate_constraints", no_check),
    ):
        yield


@contextmanager
def _no_savepoints() -> Iterator[None]:
    """Nested ``atomic()`` blocks take no savepoint while the demo builds: each case is
    one transaction, as before, without a SAVEPOINT and a RELEASE per service call (a
    third of the build's statements). The services roll back to a savepoint only when a
    concurrent writer wins a race, which a build alone on its database never meets; an
    error there would stop the build (the transaction is marked for rollback), not let
    other data in. Demo data only. (Django asks the connection's ``_savepoint_allowed()``
    before each savepoint; SQLite's answers from the connection, not its features.)"""
    with mock.patch.object(connections[DEFAULT_DB_ALIAS], "_savepoint_allowed", lambda: False):
        yield


def _load_what_the_builders_import() -> None:
    """Import now, while the migrations run, the code the builders would import as they go
    (every view and the services behind them, the template tags, the password hasher):
    a hundred-odd modules fewer to load once the build has started."""
    from django.contrib.auth.hashers import get_hasher
    from django.template import engines
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view and what it uses
    engines["django"].engine.template_libraries  # type: ignore[attr-defined]  # noqa: B018 - every tag library
    get_hasher()._load_library()  # type: ignore[attr-defined]


class Command(BaseCommand):
    help = "Build the fictional demo district with staff for every role (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")
        parser.add_argument(
            "--logins-file",
            default="",
            help="Write the logins to this file instead of printing them (the runner prints it once it serves).",
        )
        parser.add_argument(
            "--after",
            default="",
            help="Build once this file exists (make demo: the migrations are applied); the code loads meanwhile.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The builders walk the real services, which log every notification they send:
        # keep that out of the newcomer's terminal so the logins below stay readable.
        if options["after"]:
            _load_what_the_builders_import()
        while options["after"] and not Path(options["after"]).exists():
            time.sleep(0.1)
        started = time.monotonic()
        logging.disable(logging.INFO)
        try:
            # The ledgers the demo imports are its own workbooks: parsed here, not in a
            # fresh interpreter each.
            with _keys_checked_by_the_database(), _no_savepoints(), own_files_parsed_in_process():
                bureau, users = build_district()
                context = DemoContext(bureau=bureau, users=users, now=timezone.now())
                for name, builder in demo_builders():
                    step = time.monotonic()
                    builder(context)
                    self.stdout.write(f"demo: {name} ({time.monotonic() - step:.0f} s)")
        finally:
            logging.disable(logging.NOTSET)
        self.stdout.write(f"demo: built in {time.monotonic() - started:.0f} s")
        if options["quiet"]:
            return
        summary = f"{bureau.name}: {bureau.subtree().count()} organisations, {len(users)} users."
        lines = logins_table(context)
        if options["logins_file"]:
            Path(options["logins_file"]).write_text("\n".join([summary, *lines]) + "\n", encoding="utf-8")
            self.stdout.write(f"demo: the logins are printed once the server is up ({options['logins_file']}).")
            return
        self.stdout.write(self.style.SUCCESS("\n" + summary))
        for line in lines:
            self.stdout.write(line)


def logins_table(context: DemoContext) -> list[str]:
    """The lines a newcomer needs: the shared password, then ``username  role  TOTP-secret  code``."""
    from sunshine.accounts.services import totp_now

    lines = [
        f"Every demo login uses the password {DEMO_PASSWORD!r}; staff then enter the 6-digit TOTP code.",
        "Add a secret to any authenticator app (TOTP, SHA1, 30 s), or read the code shown here"
        " (valid for about a minute):",
        "",
        f"{'username':<12} {'role':<22} {'TOTP secret':<34} code",
    ]
    for person in BUREAU_STAFF:
        secret = demo_totp_secret(person.username)
        lines.append(f"{person.username:<12} {person.role:<22} {secret:<34} {totp_now(secret)}")
    for username in ("school01", "clerk01"):
        secret = demo_totp_secret(username)
        lines.append(f"{username:<12} {'(school ' + username[-2:] + ')':<22} {secret:<34} {totp_now(secret)}")
    lines.append("…school01–school40 (principals) and clerk01–clerk40 (clerks) follow the same pattern.")
    lines.append("citizen      (member of the public: password only)")
    lines.extend(context.notes)
    return lines
