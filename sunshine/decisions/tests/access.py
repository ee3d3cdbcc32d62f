"""Decisions' rows of the access matrix (see sunshine/core/tests/test_access_matrix.py).

The bureau's items, meetings, consultations and projects are run by its leaders and
the staff of its departments and read by its discipline inspectors; school A's
leadership meeting by its principal and clerk (read by the bureau too); the clerk of
school B reaches none of school A's (object scoping)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from sunshine.core.testing import OTHER_SCHOOL_CLERK, POST, VISITORS, District, Rule
from sunshine.decisions import services
from sunshine.decisions.models import (
    Category,
    Comment,
    Consultation,
    Contract,
    DecisionItem,
    Meeting,
    Project,
    TitleRound,
    Vote,
)
from sunshine.orgs.models import Role

MANAGERS = frozenset({Role.DEPARTMENT_STAFF, Role.LEADER})
READERS = frozenset({*MANAGERS, Role.DISCIPLINE_INSPECTOR})
SCHOOL_A = frozenset({Role.SCHOOL_CLERK, Role.PRINCIPAL})
SCHOOL_READERS = frozenset({*READERS, *SCHOOL_A})
WORKBENCH = frozenset({*READERS, *SCHOOL_A, OTHER_SCHOOL_CLERK})
CREATORS = frozenset({*MANAGERS, *SCHOOL_A, OTHER_SCHOOL_CLERK})
INSPECTION = frozenset({Role.DISCIPLINE_INSPECTOR, Role.LEADER})
FORM_ERROR = (400, 403, 404)
MEMBERS = [("王局长", "局长", True), ("李副局长", "副局长", False), ("张副局长", "副局长", False)]


def staff(d: District) -> Any:
    return d.user(Role.DEPARTMENT_STAFF)


def item(d: District) -> DecisionItem:
    return d.once(
        "decisions.item",
        lambda d: services.item_create(
            actor=staff(d), organization=d.bureau, title="中小学布局调整规划", category=Category.MAJOR_DECISION
        ),
    )


def school_item(d: District) -> DecisionItem:
    return d.once(
        "decisions.school_item",
        lambda d: services.item_create(
            actor=d.user(Role.PRINCIPAL), organization=d.school, title="校园绿化改造", category=Category.MAJOR_DECISION
        ),
    )


def meeting(d: District) -> Meeting:
    return d.once(
        "decisions.meeting",
        lambda d: services.meeting_create(
            actor=staff(d), organization=d.bureau, kind=Meeting.Kind.PARTY_GOVERNMENT, title="第12次党政班子会",
            held_at=timezone.now(), members=MEMBERS,
        ),
    )  # fmt: skip


def decided(d: District) -> DecisionItem:
    def build(d: District) -> DecisionItem:
        target = services.item_create(
            actor=staff(d), organization=d.bureau, title="新建第三幼儿园", category=Category.MAJOR_PROJECT
        )
        held = services.meeting_create(
            actor=staff(d), organization=d.bureau, kind=Meeting.Kind.BUREAU_AFFAIRS, title="局务例会",
            held_at=timezone.now(), members=MEMBERS,
        )  # fmt: skip
        point = services.agenda_add(actor=staff(d), meeting=held, item=target)
        services.meeting_open(actor=staff(d), meeting=held)
        for member in held.members.order_by("is_principal"):
            services.speech_record(actor=staff(d), agenda_item=point, member=member, text="同意。")
            services.vote_record(actor=staff(d), agenda_item=point, member=member, choice=Vote.Choice.FOR)
        services.agenda_decide(actor=staff(d), agenda_item=point, resolution="同意新建。")
        services.meeting_close(actor=staff(d), meeting=held)
        target.refresh_from_db()
        return target

    return d.once("decisions.decided", build)


def closed_meeting(d: District) -> Meeting:
    decided(d)
    return Meeting.objects.get(organization=d.bureau, kind=Meeting.Kind.BUREAU_AFFAIRS)


def consultation(d: District) -> Consultation:
    def build(d: District) -> Consultation:
        c = services.consultation_open(actor=staff(d), item=item(d), title="布局调整规划征求意见稿", draft="草案全文。")
        services.comment_submit(consultation=c, text="建议保留村小。")
        return c

    return d.once("decisions.consultation", build)


def project(d: District) -> Project:
    return d.once(
        "decisions.project",
        lambda d: services.project_create(
            actor=staff(d), item=decided(d), title="第三幼儿园教学楼", ceiling_fen=800_000_000
        ),
    )


def tendered(d: District) -> Project:
    def build(d: District) -> Project:
        p = project(d)
        services.tender_record(
            actor=staff(d), project=p, method="open", opened_on=date(2026, 6, 1), bids=[("甲建设公司", 790_000_000)]
        )
        return p

    return d.once("decisions.tendered", build)


def title_round(d: District) -> TitleRound:
    return d.once(
        "decisions.round",
        lambda d: services.round_open(
            actor=d.user(Role.PRINCIPAL), organization=d.school, kind="title", title="一级教师职称推荐",
            criteria="任二级教师满5年。",
        ),
    )  # fmt: skip


ACCESS = [
    # Public
    Rule("decisions:public-decisions", frozenset(VISITORS), setup=decided),
    Rule("decisions:public-consultations", frozenset(VISITORS), setup=consultation),
    Rule("decisions:public-consultation", frozenset(VISITORS), kwargs=lambda d: {"pk": consultation(d).pk}),
    Rule(
        "decisions:public-consultation",
        frozenset(VISITORS),
        method=POST,
        kwargs=lambda d: {"pk": consultation(d).pk},
        data={"text": ""},
        ok_status=400,
        label="form error",
    ),
    Rule("decisions:api-decisions", frozenset(VISITORS), setup=decided),
    Rule("decisions:api-consultations", frozenset(VISITORS), setup=consultation),
    # A decision not published and a report not published are no public pages.
    Rule("decisions:public-decision", frozenset(), kwargs=lambda d: {"pk": decided(d).pk}),
    Rule("decisions:public-report", frozenset(), kwargs=lambda d: {"pk": consultation(d).pk}),
    # Staff
    Rule("decisions:workbench", WORKBENCH, setup=lambda d: (item(d), meeting(d), school_item(d))),
    Rule("decisions:red-flags", INSPECTION, setup=tendered),
    Rule("decisions:item-create", CREATORS),
    Rule(
        "decisions:item-create",
        MANAGERS,
        method=POST,
        data=lambda d: {"organization": d.bureau.pk, "title": "购置课桌椅", "category": "major_decision"},
        ok_status=302,
        denied_status=FORM_ERROR,
        state=lambda d: DecisionItem.objects.count(),
        done=lambda d: DecisionItem.objects.filter(title="购置课桌椅").exists(),
        label="bureau",
    ),
    Rule("decisions:item", READERS, kwargs=lambda d: {"pk": item(d).pk}),
    Rule("decisions:item", SCHOOL_READERS, kwargs=lambda d: {"pk": school_item(d).pk}, label="school A"),
    Rule(
        "decisions:item",
        MANAGERS,
        method=POST,
        kwargs=lambda d: {"pk": item(d).pk},
        data={"action": "withdraw", "reason": "并入另一事项"},
        ok_status=302,
        state=lambda d: DecisionItem.objects.get(pk=item(d).pk).status,
        done=lambda d: DecisionItem.objects.get(pk=item(d).pk).status == DecisionItem.Status.WITHDRAWN,
        label="withdraw",
    ),
    Rule(
        "decisions:item",
        SCHOOL_A,
        method=POST,
        kwargs=lambda d: {"pk": school_item(d).pk},
        data={"action": "withdraw", "reason": "暂缓"},
        ok_status=302,
        state=lambda d: DecisionItem.objects.get(pk=school_item(d).pk).status,
        done=lambda d: DecisionItem.objects.get(pk=school_item(d).pk).status == DecisionItem.Status.WITHDRAWN,
        label="school A withdraw",
    ),
    Rule("decisions:meeting-create", CREATORS),
    Rule(
        "decisions:meeting-create",
        MANAGERS,
        method=POST,
        data=lambda d: {
            "organization": d.bureau.pk,
            "kind": "party_government",
            "title": "第13次党政班子会",
            "held_at": (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "members": "*王局长 局长\n李副局长 副局长\n张副局长 副局长",
        },
        ok_status=302,
        denied_status=FORM_ERROR,
        state=lambda d: Meeting.objects.count(),
        done=lambda d: Meeting.objects.filter(title="第13次党政班子会").exists(),
    ),
    Rule("decisions:meeting", READERS, kwargs=lambda d: {"pk": meeting(d).pk}),
    Rule(
        "decisions:meeting",
        MANAGERS,
        method=POST,
        kwargs=lambda d: {"pk": meeting(d).pk},
        data={"action": "open"},
        ok_status=302,
        state=lambda d: Meeting.objects.get(pk=meeting(d).pk).status,
        done=lambda d: Meeting.objects.get(pk=meeting(d).pk).status == Meeting.Status.HELD,
        label="open",
    ),
    Rule("decisions:minutes", READERS, kwargs=lambda d: {"pk": closed_meeting(d).pk}),
    Rule("decisions:consultation", READERS, kwargs=lambda d: {"pk": consultation(d).pk}),
    Rule(
        "decisions:consultation",
        MANAGERS,
        method=POST,
        kwargs=lambda d: {"pk": consultation(d).pk},
        data=lambda d: {"action": "moderate", "comment": consultation(d).comments.get().pk, "accept": "1"},
        ok_status=302,
        state=lambda d: Comment.objects.get(consultation=consultation(d)).moderation,
        done=lambda d: Comment.objects.get(consultation=consultation(d)).moderation == Comment.Moderation.ACCEPTED,
        label="moderate",
    ),
    Rule("decisions:project", READERS, kwargs=lambda d: {"pk": tendered(d).pk}),
    Rule(
        "decisions:project",
        MANAGERS,
        method=POST,
        kwargs=lambda d: {"pk": tendered(d).pk},
        data=lambda d: {"action": "award", "bid": tendered(d).tender.bids.get().pk, "awarded_on": "2026-06-05"},
        ok_status=302,
        state=lambda d: Project.objects.get(pk=tendered(d).pk).tender.winner_id,
        done=lambda d: Project.objects.get(pk=tendered(d).pk).tender.winner_id is not None,
        label="award",
    ),
    Rule("decisions:purchase-create", CREATORS),
    Rule(
        "decisions:purchase-create",
        MANAGERS,
        method=POST,
        data=lambda d: {
            "organization": d.bureau.pk,
            "purpose": "多媒体设备采购",
            "contractor": "某科技公司",
            "price": "200000",
            "signed_on": "2026-03-01",
        },
        ok_status=302,
        denied_status=FORM_ERROR,
        state=lambda d: Contract.objects.count(),
        done=lambda d: Contract.objects.filter(purpose="多媒体设备采购").exists(),
    ),
    Rule("decisions:round-create", SCHOOL_A | {OTHER_SCHOOL_CLERK}),
    Rule(
        "decisions:round-create",
        SCHOOL_A,
        method=POST,
        data=lambda d: {"organization": d.school.pk, "kind": "promotion", "title": "职级晋升", "criteria": "标准。"},
        ok_status=302,
        denied_status=FORM_ERROR,
        state=lambda d: TitleRound.objects.count(),
        done=lambda d: TitleRound.objects.filter(title="职级晋升").exists(),
    ),
    Rule("decisions:round", SCHOOL_READERS, kwargs=lambda d: {"pk": title_round(d).pk}),
    Rule(
        "decisions:round",
        SCHOOL_A,
        method=POST,
        kwargs=lambda d: {"pk": title_round(d).pk},
        data={"action": "applicant", "name": "李老师", "post": "语文教师"},
        ok_status=302,
        state=lambda d: title_round(d).applicants.count(),
        done=lambda d: title_round(d).applicants.filter(name="李老师").exists(),
        label="applicant",
    ),
]
