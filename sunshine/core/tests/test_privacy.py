"""The personal-data guard (core.privacy): each detector with true and false cases, the
masks, the gate's message, and the labelled set's floor. The rules it serves: PET-9 (nothing
identifying a filer is published), DIS-2 and ENR-3 (hiring and recruitment results carry
names and masked identity numbers only), ENR-4 and ENR-1 (admission results and lottery data
name no child), FOI-4 (personal privacy is withheld)."""

from __future__ import annotations

import pytest
from django.utils import translation

from bench.privacy import evaluate, labelled
from sunshine.core.privacy import (
    ADDRESS,
    BANK_CARD,
    ID_CARD,
    LANDLINE,
    MINOR_NAME,
    MOBILE,
    STUDENT_NUMBER,
    PersonalDataFound,
    audit_summary,
    guard_publication,
    html_text,
    id_check_char,
    id_number_valid,
    mask_id_number,
    redact,
    scan,
)


def an_id(body: str = "33010620150307123") -> str:
    return body + id_check_char(body)


def kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in scan(text)]


def test_identity_numbers_need_prefix_birth_date_and_check_character() -> None:
    good = an_id()
    assert id_number_valid(good) and kinds(f"身份证号{good}。") == [(ID_CARD, good)]
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    assert not id_number_valid(wrong_check) and kinds(f"号码{wrong_check}") == []
    assert not id_number_valid(an_id("99010620150307123"))  # no province 99
    assert not id_number_valid(an_id("33010620150230123"))  # 30 February
    assert not id_number_valid(an_id("33010621990307123"))  # born in the future
    assert id_number_valid("330106850307123") and kinds("旧证330106850307123") == [(ID_CARD, "330106850307123")]
    assert kinds("编号330106850307123") == []  # a 15-digit reference after 编号
    assert kinds(f"x{good}1") == [] and kinds(f"A{good}") == []  # part of a longer code
    assert mask_id_number(good) == good[:6] + "********" + good[-4:]


def test_mobiles_with_boundaries() -> None:
    assert kinds("电话13812345678。") == [(MOBILE, "13812345678")]
    assert kinds("手机：+86 139 1234 5678") == [(MOBILE, "+86 139 1234 5678")]
    assert kinds("手机138-1234-5678") == [(MOBILE, "138-1234-5678")]
    for text in (
        "案件编号13812345678已办结",
        "拨款138123456789元",
        "金额13812345678.50元",
        "12812345678",
        "XF13812345678",
        "流水号20261205138123456789",
        "编号:13912345678",
    ):
        assert kinds(text) == [], text


def test_landlines_personal_but_not_an_offices_hotline() -> None:
    assert kinds("家庭电话0571-87654321") == [(LANDLINE, "0571-87654321")]
    assert kinds("请回电01088886666。") == [(LANDLINE, "01088886666")]
    assert kinds("反映人住址为翠苑一区3幢101室，电话0571-87650000。")[1] == (LANDLINE, "0571-87650000")
    assert kinds("宅电（021）62345678") == [(LANDLINE, "（021）62345678")]
    for text in (
        "举报电话：0571-88889999",
        "咨询电话0571-87001234",
        "教育局电话：0734-7399892。",
        "请拨打0746-6236957咨询。",
        "杭教〔2026〕12号",
        "2026-12-05",
        "01234567",
        "0151-1234567",  # no such area code
        "学生资助中心热线0571-86001122",
        "如有疑问，联系电话0735-5776136。",
    ):
        assert kinds(text) == [], text


def test_student_numbers_national_format() -> None:
    card = an_id("37010220140512345")
    assert kinds(f"学籍号G{card}") == [(STUDENT_NUMBER, f"G{card}")]
    assert kinds(f"学籍号J{card}")[0][0] == STUDENT_NUMBER
    assert kinds("临时学籍号L370102201405121234")[0][0] == STUDENT_NUMBER  # four random digits
    assert kinds(f"学籍号G{card[:17]}{'1' if card[17] != '1' else '2'}") == []  # G + a wrong check
    assert scan(f"G{card}")[0].masked == "G" + mask_id_number(card)


def test_bank_cards_pass_luhn_and_are_not_identity_numbers() -> None:
    assert kinds("卡号6222021234567890128") == [(BANK_CARD, "6222021234567890128")]
    assert kinds("卡号6222 0212 3456 7890 128")[0][0] == BANK_CARD
    assert kinds("卡号6222021234567890123") == []  # Luhn fails
    assert kinds("流水号2026120513812345678") == []  # a reference, not starting like a card
    assert kinds("统一社会信用代码12330106470012345Y") == []
    assert scan("卡号6222021234567890128")[0].masked == "6222***********0128"


