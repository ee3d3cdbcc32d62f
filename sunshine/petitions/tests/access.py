"""Petitions' rows of the access matrix (see sunshine/core/tests/test_access_matrix.py).

Public pages: everyone, with or without an account (the filer's pages without a
receipt in the session send everyone back to the tracking form). Staff pages: the
roles that handle cases; never the three administrators nor the social supervisors
(三员分立). In the matrix's district the inspector (纪检组) and the bureau's leader
triage; a case assigned to school A is handled by school A's clerk and principal and
is never seen by school B's clerk; a case that accuses school A is handled by the
office and never reaches school A (PET-9)."""

from __future__ import annotations

from typing import Any

from sunshine.core.models import Supervision
from sunshine.core.testing import OTHER_SCHOOL_CLERK, POST, VISITORS, District, Rule
from sunshine.orgs.models import Role
from sunshine.petitions import services
from sunshine.petitions.models import Message, Petition, PetitionLink, Recusal
from sunshine.petitions.services import IdentityInput

HANDLING = frozenset(
    {
        Role.SCHOOL_CLERK,
        Role.PRINCIPAL,
        Role.DEPARTMENT_STAFF,
        Role.DISCIPLINE_INSPECTOR,
        Role.FEE_REVIEWER,
        Role.LEADER,
        OTHER_SCHOOL_CLERK,
    }
)
TRIAGE = frozenset({Role.DISCIPLINE_INSPECTOR, Role.LEADER})
SCHOOL_A = frozenset({Role.SCHOOL_CLERK, Role.PRINCIPAL})
CASE_A = frozenset({*TRIAGE, *SCHOOL_A})  # who sees the case assigned to school A
EVERYONE = frozenset(VISITORS)
FILER = IdentityInput(name="测试甲", id_number="990101199001011234", phone="139 0000 1111", address="示范路9号")


def _file(d: District, **kwargs: Any) -> Petition:
    values: dict[str, Any] = {
        "bureau": d.bureau,
        "kind": "complaint",
        "channel": "web",
        "title": "食堂收费问题",
        "facts": "学校食堂每月多收费用。",
        "request": "请求清退多收的费用。",
        "reasons": "违反收费规定。",
        "subject_organization": d.school,
        "identity": FILER,
        "actor": None,  # filed by a member of the public
    }
    values.update(kwargs)
    return services.petition_file(**values).petition


def registered(d: District) -> Petition:
    return d.once("petitions.registered", lambda d: _file(d))


def accepted(d: District) -> Petition:
    def build(d: District) -> Petition:
        return services.petition_accept(petition=_file(d, title="收费问题（已受理）"), actor=d.user(Role.LEADER))

    return d.once("petitions.accepted", build)


def assigned(d: District) -> Petition:
    """A case assigned to school A."""

    def build(d: District) -> Petition:
        leader = d.user(Role.LEADER)
        case = services.petition_accept(petition=_file(d, title="收费问题（已交办）"), actor=leader)
        return services.petition_assign(petition=case, organization=d.school, actor=leader)

    return d.once("petitions.assigned", build)


def reported(d: District) -> Petition:
    """A case assigned to school A on which school A has reported to the bureau."""

    def build(d: District) -> Petition:
        leader = d.user(Role.LEADER)
        case = services.petition_accept(petition=_file(d, title="收费问题（已报送办理情况）"), actor=leader)
        case = services.petition_assign(petition=case, organization=d.school, actor=leader)
        services.petition_unit_report(
            petition=case, actor=d.user(Role.PRINCIPAL), findings="经核实，情况属实。", actions="已责令整改。"
        )
        return Petition.objects.get(pk=case.pk)

    return d.once("petitions.reported", build)


def declined(d: District) -> Petition:
    def build(d: District) -> Petition:
        case = _file(d, title="收费问题（不予受理）")
        return services.petition_decline(
            petition=case, actor=d.user(Role.LEADER), reason="不属于本机关职责。", where_to_go="区市场监管局"
        )

    return d.once("petitions.declined", build)


