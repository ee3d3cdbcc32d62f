# ruff: noqa: E501
"""Writes privacy_labelled.json: synthetic bureau-style sentences, each with the spans of
the personal data in it (kind, start, end). Every identity number, phone, card and name
here is made up (fixed seed); run ``python sunshine/core/tests/data/make_privacy_labelled.py``
to rebuild the file. The hard negatives (文号, amounts, dates, case numbers, hotlines,
school names with 路, invalid check characters, adults' titles) are labelled with no span."""

from __future__ import annotations

import json
import random
from pathlib import Path

R = random.Random(20261205)
REGIONS = ["110105", "330106", "370102", "440305", "510107", "320102", "420106", "610113", "330102", "500103"]
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘蒋蔡杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪范金石廖贾夏付方邹孟熊秦邱江尹薛段雷侯龙史陶贺顾毛郝龚邵万钱覃戴孔汤欧阳"
GIVEN = [
    "小明",
    "思思",
    "子涵",
    "浩然",
    "一鸣",
    "欣怡",
    "梓萱",
    "宇轩",
    "雨桐",
    "俊杰",
    "芳",
    "伟",
    "磊",
    "婷",
    "悦",
    "晨",
    "子墨",
    "诗琪",
    "嘉怡",
    "博文",
    "明轩",
    "若曦",
    "天佑",
    "可欣",
    "皓宇",
]
CITIES = [
    ("浙江省", "杭州市", "西湖区"),
    ("", "北京市", "朝阳区"),
    ("山东省", "济南市", "历下区"),
    ("", "上海市", "浦东新区"),
    ("广东省", "深圳市", "福田区"),
    ("四川省", "成都市", "武侯区"),
]
STREETS = ["文三路", "解放路", "中山北路", "建设大街", "朝晖巷", "学院路", "人民大道", "和平里", "长寿路", "滨江路"]
ESTATES = ["阳光花园", "翠苑一区", "金桥小区", "锦绣公寓", "东方名苑"]


def id_number(valid: bool = True) -> str:
    year = R.randint(1965, 2019)
    body = f"{R.choice(REGIONS)}{year}{R.randint(1, 12):02d}{R.randint(1, 28):02d}{R.randint(0, 999):03d}"
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]
    if not valid:
        check = R.choice([c for c in "0123456789X" if c != check])
    return body + check


def mobile(grouped: bool = False) -> str:
    n = f"1{R.choice('35789')}{R.randint(0, 9)}{R.randint(0, 99999999):08d}"
    return f"{n[:3]} {n[3:7]} {n[7:]}" if grouped else n


def landline() -> str:
    area, local = R.choice([("0571", 8), ("010", 8), ("021", 8), ("0531", 8), ("0755", 8), ("0898", 7)])
    num = str(R.randint(2, 9)) + "".join(str(R.randint(0, 9)) for _ in range(local - 1))
    return R.choice([f"{area}-{num}", f"{area}{num}", f"（{area}）{num}"])


def luhn_complete(prefix: str, length: int) -> str:
    body = prefix + "".join(str(R.randint(0, 9)) for _ in range(length - len(prefix) - 1))
    for d in "0123456789":
        digits = body + d
        total = 0
        for i, ch in enumerate(reversed(digits)):
            n = int(ch) * (2 if i % 2 else 1)
            total += n - 9 if n > 9 else n
        if total % 10 == 0:
            return digits
    raise AssertionError


def bank_card() -> str:
    return luhn_complete(R.choice(["622202", "621700", "622848", "621226", "436742", "622588"]), R.choice([16, 19]))


def student_number() -> str:
    return R.choice("GJ") + id_number()


def name() -> str:
    surname = "欧阳" if R.random() < 0.05 else R.choice(SURNAMES[:-2])
    return surname + R.choice(GIVEN)


def address() -> str:
    province, city, district = R.choice(CITIES)
    street = R.choice(STREETS)
    form = R.randint(0, 2)
    if form == 0:
        return f"{province}{city}{district}{street}{R.randint(1, 300)}号{R.randint(1, 20)}幢{R.randint(1, 4)}单元{R.randint(1, 18)}0{R.randint(1, 4)}室"
    if form == 1:
        return f"{city}{district}{street}{R.randint(1, 300)}号{R.choice(ESTATES)}{R.randint(1, 30)}栋{R.randint(101, 2804)}室"
    return f"{district}{R.choice(ESTATES)}{R.randint(1, 30)}幢{R.randint(1, 3)}单元{R.randint(101, 1802)}室"


