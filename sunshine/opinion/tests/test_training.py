"""``manage.py opinion_train`` end to end on a small stand-in for the shared data: the
weights it writes load at run time (numpy, no pickle) and the report has its figures."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sunshine.opinion.classify import load_model
from sunshine.opinion.training import data, train

HEAD = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情"]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def test_training_writes_a_model_the_classifier_loads(tmp_path, monkeypatch):
    # a share of the written posts and few template posts keep the test quick
    written = tmp_path / "written.jsonl"
    written.write_text("".join(train.WRITTEN_POSTS.read_text(encoding="utf-8").splitlines(True)[::8]), encoding="utf-8")
    monkeypatch.setattr(train, "WRITTEN_POSTS", written)
    monkeypatch.setattr(train, "TEMPLATES_PER_CELL", 2)
    raw = tmp_path / "raw"
    raw.mkdir()
    _write(
        raw / data.SAMPLE,
        [*HEAD, "一级标签"],
        [
            ["1", "u", "实验小学乱收资料费", "2019-01-01", "学校向每个学生收取资料费300元", "教育文体"],
            ["2", "u", "小区路灯坏了", "2019-01-01", "路灯坏了一个月没人修", "城乡建设"],
            ["3", "u", "全民健身中心何时开放", "2019-01-01", "体育馆建好一年了", "教育文体"],
        ],
    )
    _write(
        raw / data.HOTSPOT, [*HEAD, "反对数", "点赞数"], [["9", "u", "公交太少", "2019-01-01", "班次太少", "0", "1"]]
    )
    _write(
        raw / data.REPLIES,
        [*HEAD, "答复意见", "答复时间"],
        [["8", "u", "噪音扰民", "2019-01-01", "工地夜间施工", "", ""]],
    )
    # posts reviewed on the platform (opinion_export_reviewed's format) join with --extra
    reviewed = tmp_path / "reviewed.jsonl"
    reviewed.write_text(
        "".join(
            json.dumps({"title": "", "text": f"第{i}小学食堂的饭菜{i}天没换过", "education": 1, "topic": "food",
                        "stance": "complaint"}, ensure_ascii=False) + "\n"
            for i in range(20)
        ),
        encoding="utf-8",
    )  # fmt: skip
    out, report = tmp_path / "model", tmp_path / "report.md"
    call_command(
        "opinion_train", "--data", str(raw), "--out", str(out), "--report", str(report), "--extra", str(reviewed)
    )

    model = load_model(out)
    assert model["meta"]["trained_on"]["rows"]["written"] > 0
    assert model["meta"]["trained_on"]["rows"]["reviewed"] == 20
    assert model["weights"].shape[1] == 1 + len(model["meta"]["topics"]) + len(model["meta"]["stances"])
    text = report.read_text(encoding="utf-8")
    assert "education — held-out written posts" in text and "cross-domain" in text
    assert "reviewed on this platform" in text
    # the board's own label says "not education" outright; 教育文体 mixes education with
    # sports and culture, so those rows count only with a reviewed label
    rows = data.load(raw)
    assert [m.labels.get("education") for m in rows if m.official] == [None, "0", None]


def test_training_refuses_a_folder_without_the_files(tmp_path):
    with pytest.raises(CommandError, match="Missing"):
        call_command("opinion_train", "--data", str(tmp_path), "--out", str(tmp_path / "m"))
    assert not (tmp_path / "m").exists()
