"""The family's and the office's pages end to end: apply on the web, the receipt shown
once, the look-up by receipt code, the lottery page with the entry check, the bundle
and the verifier downloaded and run; every page in Chinese."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from sunshine.core.testing import District
from sunshine.core.tests.zh_text import offences, page_read
from sunshine.enrollment import lottery
from sunshine.enrollment.models import Application
from sunshine.enrollment.tests import factories as f
from sunshine.orgs.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def d() -> District:
    return District()


def _chinese(html: str) -> None:
    page = page_read(html)
    text = " ".join(page.text)
    found = offences(text, " ".join(page.literal))
    assert not found, (found, text[-600:])


def test_apply_receipt_status_and_lottery_check_on_the_web(d: District, tmp_path: Path) -> None:
    season = f.opened(d)
    client = Client()
    url = reverse("enrollment:apply", args=[season.pk])
    _chinese(client.get(url).content.decode())
    data = {
        "child_name": "王小明",
        "child_id_number": "110101201501011234",
        "guardian_name": "王先生",
        "guardian_phone": "13800000000",
        "residence": "户籍在本区",
        "choice1": "M1",
        "choice2": "M1",
    }
    refused = client.post(url, data)
    assert refused.status_code == 400 and Application.objects.count() == 0
    _chinese(refused.content.decode())
    data["choice2"] = "M2"
    done = client.post(url, data, follow=True)
    html = done.content.decode()
    _chinese(html)
    code = re.search(r"(\d{4} \d{4} \d{4} \d{4})", html).group(1).replace(" ", "")  # type: ignore[union-attr]
    assert Application.objects.count() == 1
    assert "王小明" not in html
    again = client.get(reverse("enrollment:apply-done"))
    assert again.status_code == 302  # shown once

    status = client.post(reverse("enrollment:status"), {"code": code})
    assert status.status_code == 200 and "已提交" in status.content.decode()
    _chinese(status.content.decode())

    application = Application.objects.get()
    staff = d.client(Role.DEPARTMENT_STAFF)
    page = staff.get(reverse("enrollment:application-staff", args=[application.pk]))
    assert "王小明" in page.content.decode()  # need to know: the office reads the identity
    _chinese(page.content.decode())
    staff.post(reverse("enrollment:application-staff", args=[application.pk]), {"decision": "accept"})
    for n in range(4):
        other, _code = f.apply(d, n, ["M1", "M2"])
        staff.post(reverse("enrollment:application-staff", args=[other.pk]), {"decision": "accept"})
    season_url = reverse("enrollment:season-staff", args=[season.pk])
    staff.post(season_url, {"action": "close"})
    staff.post(season_url, {"action": "freeze", "draw_on": "2027-05-20", "sources": "福利彩票开奖号码\n家长代表掷骰"})
    staff.post(season_url, {"action": "draw", "values": "03 11 17\n4 6"})
    _chinese(staff.get(season_url).content.decode())
    staff.post(season_url, {"action": "publish-lottery"})
    _chinese(staff.get(reverse("enrollment:workbench")).content.decode())

    draw = season.lottery
    lottery_url = reverse("enrollment:lottery", args=[draw.pk])
    _chinese(client.get(lottery_url).content.decode())
    mine = client.post(lottery_url, {"code": code})
    text = mine.content.decode()
    _chinese(text)
    assert lottery.entry_id_from_receipt(season.key, code) in text and "包含证明与公布的名单指纹一致" in text
    _chinese(client.get(reverse("enrollment:index")).content.decode())
    _chinese(client.get(reverse("enrollment:season", args=[season.pk])).content.decode())

    bundle = client.get(reverse("enrollment:lottery-bundle", args=[draw.pk]))
    verifier = client.get(reverse("enrollment:verifier"))
    assert bundle["Content-Disposition"].startswith("attachment")
    (tmp_path / "b.json").write_bytes(b"".join(bundle.streaming_content) if bundle.streaming else bundle.content)
    (tmp_path / "v.py").write_bytes(b"".join(verifier.streaming_content) if verifier.streaming else verifier.content)
    argv = [sys.executable, "-I", "-S", str(tmp_path / "v.py"), str(tmp_path / "b.json"), "--receipt", code]
    run = subprocess.run(argv, capture_output=True, text=True)  # noqa: S603
    assert run.returncode == 0, run.stdout
    assert json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))["entry_count"] == 5


def test_the_draw_result_stays_private_until_published(d: District) -> None:
    draw = f.drawn(d)
    client = Client()
    data = json.loads(client.get(reverse("enrollment:lottery-bundle", args=[draw.pk])).content)
    assert "result" not in data and "seed" not in data


def test_recruitment_pages_read_in_chinese_and_take_objections(d: District) -> None:
    published = f.proposed(d)
    from sunshine.enrollment.recruitment import recruitment_list_publish

    recruitment_list_publish(
        actor=f.manager(d), recruitment=published.recruitment, stage="proposed", rows_text=f.ROWS_V2
    )
    client = Client()
    url = reverse("enrollment:recruitment", args=[published.recruitment_id])
    page = client.get(url).content.decode()
    _chinese(page)
    assert "与上一版相比的变更" in page and "赵强" in page
    client.post(url, {"text": "请说明王芳未被聘用的原因。", "contact": "13900000000"})
    staff = d.client(Role.DEPARTMENT_STAFF)
    staff_page = staff.get(reverse("enrollment:recruitment-staff", args=[published.recruitment_id])).content.decode()
    _chinese(staff_page)
    assert "请说明王芳未被聘用的原因。" in staff_page
    assert "13900000000" not in client.get(url).content.decode()
    _chinese(client.get(reverse("enrollment:index")).content.decode())


def test_a_returned_application_is_corrected_on_the_web(d: District) -> None:
    application, code = f.apply(d, 7, ["M1"])
    from sunshine.enrollment import services

    services.application_review(actor=f.manager(d), application=application, decision="return", reason="缺少居住证明")
    client = Client()
    page = client.post(reverse("enrollment:status"), {"code": code})
    html = page.content.decode()
    _chinese(html)
    assert "缺少居住证明" in html and 'value="correct"' in html
    done = client.post(
        reverse("enrollment:status"), {"code": code, "action": "correct", "residence": "已补居住证", "choice1": "M2"}
    )
    assert done.status_code == 200
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED and application.choices == ["M2"]
    assert application.residence == "已补居住证"


def test_api_lists_seasons_and_lotteries(d: District) -> None:
    draw = f.published_lottery(d)
    client = Client()
    rows = client.get("/enrollment/api/lotteries").json()
    assert rows[0]["root"] == draw.root and rows[0]["seed"] == draw.seed
    assert rows[0]["bundle_url"].endswith(reverse("enrollment:lottery-bundle", args=[draw.pk]))
    seasons = client.get("/enrollment/api/seasons").json()
    assert {d["kind"] for d in seasons[0]["disclosures"]} == {"policy", "plan"}
