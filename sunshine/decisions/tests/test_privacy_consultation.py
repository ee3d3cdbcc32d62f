"""A consultation's comment groups and the bureau's answers become public when the report
is issued: they pass the personal-data gate there (core.privacy; PET-9), with the
reviewer's review — the proposed redaction in one click, landlines marked as office
numbers — and the public page shows only what passed. The decision's publication passes
the reviewer's answer on to the report it publishes."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document

from sunshine.core.models import AuditEntry
from sunshine.core.privacy import (
    ID_CARD,
    LANDLINE,
    MINOR_NAME,
    PersonalDataFound,
    Review,
    id_check_char,
    mask_id_number,
)
from sunshine.core.seams import disclosure_entry_publish
from sunshine.core.testing import login_verified
from sunshine.decisions import services
from sunshine.decisions.models import Comment, CommentGroup, Consultation

from .conftest import World
from .test_consultation_projects import decided

pytestmark = pytest.mark.django_db

BODY17 = "33010620150307123"
ID_NUMBER = BODY17 + id_check_char(BODY17)
TITLE = f"学生张小明的家长（身份证号{ID_NUMBER}）建议保留村小"
REASON = "已采纳：保留一个教学点，开通校车。"
OFFICE = "0571-87654321"


def _answered(world: World, *, title: str = TITLE, reason: str = REASON) -> Consultation:
    item = world.item(title="中小学布局调整规划")
    consultation = services.consultation_open(
        actor=world.staff, item=item, title="布局调整规划（征求意见稿）", draft="撤并三所村小……",
        now=timezone.now() - timedelta(days=40),
    )  # fmt: skip
    comment = services.comment_submit(consultation=consultation, text="建议保留村小教学点。")
    services.comment_moderate(actor=world.staff, comment=comment, accept=True)
    group = services.group_create(actor=world.staff, consultation=consultation, title=title, comments=[comment])
    services.group_answer(actor=world.staff, group=group, answer=CommentGroup.Answer.ADOPTED, reason=reason)
    services.consultation_close(actor=world.staff, consultation=consultation)
    return consultation


def _report_text(consultation: Consultation) -> str:
    assert consultation.report is not None
    with consultation.report.file.file.open("rb") as fh:
        return "\n".join(p.text for p in Document(io.BytesIO(fh.read())).paragraphs)


def test_an_identity_number_and_a_minors_name_block_the_report(world: World, client: Client) -> None:
    consultation = _answered(world)
    with pytest.raises(PersonalDataFound) as raised:
        services.consultation_report_issue(actor=world.staff, consultation=consultation)
    assert raised.value.kinds == [ID_CARD, MINOR_NAME]
    assert ID_NUMBER not in raised.value.messages[0] and "张小明" not in raised.value.messages[0]
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.CLOSED and consultation.report is None
    assert consultation.groups.get().public_title == ""
    page = client.get(reverse("decisions:public-consultation", kwargs={"pk": consultation.pk})).content.decode()
    assert ID_NUMBER not in page and "张小明" not in page and "保留一个教学点" not in page


def test_the_reviewer_issues_the_report_with_the_redaction_and_the_public_reads_it_masked(
    world: World, client: Client
) -> None:
    consultation = _answered(world)
    staff = Client()
    login_verified(staff, world.staff)
    url = reverse("decisions:consultation", kwargs={"pk": consultation.pk})
    response = staff.post(url, {"action": "report"})
    assert response.status_code == 400
    shown = response.content.decode().split('id="privacy-findings"')[1].split("</section>")[0]
    assert mask_id_number(ID_NUMBER) in shown and "张**" in shown and ID_NUMBER not in shown
    assert 'value="redact"' in shown  # the proposed redaction, one click away
    consultation.refresh_from_db()
    assert consultation.report is None
    assert staff.post(url, {"action": "report", "privacy": "redact"}).status_code == 302
    consultation.refresh_from_db()
    group = consultation.groups.get()
    assert consultation.status == Consultation.Status.REPORTED
    assert group.title == TITLE  # the record keeps the group as written
    assert ID_NUMBER not in group.public_title and "张小明" not in group.public_title
    assert mask_id_number(ID_NUMBER) in group.public_title and "张**" in group.public_title
    report = _report_text(consultation)
    assert ID_NUMBER not in report and "张小明" not in report and mask_id_number(ID_NUMBER) in report
    page = client.get(reverse("decisions:public-consultation", kwargs={"pk": consultation.pk})).content.decode()
    assert mask_id_number(ID_NUMBER) in page and "张**" in page and REASON in page
    assert ID_NUMBER not in page and "张小明" not in page
    entry = AuditEntry.objects.get(action="core.privacy_review")
    assert entry.data == {"masked": {ID_CARD: 1, MINOR_NAME: 1}} and entry.actor_id == world.staff.pk


def test_an_office_number_marked_public_passes_the_report_and_the_decisions_publication(world: World) -> None:
    """Issue #19 gap: ``decision_publish`` published the report without the reviewer's
    answer, so an office number the reviewer had marked public blocked it for good."""
    reason = f"已采纳。第一实验小学{OFFICE}。"
    consultation = _answered(world, title="保留村小", reason=reason)
    with pytest.raises(PersonalDataFound) as raised:
        services.consultation_report_issue(actor=world.staff, consultation=consultation)
    assert raised.value.kinds == [LANDLINE]
    review = Review(public_numbers=frozenset({"057187654321"}), reason="学校办公电话")
    services.consultation_report_issue(actor=world.staff, consultation=consultation, review=review)
    consultation.refresh_from_db()
    assert consultation.groups.get().public_reason == reason and OFFICE in _report_text(consultation)
    item = decided(world, consultation.item)
    if not disclosure_entry_publish.installed:
        pytest.skip("the disclosure catalogue is not installed")
    with pytest.raises(PersonalDataFound):
        services.decision_publish(actor=world.staff, item=item)  # no answer: the report's number blocks
    item.refresh_from_db()
    consultation.refresh_from_db()
    assert item.published_at is None and consultation.report is not None and not consultation.report.published
    services.decision_publish(actor=world.staff, item=item, review=review)
    item.refresh_from_db()
    consultation.refresh_from_db()
    assert item.published_at is not None and consultation.report is not None and consultation.report.published


def test_the_public_page_never_renders_the_groups_as_written(world: World, client: Client) -> None:
    """A group edited in the database after the report (or one of a report issued before the
    gate) is not what the public reads: the page shows the published copy only."""
    consultation = _answered(world, title="保留村小")
    services.consultation_report_issue(actor=world.staff, consultation=consultation)
    CommentGroup.objects.filter(consultation=consultation).update(title=TITLE)
    page = client.get(reverse("decisions:public-consultation", kwargs={"pk": consultation.pk})).content.decode()
    assert "保留村小" in page and ID_NUMBER not in page and "张小明" not in page
    assert Comment.objects.filter(consultation=consultation).count() == 1


def test_a_draft_naming_a_child_is_not_put_to_the_public_until_the_reviewer_redacts_it(
    world: World, client: Client
) -> None:
    item = world.item(title="中小学布局调整规划")
    draft = f"撤并三所村小。学生张小明（身份证号{ID_NUMBER}）一家已同意转学。\n其余学生就近入学。"
    staff = Client()
    login_verified(staff, world.staff)
    url = reverse("decisions:item", kwargs={"pk": item.pk})
    posted = {"action": "consult", "title": "布局调整规划（征求意见稿）", "draft": draft}
    response = staff.post(url, posted)
    assert response.status_code == 400
    # The findings and the preview show the data masked (the form carries back what was typed).
    shown = response.content.decode().split('id="privacy-findings"')[1].split("<form")[0]
    assert mask_id_number(ID_NUMBER) in shown and "张**" in shown and ID_NUMBER not in shown
    assert not Consultation.objects.exists()
    assert staff.post(url, {**posted, "privacy": "redact"}).status_code == 302
    consultation = Consultation.objects.get()
    assert ID_NUMBER not in consultation.draft and "张小明" not in consultation.draft
    assert mask_id_number(ID_NUMBER) in consultation.draft and "其余学生就近入学" in consultation.draft
    page = client.get(reverse("decisions:public-consultation", kwargs={"pk": consultation.pk})).content.decode()
    assert ID_NUMBER not in page and "张小明" not in page and mask_id_number(ID_NUMBER) in page


def test_what_was_public_before_the_gate_is_masked_by_the_migration(world: World) -> None:
    """Reports issued and decisions published before the gate: the migration's public copy
    is the text masked, never the text as written."""
    import importlib

    from django.apps import apps

    from sunshine.decisions.models import DecisionItem

    consultation = _answered(world, title="保留村小")
    services.consultation_report_issue(actor=world.staff, consultation=consultation)
    CommentGroup.objects.filter(consultation=consultation).update(title=TITLE, public_title="")
    item = decided(world, consultation.item)
    DecisionItem.objects.filter(pk=item.pk).update(published_at=timezone.now(), resolution=TITLE)
    migration = importlib.import_module("sunshine.decisions.migrations.0003_public_text")
    migration.mask_published(apps, None)
    group = consultation.groups.get()
    item.refresh_from_db()
    for text in (group.public_title, item.public_resolution):
        assert ID_NUMBER not in text and "张小明" not in text and mask_id_number(ID_NUMBER) in text
