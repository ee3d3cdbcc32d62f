"""The petitions figures (PET-10), registered in ``core.figures`` by ``PetitionsConfig.ready()``.

The cases counted are those received in the period whose bureau, unit concerned (the
subject unit) or, failing one, handling unit lies in the organisation's tree. Every
on-time rate counts a case whose deadline has passed by ``period.as_of`` untouched as
late; a case still within its deadline is in neither part of the rate yet. A case told
in time that it is not accepted or forwarded elsewhere was notified on time.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, DurationField, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sunshine.core.figures import (
    BreakdownRow,
    Elapsed,
    FigureValue,
    Period,
    Series,
    Unit,
    pass_shared,
    register_breakdown,
    register_figure,
)
from sunshine.orgs.models import Organization
from sunshine.petitions import rules
from sunshine.petitions.models import Petition

S = Petition.Status
HANDLING_STATUSES = (S.ACCEPTED, S.ASSIGNED, S.IN_PROGRESS)

NOTIFIED = Q(notified_at__isnull=False)
NOTIFIED_ON_TIME = NOTIFIED & Q(notified_at__lte=F("notice_due_at"))
ACCEPTED = Q(accepted_at__isnull=False)
CLOSED = ACCEPTED & Q(answered_at__isnull=False)
# PET-5 / PET-10: "closed on time" is judged against the deadline in force when the case
# was due (core.supervision.supervision_on_time, recorded on the case by the first reply);
# cases answered before that was recorded fall back to the due date kept on the case.
CLOSED_ON_TIME = CLOSED & (
    Q(handling_on_time=True) | Q(handling_on_time__isnull=True, answered_at__lte=F("handling_due_at"))
)
RATED = Q(rated_at__isnull=False)
SATISFIED = RATED & Q(satisfaction__in=[v for v in Petition.Satisfaction.values if rules.satisfied(v)])


def notice_overdue(as_of: Any) -> Q:
    """PET-3: still registered, nobody told, after the notice deadline."""
    return Q(status=S.REGISTERED, notice_due_at__lt=as_of)


def handling_overdue(as_of: Any) -> Q:
    """PET-5: accepted, still being handled (no reply) after the handling deadline."""
    return Q(status__in=HANDLING_STATUSES, handling_due_at__lt=as_of)


def tree_ids(organization: Any) -> list[int]:
    """The ids of the organisation's tree (the same tree as ``core.figures.within``: a
    bureau and everything below it, a school itself). The cases are then filtered on
    their own indexed columns against these ids, instead of joining the organisations
    three times and matching each row's path (which neither database can take from an
    index: a school cost as much as the whole bureau)."""
    key = ("petitions.tree", organization.pk, organization.path)
    return pass_shared(
        key, lambda: list(Organization.objects.filter(path__startswith=organization.path).values_list("pk", flat=True))
    )


# Past this many organisations (a bureau with its schools) the tree goes to the database
# as a sub-select, read once: thousands of literal ids cost more to build, bind and parse
# than the count itself. A school's or department's few ids stay literal, so each of the
# three columns' indexes can still find its cases.
TREE_LITERAL_MAX = 200


def cases(period: Period, organization: Any) -> QuerySet[Petition]:
    """The cases the figures count: received in the period, in the organisation's tree."""
    tree: Any = tree_ids(organization)
    if len(tree) > TREE_LITERAL_MAX:
        tree = Organization.objects.filter(path__startswith=organization.path).values("pk")
    scope = (
        Q(bureau_id__in=tree)
        | Q(subject_organization_id__in=tree)
        | Q(subject_organization__isnull=True, assigned_to_id__in=tree)
    )
    return Petition.objects.filter(scope, received_at__gte=period.start, received_at__lt=period.end)


def tally(period: Period, organization: Any) -> dict[str, Any]:
    """Every part the figures below are made of, in one aggregate over the cases
    (shared by the figures of one pass, see ``core.figures.pass_shared``)."""

    def compute() -> dict[str, Any]:
        spent = Elapsed("answered_at", "received_at")
        return cases(period, organization).aggregate(
            received=Count("pk"),
            accepted=Count("pk", filter=ACCEPTED),
            notified=Count("pk", filter=NOTIFIED),
            notified_on_time=Count("pk", filter=NOTIFIED_ON_TIME),
            notice_overdue=Count("pk", filter=notice_overdue(period.as_of)),
            closed=Count("pk", filter=CLOSED),
            closed_on_time=Count("pk", filter=CLOSED_ON_TIME),
            handling_overdue=Count("pk", filter=handling_overdue(period.as_of)),
            overdue=Count("pk", filter=notice_overdue(period.as_of) | handling_overdue(period.as_of)),
            closed_rated=Count("pk", filter=CLOSED & RATED),
            rated=Count("pk", filter=RATED),
            satisfied=Count("pk", filter=SATISFIED),
            days_total=Coalesce(Sum(spent, filter=CLOSED), timedelta(0), output_field=DurationField()),
            refunds=Coalesce(Sum("refunds_ordered_fen"), 0),
            sanctions=Coalesce(Sum("sanctions"), 0),
            # by_channel's counts in the same pass over the cases (ten counts, not a GROUP BY).
            **{f"channel:{code}": Count("pk", filter=Q(channel=code)) for code in Petition.Channel.values},
        )

    key = ("petitions.tally", period.start, period.end, period.as_of, organization.pk, organization.path)
    return pass_shared(key, compute)


