"""Every word a person reads is Chinese: no English word, rule ID (PET-3) or raw code
(above_standard) on any page in zh-Hans, for a visitor and for each role.

One district with an object in every module (a petition, fee declarations, a ledger
with findings and a notice, a published document, an FOI request, an inspection
bulletin, an opinion event under supervision). From the home page, the workbench and
the public seeds, each session follows same-site links breadth first (GET only,
nothing that downloads, changes state or signs out; a few pages per URL shape) and
reads each page's visible text (``zh_text``).
"""

from __future__ import annotations

import collections
import re
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation

from sunshine.core.actors import SYSTEM
from sunshine.core.testing import ANONYMOUS, PUBLIC, login_verified, user_with_role
from sunshine.core.tests.zh_text import offences, page_read
from sunshine.orgs.models import Organization, Role
from sunshine.orgs.tests.factories import BureauFactory, DepartmentFactory, SchoolFactory, UserFactory

SKIP_IN_PATH = (
    "logout", "delete", "export", "download", "/static/", "/media/", "/files/", "/i18n/", "/api/", "enrol",
    "/leave", "unlock", "/accounts/login", "/admin/r/", ".docx", ".xlsx", ".xls", ".pdf", ".csv", ".zip",
    ".json", ".xml", ".rss", ".atom", "/feed", "/fetch",
)  # fmt: skip
PUBLIC_SEEDS = ("/", "/search/?q=学校", "/disclosure/search/?q=收费")
PER_SHAPE, PER_PATH, MAX_PAGES = 2, 6, 80