POSITIVE: list[tuple[str, dict[str, str]]] = [
    ("来信人反映其身份证号为{id_card}，要求核实学籍信息。", {}),
    ("经核查，{minor_name}同学已于本学期办理转学手续。", {}),
    ("学生{minor_name}（身份证号{id_card}）因病休学一年。", {}),
    ("请家长于周五前联系班主任，联系电话{mobile}。", {}),
    ("投诉人称其儿子{minor_name}在校受到不公正对待，联系方式{mobile}。", {}),
    ("{grade}{minor_name}同学在区运动会上获得跳远第一名。", {}),
    ("该生家住{address}，距学校约三公里。", {}),
    ("退费款项已转入家长工资卡号{bank_card}。", {}),
    ("学籍号{student_number}的学生档案已调出。", {}),
    ("经查，反映人住址为{address}，电话{landline}。", {}),
    ("幼儿{minor_name}的入园材料不全，请补交户籍证明。", {}),
    ("女儿{minor_name}今年九月升入初中，申请就近入学。", {}),
    ("我的手机号是{mobile_grouped}，请尽快回复。", {}),
    ("补助发放至银行卡{bank_card}，持卡人为学生监护人。", {}),
    ("网民爆料称{grade}学生{minor_name}被罚站两小时。", {}),
    ("家长反映孩子{minor_name}的学籍号{student_number}无法查询。", {}),
    ("申请人：李某，身份证号码：{id_card}，联系电话：{mobile}。", {}),
    ("小朋友{minor_name}在课间活动中摔伤，已送医。", {}),
    ("现居{address}的来访人要求答复。", {}),
    ("请回电{landline}或{mobile}。", {}),
    ("对{minor_name}同学的家庭经济困难认定已完成，资助金打入卡号{bank_card}。", {}),
    ("拟录取人员：张明，身份证号{id_card}，总成绩85.6分。", {}),
    ("考生{minor_name}，学籍号{student_number}，报名资格审核通过。", {}),
]
NEGATIVE = [
    "根据杭教〔2026〕12号文件精神，现将有关事项通知如下。",
    "区教育局下达2026年义务教育公用经费13812345.60元。",
    "举报电话：0571-88889999，受理时间为工作日上午9时至下午5时。",
    "本次共收到信访件138件，办结率96.3%。",
    "案件编号XF2026120500123，请凭查询码查询办理进度。",
    "解放路小学、文三路中学、学院路幼儿园列入第一批试点。",
    "局机关地址：杭州市西湖区文三路88号，邮编310012。",
    "统一社会信用代码12330106470012345Y，法定代表人王建国。",
    "发文日期2026年12月05日，文号浙教办〔2026〕88号。",
    "预算金额为人民币1,350,000.00元，最高限价1380000元。",
    "学生安全教育周活动于11月开展，全体学生参加。",
    "学生会换届选举按章程进行，学生处负责组织。",
    "张老师、王校长和李主任出席了家长会。",
    "本学期学生人数为1356人，较上学期增加42人。",
    "监督电话：12345，咨询电话：0571-87001234。",
    "项目编号HZJY-2026-0156，合同金额3,250,000元。",
    "2026年第三季度政务公开检查得分92.5分。",
    "三年级（2）班共有学生45人，男生23人，女生22人。",
    "请于20261215前提交材料，逾期不予受理。",
    "区财政拨付专项资金6222021234.56万元用于校舍改造。",
    "流水号20261205138123456789已入账。",
    "学生资助中心热线0571-86001122全天开通。",
    "招生办公室电话：0571-85001234，地址：学院路100号。",
    "第1356号提案已办理完毕，答复意见见附件。",
    "学生管理工作会议于周三召开，各校分管领导参加。",
    "学生和家长可登录平台查询录取结果。",
    "陈主任介绍了学生体质健康测试情况。",
    "本次招聘共有1380人报名，进入面试186人。",
    "ISBN 978-7-04-012345-6 教材已配发到校。",
    "查询码请妥善保管，共16位。",
    "王某某等三人对处理意见不服申请复查。",
    "课程表见附件，星期一至星期五每天7节课。",
    "中山北路第二小学新校区建设项目完成投资75%。",
    "学生平均成绩较去年提高3.2分。",
    "投诉受理编号13912345678号已转交学校处理。",
    "小朋友们在操场上做游戏。",
    "同学们积极参加志愿服务活动。",
    "本通报自印发之日起施行。",
]

