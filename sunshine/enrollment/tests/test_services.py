"""Enrollment services: ENR-4's advance publication, applications with encrypted identity,
review, the lottery's freeze, draw under a row lock and publication."""

from __future__ import annotations

import io
import json
from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from openpyxl import Workbook, load_workbook

from sunshine.core.clocks import SHANGHAI
from sunshine.core.models import AuditEntry
from sunshine.core.testing import OTHER_SCHOOL_CLERK, District
from sunshine.enrollment import lottery, services
from sunshine.enrollment.imports import applications_import
from sunshine.enrollment.models import Application, Lottery, Placement, Season
from sunshine.enrollment.tests import factories as f
from sunshine.orgs.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def d() -> District:
    return District()


def test_applications_open_only_after_policy_and_plan_were_public_long_enough(d: District) -> None:
    s = f.season(d)
    late = datetime.combine(f.OPENS - timedelta(days=5), time(9), SHANGHAI)
    services.disclosure_publish(actor=f.manager(d), season=s, kind="policy", title="政策", body="正文", now=late)
    services.disclosure_publish(actor=f.manager(d), season=s, kind="plan", title="计划", body="正文", now=late)
    with pytest.raises(ValidationError, match="published too late"):
        services.season_open(actor=f.manager(d), season=s)
    assert Season.objects.get(pk=s.pk).status == Season.Status.DRAFT


def test_results_need_the_season_decided(d: District) -> None:
    s = f.published(d)
    with pytest.raises(ValidationError):
        services.disclosure_publish(actor=f.manager(d), season=s, kind="results", title="结果", body="正文")


def test_only_the_bureaus_enrollment_staff_manage(d: District) -> None:
    for who in (Role.SCHOOL_CLERK, OTHER_SCHOOL_CLERK, Role.FEE_REVIEWER, Role.SUPERVISOR):
        with pytest.raises(PermissionDenied):
            services.plan_school_set(actor=d.user(who), season=f.season(d), code="X", name="某校", seats=1)


def test_application_identity_is_encrypted_and_once_per_child(d: District) -> None:
    app, code = f.apply(d, 1, ["M1"])
    assert len(code) == 16 and code.isdigit()
    with connection.cursor() as cursor:
        cursor.execute("SELECT child_name, child_id_number FROM enrollment_application WHERE id = %s", [app.pk])
        raw = cursor.fetchone()
    assert "孩子1" not in raw[0] and f.id_number(1) not in raw[1]
    assert services.application_by_receipt(code).pk == app.pk  # type: ignore[union-attr]
    assert app.entry_id == lottery.entry_id_from_receipt("2027-private", code)
    with pytest.raises(ValidationError):
        f.apply(d, 1, ["M2"])
    with pytest.raises(ValidationError):
        f.apply(d, 2, ["M1", "M1"])
    assert Application.objects.count() == 1
    entry = AuditEntry.objects.filter(action="enrollment.application_submit").get()
    assert "孩子" not in json.dumps(entry.data, ensure_ascii=False)


def test_review_needs_a_reason_and_a_returned_application_is_corrected(d: District) -> None:
    app, _code = f.apply(d, 1, ["M1"])
    with pytest.raises(ValidationError):
        services.application_review(actor=f.manager(d), application=app, decision="return", reason="")
    services.application_review(actor=f.manager(d), application=app, decision="return", reason="缺少居住证明")
    services.application_correct(actor=None, application=app, residence="已补居住证", choices=["M2", "M1"])
    app.refresh_from_db()
    assert app.status == Application.Status.SUBMITTED and app.choices == ["M2", "M1"]


def test_lottery_freeze_draw_publish_and_the_bundle_verifies(d: District) -> None:
    draw = f.frozen(d)
    assert draw.entry_count == 6 and len(draw.root) == 64
    draw = f.drawn(d)
    bundle = json.loads(draw.bundle)
    assert lottery.verify(bundle) == []
    assert bundle["root"] == f.frozen(d).root
    # The staff child with the confirmed group takes a seat at M1 first.
    codes = d.once("enrollment.codes", lambda d: {})
    staff_child = lottery.entry_id_from_receipt("2027-private", codes[0])
    row = next(r for r in bundle["result"] if r["id"] == staff_child)
    assert (row["school"], row["order"]) == ("M1", 1)
    assert Placement.objects.filter(lottery=draw, school__isnull=False).count() == 4
    with pytest.raises(ValidationError, match="drawn already"):
        services.lottery_draw(actor=f.manager(d), lottery_id=draw.pk, values=["1", "2"])
    assert Placement.objects.count() == 6
    published = f.published_lottery(d)
    assert published.status == Lottery.Status.PUBLISHED


def test_draw_needs_every_source_value(d: District) -> None:
    draw = f.frozen(d)
    with pytest.raises(ValidationError):
        services.lottery_draw(actor=f.manager(d), lottery_id=draw.pk, values=["03 11 17"])
    assert Lottery.objects.get(pk=draw.pk).status == Lottery.Status.FROZEN
    with pytest.raises(PermissionDenied):
        services.lottery_draw(actor=d.user(Role.SCHOOL_CLERK), lottery_id=draw.pk, values=["1", "2"])


def _sheet(rows: list[list[object]]) -> io.BytesIO:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


HEADER = ["儿童姓名", "身份证号", "监护人姓名", "监护人电话", "户籍和居住情况", "志愿1", "志愿2"]


def test_import_from_excel_all_or_nothing_and_codes_returned(d: District) -> None:
    season = f.opened(d)
    bad = _sheet(
        [HEADER, ["甲", f.id_number(1), "家长", "138", "户籍", "M1", ""], ["乙", "123", "家长", "138", "户籍", "M1"]]
    )
    with pytest.raises(ValidationError, match="3"):
        applications_import(actor=f.manager(d), season=season, fh=bad, kind="xlsx")
    assert Application.objects.count() == 0
    good = _sheet(
        [
            HEADER,
            ["甲", f.id_number(1), "家长", "138", "户籍", "M1", "M2"],
            ["乙", f.id_number(2), "家长", "139", "户籍", "M2", ""],
        ]
    )
    data = applications_import(actor=f.manager(d), season=season, fh=good, kind="xlsx")
    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert len(rows) == 3 and Application.objects.count() == 2
    code = str(rows[1][2]).replace(" ", "")
    assert services.application_by_receipt(code).choices == ["M1", "M2"]  # type: ignore[union-attr]
    with pytest.raises(PermissionDenied):
        applications_import(actor=d.user(Role.SCHOOL_CLERK), season=season, fh=good, kind="xlsx")


def test_the_published_lotterys_data_is_in_the_catalogue_for_anyone_to_verify(d: District, client) -> None:
    """ENR-1: the result and its data (the bundle the verifier re-runs) are published in the
    bureau's catalogue through the real disclosure receiver; a refusal there is not swallowed."""
    import hashlib

    from sunshine.core.models import StoredFile

    draw = f.published_lottery(d)
    draw.refresh_from_db()
    assert draw.url, "the lottery was not published in the catalogue"
    assert client.get(draw.url).status_code == 200
    bundle = draw.bundle.encode("utf-8")
    kept = StoredFile.objects.filter(sha256=hashlib.sha256(bundle).hexdigest()).get()
    assert kept.original_name.endswith(".json") and kept.content_type == "application/json"
    assert json.loads(bundle)  # the bundle is JSON, as the verifier reads it
