"""Funds' rules: FND-1 lag and alerts, FND-2 certified progress, FND-3 transfer clock,
all-or-nothing imports, the statement and its document."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from openpyxl import Workbook

from sunshine.core.actors import SYSTEM
from sunshine.core.models import Supervision
from sunshine.core.seams import RectificationRequest, rectification_request
from sunshine.core.supervision import supervision_list_of
from sunshine.funds import services
from sunshine.funds.lag import lag_of, schedule_bp
from sunshine.funds.models import Disbursement, Fund, ImportMapping, LagAlert
from sunshine.funds.statement import statement_issue, statement_sentence, wan
from sunshine.funds.tests.conftest import evidence
from sunshine.orgs.models import Role

pytestmark = pytest.mark.django_db


def test_schedule_by_month_day_and_curve():
    assert schedule_bp(mode=Fund.Mode.MONTHLY, year=2026, on=date(2026, 11, 10)) == 8333
    assert schedule_bp(mode=Fund.Mode.MONTHLY, year=2026, on=date(2026, 11, 30)) == 9166
    assert schedule_bp(mode=Fund.Mode.DAILY, year=2026, on=date(2026, 11, 10)) == 314 * 10000 // 365
    curve = [100 * i for i in range(1, 13)]
    assert schedule_bp(mode=Fund.Mode.CURVE, year=2026, on=date(2026, 3, 5), curve=curve) == 200
    assert schedule_bp(mode=Fund.Mode.MONTHLY, year=2026, on=date(2027, 1, 1)) == 10000


def test_never_more_than_the_allocation(world):
    services.disbursement_record(
        actor=world.finance, allocation=world.a, paid_on=date(2026, 1, 20), amount_fen=11_000_000, voucher="V1"
    )
    with pytest.raises(ValidationError):
        services.disbursement_record(
            actor=world.finance, allocation=world.a, paid_on=date(2026, 2, 20), amount_fen=1_000_001, voucher="V2"
        )
    with pytest.raises(ValidationError):
        services.disbursement_record(
            actor=world.finance, allocation=world.b, paid_on=date(2026, 2, 20), amount_fen=100, voucher="V1"
        )
    assert Disbursement.objects.count() == 1


def test_only_finance_pays_and_only_the_certifier_certifies(world):
    with pytest.raises(PermissionDenied):
        services.disbursement_record(
            actor=world.d.user(Role.SCHOOL_CLERK),
            allocation=world.a,
            paid_on=date(2026, 1, 20),
            amount_fen=1,
            voucher="X",
        )
    with pytest.raises(PermissionDenied):
        services.progress_certify(
            actor=world.finance,
            allocation=world.project,
            progress_bp=5000,
            certified_on=date(2026, 3, 1),
            evidence=evidence(),
        )


def test_project_held_at_certified_progress(world):
    with pytest.raises(ValidationError):
        services.disbursement_record(
            actor=world.finance, allocation=world.project, paid_on=date(2026, 3, 1), amount_fen=1, voucher="P0"
        )
    services.progress_certify(
        actor=world.certifier,
        allocation=world.project,
        progress_bp=3750,
        certified_on=date(2026, 3, 1),
        evidence=evidence(),
    )
    services.disbursement_record(
        actor=world.finance, allocation=world.project, paid_on=date(2026, 3, 2), amount_fen=37_500_000, voucher="P1"
    )
    with pytest.raises(ValidationError):
        services.disbursement_record(
            actor=world.finance, allocation=world.project, paid_on=date(2026, 3, 3), amount_fen=1, voucher="P2"
        )
    with pytest.raises(ValidationError):  # progress never goes back
        services.progress_certify(
            actor=world.certifier,
            allocation=world.project,
            progress_bp=1000,
            certified_on=date(2026, 3, 4),
            evidence=evidence(),
        )
    lag = lag_of(world.project, date(2026, 3, 5))
    assert (lag.schedule_bp, lag.actual_bp) == (3750, 3750)


def test_transfer_clock_runs_until_the_first_money(world):
    live = supervision_list_of(world.a).get()
    assert live.rule_id == "FND-3-general" and live.status == Supervision.Status.OPEN
    assert world.a.transfer_due == date(2026, 2, 4)
    assert supervision_list_of(world.project).get().rule_id == "FND-3-special"
    services.disbursement_record(
        actor=world.finance, allocation=world.a, paid_on=date(2026, 1, 20), amount_fen=1_000_000, voucher="V1"
    )
    assert supervision_list_of(world.a).get().status == Supervision.Status.CLOSED


def _csv(lines: list[str], name: str = "拨付.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode(), content_type="text/csv")


def test_import_all_or_nothing_with_row_numbers(world):
    services.disbursement_record(
        actor=world.finance, allocation=world.a, paid_on=date(2026, 1, 20), amount_fen=100, voucher="OLD"
    )
    bad = _csv(
        [
            "学校代码,凭证号,拨付日期,金额(元)",
            f"{world.d.school.code},N1,2026-02-15,1000",
            f"{world.d.school.code},OLD,2026-02-15,1000",
            "NOPE,N3,2026-02-15,1000",
            f"{world.d.other_school.code},N1,2026-13-01,abc",
        ]
    )
    with pytest.raises(ValidationError) as exc:
        services.disbursements_import(actor=world.finance, fund=world.fund, file=bad)
    text = " ".join(exc.value.messages)
    assert "Row 4" in text and "Row 5" in text and "repeats row 2" in text
    assert Disbursement.objects.count() == 1
    over = _csv(["学校代码,凭证号,拨付日期,金额(元)", f"{world.d.school.code},N1,2026-02-15,120000"])
    with pytest.raises(ValidationError) as exc:
        services.disbursements_import(actor=world.finance, fund=world.fund, file=over)
    assert "Row 2" in " ".join(exc.value.messages)
    dup = _csv(["学校代码,凭证号,拨付日期,金额(元)", f"{world.d.school.code},OLD,2026-02-15,1"])
    with pytest.raises(ValidationError) as exc:
        services.disbursements_import(actor=world.finance, fund=world.fund, file=dup)
    assert "already recorded" in " ".join(exc.value.messages)
    assert Disbursement.objects.count() == 1


def test_import_xlsx_with_remembered_mapping(world):
    book = Workbook()
    sheet = book.active
    sheet.append(["单位", "凭证", "日期", "金额"])
    sheet.append([world.d.school.name, "X1", date(2026, 2, 15), 1234.5])
    sheet.append([world.d.other_school.code, "X2", "2026/03/15", "2,000"])
    out = io.BytesIO()
    book.save(out)
    columns = {"school": "单位", "voucher": "凭证", "paid_on": "日期", "amount": "金额"}
    batch = services.disbursements_import(
        actor=world.finance, fund=world.fund, file=SimpleUploadedFile("拨付.xlsx", out.getvalue()), columns=columns
    )
    assert batch.rows == 2 and batch.total_fen == 123_450 + 200_000
    assert ImportMapping.objects.get(fund=world.fund).columns["school"] == "单位"
    assert services.mapping_for(world.fund)["voucher"] == "凭证"
    assert supervision_list_of(world.a).get().status == Supervision.Status.CLOSED


def test_lag_alert_and_rectification(world):
    # School A: 30 % by 10 November (schedule 83.3 %); school B on schedule.
    services.disbursement_record(
        actor=world.finance, allocation=world.a, paid_on=date(2026, 1, 20), amount_fen=3_600_000, voucher="A1"
    )
    services.disbursement_record(
        actor=world.finance, allocation=world.b, paid_on=date(2026, 1, 20), amount_fen=10_000_000, voucher="B1"
    )
    lag = lag_of(world.a, date(2026, 11, 10))
    assert (lag.schedule_bp, lag.actual_bp, round(lag.lag_pp, 2)) == (8333, 3000, 53.33)
    with pytest.raises(PermissionDenied):
        services.lag_sweep(actor=world.finance, on=date(2026, 11, 10))
    raised = services.lag_sweep(actor=SYSTEM, on=date(2026, 11, 10))
    assert [a.allocation_id for a in raised] == [world.a.pk]
    assert services.lag_sweep(actor=SYSTEM, on=date(2026, 11, 11)) == []  # one open alert per allocation
    heard: list[RectificationRequest] = []
    with rectification_request.subscribed(lambda payload, *, actor: heard.append(payload)):
        with pytest.raises(PermissionDenied):
            services.rectification_order(actor=world.d.user(Role.SCHOOL_CLERK), alert=raised[0])
        assert services.rectification_order(actor=world.finance, alert=raised[0]) >= 1  # with oversight, 2
    (request,) = heard
    assert request.organization_id == world.d.school.pk and request.issuer_id == world.d.bureau.pk
    assert request.source_label == f"funds.lagalert:{raised[0].pk}"
    assert "53.3" in request.items[0].text
    with pytest.raises(ValidationError):
        services.rectification_order(actor=world.finance, alert=raised[0])
    services.disbursement_record(
        actor=world.finance, allocation=world.a, paid_on=date(2026, 11, 12), amount_fen=7_000_000, voucher="A2"
    )
    services.lag_sweep(actor=SYSTEM, on=date(2026, 11, 12))
    assert LagAlert.objects.get().cleared_on == date(2026, 11, 12)


def test_statement_sentence_and_document(world):
    from django.utils import translation

    services.disbursement_record(
        actor=world.finance, allocation=world.a, paid_on=date(2026, 1, 20), amount_fen=9_910_000, voucher="A1"
    )
    services.progress_certify(
        actor=world.certifier,
        allocation=world.project,
        progress_bp=10000,
        certified_on=date(2026, 1, 25),
        evidence=evidence(),
    )
    services.disbursement_record(
        actor=world.finance, allocation=world.project, paid_on=date(2026, 2, 1), amount_fen=100_000_000, voucher="P1"
    )
    assert wan(1_982_000_000) == "1982" and wan(384_200) == "0.38" and wan(606_700_0) == "6.07"
    with translation.override("zh-hans"):
        # School B's transfer was due on 4 February and nothing arrived: not on time.
        late = statement_sentence(world.d.bureau, date(2026, 11, 10))
        assert late.startswith("截止11月10日,已下拨生均公用经费9.91万元,校安工程资金100万元")
        assert "生均公用经费未按规定时间及时到位" in late
        services.disbursement_record(
            actor=world.finance, allocation=world.b, paid_on=date(2026, 2, 3), amount_fen=90_000, voucher="B1"
        )
        sentence = statement_sentence(world.d.bureau, date(2026, 11, 10))
        assert sentence == "截止11月10日,已下拨生均公用经费10万元,校安工程资金100万元,全部按规定时间及时到位"
        document = statement_issue(actor=world.finance, bureau=world.d.bureau, as_of=date(2026, 11, 10))
    with document.file.file.open("rb") as fh:
        text = "\n".join(p.text for p in Document(io.BytesIO(fh.read())).paragraphs)
    assert sentence in text
    assert document.number.startswith(world.d.bureau.short_name)


def test_statement_published_in_the_bureau_catalogue(world):
    from django.apps import apps

    services.disbursement_record(
        actor=world.finance, allocation=world.a, paid_on=date(2026, 1, 20), amount_fen=1_000_000, voucher="A1"
    )
    document = statement_issue(actor=world.finance, bureau=world.d.bureau, as_of=date(2026, 11, 10), publish=True)
    assert document.published
    entry = apps.get_model("disclosure", "Document").objects.get(source_label__startswith="funds.statement:")
    assert entry.category.code == "budgets" and "1 ten-thousand yuan" in entry.body
    with pytest.raises(PermissionDenied):
        statement_issue(actor=world.d.user(Role.SCHOOL_CLERK), bureau=world.d.bureau, as_of=date(2026, 11, 10))
