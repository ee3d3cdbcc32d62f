"""Background tasks of disclosure (scheduled in DisclosureConfig.ready())."""

from __future__ import annotations

from django.tasks import task

from sunshine.disclosure.services import documents_publish_due, foi_reports_prepare_due

__all__ = ["documents_publish_due_task", "foi_reports_prepare_task"]


@task
def documents_publish_due_task() -> dict[str, int]:
    """Publish the scheduled documents whose time has come; every minute."""
    return {"published": len(documents_publish_due())}


@task
def foi_reports_prepare_task() -> dict[str, int]:
    """FOI-5: in January, last year's report drafts and their supervised deadline; daily."""
    return {"prepared": foi_reports_prepare_due()}
