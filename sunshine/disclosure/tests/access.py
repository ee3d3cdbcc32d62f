"""Disclosure's rows of the access matrix (see sunshine/core/tests/test_access_matrix.py).

School A's documents are written by its clerk and principal (the bureau's office and
leaders read them); school B's clerk reaches none of them. FOI requests go to the
bureau's designated FOI office (its department staff in the matrix's district) and
its leaders only; the quarterly inspection is run by the same."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from sunshine.core.testing import OTHER_SCHOOL_CLERK, POST, VISITORS, District, Rule
from sunshine.disclosure import services
from sunshine.disclosure.models import AnnualReport, Category, Document, FoiRequest, Inspection
from sunshine.orgs.models import Role

SCHOOL_A = frozenset({Role.SCHOOL_CLERK, Role.PRINCIPAL})
BUREAU_HANDLERS = frozenset({Role.DEPARTMENT_STAFF, Role.LEADER})  # the FOI office and the leaders
WRITERS = frozenset({*SCHOOL_A, *BUREAU_HANDLERS, OTHER_SCHOOL_CLERK})
SCHOOL_A_READERS = frozenset({*SCHOOL_A, *BUREAU_HANDLERS})
LOGGED_IN = frozenset(VISITORS) - {"anonymous"}
FORM_ERROR = (400, 403, 404)


def category(d: District, code: str = "fees") -> Category:
    d.once("disclosure.categories", lambda d: services.categories_ensure())
    return Category.objects.get(code=code)


def draft(d: District, key: str = "draft") -> Document:
    return d.once(
        f"disclosure.{key}",
        lambda d: services.document_create(
            actor=d.user(Role.SCHOOL_CLERK),
            organization=d.school,
            category=category(d),
            title=f"2026年秋季收费公示（{key}）",
            info_date=timezone.localdate(),
            body="<p>伙食费每生每学期900元。</p>",
        ),
    )


def published(d: District) -> Document:
    def build(d: District) -> Document:
        document = draft(d, "published")
        services.document_submit(actor=d.user(Role.SCHOOL_CLERK), document=document)
        services.document_publish(actor=d.user(Role.PRINCIPAL), document=document)
        document.refresh_from_db()
        return document

    return d.once("disclosure.published.done", build)


def withdrawn(d: District) -> Document:
    def build(d: District) -> Document:
        document = published(d)
        services.document_withdraw(actor=d.user(Role.PRINCIPAL), document=document, reason="内容有误")
        return document

    return d.once("disclosure.withdrawn", build)


def inspection(d: District, *, publish: bool = True) -> Inspection:
    def build(d: District) -> Inspection:
        today = timezone.localdate()
        run = services.inspection_run(
            actor=d.user(Role.DEPARTMENT_STAFF), bureau=d.bureau, year=today.year, quarter=(today.month - 1) // 3 + 1
        )
        return services.inspection_publish(actor=d.user(Role.DEPARTMENT_STAFF), inspection=run) if publish else run

    return d.once(f"disclosure.inspection.{publish}", build)


def letter(d: District) -> FoiRequest:
    return d.once(
        "disclosure.letter",
        lambda d: services.foi_intake(
            actor=d.user(Role.DEPARTMENT_STAFF),
            organization=d.bureau,
            channel="post",
            received_on=timezone.localdate(),
            applicant_kind="person",
            applicant_name="李明",
            contact="13800000000",
            description="2025年全区义务教育阶段学校收费项目清单",
            form="electronic",
        )[0],
    )


def replied(d: District) -> FoiRequest:
    def build(d: District) -> FoiRequest:
        request = letter(d)
        return services.foi_reply(
            actor=d.user(Role.DEPARTMENT_STAFF), request=request, reply_type="disclosed", text="现予公开。"
        )

    return d.once("disclosure.replied", build)


def own_request(d: District) -> FoiRequest:
    """A request filed from the public visitor's account: "my requests" shows it to them only."""
    return d.once(
        "disclosure.own",
        lambda d: services.foi_submit(
            actor=d.user("public"),
            organization=d.bureau,
            applicant_kind="person",
            applicant_name="钱伟",
            contact="x",
            description="校车运营合同",
            form="paper",
        )[0],
    )


FOI_FORM = {
    "bureau": "",
    "applicant_kind": "person",
    "applicant_name": "王芳",
    "contact": "wang@example.cn",
    "description": "本区2026年教师招聘的考核办法",
    "form": "electronic",
}


def _status(model: Any, get: Any) -> Any:
    return lambda d: model.objects.get(pk=get(d).pk).status


