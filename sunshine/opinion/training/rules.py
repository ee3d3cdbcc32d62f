"""The keyword rule that narrows the official first-level label 教育文体 ("education,
culture and sports") of the Taidi sample file to education: a message of that label
counts as education only when it names schools, pupils, teachers, admissions and the
like. Every other training label is a reviewed one (``labels/hand_labels.csv``)."""

from __future__ import annotations

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


def propose_education(title: str, text: str) -> int:
    """1 when the message is about education (schools, kindergartens, teachers,
    admissions, fees, off-campus training), by keyword count."""
    hits_title = sum(1 for word in EDU_STRONG if word in title)
    hits_text = len({word for word in EDU_STRONG if word in text})
    negative = any(word in title for word in EDU_WEAK_NEGATIVE)
    if negative and hits_title == 0:
        return 0
    return int(hits_title >= 1 or hits_text >= 3)
