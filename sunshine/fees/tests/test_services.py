"""Catalogue, declare → approve → file, notices (FEE-1 … FEE-5)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sunshine.core.actors import SYSTEM
from sunshine.core.issued import document_for
from sunshine.core.models import AuditEntry, StatusAssignmentError
from sunshine.core.transitions import TransitionNotAllowed
from sunshine.fees.models import CatalogueItem, FeeDeclaration, FeeNotice
from sunshine.fees.rules import NATIONAL_CATALOGUE
from sunshine.fees.services import (
    catalogue_copy,
    catalogue_item_create,
    catalogue_seed,
    fee_declaration_reject,
    fee_declare,
    fee_notice_generate,
    fee_notice_publish,
    fee_notice_withdraw,
)
from sunshine.fees.tests.factories import TermFactory
from sunshine.orgs.models import Term

pytestmark = pytest.mark.django_db


def test_catalogue_seed_is_idempotent_and_holds_the_prohibited_items(world):
    assert CatalogueItem.objects.filter(term=world.term).count() == len(NATIONAL_CATALOGUE)
    assert catalogue_seed(term=world.term, actor=SYSTEM) == 0
    prohibited = set(
        CatalogueItem.objects.filter(term=world.term, restriction="prohibited").values_list("name", flat=True)
    )
    # FEE-3: handouts, test papers, e-reading, computer use, heating, cooling, water, security
    assert prohibited == {"资料费", "试卷费", "电子阅览费", "上机费", "取暖费", "降温费", "饮水费", "安保费"}
    assert "空调费" in world.item("cooling").names()


def test_catalogue_is_versioned_by_term(world):
    spring = TermFactory(
        bureau=world.bureau,
        season=Term.Season.SPRING,
        starts_on=world.term.ends_on + timedelta(days=30),
        ends_on=world.term.ends_on + timedelta(days=150),
        registration_date=world.term.ends_on + timedelta(days=29),
    )
    assert catalogue_copy(source=world.term, target=spring, actor=world.reviewer) == len(NATIONAL_CATALOGUE)
    assert catalogue_copy(source=world.term, target=spring, actor=world.reviewer) == 0
    catalogue_item_create(term=spring, actor=world.reviewer, code="art", name="艺术特长服务费", category="service")
    assert not CatalogueItem.objects.filter(term=world.term, code="art").exists()
    with pytest.raises(ValidationError):  # a synonym of another item cannot name a new one
        catalogue_item_create(term=spring, actor=world.reviewer, code="ac", name="空调费", category="service")


def test_declare_a_lawful_item(world):
    declaration = fee_declare(
        actor=world.clerk, school=world.primary, term=world.term, item=world.item("meals"), standard_fen=90000
    )
    assert declaration.status == FeeDeclaration.Status.DECLARED
    assert AuditEntry.objects.filter(action="fees.declaration_create").count() == 1


@pytest.mark.parametrize(
    "code", ["handouts", "test-papers", "e-reading", "computer", "heating", "cooling", "water", "security"]
)
def test_fee3_prohibited_items_are_refused_at_once_and_nothing_saved(world, code):
    """FEE-3: never chargeable under any name."""
    with pytest.raises(ValidationError) as caught:
        fee_declare(
            actor=world.senior_clerk, school=world.senior, term=world.term, item=world.item(code), standard_fen=100
        )
    assert caught.value.code == "FEE-3" and "may not be charged under any name" in caught.value.messages[0]
    assert not FeeDeclaration.objects.exists()


def test_fee1_tuition_refused_in_compulsory_education_allowed_in_senior(world):
    """FEE-1: compulsory education charges no tuition or miscellaneous fee."""
    for code in ("tuition", "misc"):
        with pytest.raises(ValidationError) as caught:
            fee_declare(actor=world.clerk, school=world.primary, term=world.term, item=world.item(code), standard_fen=1)
        assert caught.value.code == "FEE-1" and "no tuition or miscellaneous fee" in caught.value.messages[0]
    assert not FeeDeclaration.objects.exists()
    fee_declare(
        actor=world.senior_clerk, school=world.senior, term=world.term, item=world.item("tuition"), standard_fen=80000
    )
    assert FeeDeclaration.objects.count() == 1


def test_declaring_twice_is_refused(world):
    fee_declare(actor=world.clerk, school=world.primary, term=world.term, item=world.item("meals"), standard_fen=1)
    with pytest.raises(ValidationError):
        fee_declare(actor=world.clerk, school=world.primary, term=world.term, item=world.item("meals"), standard_fen=2)


def test_approve_then_file_through_transitions(world):
    filed = world.file(world.primary, "uniform", 25000)
    assert filed.status == FeeDeclaration.Status.FILED and filed.filed_at is not None
    assert filed.document_number == "区发改〔2026〕12号"
    filed.refresh_from_db()
    assert filed.status == FeeDeclaration.Status.FILED
    with pytest.raises(TransitionNotAllowed):
        fee_declaration_reject(declaration=filed, actor=world.reviewer, reason="late")
    filed.status = FeeDeclaration.Status.DECLARED
    with pytest.raises(StatusAssignmentError):
        filed.save()


def test_notice_has_every_fee4_field_and_stays_up_fee5(world):
    """FEE-4 fields; FEE-5: stays up at least the LOCAL number of days."""
    with pytest.raises(ValidationError):
        fee_notice_generate(school=world.primary, term=world.term, actor=world.clerk)  # nothing filed yet
    world.file(world.primary, "meals", 90000, reductions="低保家庭减免", grades="一至六年级")
    notice = fee_notice_generate(school=world.primary, term=world.term, actor=world.clerk)
    line = notice.lines[0]
    assert set(line) >= {"category", "item", "standard_fen", "basis", "scope", "unit", "reductions"}
    assert line["basis"] == "示范区发展和改革局 区发改〔2026〕12号"
    assert notice.hotline == "0000-12345"
    fee_notice_publish(notice=notice, actor=world.clerk)
    assert notice.status == FeeNotice.Status.PUBLISHED
    with pytest.raises(ValidationError) as caught:
        fee_notice_withdraw(notice=notice, actor=world.clerk, now=timezone.now() + timedelta(days=3))
    assert "must stay up until" in caught.value.messages[0]
    fee_notice_withdraw(notice=notice, actor=world.clerk, now=timezone.now() + timedelta(days=12))
    assert notice.status == FeeNotice.Status.WITHDRAWN
    poster = document_for(notice, kind="fees.notice")
    assert poster is not None and not poster.published  # kept on record, no longer public
    with pytest.raises(ValidationError):
        fee_notice_generate(school=world.primary, term=world.term, actor=world.clerk)
