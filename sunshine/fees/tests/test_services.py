"""Catalogue, declare → approve → file, notices (FEE-1 … FEE-5)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sunshine.core.actors import SYSTEM
from sunshine.core.clocks import SHANGHAI, deadline
from sunshine.core.issued import document_for
from sunshine.core.models import AuditEntry, StatusAssignmentError, Supervision
from sunshine.core.supervision import supervision_get_active, supervision_sweep
from sunshine.core.transitions import TransitionNotAllowed
from sunshine.fees.models import CatalogueItem, FeeDeclaration, FeeNotice, Finding
from sunshine.fees.rules import NATIONAL_CATALOGUE
from sunshine.fees.services import (
    catalogue_copy,
    catalogue_item_create,
    catalogue_seed,
    fee_declaration_approve,
    fee_declaration_file,
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


def test_notice_has_every_fee4_field(world):
    """FEE-4 fields: category, item, standard, basis, scope, unit, reductions, hotline."""
    with pytest.raises(ValidationError):
        fee_notice_generate(school=world.primary, term=world.term, actor=world.clerk)  # nothing filed yet
    world.file(world.primary, "meals", 90000, reductions="低保家庭减免", grades="一至六年级")
    notice = fee_notice_generate(school=world.primary, term=world.term, actor=world.clerk)
    line = notice.lines[0]
    assert set(line) >= {"category", "item", "standard_fen", "basis", "scope", "unit", "reductions"}
    assert line["basis"] == "示范区发展和改革局 区发改〔2026〕12号"
    assert notice.hotline == "0000-12345"


def upcoming_term(world):
    """A term whose registration is still ahead, with the primary school's meals filed."""
    today = timezone.localdate()
    term = TermFactory(
        bureau=world.bureau,
        school_year="2031-2032",
        starts_on=today + timedelta(days=40),
        ends_on=today + timedelta(days=160),
        registration_date=today + timedelta(days=38),
    )
    catalogue_seed(term=term, actor=SYSTEM)
    declaration = fee_declare(
        actor=world.clerk,
        school=world.primary,
        term=term,
        item=CatalogueItem.objects.get(term=term, code="meals"),
        standard_fen=90000,
    )
    fee_declaration_approve(
        declaration=declaration, actor=world.reviewer, approving_body="区发改局", document_number="1"
    )
    fee_declaration_file(declaration=declaration, actor=world.reviewer)
    return term


def test_fee5_notice_display_period_is_a_core_supervision_that_cannot_end_early(world):
    """FEE-5 (LOCAL FEE-5-notice): publishing opens the display period as a core
    supervision of the school; withdrawal before its last day is refused by core
    (never overdue, never ended early); the sweep ends it, and then the notice may go."""
    term = upcoming_term(world)
    notice = fee_notice_generate(school=world.primary, term=term, actor=world.clerk)
    fee_notice_publish(notice=notice, actor=world.clerk)
    assert notice.status == FeeNotice.Status.PUBLISHED and notice.late_reason == ""
    shown = supervision_get_active(item=notice, rule_id="FEE-5-notice")
    assert shown is not None and shown.organization == world.primary
    assert shown.due_at == deadline("FEE-5-notice", notice.published_at).due
    with pytest.raises(ValidationError) as caught:
        fee_notice_withdraw(notice=notice, actor=world.clerk)
    assert "cannot end earlier" in caught.value.messages[0]
    notice.refresh_from_db()
    assert notice.status == FeeNotice.Status.PUBLISHED
    assert not Finding.objects.filter(kind=Finding.Kind.LATE_NOTICE).exists()
    supervision_sweep(now=shown.due_at + timedelta(minutes=1))
    assert Supervision.objects.get(pk=shown.pk).status == Supervision.Status.CLOSED
    fee_notice_withdraw(notice=notice, actor=world.clerk)
    assert notice.status == FeeNotice.Status.WITHDRAWN
    poster = document_for(notice, kind="fees.notice")
    assert poster is not None and not poster.published  # kept on record, no longer public
    with pytest.raises(ValidationError):
        fee_notice_generate(school=world.primary, term=term, actor=world.clerk)


