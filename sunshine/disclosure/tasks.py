"""Background tasks of disclosure (scheduled in DisclosureConfig.ready())."""

from __future__ import annotations

from django.tasks import task

from sunshine.disclosure.services import documents_publish_due

__all__ = ["documents_publish_due_task"]


@task
def documents_publish_due_task() -> dict[str, int]:
    """Publish the scheduled documents whose time has come; every minute."""
    return {"published": len(documents_publish_due())}
