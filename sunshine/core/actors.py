"""Who acts: a user, the public, or the system.

Every write service takes an ``actor``. A person is a ``User`` (or an anonymous user
for the public). When the platform acts on its own — a scheduled task, a management
command run by the operator, the demo builder — it passes :data:`SYSTEM`, never
``None``: a service that checks rights refuses ``None`` (a caller that forgot to say
who acts) and lets :data:`SYSTEM` through only where the system may do the step.

``SYSTEM`` has no primary key, so the audit log and status history record it as they
record no user (an empty actor).
"""

from __future__ import annotations

from typing import Any, Final


class SystemActor:
    """The platform itself (a task, a command, the demo). One instance: :data:`SYSTEM`."""

    pk = None
    is_authenticated = False
    is_anonymous = False
    is_active = False

    def __str__(self) -> str:
        return "system"

    def __repr__(self) -> str:
        return "SYSTEM"

    def get_username(self) -> str:
        return ""


SYSTEM: Final = SystemActor()


def is_system(actor: Any) -> bool:
    """The actor is the platform itself (not a person, not a forgotten ``None``)."""
    return actor is SYSTEM
