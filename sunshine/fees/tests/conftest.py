"""Fixtures of the fees tests: a bureau with a hotline, a term with its catalogue,
schools of each kind, and the people who work on fees."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

import pytest

from sunshine.core.actors import SYSTEM
from sunshine.core.clocks import SHANGHAI
from sunshine.core.testing import user_with_role
from sunshine.fees.models import CatalogueItem, FeeDeclaration
from sunshine.fees.services import catalogue_seed, fee_declaration_approve, fee_declaration_file, fee_declare
from sunshine.fees.tests.factories import TermFactory
from sunshine.orgs.models import Organization, Role
from sunshine.orgs.tests.factories import BureauFactory, DepartmentFactory, SchoolFactory


@dataclass
class FeeWorld:
    bureau: Organization
    term: Any
    primary: Organization  # compulsory, day school
    senior: Organization  # not compulsory, boarding
    reviewer: Any
    clerk: Any  # clerk of `primary`
    senior_clerk: Any

    def item(self, code: str) -> CatalogueItem:
        return CatalogueItem.objects.get(term=self.term, code=code)

    def clerk_of(self, school: Organization) -> Any:
        return self.clerk if school == self.primary else self.senior_clerk

    def file(self, school: Organization, code: str, standard_fen: int, **kwargs: Any) -> FeeDeclaration:
        declaration = fee_declare(
            actor=self.clerk_of(school),
            school=school,
            term=self.term,
            item=self.item(code),
            standard_fen=standard_fen,
            **kwargs,
        )
        fee_declaration_approve(
            declaration=declaration,
            actor=self.reviewer,
            approving_body="示范区发展和改革局",
            document_number="区发改〔2026〕12号",
        )
        filed = fee_declaration_file(declaration=declaration, actor=self.reviewer)
        # Filed in good time, a month before registration (FEE-5: collected only once filed).
        filed.filed_at = datetime.combine(self.term.registration_date - timedelta(days=30), time(9), SHANGHAI)
        FeeDeclaration.objects.filter(pk=filed.pk).update(filed_at=filed.filed_at)
        return filed


@pytest.fixture
def world(db: None) -> FeeWorld:
    bureau = BureauFactory(hotline="0000-12345", short_name="区教育局")
    term = TermFactory(bureau=bureau)
    catalogue_seed(term=term, actor=SYSTEM)
    primary = SchoolFactory(parent=bureau, level=Organization.Level.PRIMARY, name="第一实验小学")
    senior = SchoolFactory(parent=bureau, level=Organization.Level.SENIOR, boarding=True, name="第一高级中学")
    finance = DepartmentFactory(parent=bureau)
    return FeeWorld(
        bureau=bureau,
        term=term,
        primary=primary,
        senior=senior,
        reviewer=user_with_role(Role.FEE_REVIEWER, organization=finance),
        clerk=user_with_role(Role.SCHOOL_CLERK, organization=primary),
        senior_clerk=user_with_role(Role.SCHOOL_CLERK, organization=senior),
    )
