"""The reports' demo: the bureau's annual work summary of the year, issued with a
staff narrative, and a first snapshot of the figures (the dashboard's "as of")."""

from __future__ import annotations

from django.utils import timezone

from sunshine.core.actors import SYSTEM
from sunshine.core.demo import DemoContext
from sunshine.core.figures import SHANGHAI

NARRATIVE = {
    "education": (
        "年初召开全区中小学校长党风廉政建设工作会议，组织全体教职工学习廉洁从教有关规定，开展师德师风专题教育。"
    ),
    "system": "严格执行“三重一大”集体决策制度，重大事项一律经局党组会议集体研究决定。",
    "atmosphere": "通过门户网站、校务公开栏等渠道公开办事程序和监督电话，主动接受社会监督。",
    "supervision": "开展收费、经费、招生等专项检查，对发现的问题下达整改通知并跟踪验收。",
    "petitions": "坚持有访必接、有信必复，对群众反映的问题逐件登记、逐件督办。",
    "leadership": "调整局政务公开领导小组，由局主要负责同志任组长，明确各股室职责。",
    "measures": "规范公开目录，及时更新法定主动公开内容，依法办理政府信息公开申请。",
    "inspection": "按季度对局机关和各学校的公开工作进行检查评分，并通报检查结果。",
}


def build_reports_demo(context: DemoContext) -> None:
    from sunshine.reports.summary import summary_current, summary_get, summary_issue, summary_narrative_save

    bureau = context.bureau
    year = timezone.localtime(context.now, SHANGHAI).year
    if summary_current(summary_get(bureau=bureau, year=year)) is not None:
        return
    summary_narrative_save(bureau=bureau, year=year, narrative=NARRATIVE, actor=SYSTEM)
    document = summary_issue(bureau=bureau, year=year, actor=SYSTEM, now=context.now)
    context.notes.append(f"{year}年度工作总结已印发：{document.number}")
