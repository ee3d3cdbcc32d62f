"""Oversight's rows of the access matrix (see sunshine/core/tests/test_access_matrix.py).

Every record concerns school A of the matrix's district: its clerk and principal report
on their orders, confirm circulars and appeal their veto; the bureau's overseers (the
leader, the discipline inspector, the office's staff) issue, verify and evaluate; the
supervisor records inspections; the clerk of school B reaches none of it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from sunshine.core.actors import SYSTEM
from sunshine.core.seams import FeeViolationConfirmed
from sunshine.core.testing import OTHER_SCHOOL_CLERK, POST, VISITORS, District, Rule
from sunshine.orgs.models import Role
from sunshine.oversight import services
from sunshine.oversight.models import Inspection, RectificationItem

SCHOOL_A = frozenset({Role.SCHOOL_CLERK, Role.PRINCIPAL})
OVERSEERS = frozenset({Role.LEADER, Role.DISCIPLINE_INSPECTOR, Role.DEPARTMENT_STAFF})
READERS = SCHOOL_A | OVERSEERS
SUPERVISOR = frozenset({Role.SUPERVISOR})
WORKBENCH = READERS | SUPERVISOR | {OTHER_SCHOOL_CLERK}
TALKS = frozenset({Role.LEADER, Role.DISCIPLINE_INSPECTOR})
EVERYONE = frozenset(VISITORS)


def overseer(d: District) -> Any:
    return d.user(Role.DISCIPLINE_INSPECTOR)


def order(d: District) -> Any:
    return d.once(
        "ovs.order",
        lambda d: services.rectification_order_create(
            organization=d.school,
            issuer=d.bureau,
            source_label="petitions.case:1",
            items=[("食堂账目未公示", None, "OVS-4")],
            actor=SYSTEM,
        ),
    )


def item(d: District) -> RectificationItem:
    return order(d).items.get()


def reported(d: District) -> RectificationItem:
    def build(d: District) -> RectificationItem:
        services.rectification_report(item=item(d), actor=d.user(Role.SCHOOL_CLERK), text="已公示")
        return item(d)

    return d.once("ovs.reported", build)


def verified(d: District) -> RectificationItem:
    def build(d: District) -> RectificationItem:
        services.rectification_verify(item=reported(d), actor=overseer(d), accept=True)
        return item(d)

    return d.once("ovs.verified", build)


def appointment(d: District) -> Any:
    today = timezone.localdate()
    return d.once(
        "ovs.appointment",
        lambda d: services.appointment_create(
            bureau=d.bureau,
            user=d.user(Role.SUPERVISOR),
            starts_on=today - timedelta(days=10),
            ends_on=today + timedelta(days=300),
            schools=[d.school],
            actor=overseer(d),
        ),
    )


def inspection(d: District) -> Inspection:
    return d.once(
        "ovs.inspection",
        lambda d: services.inspection_open(
            appointment=appointment(d),
            school=d.school,
            mode=Inspection.Mode.OPEN,
            visited_on=timezone.localdate(),
            items_checked="课后服务收费",
            actor=d.user(Role.SUPERVISOR),
        ),
    )


def filed_finding(d: District) -> Any:
    def build(d: District) -> Any:
        finding = services.finding_add(inspection=inspection(d), text="收费未公示", actor=d.user(Role.SUPERVISOR))
        services.inspection_file(inspection=inspection(d), actor=d.user(Role.SUPERVISOR))
        return finding

    return d.once("ovs.finding", build)


def evaluation(d: District) -> Any:
    def build(d: District) -> Any:
        indicator_set = services.indicator_set_create(
            bureau=d.bureau, period=str(timezone.localdate().year), actor=SYSTEM
        )
        return services.evaluation_create(indicator_set=indicator_set, actor=SYSTEM, school_year="2026-2027")

    return d.once("ovs.evaluation", build)


def issued(d: District) -> Any:
    def build(d: District) -> Any:
        e = evaluation(d)
        manual = e.indicator_set.indicators.get(name="师德师风")
        services.indicator_value_enter(
            evaluation=e, indicator=manual, school=d.school, raw=Decimal(90), note="考核表", actor=overseer(d)
        )
        services.evaluation_compute(evaluation=e, actor=SYSTEM)
        services.evaluation_issue(evaluation=e, actor=SYSTEM)
        return e

    return d.once("ovs.issued", build)


def advanced(d: District) -> Any:
    return d.once(
        "ovs.advanced", lambda d: services.advanced_list_publish(evaluation=issued(d), places=1, actor=SYSTEM)
    )


def veto(d: District) -> Any:
    def build(d: District) -> Any:
        services.fee_violation_receive(
            FeeViolationConfirmed(
                school_id=d.school.pk, school_year="2026-2027", finding_id=1, finding_label="违规收费"
            ),
            actor=SYSTEM,
        )
        return services.Veto.objects.get(school=d.school)

    return d.once("ovs.veto", build)


def appealed(d: District) -> Any:
    def build(d: District) -> Any:
        return services.veto_appeal(veto=veto(d), actor=d.user(Role.SCHOOL_CLERK), text="不服")

    return d.once("ovs.appealed", build)


def circular(d: District) -> Any:
    return d.once(
        "ovs.circular",
        lambda d: services.circular_issue(
            bureau=d.bureau,
            number="区教〔2026〕1号",
            title="关于规范办学行为的通知",
            body="",
            forwarded=False,
            schools=[d.school],
            actor=SYSTEM,
        ),
    )


def item_status(d: District) -> str:
    return RectificationItem.objects.get(pk=item(d).pk).status


def campaign(d: District, kind: str = "self_check") -> Any:
    return d.once(
        f"ovs.campaign.{kind}",
        lambda d: services.campaign_launch(
            bureau=d.bureau,
            kind=kind,
            title="自查",
            body="收费公示是否规范\n有无有偿补课",
            held_on=timezone.localdate(),
            actor=SYSTEM,
        ),
    )


def answered(d: District) -> Any:
    def build(d: District) -> Any:
        ret = campaign(d).returns.get(school=d.school)
        return services.self_inspection_answer(
            ret=ret, actor=d.user(Role.SCHOOL_CLERK), answers=[(True, ""), (True, "")]
        )

    return d.once("ovs.answered", build)


ACCESS = [
    Rule("oversight:bulletins", EVERYONE, setup=advanced),
    Rule("oversight:bulletin", EVERYONE, kwargs=lambda d: {"pk": issued(d).pk}),
    Rule("oversight:bulletin-docx", EVERYONE, kwargs=lambda d: {"pk": issued(d).pk}),
    Rule("oversight:advanced", EVERYONE, kwargs=lambda d: {"pk": advanced(d).pk}, setup=veto),
    Rule("oversight-api:bulletins", EVERYONE, setup=issued),
    Rule("oversight-api:advanced", EVERYONE, kwargs=lambda d: {"pk": advanced(d).pk}, setup=veto),
    Rule("oversight-api:openapi-json", EVERYONE),
    Rule("oversight-api:api-root", frozenset(), denied_status=(404,)),
    Rule("oversight:workbench", WORKBENCH, setup=reported),
    Rule("oversight:order-create", OVERSEERS),
    Rule(
        "oversight:order-create",
        OVERSEERS,
        method=POST,
        data=lambda d: {"organization": d.school.pk, "title": "整改通知", "items": "补公示\n补台账"},
        ok_status=302,
        done=lambda d: services.RectificationOrder.objects.filter(title="整改通知").exists(),
    ),
    Rule("oversight:order-detail", READERS, kwargs=lambda d: {"pk": order(d).pk}),
    Rule(
        "oversight:order-detail",
        SCHOOL_A,
        method=POST,
        kwargs=lambda d: {"pk": order(d).pk},
        data=lambda d: {"action": "report", "item": item(d).pk, "text": "已在公示栏公示"},
        ok_status=302,
        state=item_status,
        done=lambda d: item_status(d) == RectificationItem.Status.REPORTED,
        label="report",
    ),
    Rule(
        "oversight:order-detail",
        OVERSEERS,
        method=POST,
        kwargs=lambda d: {"pk": reported(d).order_id},
        data=lambda d: {"action": "verify", "item": reported(d).pk, "accept": "1", "reason": ""},
        ok_status=302,
        state=item_status,
        done=lambda d: item_status(d) == RectificationItem.Status.VERIFIED,
        label="verify",
    ),
    Rule(
        "oversight:order-detail",
        OVERSEERS,
        method=POST,
        kwargs=lambda d: {"pk": verified(d).order_id},
        data=lambda d: {"action": "reopen", "item": verified(d).pk, "reason": "复查反弹"},
        ok_status=302,
        state=item_status,
        done=lambda d: item_status(d) == RectificationItem.Status.OPEN,
        label="reopen",
    ),
    Rule("oversight:appointment-create", OVERSEERS),
    Rule(
        "oversight:appointment-create",
        OVERSEERS,
        method=POST,
        data=lambda d: {
            "user": d.user(Role.SUPERVISOR).pk,
            "starts_on": timezone.localdate().isoformat(),
            "ends_on": (timezone.localdate() + timedelta(days=365)).isoformat(),
            "schools": [d.school.pk],
        },
        ok_status=302,
        done=lambda d: services.SupervisorAppointment.objects.exists(),
    ),
    Rule("oversight:inspection-create", SUPERVISOR, setup=appointment),
    Rule(
        "oversight:inspection-create",
        SUPERVISOR,
        method=POST,
        setup=appointment,
        data=lambda d: {
            "school": d.school.pk,
            "mode": "covert",
            "visited_on": timezone.localdate().isoformat(),
            "items_checked": "食堂",
        },
        ok_status=302,
        done=lambda d: Inspection.objects.filter(mode="covert").exists(),
    ),
    Rule("oversight:inspection-detail", READERS | SUPERVISOR, kwargs=lambda d: {"pk": inspection(d).pk}),
    Rule(
        "oversight:inspection-detail",
        SUPERVISOR,
        method=POST,
        kwargs=lambda d: {"pk": inspection(d).pk},
        data={"action": "finding", "text": "收费未公示"},
        ok_status=302,
        done=lambda d: inspection(d).findings.exists(),
        label="finding",
    ),
    Rule(
        "oversight:inspection-detail",
        OVERSEERS,
        method=POST,
        kwargs=lambda d: {"pk": filed_finding(d).inspection_id},
        data=lambda d: {"action": "order", "finding": filed_finding(d).pk},
        ok_status=302,
        done=lambda d: services.RectificationOrder.objects.exists(),
        label="order",
    ),
    Rule("oversight:evaluation-create", OVERSEERS),
    Rule(
        "oversight:evaluation-create",
        OVERSEERS,
        method=POST,
        data=lambda d: {"period": f"{timezone.localdate().year}-Q1", "school_year": ""},
        ok_status=302,
        done=lambda d: services.Evaluation.objects.exists(),
    ),
    Rule("oversight:evaluation-detail", OVERSEERS, kwargs=lambda d: {"pk": issued(d).pk}),
    Rule(
        "oversight:evaluation-detail",
        OVERSEERS,
        method=POST,
        kwargs=lambda d: {"pk": evaluation(d).pk},
        data={"action": "compute"},
        ok_status=302,
        done=lambda d: evaluation(d).scores.exists(),
    ),
    Rule("oversight:veto-detail", READERS, kwargs=lambda d: {"pk": veto(d).pk}),
    Rule(
        "oversight:veto-detail",
        SCHOOL_A,
        method=POST,
        kwargs=lambda d: {"pk": veto(d).pk},
        data={"action": "appeal", "text": "费用已清退"},
        ok_status=302,
        done=lambda d: services.Veto.objects.get(pk=veto(d).pk).status == "appealed",
        label="appeal",
    ),
    Rule(
        "oversight:veto-detail",
        OVERSEERS,
        method=POST,
        kwargs=lambda d: {"pk": appealed(d).pk},
        data={"action": "decide", "lift": "0", "decision": "维持"},
        ok_status=302,
        done=lambda d: services.Veto.objects.get(pk=veto(d).pk).status == "upheld",
        label="decide",
    ),
    Rule("oversight:circular-create", OVERSEERS),
    Rule(
        "oversight:circular-create",
        OVERSEERS,
        method=POST,
        data={"number": "区教〔2026〕9号", "title": "关于开展警示教育的通知", "body": ""},
        ok_status=302,
        done=lambda d: services.Circular.objects.filter(number="区教〔2026〕9号").exists(),
    ),
    Rule("oversight:circular-detail", READERS, kwargs=lambda d: {"pk": circular(d).pk}),
    Rule(
        "oversight:circular-detail",
        SCHOOL_A,
        method=POST,
        kwargs=lambda d: {"pk": circular(d).pk},
        data=lambda d: {"action": "receipt", "confirmation": circular(d).confirmations.get().pk},
        ok_status=302,
        done=lambda d: circular(d).confirmations.get().received_at is not None,
    ),
    Rule("oversight:campaign-create", OVERSEERS),
    Rule(
        "oversight:campaign-create",
        OVERSEERS,
        method=POST,
        data={"kind": "pledge", "title": "廉洁从教承诺", "body": "承诺书全文"},
        ok_status=302,
        done=lambda d: services.Campaign.objects.filter(kind="pledge").exists(),
    ),
    Rule("oversight:campaign-detail", READERS | {OTHER_SCHOOL_CLERK}, kwargs=lambda d: {"pk": campaign(d).pk}),
    Rule(
        "oversight:campaign-detail",
        SCHOOL_A,
        method=POST,
        kwargs=lambda d: {"pk": campaign(d).pk},
        data=lambda d: {
            "action": "answer",
            "row": campaign(d).returns.get(school=d.school).pk,
            "ok-0": "1",
            "ok-1": "0",
        },
        ok_status=302,
        done=lambda d: campaign(d).returns.get(school=d.school).done_at is not None,
        label="answer",
    ),
    Rule(
        "oversight:campaign-detail",
        OVERSEERS,
        method=POST,
        kwargs=lambda d: {"pk": answered(d).campaign_id},
        data=lambda d: {"action": "spot", "row": answered(d).pk, "matches": "1", "note": ""},
        ok_status=302,
        done=lambda d: services.CampaignReturn.objects.get(pk=answered(d).pk).spot_checked_at is not None,
        label="spot",
    ),
    Rule("oversight:talks", TALKS),
    Rule(
        "oversight:talks",
        TALKS,
        method=POST,
        data=lambda d: {
            "kind": "talk",
            "person": "张某",
            "unit": d.school.pk,
            "held_on": timezone.localdate().isoformat(),
            "held_by": "纪检组",
            "reason": "收费问题",
        },
        ok_status=302,
        done=lambda d: services.Talk.objects.exists(),
    ),
]
