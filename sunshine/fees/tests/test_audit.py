"""The ledger import (all or nothing) and the audit engine: one hand-built ledger per
finding kind yields exactly that finding; a clean ledger yields none (property test);
re-running adds nothing (FEE-1, FEE-2, FEE-3, FEE-4, FEE-5)."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import polars as pl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from sunshine.core.clocks import SHANGHAI
from sunshine.core.models import StoredFile
from sunshine.fees.engine import audit_frames
from sunshine.fees.models import FeeDeclaration, Finding, LedgerMapping, LedgerRow, LedgerUpload
from sunshine.fees.services import fee_declaration_settle, ledger_audit, ledger_import

HEADER = "学号,姓名,收费项目,金额,收费日期,票据号"


def csv_file(lines: list[str], *, encoding: str = "utf-8", name: str = "ledger.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join([HEADER, *lines]) + "\n").encode(encoding), content_type="text/csv")


@pytest.fixture
def filed(world):
    """The primary school (compulsory) has meals, accommodation and uniform filed."""
    world.file(world.primary, "meals", 90000)
    world.file(world.primary, "accommodation", 40000)
    world.file(world.primary, "uniform", 25000)
    return world


CLEAN = [
    "S001,张三,伙食费,900.00,2026-09-01,R1",
    "S001,张三,住宿费,400,2026-09-01,R2",
    "S002,李四,午餐费,900,2026/9/2,R3",  # a synonym of 伙食费
    "S002,李四,校服费,250,2026年9月14日,R4",  # last day of the FEE-5-collection window
]


def audit(world, lines: list[str]) -> dict[str, list[Finding]]:
    ledger_import(school=world.primary, term=world.term, file=csv_file(CLEAN + lines), actor=world.clerk)
    ledger_audit(school=world.primary, term=world.term, actor=world.reviewer)
    found: dict[str, list[Finding]] = {}
    for finding in Finding.objects.filter(school=world.primary):
        found.setdefault(finding.kind, []).append(finding)
    return found


def test_clean_ledger_yields_nothing(filed):
    assert audit(filed, []) == {}
    assert LedgerRow.objects.count() == 4
    assert LedgerUpload.objects.get().total_fen == 90000 * 2 + 40000 + 25000


def test_item_not_filed(filed):
    found = audit(filed, ["S003,王五,考试费,80,2026-09-01,R9"])
    assert set(found) == {"not_filed"}
    assert found["not_filed"][0].amount_fen == 8000 and found["not_filed"][0].student_no == "S003"


def test_amount_above_standard(filed):
    found = audit(filed, ["S003,王五,伙食费,950,2026-09-01,R9"])
    assert set(found) == {"above_standard"}
    assert found["above_standard"][0].amount_fen == 5000


def test_fee3_prohibited_item_under_another_name(filed):
    """FEE-3: handouts charged as 讲义费 (a synonym) are found as prohibited."""
    found = audit(filed, ["S003,王五,讲义费,30,2026-09-01,R9"])
    assert set(found) == {"prohibited"}
    assert found["prohibited"][0].rule_id == "FEE-3" and found["prohibited"][0].item_code == "handouts"


def test_fee1_tuition_in_compulsory_education(filed):
    """FEE-1: tuition collected by a primary school."""
    found = audit(filed, ["S003,王五,学费,800,2026-09-01,R9"])
    assert set(found) == {"compulsory"}
    assert found["compulsory"][0].rule_id == "FEE-1"


@pytest.mark.parametrize("day", ["2026-11-05", "2026-08-20"])
def test_fee5_collected_outside_the_term_start_window(filed, day):
    """FEE-5: only in the window from registration (LOCAL 14 days); nothing mid-term."""
    found = audit(filed, [f"S003,王五,伙食费,900,{day},R9"])
    assert set(found) == {"outside_window"}
    assert found["outside_window"][0].amount_fen == 90000


def test_duplicate_charge_to_one_student(filed):
    found = audit(filed, ["S001,张三,伙食费,900,2026-09-03,R9"])
    assert set(found) == {"duplicate"}
    assert found["duplicate"][0].amount_fen == 90000 and found["duplicate"][0].student_no == "S001"


def test_fee2_service_fee_bundled_with_accommodation(filed):
    """FEE-2: meals on the same receipt as the accommodation fee."""
    found = audit(filed, ["S003,王五,住宿费,400,2026-09-01,R9", "S003,王五,伙食费,900,2026-09-01,R9"])
    assert set(found) == {"bundled"}
    assert found["bundled"][0].item_code == "meals" and found["bundled"][0].amount_fen == 90000


def test_fee2_service_fee_bundled_with_tuition(world):
    """FEE-2: a service or on-behalf fee is never bundled with tuition either (not only
    with accommodation): meals and the uniform on the tuition receipt are findings."""
    for code, fen in (("tuition", 80000), ("meals", 90000), ("uniform", 25000)):
        world.file(world.senior, code, fen)
    ledger_import(
        school=world.senior,
        term=world.term,
        file=csv_file(
            [
                "S001,张三,学费,800,2026-09-01,R1",
                "S001,张三,伙食费,900,2026-09-01,R1",
                "S001,张三,校服费,250,2026-09-01,R1",
                "S002,李四,学费,800,2026-09-01,R2",
                "S002,李四,伙食费,900,2026-09-01,R3",  # a receipt of its own: lawful
            ]
        ),
        actor=world.senior_clerk,
    )
    ledger_audit(school=world.senior, term=world.term, actor=world.reviewer)
    found = {(f.kind, f.student_no, f.item_code, f.rule_id) for f in Finding.objects.all()}
    assert found == {("bundled", "S001", "meals", "FEE-2"), ("bundled", "S001", "uniform", "FEE-2")}


def test_fee5_collected_before_it_was_filed(filed):
    """FEE-5: fees are declared and filed before collection: a filed item collected
    before the day it was filed is a finding (whole amount)."""
    FeeDeclaration.objects.filter(school=filed.primary, item__code="uniform").update(
        filed_at=datetime(2026, 9, 3, 10, tzinfo=SHANGHAI)
    )
    found = audit(filed, ["S003,王五,校服费,250,2026-09-02,R9", "S004,赵六,校服费,250,2026-09-03,R10"])
    assert set(found) == {"before_filing"}
    (finding,) = found["before_filing"]
    assert (finding.rule_id, finding.student_no, finding.amount_fen) == ("FEE-5", "S003", 25000)


def test_fee2_on_behalf_surplus_over_actual_cost(filed):
    """FEE-2: an on-behalf fee settled at 230 yuan but collected at 250."""
    uniform = filed.primary.fee_declarations.get(item__code="uniform")
    fee_declaration_settle(declaration=uniform, actor=filed.clerk, actual_cost_fen=23000)
    found = audit(filed, [])
    assert set(found) == {"surplus"}
    assert found["surplus"][0].amount_fen == 2000 and found["surplus"][0].student_no == "S002"


def test_audit_is_idempotent(filed):
    audit(filed, ["S003,王五,讲义费,30,2026-09-01,R9", "S004,赵六,考试费,80,2026-09-01,R10"])
    assert Finding.objects.count() == 2
    assert ledger_audit(school=filed.primary, term=filed.term, actor=filed.reviewer) == 0
    assert Finding.objects.count() == 2


# --- Import: all or nothing -----------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["S003,王五,伙食费,-5,2026-09-01,R9"], "Row 6"),
        (["S003,王五,伙食费,abc,2026-09-01,R9"], "Row 6"),
        (["S003,王五,伙食费,900,2026-13-45,R9"], "Row 6"),
        (["S003,王五,辅导班费,900,2026-09-01,R9"], "Row 6"),
        (["S003,王五,伙食费,900.123,2026-09-01,R9"], "Row 6"),
    ],
    ids=["negative", "non-numeric", "bad-date", "unknown-item", "fraction-of-fen"],
)
def test_bad_rows_import_nothing(filed, lines, expected, settings):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(ValidationError) as caught:
        ledger_import(school=filed.primary, term=filed.term, file=csv_file(CLEAN + lines), actor=filed.clerk)
    assert any(expected in m for m in caught.value.messages)
    assert not LedgerRow.objects.exists() and not LedgerUpload.objects.exists() and not StoredFile.objects.exists()


def test_missing_column_imports_nothing(filed):
    bad = SimpleUploadedFile(
        "l.csv", "学号,姓名,金额,收费日期\nS1,张三,900,2026-09-01\n".encode(), content_type="text/csv"
    )
    with pytest.raises(ValidationError) as caught:
        ledger_import(school=filed.primary, term=filed.term, file=bad, actor=filed.clerk)
    assert "收费项目" in caught.value.messages[0]
    assert not LedgerRow.objects.exists()


def test_malformed_workbook_and_large_file_import_nothing(filed):
    broken = SimpleUploadedFile("l.xlsx", b"PK\x03\x04 not really a workbook", content_type="application/zip")
    with pytest.raises(ValidationError):
        ledger_import(school=filed.primary, term=filed.term, file=broken, actor=filed.clerk)
    big = SimpleUploadedFile("l.csv", b"", content_type="text/csv")
    big.size = 50 * 1024 * 1024
    with pytest.raises(ValidationError) as caught:
        ledger_import(school=filed.primary, term=filed.term, file=big, actor=filed.clerk)
    assert caught.value.code == "too_large"
    assert not LedgerUpload.objects.exists() and not StoredFile.objects.exists()


def test_gb18030_csv_and_remembered_mapping(filed):
    header = "编号,学生,费目,实收,日期"
    body = "\n".join([header, "S001,张三,伙食费,900,2026-09-01"]).encode("gb18030")
    mapping = {"student_no": "编号", "student_name": "学生", "item": "费目", "amount": "实收", "date": "日期"}
    ledger_import(
        school=filed.primary,
        term=filed.term,
        actor=filed.clerk,
        mapping=mapping,
        file=SimpleUploadedFile("l.csv", body, content_type="text/csv"),
    )
    assert LedgerMapping.objects.get(school=filed.primary).columns["amount"] == "实收"
    # Next time the mapping is remembered.
    ledger_import(
        school=filed.primary,
        term=filed.term,
        actor=filed.clerk,
        file=SimpleUploadedFile("l.csv", body, content_type="text/csv"),
    )
    assert LedgerRow.objects.count() == 2


def test_xlsx_ledger(filed):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["学号", "姓名", "收费项目", "金额", "收费日期"])
    sheet.append(["S001", "张三", "伙食费", 900, date(2026, 9, 1)])
    sheet.append([1002, "李四", "住宿费", 400.5, "2026-09-02"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = ledger_import(
        school=filed.primary,
        term=filed.term,
        actor=filed.clerk,
        file=SimpleUploadedFile("l.xlsx", buffer.getvalue()),
    )
    assert upload.row_count == 2 and upload.total_fen == 90000 + 40050
    assert set(LedgerRow.objects.values_list("student_no", flat=True)) == {"S001", "1002"}


# --- Property: a clean generated ledger yields no finding ------------------------------

TERM_START = date(2026, 8, 31)
ITEMS = {
    "meals": ("service", 90000),
    "accommodation": ("administrative", 40000),
    "uniform": ("on_behalf", 25000),
    "tuition": ("administrative", 80000),
}


def frames(compulsory: bool) -> dict[str, pl.DataFrame]:
    return {
        "catalogue": pl.DataFrame(
            {
                "term_id": [1] * 5,
                "item_code": [*ITEMS, "handouts"],
                "category": [c for c, _ in ITEMS.values()] + [""],
                "restriction": ["none", "none", "none", "not_in_compulsory", "prohibited"],
                "is_accommodation": [False, True, False, False, False],
            }
        ),
        "lines": pl.DataFrame(
            {
                "school_id": [1] * len(ITEMS),
                "term_id": [1] * len(ITEMS),
                "item_code": list(ITEMS),
                "cap_fen": [s for _, s in ITEMS.values()],
                "actual_cost_fen": [None, None, 25000, None],
            },
            schema_overrides={"actual_cost_fen": pl.Int64},
        ),
        "schools": pl.DataFrame({"school_id": [1], "compulsory": [compulsory]}),
        "terms": pl.DataFrame(
            {"term_id": [1], "window_start": [TERM_START], "window_end": [TERM_START + timedelta(days=14)]}
        ),
    }


clean_row = st.tuples(
    st.sampled_from(["meals", "accommodation", "uniform"]),
    st.integers(min_value=0, max_value=14),
    st.integers(min_value=0, max_value=100),  # percent of the standard
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(students=st.lists(st.lists(clean_row, max_size=3, unique_by=lambda r: r[0]), max_size=30))
def test_property_clean_ledger_yields_no_finding(students):
    data = []
    for s, charges in enumerate(students):
        for item, day, share in charges:
            data.append(
                {
                    "school_id": 1,
                    "term_id": 1,
                    "row_no": len(data) + 2,
                    "student_no": f"S{s}",
                    "student_name": "",
                    "item_code": item,
                    "amount_fen": ITEMS[item][1] * share // 100,
                    "collected_on": TERM_START + timedelta(days=day),
                    "receipt_no": f"R{len(data)}",
                }
            )
    schema = {
        "school_id": pl.Int64,
        "term_id": pl.Int64,
        "row_no": pl.Int64,
        "student_no": pl.String,
        "student_name": pl.String,
        "item_code": pl.String,
        "amount_fen": pl.Int64,
        "collected_on": pl.Date,
        "receipt_no": pl.String,
    }
    rows = pl.DataFrame(data, schema=schema)
    assert audit_frames(rows=rows, **frames(compulsory=True)).is_empty()


@settings(max_examples=40, deadline=None)
@given(extra=st.integers(min_value=1, max_value=10_000), n_clean=st.integers(min_value=0, max_value=20))
def test_property_one_planted_excess_yields_exactly_one_finding(extra, n_clean):
    rows = pl.DataFrame(
        {
            "school_id": [1] * (n_clean + 1),
            "term_id": [1] * (n_clean + 1),
            "row_no": list(range(n_clean + 1)),
            "student_no": [f"S{i}" for i in range(n_clean + 1)],
            "item_code": ["meals"] * (n_clean + 1),
            "amount_fen": [90000] * n_clean + [90000 + extra],
            "collected_on": [TERM_START] * (n_clean + 1),
            "receipt_no": [f"R{i}" for i in range(n_clean + 1)],
        }
    )
    found = audit_frames(rows=rows, **frames(compulsory=True))
    assert found.select("kind", "student_no", "amount_fen").rows() == [("above_standard", f"S{n_clean}", extra)]