def test_addresses_home_but_not_an_office_or_a_school() -> None:
    assert kinds("家住杭州市西湖区文三路88号3幢2单元301室。") == [(ADDRESS, "杭州市西湖区文三路88号3幢2单元301室")]
    assert kinds("现住翠苑一区17幢1单元371室")[0][0] == ADDRESS
    assert kinds("住址：朝阳区建设大街12号") == [(ADDRESS, "朝阳区建设大街12号")]
    assert kinds("现住址：历下区和平里小区12号楼3单元502室。") == [(ADDRESS, "历下区和平里小区12号楼3单元502室")]
    for text in (
        "局机关地址：杭州市西湖区文三路88号，邮编310012。",
        "解放路小学、文三路中学列入试点。",
        "根据杭教〔2026〕12号文件",
        "中山北路第二小学新校区",
    ):
        assert kinds(text) == [], text


def test_minor_names_near_a_marker_and_never_an_adult_role() -> None:
    assert kinds("学生张小明因病休学。") == [(MINOR_NAME, "张小明")]
    assert kinds("三年级（2）班李思思同学获奖") == [(MINOR_NAME, "李思思")]
    assert kinds("表扬了陈小明同学") == [(MINOR_NAME, "陈小明")]
    assert kinds("我女儿王芳在三年级读书") == [(MINOR_NAME, "王芳")]
    assert kinds("孩子：欧阳子涵")[0][1] == "欧阳子涵"
    for text in (
        "学生张老师",
        "张老师、王校长和李主任出席了家长会。",
        "学生会、学生处、学生安全教育",
        "学生和家长可登录平台查询",
        "学生人数为1356人",
        "学生管理工作会议",
        "同学们积极参加活动",
        "小朋友们在操场上做游戏",
        "考生夏某红",
        "学生平均成绩",
        "学生都进行了体检",
    ):
        assert kinds(text) == [], text
    assert scan("学生张小明")[0].masked == "张**"
    assert [t for _k, t in kinds("初二（5）班的周子轩、吴梓涵两名同学")] == ["周子轩", "吴梓涵"]  # a list
    assert [t for _k, t in kinds("获奖名单：李沐阳（三年级）")] == ["李沐阳"]
    assert [t for _k, t in kinds("涉事学生为刘子豪，其家长已到校")] == ["刘子豪"]


def test_redact_masks_and_keeps_the_rest() -> None:
    card = an_id()
    text = f"学生张小明，身份证号{card}，电话13812345678。"
    assert redact(text) == f"学生张**，身份证号{mask_id_number(card)}，电话138****5678。"
    assert scan(redact(text)) == []


def test_html_text_reads_paragraphs() -> None:
    assert html_text("<p>学生张小明</p><p>13812345678</p>") == "学生张小明\n13812345678\n"


def test_the_gate_names_kinds_places_and_masks_never_the_number() -> None:
    card = an_id()
    with translation.override("zh-hans"), pytest.raises(PersonalDataFound) as raised:
        guard_publication(("正文", f"学生张小明的身份证号是{card}"), "无个人信息")
    message = raised.value.messages[0]
    assert card not in message and "张小明" not in message
    assert mask_id_number(card) in message and "张**" in message and "身份证号码" in message and "正文" in message
    assert raised.value.kinds == [ID_CARD, MINOR_NAME]
    assert audit_summary(raised.value.findings) == {MINOR_NAME: 1, ID_CARD: 1}
    assert card not in repr(raised.value.findings)
    guard_publication("举报电话：0571-88889999")  # passes
    guard_publication(f"拟聘人员：张明，{mask_id_number(card)}")  # a masked number passes
    guard_publication("学生张小明", allow=[MINOR_NAME])  # what the caller allows passes


def test_labelled_set_floor() -> None:
    """Measured on sunshine/core/tests/data/privacy_labelled.json (bench/privacy.py prints
    the figures): recall at least 0.95 for identity numbers, phones and bank cards, and
    at least 0.9 overall with precision at least 0.9."""
    items = labelled()
    assert len(items) >= 400
    figures = evaluate(items)
    for kind in (ID_CARD, MOBILE, LANDLINE, BANK_CARD, STUDENT_NUMBER):
        assert figures[kind]["recall"] >= 0.95, kind
    assert figures["all"]["recall"] >= 0.9 and figures["all"]["precision"] >= 0.9


@pytest.mark.django_db
def test_a_json_document_is_read_by_its_keys_and_values_before_it_is_published() -> None:
    """core.issued's gate reads a JSON file through core.documents.json_text: a name or an
    identity number inside a value blocks it; a hashed entry id of 16 digits (which would
    read as a bank card) and hex digests do not."""
    import hashlib
    import json

    from sunshine.core.issued import publication_guard

    data = {"entries": [{"id": "4111111111111111", "hash": hashlib.sha256(b"e").hexdigest()}], "name": "抽签数据"}
    assert publication_guard(json.dumps(data).encode(), "application/json", title="抽签数据") == []
    data["entries"][0]["note"] = f"学生张小明 {an_id()}"
    with pytest.raises(PersonalDataFound) as raised:
        publication_guard(json.dumps(data).encode(), "application/json", title="抽签数据")
    assert raised.value.kinds == [ID_CARD, MINOR_NAME]
