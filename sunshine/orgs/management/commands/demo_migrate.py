"""``migrate`` for ``make demo``: a new database's migrations, its models' states rendered lazily."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from django.core.management.commands import migrate
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ProjectState


@contextmanager
def _related_models_rendered_lazily() -> Iterator[None]:
    """Re-render a changed model with the models that point to it or it points to, not
    every model they reach in turn.

    Django re-renders, after every operation, each model its change can reach through
    any chain of relations — on this project, nearly all of them for any model near the
    user or the organisation: three quarters of ``migrate``'s time on a new database.
    Its own operations ask for the narrower rendering where they know it is enough
    (``delay=True``); here every operation does. A new database only: the schema it
    makes is the one plain ``migrate`` makes, table for table and index for index
    (orgs/tests/test_demo_migrate.py).
    """
    reload_model = ProjectState.reload_model

    def narrower(self: ProjectState, app_label: str, model_name: str, delay: bool = False) -> None:
        reload_model(self, app_label, model_name, delay=True)

    with mock.patch.object(ProjectState, "reload_model", narrower):
        yield


class Command(migrate.Command):
    help = "Apply the migrations (make demo); a new database's model states are rendered lazily."

    def handle(self, *args: Any, **options: Any) -> None:
        recorder = MigrationRecorder(connections[options["database"]])
        if recorder.has_table() and recorder.applied_migrations():
            super().handle(*args, **options)
            return
        with _related_models_rendered_lazily():
            super().handle(*args, **options)