def accusing_school_a(d: District) -> Petition:
    """A report against school A, assigned to the office: school A must never reach it (PET-9)."""

    def build(d: District) -> Petition:
        leader = d.user(Role.LEADER)
        case = _file(d, kind="report", title="举报第一实验小学", accused_organization=d.school)
        case = services.petition_accept(petition=case, actor=leader)
        services.petition_accused_confirm(petition=case, organization=d.school, actor=leader)
        return services.petition_assign(petition=case, organization=d.office, actor=leader)

    return d.once("petitions.accused", build)


def replied(d: District) -> Petition:
    def build(d: District) -> Petition:
        case = reported(d)
        services.petition_reply(petition=case, actor=d.user(Role.PRINCIPAL), **REPLY)  # type: ignore[arg-type]
        return Petition.objects.get(pk=case.pk)

    return d.once("petitions.replied", build)


def reexamined(d: District) -> Petition:
    """A case taken through its reply, review and re-examination (PET-7)."""

    def build(d: District) -> Petition:
        case = replied(d)
        leader = d.user(Role.LEADER)
        services.petition_review_apply(petition=case, reasons="事实认定有误。")
        services.petition_reply(petition=case, actor=leader, **REPLY)  # type: ignore[arg-type]
        services.petition_reexam_apply(petition=case, reasons="仍不服。")
        services.petition_reply(petition=case, actor=leader, **REPLY)  # type: ignore[arg-type]
        return Petition.objects.get(pk=case.pk)

    return d.once("petitions.reexamined", build)


def same_filer_again(d: District) -> Petition:
    """A later case of the filer of ``reexamined`` (PET-7: triage compares the two)."""

    def build(d: District) -> Petition:
        reexamined(d)
        return _file(d, title="食堂收费问题（再次反映）")

    return d.once("petitions.same_filer_again", build)


def same_filer_link(d: District) -> PetitionLink:
    """The link intake made between ``same_filer_again`` and the earlier case (same phone)."""
    later, earlier = same_filer_again(d), reexamined(d)
    return PetitionLink.objects.get(earlier_id__in=(later.pk, earlier.pk), later_id__in=(later.pk, earlier.pk))


REPLY = {
    "request_summary": "请求清退多收的伙食费。",
    "facts": "经核实，学校多收伙食费每生100元。",
    "reasons": "违反收费规定。",
    "decision": "supported",
    "legal_basis": "《信访工作条例》第三十二条",
}


def _status(get: Any) -> Any:
    return lambda d: Petition.objects.get(pk=get(d).pk).status


def _case(get: Any) -> Any:
    return lambda d: {"pk": get(d).pk}


def _action(name: str, get: Any, allowed: frozenset[str], data: Any = None, **kwargs: Any) -> Rule:
    """A POST to a case action; the action's form fields carry its name as prefix."""

    def payload(d: District) -> dict[str, Any]:
        values = (data(d) if callable(data) else data) or {}
        return {f"{name}-{key}": value for key, value in values.items()}

    return Rule(
        kwargs.pop("url", f"petitions:case-{name}"),
        allowed,
        method=POST,
        kwargs=_case(get),
        data=payload,
        ok_status=kwargs.pop("ok_status", 302),
        state=kwargs.pop("state", _status(get)),
        **kwargs,
    )