ACCESS = [
    # Public
    Rule("disclosure:index", frozenset(VISITORS), setup=published),
    Rule("disclosure:search", frozenset(VISITORS), query="q=收费", setup=published),
    Rule("disclosure:catalogue", frozenset(VISITORS), kwargs=lambda d: {"code": published(d).organization.code}),
    Rule("disclosure:feed", frozenset(VISITORS), kwargs=lambda d: {"code": published(d).organization.code}),
    Rule(
        "disclosure:feed-category",
        frozenset(VISITORS),
        kwargs=lambda d: {"code": published(d).organization.code, "category": "fees"},
    ),
    Rule("disclosure:annual-report", frozenset(VISITORS), kwargs=lambda d: {"code": d.bureau.code, "year": 2025}),
    Rule("disclosure:document", frozenset(VISITORS), kwargs=lambda d: {"pk": published(d).pk}),
    Rule("disclosure:document", frozenset(), kwargs=lambda d: {"pk": draft(d).pk}, label="a draft is not public"),
    Rule("disclosure:version", frozenset(VISITORS), kwargs=lambda d: {"pk": published(d).pk, "number": 1}),
    Rule("disclosure:archive", frozenset(VISITORS), setup=withdrawn),
    Rule("disclosure:archived", frozenset(VISITORS), kwargs=lambda d: {"pk": withdrawn(d).pk}),
    Rule("disclosure:bulletin", frozenset(VISITORS), kwargs=lambda d: {"pk": inspection(d).pk}),
    Rule("disclosure:bulletin", frozenset(), kwargs=lambda d: {"pk": inspection(d, publish=False).pk}, label="draft"),
    Rule("disclosure:foi", frozenset(VISITORS), setup=lambda d: d.bureau),
    Rule(
        "disclosure:foi",
        frozenset(VISITORS),
        method=POST,
        data=lambda d: {**FOI_FORM, "bureau": d.bureau.code},
        ok_status=302,
        done=lambda d: FoiRequest.objects.filter(applicant_kind="person", organization=d.bureau).exists(),
    ),
    Rule("disclosure:foi-done", frozenset(VISITORS), ok_status=302),  # no receipt in the session: to tracking
    Rule("disclosure:foi-track", frozenset(VISITORS)),
    Rule("disclosure:foi-track", frozenset(VISITORS), method=POST, data={"code": "0000000000000000"}, ok_status=404),
    Rule("disclosure:foi-mine", LOGGED_IN, setup=own_request),
    # Staff: documents
    Rule("disclosure:workbench", WRITERS, setup=draft),
    Rule("disclosure:staff-document-new", WRITERS),
    Rule(
        "disclosure:staff-document-new",
        SCHOOL_A,
        method=POST,
        data=lambda d: {
            "organization": d.school.pk,
            "category": category(d).pk,
            "title": "学校章程",
            "info_date": timezone.localdate().isoformat(),
            "body": "<p>章程全文</p>",
        },
        ok_status=302,
        denied_status=FORM_ERROR,
        state=lambda d: Document.objects.count(),
        done=lambda d: Document.objects.filter(title="学校章程", organization=d.school).exists(),
        label="school A",
    ),
    Rule("disclosure:staff-document", SCHOOL_A_READERS, kwargs=lambda d: {"pk": draft(d).pk}),
    Rule(
        "disclosure:staff-document",
        SCHOOL_A,
        method=POST,
        kwargs=lambda d: {"pk": draft(d).pk},
        data={"action": "submit"},
        ok_status=302,
        state=_status(Document, draft),
        done=lambda d: Document.objects.get(pk=draft(d).pk).status == Document.Status.REVIEW,
        label="submit",
    ),
    # Staff: FOI requests (the FOI office and the leaders)
    Rule("disclosure:staff-foi-list", BUREAU_HANDLERS, setup=letter),
    Rule("disclosure:staff-foi-new", BUREAU_HANDLERS),
    Rule(
        "disclosure:staff-foi-new",
        BUREAU_HANDLERS,
        method=POST,
        data=lambda d: {
            **FOI_FORM,
            "channel": "in_person",
            "received_on": timezone.localdate().isoformat(),
        },
        ok_status=302,
        state=lambda d: FoiRequest.objects.count(),
        done=lambda d: FoiRequest.objects.filter(channel="in_person").exists(),
    ),
    Rule("disclosure:staff-foi", BUREAU_HANDLERS, kwargs=lambda d: {"pk": letter(d).pk}),
    Rule(
        "disclosure:staff-foi",
        BUREAU_HANDLERS,
        method=POST,
        kwargs=lambda d: {"pk": letter(d).pk},
        data={"action": "reply", "reply_type": "disclosed", "text": "现予公开。"},
        ok_status=302,
        state=_status(FoiRequest, letter),
        done=lambda d: FoiRequest.objects.get(pk=letter(d).pk).status == FoiRequest.Status.REPLIED,
        label="reply",
    ),
    Rule("disclosure:staff-foi-letter", BUREAU_HANDLERS, kwargs=lambda d: {"pk": replied(d).pk}),
    # Staff: the FOI-5 annual report
    Rule("disclosure:staff-annual-report", BUREAU_HANDLERS, kwargs={"year": 2025}),
    Rule(
        "disclosure:staff-annual-report",
        BUREAU_HANDLERS,
        method=POST,
        kwargs={"year": 2025},
        data={"action": "save", "overview": "本年度政务公开工作总体平稳。", "problems": "", "other": ""},
        ok_status=302,
        state=lambda d: list(AnnualReport.objects.values_list("year", "overview")),
        done=lambda d: AnnualReport.objects.filter(year=2025).exists(),
    ),
    # Staff: the quarterly inspection
    Rule("disclosure:staff-inspections", BUREAU_HANDLERS, setup=inspection),
    Rule(
        "disclosure:staff-inspections",
        BUREAU_HANDLERS,
        method=POST,
        data=lambda d: {"year": 2025, "quarter": 4},
        ok_status=302,
        state=lambda d: Inspection.objects.count(),
        done=lambda d: Inspection.objects.filter(year=2025, quarter=4).exists(),
    ),
    Rule("disclosure:staff-inspection", BUREAU_HANDLERS, kwargs=lambda d: {"pk": inspection(d, publish=False).pk}),
    Rule(
        "disclosure:staff-inspection",
        BUREAU_HANDLERS,
        method=POST,
        kwargs=lambda d: {"pk": inspection(d, publish=False).pk},
        data={"summary": "本季度检查情况良好。"},
        ok_status=302,
        state=_status(Inspection, lambda d: inspection(d, publish=False)),
        done=lambda d: Inspection.objects.get(pk=inspection(d, publish=False).pk).status == Inspection.Status.PUBLISHED,
        label="publish",
    ),
]
