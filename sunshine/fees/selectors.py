"""Reads of the fees app that are more than a filter: notice status, the public notice
of a school. The fee figures are in ``fees/figures.py`` (the figures registry)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.utils import timezone

from sunshine.core.clocks import Rag, rag
from sunshine.fees.models import FeeNotice, Finding, LedgerRow
from sunshine.orgs.models import Organization, Term

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class NoticeStatus:
    school: Organization
    notice: FeeNotice | None
    rag: Rag


def notice_deadline(term: Term) -> tuple[datetime, datetime]:
    """FEE-5: the allowed time for publishing ``term``'s notice, as (start, due). Due: the
    start of the registration date (the notice is up before registration). Start: the
    end of the bureau's previous term (the break in which the notice is prepared), or the
    first day of the registration month when no earlier term is recorded."""
    due = datetime.combine(term.registration_date, time.min, tzinfo=SHANGHAI)
    previous = (
        Term.objects.filter(bureau_id=term.bureau_id, ends_on__lt=term.registration_date)
        .order_by("-ends_on")
        .values_list("ends_on", flat=True)
        .first()
    )
    if previous is not None:
        start = datetime.combine(previous, time.max, tzinfo=SHANGHAI)
    else:
        start = datetime.combine(term.registration_date.replace(day=1), time.min, tzinfo=SHANGHAI)
    return start, due


def notice_status_list(*, schools: Any, term: Term, now: datetime | None = None) -> list[NoticeStatus]:
    """Each school's notice for ``term`` with its OVS-1 colour (``core.clocks.rag``) on
    the FEE-5 deadline of :func:`notice_deadline`: at ``now`` while the notice is not
    published, frozen at the moment it was published (as a supervision's colour is
    frozen when it is answered)."""
    now = now or timezone.now()
    start, due = notice_deadline(term)
    notices = {n.school_id: n for n in FeeNotice.objects.filter(term=term, school__in=schools)}
    out = []
    for school in schools.order_by("code"):
        notice = notices.get(school.pk)
        at = notice.published_at if notice is not None and notice.published_at is not None else now
        out.append(NoticeStatus(school=school, notice=notice, rag=rag(start=start, due=due, now=at)))
    return out


def notice_current(school: Organization) -> FeeNotice | None:
    """The school's published notice of the latest term, if any."""
    return (
        FeeNotice.objects.filter(school=school, status=FeeNotice.Status.PUBLISHED)
        .select_related("term", "school")
        .order_by("-term__starts_on")
        .first()
    )


def schools_with_notices(bureau: Organization | None = None) -> Any:
    qs = Organization.objects.filter(
        kind=Organization.Kind.SCHOOL, is_active=True, fee_notices__status=FeeNotice.Status.PUBLISHED
    )
    if bureau is not None:
        qs = qs.filter(parent=bureau)
    return qs.distinct().order_by("code")


def term_current(bureau: Organization, today: date | None = None) -> Term | None:
    """The bureau's term running today, else the next one, else the latest."""
    today = today or timezone.localdate()
    terms = Term.objects.filter(bureau=bureau)
    return (
        terms.filter(starts_on__lte=today, ends_on__gte=today).first()
        or terms.filter(starts_on__gt=today).order_by("starts_on").first()
        or terms.order_by("-starts_on").first()
    )


def finding_counts(findings: Any) -> dict[str, int]:
    return dict(findings.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))


def open_findings(findings: Any) -> Any:
    return findings.filter(Q(status=Finding.Status.OPEN))


@dataclass(frozen=True)
class NameConflict:
    """One student number that a school's ledger records under more than one name."""

    student_no: str
    names: tuple[str, ...]
    rows: tuple[int, ...]


def ledger_name_conflicts(*, school: Organization, term: Term, limit: int = 200) -> list[NameConflict]:
    """Student numbers of the school's ledger for the term written with two or more names
    (the findings name each student once, so the page must flag the others)."""
    conflicted = (
        LedgerRow.objects.filter(school=school, term=term)
        .exclude(student_name="")
        .values("student_no")
        .annotate(n=Count("student_name", distinct=True))
        .filter(n__gt=1)
        .order_by("student_no")
        .values_list("student_no", flat=True)[:limit]
    )
    numbers = list(conflicted)
    rows: dict[str, dict[str, list[int]]] = {}
    for no, name, row_no in (
        LedgerRow.objects.filter(school=school, term=term, student_no__in=numbers)
        .exclude(student_name="")
        .order_by("student_no", "row_no")
        .values_list("student_no", "student_name", "row_no")
    ):
        rows.setdefault(no, {}).setdefault(name, []).append(row_no)
    return [
        NameConflict(
            student_no=no,
            names=tuple(rows[no]),
            rows=tuple(sorted(r[0] for r in rows[no].values())),
        )
        for no in numbers
        if no in rows
    ]
