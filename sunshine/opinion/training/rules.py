"""Keyword rules that PROPOSE labels for training data (education, topic, stance).

The proposals are weak labels: ``opinion_label`` prints a sample for a person to
review, and the reviewed labels are kept in ``labels/hand_labels.csv`` as
(file, message id, judgement, label) rows, never with the text. Training uses the
hand label wherever there is one, else the proposal.
"""

from __future__ import annotations

import re

EDU_STRONG = (
    "学校",
    "小学",
    "中学",
    "初中",
    "高中",
    "幼儿园",
    "学生",
    "老师",
    "教师",
    "教育局",
    "班主任",
    "校长",
    "招生",
    "入学",
    "学位",
    "补课",
    "培训机构",
    "辅导班",
    "学费",
    "作业",
    "学区",
    "中考",
    "高考",
    "校园",
    "学籍",
    "教育",
    "家长",
    "转学",
    "一中",
    "二中",
    "三中",
    "实验学校",
    "职校",
    "大学",
    "学院",
    "师德",
    "民办学校",
    "课外",
    "托管",
    "学生餐",
    "校车",
)
EDU_WEAK_NEGATIVE = ("体育馆", "运动员", "文物", "非物质文化", "广电", "电视", "旅游", "景区")

TOPIC_RULES: list[tuple[str, tuple[str, ...]]] = [
    ("food", ("食堂", "饭菜", "营养餐", "学生餐", "午餐", "伙食", "食品安全", "餐费", "配餐", "食物中毒")),
    (
        "safety",
        ("安全", "校园暴力", "欺凌", "霸凌", "溺水", "校车", "交通隐患", "打架", "受伤", "门禁", "消防", "围墙"),
    ),
    (
        "conduct",
        ("师德", "体罚", "打学生", "辱骂", "有偿补课", "有偿家教", "收受", "红包", "猥亵", "索要", "礼品", "骂学生"),
    ),
    (
        "burden",
        (
            "负担",
            "作业太多",
            "作业多",
            "补课",
            "培训机构",
            "辅导班",
            "课外班",
            "加班加点",
            "周末上课",
            "假期上课",
            "减负",
            "考试太多",
            "培训",
        ),
    ),
    (
        "fees",
        (
            "收费",
            "乱收费",
            "学费",
            "费用",
            "资料费",
            "补课费",
            "赞助费",
            "择校费",
            "借读费",
            "退费",
            "缴费",
            "交钱",
            "收钱",
        ),
    ),
    (
        "enrollment",
        (
            "招生",
            "入学",
            "学位",
            "划片",
            "学区",
            "转学",
            "录取",
            "派位",
            "摇号",
            "中考",
            "高考",
            "报名",
            "积分入学",
            "插班",
            "学籍",
            "辍学",
        ),
    ),
    (
        "staff",
        (
            "工资",
            "待遇",
            "编制",
            "教师招聘",
            "代课",
            "绩效",
            "职称",
            "师资",
            "退休教师",
            "补贴",
            "社保",
            "教师队伍",
            "支教",
            "特岗",
        ),
    ),
    (
        "facilities",
        (
            "校舍",
            "教室",
            "操场",
            "厕所",
            "宿舍",
            "设施",
            "空调",
            "危房",
            "建设",
            "扩建",
            "新建学校",
            "教学楼",
            "运动场",
            "跑道",
            "图书",
            "饮水",
        ),
    ),
]

STANCE_RULES: list[tuple[str, tuple[str, ...]]] = [
    ("suggestion", ("建议", "提议", "呼吁", "倡议", "能否考虑", "应该尽快", "应尽早")),
    (
        "request",
        (
            "请问",
            "咨询",
            "想了解",
            "何时",
            "什么时候",
            "如何办理",
            "能不能",
            "能否",
            "请求",
            "申请",
            "求助",
            "怎么办",
            "请帮",
            "希望",
            "恳请",
            "请尽快",
        ),
    ),
    (
        "complaint",
        (
            "投诉",
            "举报",
            "乱收费",
            "强制",
            "违规",
            "不合理",
            "严重",
            "质疑",
            "反映",
            "太差",
            "不公",
            "克扣",
            "拖欠",
            "不作为",
            "扰民",
        ),
    ),
]
PRAISE = ("表扬", "点赞", "赞扬", "致敬", "称赞", "好老师", "锦旗", "暖心", "为老师", "感谢老师", "感谢学校")
NEGATIVE = ("投诉", "举报", "违规", "乱", "不", "没", "差", "难", "强制", "问题")


def propose_education(title: str, text: str) -> int:
    """1 when the message is about education (schools, kindergartens, teachers,
    admissions, fees, off-campus training), by keyword count."""
    hits_title = sum(1 for word in EDU_STRONG if word in title)
    hits_text = len({word for word in EDU_STRONG if word in text})
    negative = any(word in title for word in EDU_WEAK_NEGATIVE)
    if negative and hits_title == 0:
        return 0
    return int(hits_title >= 1 or hits_text >= 3)


def propose_topic(title: str, text: str) -> str:
    """The first topic whose keywords occur in the title, else in the text, else other."""
    for part in (title, text):
        for topic, words in TOPIC_RULES:
            if any(word in part for word in words):
                return topic
    return "other"


_QUESTION = re.compile(r"[？?]\s*$")


def propose_stance(title: str, text: str) -> str:
    """praise only when the title praises and carries no complaint word (thanks in a
    closing line is courtesy, not praise); then suggestion > request > complaint by
    the title, then the opening of the text; a question title leans to request;
    default complaint."""
    if any(word in title for word in PRAISE) and not any(word in title for word in NEGATIVE):
        return "praise"
    for part in (title, text[:120]):
        for stance, words in STANCE_RULES:
            if any(word in part for word in words):
                return stance
        if part is title and _QUESTION.search(title):
            return "request"
    return "complaint"