def received(period: Period, organization: Any) -> FigureValue:
    return FigureValue.count(tally(period, organization)["received"])


def accepted(period: Period, organization: Any) -> FigureValue:
    return FigureValue.count(tally(period, organization)["accepted"])


def accepted_on_time_rate(period: Period, organization: Any) -> FigureValue:
    """PET-10 accepted on time, PET-3 notice: accepted, declined or forwarded no later
    than the notice deadline ÷ those notified plus those overdue and untouched (late)."""
    c = tally(period, organization)
    return FigureValue.rate(c["notified_on_time"], c["notified"] + c["notice_overdue"])


def closed(period: Period, organization: Any) -> FigureValue:
    return FigureValue.count(tally(period, organization)["closed"])


def closed_on_time_rate(period: Period, organization: Any) -> FigureValue:
    """PET-10 closed on time, PET-5: answered while the handling deadline in force had
    not passed (an extension granted in time counts; nothing granted later rescues a
    late case) ÷ those answered plus those overdue and still unanswered (late)."""
    c = tally(period, organization)
    return FigureValue.rate(c["closed_on_time"], c["closed"] + c["handling_overdue"])


def closure_rate(period: Period, organization: Any) -> FigureValue:
    """PET-10: closed ÷ accepted."""
    c = tally(period, organization)
    return FigureValue.rate(c["closed"], c["accepted"])


def overdue(period: Period, organization: Any) -> FigureValue:
    return FigureValue.count(tally(period, organization)["overdue"])


def average_days_to_answer(period: Period, organization: Any) -> FigureValue:
    """product.md's "average days to answer": receipt to the written reply."""
    c = tally(period, organization)
    return FigureValue.average(c["days_total"].total_seconds() / 86400, c["closed"])


def rating_participation_rate(period: Period, organization: Any) -> FigureValue:
    """PET-10: rated ÷ answered."""
    c = tally(period, organization)
    return FigureValue.rate(c["closed_rated"], c["closed"])


def satisfaction_rate(period: Period, organization: Any) -> FigureValue:
    """PET-10: "satisfied" or "basically satisfied" ÷ rated."""
    c = tally(period, organization)
    return FigureValue.rate(c["satisfied"], c["rated"])


def refunds_ordered(period: Period, organization: Any) -> FigureValue:
    return FigureValue.count(tally(period, organization)["refunds"])


def sanctions(period: Period, organization: Any) -> FigureValue:
    return FigureValue.count(tally(period, organization)["sanctions"])


# --- breakdowns ------------------------------------------------------------------------------------


def _workbench_query(period: Period, **filters: Any) -> dict[str, str]:
    """The workbench's filters for the cases of a row: every queue, received in the period."""
    return {
        "queue": "all",
        "received_from": period.first_day.isoformat(),
        "received_to": period.last_day.isoformat(),
        **{k: str(v) for k, v in filters.items()},
    }


def grouped(period: Period, organization: Any) -> list[tuple[int | None, int, int]]:
    """(unit concerned — else the handling unit, received, closed) for the period's cases
    in one GROUP BY."""
    unit = Coalesce("subject_organization_id", "assigned_to_id")
    rows = (
        cases(period, organization)
        .values_list(unit)
        .annotate(received=Count("pk"), closed=Count("pk", filter=CLOSED))
        .order_by()
    )
    return list(rows)  # type: ignore[arg-type]


def by_channel(period: Period, organization: Any) -> list[BreakdownRow]:
    """Cases received in the period, by the channel they came in by (every channel,
    none left out for having no case), from the figures' tally."""
    counted = tally(period, organization)
    return [
        BreakdownRow.counts(code, label, counted[f"channel:{code}"], query=_workbench_query(period, channel=code))
        for code, label in Petition.Channel.choices
    ]


