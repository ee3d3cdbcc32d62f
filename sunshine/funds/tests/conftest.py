"""Fixtures of the funds tests: the access matrix's district, its finance staff and a
certifier, a fund by month with allocations to schools A and B, and a project fund."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sunshine.core.testing import District
from sunshine.funds import services
from sunshine.funds.models import Allocation, Fund
from sunshine.orgs.models import Role


def evidence() -> SimpleUploadedFile:
    return SimpleUploadedFile("监理报告.pdf", b"%PDF-1.4\n% report\n%%EOF\n", content_type="application/pdf")


@dataclass
class World:
    d: District
    finance: Any
    certifier: Any
    fund: Fund
    a: Allocation  # school A, 120 000 yuan
    b: Allocation  # school B, 120 000 yuan
    project_fund: Fund
    project: Allocation  # school A, 1 000 000 yuan, certified by `certifier`


def make_world(d: District) -> World:
    finance = d.user(Role.FEE_REVIEWER)
    certifier = d.user(Role.DEPARTMENT_STAFF)
    fund = services.fund_create(
        actor=finance,
        bureau=d.bureau,
        name="生均公用经费",
        source_level=Fund.Source.DISTRICT,
        purpose=Fund.Purpose.GENERAL,
        year=2026,
        approved_on=date(2026, 1, 5),
        approval_document="区财预〔2026〕1号",
        total_fen=24_000_000,
        mode=Fund.Mode.MONTHLY,
        position=1,
    )
    a = services.allocation_create(actor=finance, fund=fund, organization=d.school, amount_fen=12_000_000)
    b = services.allocation_create(actor=finance, fund=fund, organization=d.other_school, amount_fen=12_000_000)
    project_fund = services.fund_create(
        actor=finance,
        bureau=d.bureau,
        name="校安工程资金",
        source_level=Fund.Source.CITY,
        purpose=Fund.Purpose.SPECIAL,
        year=2026,
        approved_on=date(2026, 1, 5),
        approval_document="区财预〔2026〕5号",
        total_fen=100_000_000,
        mode=Fund.Mode.PROJECT,
        position=5,
    )
    project = services.allocation_create(
        actor=finance,
        fund=project_fund,
        organization=d.school,
        amount_fen=100_000_000,
        title="教学楼抗震加固",
        certifier=certifier,
    )
    return World(d, finance, certifier, fund, a, b, project_fund, project)


@pytest.fixture
def world(db: Any) -> World:
    return make_world(District())