def test_fee5_notice_after_registration_refused_or_a_finding_with_its_reason(world):
    """FEE-5: the term-start notice is published before registration. After the
    registration date it is refused; with a recorded reason it is published and is a
    finding of the school's term."""
    world.file(world.primary, "meals", 90000)
    notice = fee_notice_generate(school=world.primary, term=world.term, actor=world.clerk)
    after = datetime.combine(world.term.registration_date + timedelta(days=1), time(9), SHANGHAI)
    with pytest.raises(ValidationError) as caught:
        fee_notice_publish(notice=notice, actor=world.clerk, now=after)
    assert caught.value.code == "FEE-5"
    notice.refresh_from_db()
    assert notice.status == FeeNotice.Status.DRAFT and not Finding.objects.exists()
    fee_notice_publish(notice=notice, actor=world.clerk, now=after, late_reason="学校校舍维修，公示推迟")
    notice.refresh_from_db()
    assert notice.status == FeeNotice.Status.PUBLISHED and notice.late_reason == "学校校舍维修，公示推迟"
    finding = Finding.objects.get()
    assert (finding.kind, finding.rule_id, finding.school, finding.term) == (
        Finding.Kind.LATE_NOTICE,
        "FEE-5",
        world.primary,
        world.term,
    )
    assert finding.status == Finding.Status.OPEN
    assert AuditEntry.objects.filter(action="fees.finding_late_notice", data__reason="学校校舍维修，公示推迟").exists()


def test_fee5_on_registration_day_is_in_time(world):
    world.file(world.primary, "meals", 90000)
    notice = fee_notice_generate(school=world.primary, term=world.term, actor=world.clerk)
    on_the_day = datetime.combine(world.term.registration_date, time(8), SHANGHAI)
    fee_notice_publish(notice=notice, actor=world.clerk, now=on_the_day)
    assert notice.status == FeeNotice.Status.PUBLISHED and not Finding.objects.exists()


def test_fee3_a_name_resembling_a_prohibited_item_is_held_for_the_reviewer(world):
    """FEE-3 "under any name": an item whose name is one of a prohibited item's
    synonyms, contains it or is alike by similarity is held at declaration; the reviewer
    approves it only by clearing the resemblance with a reason (audited)."""
    for code, name, expected in (
        ("study-materials", "学习资料费", "资料费"),
        ("aircon", "空调使用费", "降温费"),
        ("campus-safety", "校园安全服务费", "安保费"),
        ("pc-use", "电脑费", "上机费"),
    ):
        item = catalogue_item_create(term=world.term, actor=world.reviewer, code=code, name=name, category="service")
        declaration = fee_declare(
            actor=world.senior_clerk, school=world.senior, term=world.term, item=item, standard_fen=100
        )
        assert declaration.resembles == expected, name
    held = FeeDeclaration.objects.get(item__code="study-materials")
    with pytest.raises(ValidationError) as caught:
        fee_declaration_approve(declaration=held, actor=world.reviewer, approving_body="区发改局", document_number="1")
    assert caught.value.code == "FEE-3"
    with pytest.raises(ValidationError):  # cleared, but no reason given
        fee_declaration_approve(
            declaration=held,
            actor=world.reviewer,
            approving_body="区发改局",
            document_number="1",
            resemblance_cleared=True,
        )
    held.refresh_from_db()
    assert held.status == FeeDeclaration.Status.DECLARED
    fee_declaration_approve(
        declaration=held,
        actor=world.reviewer,
        approving_body="区发改局",
        document_number="1",
        note="学生自愿订购的课外读物，经核实与辅导资料不同",
        resemblance_cleared=True,
    )
    assert held.status == FeeDeclaration.Status.APPROVED
    assert AuditEntry.objects.filter(action="fees.declaration_resemblance_clear", data__resembles="资料费").count() == 1


def test_fee3_the_lawful_national_items_are_not_held(world):
    for code in ("meals", "exam", "uniform", "textbooks", "bus", "after-school", "insurance"):
        declaration = fee_declare(
            actor=world.senior_clerk, school=world.senior, term=world.term, item=world.item(code), standard_fen=100
        )
        assert declaration.resembles == "", code