def by_unit(period: Period, organization: Any) -> list[BreakdownRow]:
    """Cases received and closed, by the unit concerned (else the handling unit), the
    most letters first (cases with no unit yet last); the units' names read by the tree's
    path when there are thousands, else by their ids."""
    totals = {unit: (received, closed_n) for unit, received, closed_n in grouped(period, organization)}
    order = sorted(totals, key=lambda pk: (pk is None, -totals[pk][0], pk or 0))
    wanted = [pk for pk in order if pk]
    if len(wanted) > TREE_LITERAL_MAX:  # a bureau's thousands of schools: its tree's names, then any outside it
        names = dict(Organization.objects.filter(path__startswith=organization.path).values_list("pk", "name"))
        wanted = [pk for pk in wanted if pk not in names]
    else:
        names = {}
    names.update(Organization.objects.filter(pk__in=wanted).values_list("pk", "name"))
    rows = []
    for pk in order:
        received, closed_n = totals[pk]
        if pk is None:
            rows.append(BreakdownRow.counts("none", gettext("No unit concerned yet"), received, closed_n))
            continue
        rows.append(
            BreakdownRow.counts(
                pk,
                names.get(pk, ""),
                received,
                closed_n,
                organization=pk,
                query=_workbench_query(period, school=pk),
            )
        )
    return rows


def register() -> None:
    """Called once from ``PetitionsConfig.ready()``."""
    register_breakdown(
        key="petitions.by_channel",
        label=_("Letters received by channel"),
        unit=Unit.CASES,
        dimension=_("Channel"),
        series=(Series("received", _("Letters received")),),
        compute=by_channel,
        definition=_("letters, visits and reports received in the period, by the channel they came in by"),
        order=200,
    )
    register_breakdown(
        key="petitions.by_unit",
        label=_("Letters received and closed by school or unit"),
        unit=Unit.CASES,
        dimension=_("School or unit concerned"),
        series=(Series("received", _("Letters received")), Series("closed", _("Cases closed"))),
        compute=by_unit,
        top=15,
        order=210,
        public=False,
    )
    answered_words = _("accepted cases concluded with a written reply")
    register_figure(
        key="petitions.received",
        label=_("Letters received"),
        unit=Unit.CASES,
        numerator=_("cases received in the period, by every channel"),
        compute=received,
        order=10,
    )
    register_figure(
        key="petitions.accepted",
        label=_("Cases accepted"),
        unit=Unit.CASES,
        numerator=_("cases received in the period and accepted"),
        compute=accepted,
        order=20,
    )
    register_figure(
        key="petitions.accepted_on_time_rate",
        label=_("On-time acceptance rate"),
        unit=Unit.PERCENT,
        numerator=_(
            "cases whose filer was told in writing within the time limit that the case is accepted, "
            "not accepted or forwarded"
        ),
        denominator=_(
            "cases whose filer has been told, plus cases past the time limit with the filer not yet told "
            "(counted as late)"
        ),
        compute=accepted_on_time_rate,
        order=30,
    )
    register_figure(
        key="petitions.closed",
        label=_("Cases closed"),
        unit=Unit.CASES,
        numerator=answered_words,
        compute=closed,
        order=40,
    )
    register_figure(
        key="petitions.closed_on_time_rate",
        label=_("On-time closure rate"),
        unit=Unit.PERCENT,
        numerator=_(
            "accepted cases answered in writing while the handling time limit then in force had not passed "
            "(an extension counts only when granted before the limit passed)"
        ),
        denominator=_(
            "accepted cases answered, plus accepted cases past the handling time limit and still unanswered "
            "(counted as late)"
        ),
        compute=closed_on_time_rate,
        order=50,
    )
    register_figure(
        key="petitions.closure_rate",
        label=_("Closure rate"),
        unit=Unit.PERCENT,
        numerator=answered_words,
        denominator=_("cases accepted"),
        compute=closure_rate,
        order=60,
    )
    register_figure(
        key="petitions.overdue",
        label=_("Cases overdue"),
        unit=Unit.CASES,
        numerator=_("cases still open past their notice or handling time limit"),
        compute=overdue,
        order=70,
    )
    register_figure(
        key="petitions.average_days_to_answer",
        label=_("Average days to answer"),
        unit=Unit.DAYS,
        numerator=_("days from receipt to the written reply, added up over the cases answered"),
        denominator=_("cases answered"),
        compute=average_days_to_answer,
        order=80,
    )
    register_figure(
        key="petitions.rating_participation_rate",
        label=_("Rating participation rate"),
        unit=Unit.PERCENT,
        numerator=_("answered cases whose filer rated the reply"),
        denominator=_("cases answered"),
        compute=rating_participation_rate,
        order=90,
    )
    register_figure(
        key="petitions.satisfaction_rate",
        label=_("Satisfaction rate"),
        unit=Unit.PERCENT,
        numerator=_("ratings of satisfied or basically satisfied"),
        denominator=_("cases rated"),
        compute=satisfaction_rate,
        order=100,
    )
    register_figure(
        key="petitions.refunds_ordered",
        label=_("Refunds ordered through cases"),
        unit=Unit.YUAN,
        numerator=_("refunds ordered, as recorded on the cases"),
        compute=refunds_ordered,
        order=110,
    )
    register_figure(
        key="petitions.sanctions",
        label=_("Sanctions"),
        unit=Unit.PERSONS,
        numerator=_("sanctions recorded on the cases"),
        compute=sanctions,
        order=120,
    )
