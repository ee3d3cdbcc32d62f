"""The shipped classifiers (numpy only) and the batch command."""

from __future__ import annotations

import json

from django.core.management import call_command

from sunshine.opinion.classify import MODEL_DIR, classify


def test_shipped_model_is_numpy_without_pickle():
    import numpy as np

    with np.load(MODEL_DIR / "weights.npz", allow_pickle=False) as data:
        assert {"education_w", "topic_w", "stance_w"} <= set(data.files)


def test_three_judgements_with_confidence():
    food = classify("", "示范区第一中学食堂饭菜有异物，孩子吃了肚子疼，请教育局调查")
    assert food.education == 1 and food.topic == "food" and 0.5 <= food.education_confidence <= 1
    burden = classify("示范区第二中学周末强制补课还收费", "初三每个周六补课，每人收600元")
    assert burden.education == 1 and burden.topic in {"burden", "fees"} and burden.stance == "complaint"
    lamp = classify("城南路口的路灯坏了一个月", "晚上走路很不安全")
    assert lamp.education == 0 and lamp.topic == ""
    ask = classify("请问明年小学一年级什么时候报名？", "想咨询招生报名时间")
    assert ask.topic == "enrollment" and ask.stance == "request"
    praise = classify("为实验小学的李老师点赞", "老师陪发烧的孩子去医院，值得表扬")
    assert praise.stance == "praise"


def test_posts_in_plain_words():
    """Posts unlike the message-board letters most training data comes from: short, no
    title, the topic's usual word missing. None of these sentences is in the training data."""
    cases = [
        ("小升初划片到底怎么划的", 1, "enrollment", "request"),
        ("放学时校门口电动车乱窜，太危险了", 1, "safety", "complaint"),
        ("教室里没有空调，孩子热得中暑", 1, "facilities", "complaint"),
        ("乡村老师的工资三个月没发了", 1, "staff", "complaint"),
        ("开学又要交一千二，说是自愿的", 1, "fees", "complaint"),
        ("儿童医院排队三个小时", 0, "", "complaint"),
        ("地铁五号线什么时候开通？", 0, "", "request"),
        ("为环卫工人点赞", 0, "", "praise"),
    ]
    for text, education, topic, stance in cases:
        judged = classify("", text)
        assert (judged.education, judged.topic, judged.stance) == (education, topic, stance), text


def test_concept_words_are_found_inside_longer_words():
    from sunshine.opinion.features import concepts

    assert concepts("老师搞有偿补课费") >= {"misconduct", "load", "fee", "school"}
    assert concepts("小区物业乱收停车费") >= {"civic", "grievance"}
    assert "food" not in concepts("小区物业乱收停车费")
    assert concepts("") == set()


def test_opinion_classify_command(tmp_path):
    source = tmp_path / "in.jsonl"
    rows = [
        {"id": 1, "title": "城南路灯坏了", "text": "路灯坏了一个月"},
        {"id": "b", "title": "示范区第一中学乱收费", "text": "收资料费300元不给收据"},
    ]
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\nnot json\n", encoding="utf-8")
    target = tmp_path / "out.jsonl"
    call_command("opinion_classify", str(source), str(target))
    out = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [o["id"] for o in out] == [1, "b"]
    assert out[0]["education"] == 0 and out[0]["topic"] == ""
    assert out[1]["education"] == 1 and out[1]["topic"] == "fees"
    assert all({"stance", "confidence"} <= set(o) and 0 <= o["confidence"] <= 1 for o in out)
