"""Demo data of disclosure: the bureau's and every demo school's catalogue (some items
late or missing, so the quarterly inspection finds something), a revised document with
two versions, a withdrawn one in the archive, a scheduled one, and FOI requests in every
state. All texts are fictional, written for the demo district."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from sunshine.disclosure import services
from sunshine.disclosure.models import Category, Document, FoiRequest
from sunshine.orgs.models import Organization

BUREAU_DOCS = [
    (
        "functions",
        "示范区教育局机构职能、办公地址及联系方式",
        "",
        "<p>示范区教育局是区政府工作部门，负责全区学前教育、义务教育、普通高中教育和职业教育的统筹管理。</p>"
        "<p>办公地址：示范区人民路88号；办公时间：工作日上午8:30—12:00，下午14:30—17:30；咨询电话：0000-12345678。</p>",
    ),
    (
        "rules",
        "示范区中小学校收费管理办法",
        "示教〔2026〕12号",
        "<p>第一条 为规范中小学校收费行为，根据国家和省有关规定，制定本办法。</p>"
        "<p>第二条 义务教育阶段学校不得收取学费、杂费；服务性收费和代收费坚持自愿、非营利原则。</p>"
        "<p>第三条 学校应在每学期注册前公示收费项目、标准、依据和监督电话。</p>",
    ),
    (
        "budgets",
        "示范区教育局2026年部门预算公开",
        "",
        "<p>2026年部门收入预算合计3.2亿元，其中一般公共预算拨款3.05亿元。支出主要用于义务教育、学前教育和教师培训。</p>",
    ),
    (
        "admin-fees",
        "示范区教育系统行政事业性收费项目及标准",
        "",
        "<p>本区教育系统现行行政事业性收费项目仅为普通高中学费、住宿费，标准按物价部门批复执行。</p>",
    ),
    (
        "procurement",
        "示范区第六幼儿园建设工程招标结果公示",
        "",
        "<p>经公开招标，示范区第六幼儿园建设工程中标单位为某建设集团有限公司，中标价人民币1280万元，公示期5个工作日。</p>",
    ),
    (
        "policies",
        "关于做好2026年义务教育招生入学工作的通知",
        "示教〔2026〕20号",
        "<p>坚持免试就近入学，严格执行招生政策公开、招生计划公开、考试规定办法公开、录取分数线公开、录取结果公开的“五公开”要求。</p>",
    ),
    (
        "hiring",
        "示范区2026年公开招聘中小学教师公告",
        "",
        "<p>本次招聘教师60名。程序：发布公告、网上报名、资格审查、笔试、面试、体检、考察、公示、聘用。各环节结果均在本网站公开。</p>",
    ),
]

SCHOOL_DOCS = [
    (
        "basic-facts",
        "{name}学校概况",
        "<p>{name}创办于1958年，现有教学班24个，学生1100余人，教职工86人。校长：{head}。</p>",
    ),
    (
        "school-rules",
        "{name}校务公开制度",
        "<p>凡涉及教职工和学生切身利益的重要事项，均通过公开栏、校园网和家长群及时公开，接受监督。</p>",
    ),
    (
        "plans",
        "{name}2026—2027学年第一学期工作计划",
        "<p>本学期以落实“双减”为重点，规范办学行为，加强师德师风建设。</p>",
    ),
    (
        "enrollment",
        "{name}2026年招生工作“五公开”",
        "<p>招生政策、招生计划、招生范围、录取办法和录取结果依次公开。今年计划招收一年级新生4个班180人。</p>",
    ),
    (
        "fees",
        "{name}2026年秋季学期收费公示",
        "<p>收费类别：代收费；项目：作业本费；标准：按实际发生结算；依据：示教〔2026〕12号；"
        "监督电话：0000-12345678。义务教育阶段不收取学费、杂费。</p>",
    ),
    (
        "hiring",
        "{name}2026年教师职称推荐结果公示",
        "<p>经个人申报、教代会评议、学校推荐，现将推荐人选予以公示，公示期7天。</p>",
    ),
    (
        "finances",
        "{name}2026年第三季度经费收支情况",
        "<p>本季度公用经费支出48.6万元，主要用于教学设备购置和校舍维修；接受社会捐赠图书一批。</p>",
    ),
    (
        "safety",
        "{name}校园安全应急预案",
        "<p>发生火灾、地震等突发事件时，按照疏散路线有序撤离，班主任清点人数后向值班领导报告。</p>",
    ),
]


def _publish(document: Document, writer: Any, approver: Any) -> None:
    services.document_submit(actor=writer, document=document)
    services.document_publish(actor=approver, document=document)


def build_disclosure_demo(context: Any) -> None:
    services.categories_ensure()
    bureau = context.bureau
    users = context.users
    if Document.objects.filter(organization=bureau).exists():
        return  # built already (idempotent)
    today = timezone.localdate()
    officer, leader = users["bangong"], users["juzhang"]
    categories = {c.code: c for c in Category.objects.all()}

    docs: dict[str, Document] = {}
    for index, (code, title, number, body) in enumerate(BUREAU_DOCS):
        doc = services.document_create(
            actor=officer,
            organization=bureau,
            category=categories[code],
            title=title,
            body=body,
            number=number,
            issued_on=today - timedelta(days=10 + index),
            info_date=today - timedelta(days=5 + index),
        )
        _publish(doc, officer, leader)
        docs[code] = doc
    # A revision: the fee rules changed; both versions stay readable.
    fee_rules = docs["rules"]
    services.document_revise(actor=officer, document=fee_rules)
    services.document_update(
        actor=officer,
        document=fee_rules,
        change_note="增加代收费结余退还条款",
        body=fee_rules.body + "<p>第四条 代收费按实际发生结算，结余部分应当全额退还学生家长。</p>",
    )
    _publish(fee_rules, officer, leader)
    # Withdrawn: kept in the archive with the reason.
    old = services.document_create(
        actor=officer,
        organization=bureau,
        category=categories["policies"],
        title="关于2025年暑期托管服务收费的通知",
        body="<p>暑期托管服务每生每周收费200元。</p>",
        info_date=today - timedelta(days=40),
    )
    _publish(old, officer, leader)
    services.document_withdraw(
        actor=officer, document=old, reason="该通知已被示教〔2026〕12号文件废止，暑期托管不再收费。"
    )
    # Scheduled and draft.
    scheduled = services.document_create(
        actor=officer,
        organization=bureau,
        category=categories["policies"],
        title="2027年春季学期开学工作安排",
        body="<p>各校于2027年2月20日报到注册。</p>",
        info_date=today,
    )
    services.document_submit(actor=officer, document=scheduled)
    services.document_publish(actor=leader, document=scheduled, at=timezone.now() + timedelta(days=3))
    services.document_create(
        actor=officer,
        organization=bureau,
        category=categories["services"],
        title="学籍转接办事指南（草稿）",
        body="<p>办理材料：转学申请表、户口簿。</p>",
        info_date=today,
    )

    schools = Organization.objects.filter(path__startswith=bureau.path, kind=Organization.Kind.SCHOOL).order_by("code")
    for index, school in enumerate(schools, start=1):
        clerk, principal = users.get(f"clerk{index:02d}"), users.get(f"school{index:02d}")
        if clerk is None or principal is None:
            continue
        published = SCHOOL_DOCS[: len(SCHOOL_DOCS) - (index % 4)]  # some schools miss the last items
        # The fees item is the school's own fee notice, published by fees with the same
        # items and standards; a second, different one here would contradict it.
        has_fees = Document.objects.filter(organization=school, category=categories["fees"]).exists()
        for position, (code, title, body) in enumerate(published):
            if code == "fees" and has_fees:
                continue
            late = index % 5 == 0 and code == "enrollment"  # every fifth school published it late
            doc = services.document_create(
                actor=clerk,
                organization=school,
                category=categories[code],
                title=title.format(name=school.name),
                body=body.format(name=school.name, head=school.head_name or principal.full_name),
                info_date=today - timedelta(days=45 if late else 2 + position),
            )
            _publish(doc, clerk, principal)

    _foi_demo(context, bureau, officer, leader)
    quarter = (today.month - 1) // 3 + 1
    inspection = services.inspection_run(actor=officer, bureau=bureau, year=today.year, quarter=quarter)
    services.inspection_publish(
        actor=officer,
        inspection=inspection,
        summary="本季度对全区学校校务公开情况进行了检查。未达标学校须在十个工作日内补齐缺项并报局办公室。",
    )


def _foi_demo(context: Any, bureau: Organization, officer: Any, leader: Any) -> None:
    today = timezone.localdate()
    base: dict[str, Any] = {"organization": bureau, "form": FoiRequest.Form.ELECTRONIC}

    def letter(name: str, kind: str, description: str, days_ago: int) -> FoiRequest:
        request, _code = services.foi_intake(
            actor=officer,
            channel=FoiRequest.Channel.POST,
            received_on=today - timedelta(days=days_ago),
            applicant_kind=kind,
            applicant_name=name,
            contact="示范区人民路1号",
            description=description,
            **base,
        )
        return request

    submitted, code = services.foi_submit(
        actor=context.users.get("citizen"),
        applicant_kind="person",
        applicant_name="市民张先生",
        contact="13800000001",
        description="2026年全区学前教育普惠性幼儿园补助资金分配表",
        **base,
    )
    context.notes.append(f"政务公开：网上提交的依申请公开 {submitted.number}，查询码 {code}")
    letter("李某", "person", "示范区第二中学食堂承包合同", 3)
    correction = letter("某律师事务所", "legal", "有关学校的文件", 5)
    services.foi_correction_ask(
        actor=officer,
        request=correction,
        text="请明确学校名称和文件名称或文号。",
        answer_by=today + timedelta(days=10),
        on=today - timedelta(days=4),
    )
    consult = letter("某科技公司", "business", "第六幼儿园建设工程投标文件中的报价明细", 8)
    services.foi_consultation_start(
        actor=officer, request=consult, third_party="某建设集团有限公司", on=today - timedelta(days=6)
    )
    extended = letter("王某", "person", "近三年全区教师招聘笔试成绩汇总", 12)
    services.foi_extend(actor=leader, request=extended, days=15, reason="涉及三个年度的数据，需要汇总核对。")
    replied = letter("陈某", "person", "2026年秋季学期各校收费标准", 20)
    services.foi_reply(
        actor=officer,
        request=replied,
        reply_type="disclosed",
        text="您申请的信息已在本局网站“收费”栏目主动公开，现将链接和电子文件一并提供。",
    )
    partly = letter("某研究院", "research", "2025年教育经费支出明细", 25)
    services.foi_reply(
        actor=officer,
        request=partly,
        reply_type="partly",
        text="支出明细予以公开；其中涉及个人信息的部分已作区分处理。",
    )
    refused = letter("赵某", "person", "某教师的个人档案", 30)
    services.foi_reply(
        actor=officer,
        request=refused,
        reply_type="not_disclosed",
        reason="third-party",
        text="您申请的信息涉及第三方个人隐私，经征求意见，第三方不同意公开。",
    )
    complaint = letter("孙某", "person", "我孩子所在学校乱收补课费，要求查处并退钱", 9)
    services.foi_reply(
        actor=officer,
        request=complaint,
        reply_type="not_processed",
        reason="complaint",
        text="您反映的问题属于投诉举报，不作为政府信息公开申请处理，已转信访部门办理。",
    )
    lapsed = letter("周某", "person", "那个文件", 40)
    services.foi_correction_ask(
        actor=officer,
        request=lapsed,
        text="请说明所需信息的名称。",
        answer_by=today - timedelta(days=25),
        on=today - timedelta(days=39),
    )
    services.foi_correction_lapse(actor=officer, request=lapsed, reason="逾期未补正")