ACCESS = [
    # Public
    Rule("petitions:channels", EVERYONE),
    Rule("petitions:file", EVERYONE),
    Rule("petitions:file", EVERYONE, method=POST, data={"kind": "complaint"}, label="form error"),
    Rule("petitions:receipt", EVERYONE),
    Rule("petitions:track", EVERYONE),
    Rule("petitions:track", EVERYONE, method=POST, data={"code": "0000 0000 0000 0000"}, ok_status=(200, 400, 404)),
    Rule("petitions:track-case", EVERYONE, ok_status=302),
    Rule("petitions:track-message", EVERYONE, method=POST, data={"text": "补充"}, ok_status=302),
    Rule("petitions:track-rate", EVERYONE, method=POST, data={"rating": "satisfied"}, ok_status=302),
    Rule("petitions:track-review", EVERYONE, method=POST, data={"reasons": "不服"}, ok_status=302),
    Rule("petitions:track-reexam", EVERYONE, method=POST, data={"reasons": "不服"}, ok_status=302),
    Rule(
        "petitions:track-reply-docx",
        frozenset(),
        kwargs=lambda d: {"pk": replied(d).replies.get().pk},
        denied_status=(302,),
        redirect_to="petitions:track",
        label="without the receipt",
    ),
    Rule("petitions:track-leave", EVERYONE, method=POST, ok_status=302),
    Rule("petitions:figures", EVERYONE),
    # The API answers a hotline system's key, never a session: every visitor without a
    # key is refused (401); its description is public.
    Rule("petitions-api:openapi-json", EVERYONE),
    Rule("petitions-api:openapi-view", EVERYONE),
    Rule("petitions-api:api-root", frozenset(), denied_status=(401, 404)),
    Rule("petitions-api:figures", frozenset(), query="bureau_code=X&year=2026", denied_status=(401,)),
    Rule("petitions-api:status", frozenset(), query="code=0000000000000000", denied_status=(401,)),
    Rule(
        "petitions-api:intake",
        frozenset(),
        method=POST,
        data={"bureau_code": "X"},
        denied_status=(401, 415),
        state=lambda d: Petition.objects.count(),
    ),
    # Staff: queues and intake
    Rule("petitions:workbench", HANDLING, setup=assigned),
    Rule("petitions:export", HANDLING, setup=assigned),
    Rule(
        "petitions:bulk-assign",
        TRIAGE,
        method=POST,
        data=lambda d: {"petitions": [accepted(d).pk], "organization": d.school.pk},
        ok_status=302,
        state=_status(accepted),
        done=lambda d: _status(accepted)(d) == Petition.Status.ASSIGNED,
    ),
    Rule("petitions:intake", TRIAGE),
    Rule("petitions:intake", TRIAGE, method=POST, data={"kind": "complaint"}, ok_status=400, label="form error"),
    Rule("petitions:intake-done", TRIAGE, ok_status=(200, 302)),
    # Staff: the case page — object scoping
    Rule("petitions:case", TRIAGE, kwargs=_case(registered), label="registered"),
    Rule("petitions:case", CASE_A, kwargs=_case(assigned), label="assigned to school A"),
    Rule(
        "petitions:case",
        frozenset({*TRIAGE, Role.DEPARTMENT_STAFF}),
        kwargs=_case(accusing_school_a),
        label="accusing school A",
    ),
    Rule("petitions:case-notice-docx", TRIAGE, kwargs=_case(accepted)),
    Rule("petitions:case-supervision-docx", CASE_A, kwargs=_case(assigned)),
    Rule(
        "petitions:case-reply-docx",
        CASE_A,
        kwargs=lambda d: {"pk": replied(d).pk, "reply_pk": replied(d).replies.get().pk},
    ),
    # Staff: actions
    _action(
        "identity",
        assigned,
        TRIAGE,
        {"reason": "核实举报人身份以便回访。"},
        ok_status=200,
        state=lambda d: None,
    ),
    _action("accept", registered, TRIAGE, done=lambda d: _status(registered)(d) == Petition.Status.ACCEPTED),
    _action("decline", registered, TRIAGE, {"reason": "不属于本机关职责。", "where_to_go": "区市场监管局"}),
    _action("forward", registered, TRIAGE, {"to_authority": "区市场监管局", "reason": "属其职责。"}),
    _action(
        "assign",
        accepted,
        TRIAGE,
        lambda d: {"organization": d.school.pk},
        done=lambda d: _status(accepted)(d) == Petition.Status.ASSIGNED,
    ),
    _action("start", assigned, CASE_A, done=lambda d: _status(assigned)(d) == Petition.Status.IN_PROGRESS),
    _action(
        "instruct",
        assigned,
        frozenset({Role.LEADER}),
        {"text": "请抓紧办理。"},
        state=lambda d: Supervision.objects.filter(instructions__isnull=False).count(),
    ),
    _action(
        "extend",
        assigned,
        frozenset({Role.LEADER, Role.PRINCIPAL}),
        {"days": 10, "reason": "需要调查取证。"},
        state=lambda d: Petition.objects.get(pk=assigned(d).pk).extension_days,
    ),
    _action("reply", reported, CASE_A, REPLY, done=lambda d: _status(reported)(d) == Petition.Status.ANSWERED),
    _action(
        "reply",
        assigned,
        frozenset(),
        REPLY,
        label="before the unit's report, nobody replies",
        denied_status=(400, 403, 404),
    ),
    _action(
        "unit_report",
        assigned,
        SCHOOL_A,
        {"findings": "经核实，情况属实。", "actions": "已责令整改。"},
        url="petitions:case-unit-report",
        state=lambda d: assigned(d).unit_reports.count(),
    ),
    _action(
        "unit_report_return",
        reported,
        TRIAGE,
        {"reason": "调查不够深入，请补充核实。"},
        url="petitions:case-unit-report-return",
        state=lambda d: reported(d).unit_reports.filter(returned_at__isnull=True).count(),
    ),
    Rule(  # PET-6-leader-signoff is off by default: nobody signs off
        "petitions:case-signoff",
        frozenset(),
        method=POST,
        kwargs=_case(assigned),
        state=_status(assigned),
        label="sign-off while the bureau does not require it",
    ),
    Rule(
        "petitions:case-reply-preview",
        CASE_A,
        method=POST,
        kwargs=_case(assigned),
        data={f"reply-{key}": value for key, value in REPLY.items()},
        ok_status=200,
        state=_status(assigned),
        label="reply previewed as Word, nothing issued",
    ),
    _action("close", declined, TRIAGE, done=lambda d: _status(declined)(d) == Petition.Status.CLOSED),
    _action("outcome", assigned, TRIAGE, {"refunds_yuan": "100", "sanctions": "0"}),
    _action(
        "recuse",
        assigned,
        TRIAGE,
        lambda d: {"user": d.user(Role.SCHOOL_CLERK).pk, "reason": "与举报人有亲属关系。"},
        state=lambda d: Recusal.objects.count(),
    ),
    _action(
        "conflict",
        assigned,
        CASE_A,
        {"reason": "举报人是我的亲属。"},
        state=lambda d: Recusal.objects.count(),
    ),
    # PET-9: triage confirms the accused unit and person (search within the unit).
    Rule(
        "petitions:case-accused",
        TRIAGE,
        kwargs=_case(registered),
        query="q=测试",
        label="search",
    ),
    Rule(
        "petitions:case-accused",
        TRIAGE,
        method=POST,
        kwargs=_case(registered),
        data=lambda d: {"organization": d.school.pk, "user": ""},
        ok_status=302,
        state=lambda d: Petition.objects.get(pk=registered(d).pk).accused_confirmed_at,
    ),
    # PET-7: the new case beside the earlier re-examined one; the refusal names it.
    Rule(
        "petitions:case-same-facts",
        TRIAGE,
        kwargs=lambda d: {"pk": same_filer_again(d).pk, "earlier_pk": reexamined(d).pk},
    ),
    Rule(
        "petitions:case-same-facts",
        TRIAGE,
        method=POST,
        kwargs=lambda d: {"pk": same_filer_again(d).pk, "earlier_pk": reexamined(d).pk},
        ok_status=302,
        state=_status(same_filer_again),
        done=lambda d: _status(same_filer_again)(d) == Petition.Status.DECLINED,
    ),
    # Confirming or dismissing a link: triage who may see both cases.
    Rule(
        "petitions:case-link",
        TRIAGE,
        method=POST,
        kwargs=lambda d: {"pk": same_filer_again(d).pk, "link_pk": same_filer_link(d).pk},
        data={"decision": "dismiss"},
        ok_status=302,
        state=lambda d: PetitionLink.objects.get(pk=same_filer_link(d).pk).state,
        done=lambda d: PetitionLink.objects.get(pk=same_filer_link(d).pk).state == PetitionLink.State.DISMISSED,
    ),
    _action(
        "message",
        assigned,
        CASE_A,
        {"text": "您的来信已转学校办理。"},
        state=lambda d: Message.objects.count(),
        done=lambda d: Message.objects.filter(petition=assigned(d)).exists(),
    ),
    _action("note", assigned, CASE_A, {"text": "已电话联系学校。"}, state=lambda d: Message.objects.count()),
    _action(
        "note",
        accusing_school_a,
        frozenset({*TRIAGE, Role.DEPARTMENT_STAFF}),
        {"text": "已调取收费台账。"},
        state=lambda d: Message.objects.count(),
        label="accusing school A",
    ),
]