def _district() -> dict[str, Any]:
    from sunshine.disclosure import services as disclosure
    from sunshine.disclosure.models import Category
    from sunshine.fees import services as fees
    from sunshine.fees.models import CatalogueItem
    from sunshine.fees.tests.factories import TermFactory
    from sunshine.opinion import services as opinion
    from sunshine.opinion.models import Event, Source
    from sunshine.petitions.services import IdentityInput, petition_accept, petition_file

    bureau = BureauFactory(name="示范区教育局", short_name="区教育局", hotline="0000-12345")
    office = DepartmentFactory(parent=bureau, name="办公室")
    discipline = DepartmentFactory(parent=bureau, name="纪检组")
    finance = DepartmentFactory(parent=bureau, name="计划财务股")
    school = SchoolFactory(parent=bureau, name="示范区实验小学", level=Organization.Level.PRIMARY)
    SchoolFactory(parent=bureau, name="示范区第一中学", level=Organization.Level.SENIOR, boarding=True)
    org_of = {
        Role.SCHOOL_CLERK: school,
        Role.PRINCIPAL: school,
        Role.DEPARTMENT_STAFF: office,
        Role.DISCIPLINE_INSPECTOR: discipline,
        Role.FEE_REVIEWER: finance,
    }
    users = {role: user_with_role(role, organization=org_of.get(role, bureau)) for role in Role.values}
    leader = users[Role.LEADER]

    term = TermFactory(bureau=bureau)
    fees.catalogue_seed(term=term, actor=SYSTEM)
    for code, fen in (("meals", 90000), ("accommodation", 40000)):
        declaration = fees.fee_declare(
            actor=users[Role.SCHOOL_CLERK],
            school=school,
            term=term,
            item=CatalogueItem.objects.get(term=term, code=code),
            standard_fen=fen,
        )
        fees.fee_declaration_approve(
            declaration=declaration, actor=users[Role.FEE_REVIEWER], approving_body="示范区发展和改革局",
            document_number="区发改〔2026〕12号",
        )  # fmt: skip
        fees.fee_declaration_file(declaration=declaration, actor=users[Role.FEE_REVIEWER])
    ledger = "\n".join(
        [
            "学号,姓名,收费项目,金额,收费日期,票据号",
            "S001,张三,伙食费,950,2026-09-01,R1",
            "S002,李四,资料费,80,2026-10-20,R2",
            "",
        ]
    )
    fees.ledger_import(
        school=school, term=term, actor=users[Role.SCHOOL_CLERK],
        file=SimpleUploadedFile("台账.csv", ledger.encode(), content_type="text/csv"),
    )  # fmt: skip
    fees.ledger_audit(school=school, term=term, actor=users[Role.FEE_REVIEWER])
    notice = fees.fee_notice_generate(school=school, term=term, actor=users[Role.SCHOOL_CLERK])
    fees.fee_notice_publish(
        notice=notice, actor=users[Role.SCHOOL_CLERK], late_reason="开学前未能及时公示"
    )  # FEE-5: after registration, with its reason (and so a finding on the pages too)

    filed = petition_file(
        bureau=bureau, kind="report", channel="web", title="食堂收费问题", facts="学校食堂每月多收费用。",
        request="请求清退多收的费用。", reasons="违反收费规定。", subject_organization=school, actor=None,
        identity=IdentityInput(
            name="测试甲", id_number="990101199001011234", phone="139 0000 1111", address="示范路9号"
        ),
    )  # fmt: skip
    petition_accept(petition=filed.petition, actor=leader)
    petition_file(
        bureau=bureau, kind="suggestion", channel="letter", title="建议增设课后服务", facts="希望学校增设课后服务。",
        request="增设课后服务。", reasons="家长下班较晚。", actor=None,
    )  # fmt: skip

    disclosure.categories_ensure()
    today = timezone.localdate()
    writers = (
        (bureau, "rules", users[Role.DEPARTMENT_STAFF], leader),
        (school, "fees", users[Role.SCHOOL_CLERK], users[Role.PRINCIPAL]),
    )
    for organization, code, writer, approver in writers:
        document = disclosure.document_create(
            actor=writer, organization=organization, category=Category.objects.get(code=code),
            title="关于规范中小学收费的通知", info_date=today, body="<p>各学校：请规范收费。</p>",
        )  # fmt: skip
        disclosure.document_submit(actor=writer, document=document)
        disclosure.document_publish(actor=approver, document=document)
    draft = disclosure.document_create(
        actor=users[Role.DEPARTMENT_STAFF], organization=bureau, category=Category.objects.get(code="budgets"),
        title="部门预算", info_date=today,
    )  # fmt: skip
    disclosure.document_submit(actor=users[Role.DEPARTMENT_STAFF], document=draft)
    disclosure.foi_submit(
        actor=None, organization=bureau, applicant_kind="person", applicant_name="王五", contact="139 0000 2222",
        description="请公开本区学校收费标准。", form="electronic",
    )  # fmt: skip
    inspection = disclosure.inspection_run(
        actor=leader, bureau=bureau, year=today.year, quarter=(today.month - 1) // 3 + 1
    )
    disclosure.inspection_publish(actor=leader, inspection=inspection, summary="本季度检查情况通报。")

    monitor = users[Role.DEPARTMENT_STAFF]
    source = opinion.source_create(actor=monitor, name="人工录入", kind=Source.Kind.MANUAL, bureau=bureau)
    opinion.post_create_manual(
        source=source,
        actor=monitor,
        title="示范区实验小学门口接送车辆乱停",
        text="示范区实验小学门口早晚接送时车辆乱停乱放，建议学校设置护学岗和临时停车区。",
    )
    event = Event.objects.get(bureau=bureau)
    opinion.event_assign(event=event, organization=school, actor=leader)
    return {"bureau": bureau, "users": users, "public": UserFactory(full_name="市民张先生")}


