"""The pages of funds: in Chinese for every reader, a chart beside its table, the
import page refusing a bad file in Chinese with nothing changed, the statement page."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sunshine.core.actors import SYSTEM
from sunshine.core.tests.zh_text import offences, page_read
from sunshine.funds import services
from sunshine.funds.models import Disbursement
from sunshine.funds.tests.conftest import evidence
from sunshine.orgs.models import Role

pytestmark = pytest.mark.django_db


def _filled(world):
    services.disbursement_record(
        actor=world.finance, allocation=world.a, paid_on=date(2026, 1, 20), amount_fen=1_000_000, voucher="A1"
    )
    services.progress_certify(
        actor=world.certifier,
        allocation=world.project,
        progress_bp=5000,
        certified_on=date(2026, 3, 1),
        evidence=evidence(),
    )
    services.lag_sweep(actor=SYSTEM, on=date(2026, 11, 10))
    return world


def test_pages_read_in_chinese(world):
    _filled(world)
    d = world.d
    pages = {
        None: [reverse("funds:school-list"), reverse("funds:school", args=[d.school.code])],
        Role.FEE_REVIEWER: [
            reverse("funds:workbench"),
            reverse("funds:fund", args=[world.fund.pk]),
            reverse("funds:fund", args=[world.project_fund.pk]),
            reverse("funds:allocation", args=[world.a.pk]),
            reverse("funds:allocation", args=[world.project.pk]),
            reverse("funds:import", args=[world.fund.pk]),
            reverse("funds:fund-create"),
            reverse("funds:statement") + "?as_of=2026-11-10",
        ],
        Role.DEPARTMENT_STAFF: [reverse("funds:allocation", args=[world.project.pk])],
        Role.SCHOOL_CLERK: [reverse("funds:workbench")],
    }
    for who, urls in pages.items():
        client = d.client(who) if who else d.client("anonymous")
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            page = page_read(response.content.decode())
            found = offences(" ".join(page.text), " ".join(page.literal))
            assert not found, f"{url} as {who}: {found}"


def test_chart_beside_a_table(world):
    _filled(world)
    response = world.d.client("anonymous").get(reverse("funds:school", args=[world.d.school.code]))
    html = response.content.decode()
    assert "<svg" in html and 'role="img"' in html and "<table" in html
    assert "生均公用经费" in html


def test_bad_import_says_why_and_changes_nothing(world):
    client = world.d.client(Role.FEE_REVIEWER)
    body = "学校代码,凭证号,拨付日期,金额(元)\nNOPE,X1,2026-02-15,100\n"
    response = client.post(
        reverse("funds:import", args=[world.fund.pk]),
        {
            "file": SimpleUploadedFile("拨付.csv", body.encode(), content_type="text/csv"),
            "school": "学校代码",
            "voucher": "凭证号",
            "paid_on": "拨付日期",
            "amount": "金额(元)",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "第2行" in text and "未导入任何记录" in text
    assert not Disbursement.objects.exists()


def test_statement_page_and_command(world, capsys):
    from django.core.management import call_command

    _filled(world)
    client = world.d.client(Role.FEE_REVIEWER)
    response = client.get(reverse("funds:statement") + "?as_of=2026-11-10")
    assert "截止11月10日,已下拨生均公用经费1万元" in response.content.decode()
    from django.utils import translation

    with translation.override("zh-hans"):
        call_command("funds_statement", "--as-of", "2026-11-10", "--bureau", world.d.bureau.code)
    assert capsys.readouterr().out.startswith("截止11月10日,已下拨生均公用经费1万元")


def test_api_gives_a_school_its_allocations_and_arrivals(world):
    _filled(world)
    client = world.d.client("anonymous")
    response = client.get(f"/funds/api/schools/{world.d.school.code}?as_of=2026-11-10")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == world.d.school.code
    fund = next(a for a in body["allocations"] if a["fund"] == "生均公用经费")
    assert fund["amount_fen"] == 12_000_000 and fund["paid_fen"] == 1_000_000
    assert fund["arrivals"] == [{"paid_on": "2026-01-20", "amount_fen": 1_000_000}]
    assert round(fund["lag_pp"], 2) == 75.0
    assert client.get("/funds/api/schools/NOPE").status_code == 404


def test_school_page_published_in_the_disclosure_catalogue(world):
    from sunshine.core.seams import disclosure_entry_publish

    _filled(world)
    client = world.d.client(Role.FEE_REVIEWER)
    assert disclosure_entry_publish.installed
    response = client.post(reverse("funds:school-publish", args=[world.d.school.pk]))
    assert response.status_code == 302
    from django.apps import apps

    entry = apps.get_model("disclosure", "Document").objects.get(source_label__startswith="funds.school:")
    assert entry.category.code == "finances" and "生均公用经费" in entry.body
    again = client.post(reverse("funds:school-publish", args=[world.d.school.pk]))
    assert again.status_code == 302
    assert (
        apps.get_model("disclosure", "Document").objects.filter(source_label__startswith="funds.school:").count() == 1
    )


def test_home_page_links_to_the_schools_money(world):
    response = world.d.client("anonymous").get("/")
    assert reverse("funds:school-list") in response.content.decode()