# Hand-written hard cases, marked [[kind|text]]: names without a marker nearby, numbers in
# odd places, offices' numbers, addresses of institutions. Some are expected to be missed
# or flagged wrongly; they keep the figures honest.
HARD = [
    "经调查，涉事学生为[[minor_name|刘子豪]]，其家长已到校沟通。",
    "反映人称自家孩子（[[minor_name|陈一诺]]，8岁）在校车上被遗忘。",
    "初二（5）班的[[minor_name|周子轩]]、[[minor_name|吴梓涵]]两名同学获市级表彰。",
    "该校学生[[minor_name|欧阳子涵]]的资助申请已审核通过。",
    "获奖名单：[[minor_name|李沐阳]]（三年级）、[[minor_name|黄诗涵]]（四年级）。",
    "网帖称小学生[[minor_name|赵乐乐]]在课间被同学推倒。",
    "家长王先生来电反映儿子[[minor_name|王梓睿]]作业负担过重。",
    "请[[minor_name|孙浩宇]]同学的监护人携带户口簿到校办理。",
    "小明同学今天表现很好。",
    "张校长、李书记带队检查食堂。",
    "区教育局副局长王建国出席会议。",
    "家长代表刘女士发言。",
    "教师[[mobile|13905716688]]号码已停用，请勿拨打。",
    "联系人：陈老师，电话[[landline|0571-86012345]]（办公室），手机[[mobile|15867123456]]。",
    "监督举报电话：0571-85123456、12345。",
    "如有疑问请致电0571-87654321咨询。",
    "该生父亲身份证号[[id_card|110105197805121235]]，母亲身份证号[[id_card|110105198011033027]]。",
    "身份证号110105197805121230填写有误（校验位不符）。",
    "准考证号202601050123456789，考场第3考场。",
    "学籍号：[[student_number|G110105201503071235]]。",
    "学籍号：L1101052015030712345（位数不对）。",
    "退费请打入家长银行卡[[bank_card|6217001234567890007]]。",
    "合同编号6217001234567890007，履约保证金已缴纳。",
    "学校开户行账号33050161234500000123，户名某某小学。",
    "现住址：[[address|历下区和平里小区12号楼3单元502室]]。",
    "来访人户籍地为[[address|济南市历下区解放路66号]]。",
    "学校地址：济南市历下区解放路66号，邮编250013。",
    "解放路第一小学、和平里实验学校两校合并。",
    "文三路88号院内施工，注意安全。",
    "发文字号：杭教发〔2026〕15号；签发人：王建国。",
    "本次拨付资金13,812,345.67元，占预算的98.6%。",
    "2026年12月5日9时30分在第2会议室召开。",
    "批次号20261205001，共计138人。",
    "投诉件编号TS2026-13812345678已办结。",
    "学生家长[[mobile|138 0571 2345]]来电反映情况。",
    "孩子们在阳光花园小区内玩耍。",
    "[[address|阳光花园3幢2单元1201室]]业主反映楼道堆物。",
    "全体学生签名后上交。",
    "学生林立等人参加了竞赛。",
    "各年级学生周末不得组织补课。",
]


def hard_items() -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    for marked in HARD:
        text, spans, rest = "", [], marked
        while "[[" in rest:
            before, _, tail = rest.partition("[[")
            inner, _, rest = tail.partition("]]")
            kind, _, value = inner.partition("|")
            text += before
            spans.append({"kind": kind, "start": len(text), "end": len(text) + len(value)})
            text += value
        items.append({"text": text + rest, "spans": spans, "hard": True})
    return items


def fill(template: str) -> tuple[str, list[dict[str, object]]]:
    makers = {
        "id_card": id_number,
        "mobile": mobile,
        "mobile_grouped": lambda: mobile(grouped=True),
        "landline": landline,
        "bank_card": bank_card,
        "student_number": student_number,
        "address": address,
        "minor_name": name,
    }
    text, spans = "", []
    rest = template
    while "{" in rest:
        before, _, tail = rest.partition("{")
        key, _, rest = tail.partition("}")
        text += before
        if key == "grade":
            text += R.choice(["三年级（2）班", "五年级", "初二（3）班", "一年级一班", "高一"])
            continue
        value = makers[key]()
        kind = "mobile" if key == "mobile_grouped" else key
        spans.append({"kind": kind, "start": len(text), "end": len(text) + len(value)})
        text += value
    return text + rest, spans


def build() -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    for _ in range(14):
        for template, _meta in POSITIVE:
            text, spans = fill(template)
            items.append({"text": text, "spans": spans})
    for _ in range(4):
        for text in NEGATIVE:
            items.append({"text": text, "spans": []})
        # an identity number with a wrong check character is not one
        text = f"材料中填写的号码{id_number(valid=False)}校验不通过，请核对。"
        items.append({"text": text, "spans": []})
    return items + hard_items()


if __name__ == "__main__":
    out = Path(__file__).with_name("privacy_labelled.json")
    out.write_text(json.dumps(build(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(out)