def _shape(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    path = re.sub(r"\d+", "N", parts.path)
    query = sorted((k, re.sub(r"\d+", "N", v)) for k, v in parse_qsl(parts.query, keep_blank_values=True))
    return path, path + "?" + "&".join(f"{k}={v}" for k, v in query)


def _walk(client: Client, who: str, starts: list[str], skip: set[str], problems: list[str]) -> set[str]:
    """Breadth-first over same-site links; appends one line per offending page."""
    seen: set[str] = set()
    shapes: collections.Counter[str] = collections.Counter()
    queue = collections.deque(starts)
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft().split("#")[0]
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or url in seen or (url in skip and url not in starts):
            continue
        if any(mark in parts.path.lower() for mark in SKIP_IN_PATH) or (
            parts.query and parts.path.startswith("/admin/")
        ):
            continue
        path_shape, full_shape = _shape(url)
        if shapes[full_shape] >= PER_SHAPE or shapes[path_shape] >= PER_PATH:
            continue
        shapes[full_shape] += 1
        shapes[path_shape] += 1
        seen.add(url)
        response = client.get(url, follow=True)
        if response.status_code >= 500:
            problems.append(f"[{who}] {url} HTTP {response.status_code}")
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        page = page_read(response.content.decode("utf-8", "replace"))
        found = offences("\n".join(page.text), "\n".join(page.literal))
        lang_ok = response.status_code >= 400 or (page.lang or "").lower().startswith("zh")
        if found or not lang_ok:
            problems.append(
                f"[{who}] {url} en={found.words[:8]} ids={found.rule_ids[:6]} codes={found.codes[:6]}"
                + ("" if lang_ok else f" lang={page.lang}")
            )
        base = response.request["PATH_INFO"]
        for href in page.links:
            link = urljoin(base, href.strip())
            link_parts = urlsplit(link)
            if link_parts.netloc in ("", "testserver"):
                queue.append(link_parts.path + (f"?{link_parts.query}" if link_parts.query else ""))
    return seen


@pytest.mark.django_db
def test_every_page_reads_in_chinese_for_every_role() -> None:
    """A visitor, a member of the public and one user of each role walk the site in
    zh-Hans; no page shows an English word, a rule ID or a raw code, or fails."""
    with translation.override("zh-hans"):  # stored texts (notifications) are written as on a Chinese site
        district = _district()
    problems: list[str] = []
    year = date.today().year
    seeds = [*PUBLIC_SEEDS, f"/disclosure/org/{district['bureau'].code}/annual-report/{year}/"]
    public_seen = _walk(Client(), ANONYMOUS, list(seeds), set(), problems)
    sessions: list[tuple[str, Any]] = [(PUBLIC, district["public"]), *list(district["users"].items())]
    for who, user in sessions:
        client = Client()
        if who == PUBLIC:
            client.force_login(user)
        else:
            login_verified(client, user)
        _walk(client, who, ["/workbench/", "/"], public_seen, problems)
    assert len(public_seen) > 10, "the walk found almost nothing: are the links still followed?"
    assert not problems, "Pages a person reads in zh-Hans show English, rule IDs or codes:\n  " + "\n  ".join(problems)


@pytest.mark.django_db
def test_every_admin_page_reads_in_chinese_for_the_system_administrator() -> None:
    """Each admin list the system administrator may open, its add form and one change
    page: items, statuses, rules, jobs and file purposes by name, never a code."""
    from django.contrib import admin
    from django.urls import reverse

    from sunshine.core.models import ScheduledJob
    from sunshine.core.scheduler import PERIODIC_JOBS

    with translation.override("zh-hans"):
        district = _district()
    for name, (task_path, every) in PERIODIC_JOBS.items():
        ScheduledJob.objects.create(name=name, task_path=task_path, interval_seconds=every, next_run_at=timezone.now())
    client = Client()
    request_user = district["users"][Role.SYSTEM_ADMIN]
    login_verified(client, request_user)
    problems: list[str] = []
    visited: list[str] = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = client.get(changelist)
        if response.status_code == 403:
            continue
        urls = [changelist]
        first = model_admin.get_queryset(type("R", (), {"user": request_user})()).order_by("-pk").first()
        if first is not None:
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk]))
        visited += urls
        for url in urls:
            response = client.get(url)
            page = page_read(response.content.decode("utf-8", "replace"))
            found = offences("\n".join(page.text), "\n".join(page.literal))
            if response.status_code >= 500 or found:
                problems.append(f"{url} HTTP {response.status_code} en={found.words[:8]} ids={found.rule_ids[:6]}")
    assert len(visited) > 10, visited
    assert not problems, "Admin pages show English, rule IDs or codes:\n  " + "\n  ".join(problems)
