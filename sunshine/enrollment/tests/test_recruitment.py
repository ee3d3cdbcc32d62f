"""Teacher recruitment (ENR-3): lists as issued documents, revisions showing what changed,
the publicity period as a minimum display clock, objections answered before appointment."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from docx import Document

from sunshine.core.models import IssuedDocument
from sunshine.core.models.supervision import Supervision
from sunshine.core.supervision import supervision_get_active, supervision_sweep
from sunshine.core.testing import District
from sunshine.enrollment import recruitment as services
from sunshine.enrollment.models import Objection, RecruitmentList
from sunshine.enrollment.tests import factories as f
from sunshine.orgs.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def d() -> District:
    return District()


def test_each_list_is_an_issued_document_and_a_revision_shows_what_changed(d: District) -> None:
    first = f.proposed(d)
    assert first.document is not None and first.document.published
    with first.document.file.file.open("rb") as fh:
        doc = Document(io.BytesIO(fh.read()))
    cells = [c.text for row in doc.tables[0].rows for c in row.cells]
    assert "李明" in cells and "A002" in cells
    revised = services.recruitment_list_publish(
        actor=f.manager(d), recruitment=f.recruitment(d), stage="proposed", rows_text=f.ROWS_V2
    )
    assert revised.version == 2
    assert revised.changes == {
        "added": [["A003", "赵强", "84", "拟聘用"]],
        "removed": [["A002", "王芳", "85", "拟聘用"]],
        "changed": [],
    }
    assert IssuedDocument.objects.filter(pk__in=[first.document_id, revised.document_id]).count() == 2


def test_publicity_period_objections_and_appointment(d: District) -> None:
    published = f.proposed(d)
    clock = supervision_get_active(item=published, rule_id="ENR-3")
    assert clock is not None
    objection = services.objection_file(actor=None, published=published, text="王芳学历存疑", contact="13900000000")
    with pytest.raises(ValidationError, match="public display"):
        services.recruitment_appoint(actor=f.manager(d), recruitment=f.recruitment(d))
    with pytest.raises(PermissionDenied):
        services.objection_answer(actor=d.user(Role.SCHOOL_CLERK), objection=objection, answer="x")
    # The display period ends by the sweep after its last day.
    later = timezone.now() + timedelta(days=30)
    supervision_sweep(now=later)
    assert supervision_get_active(item=published, rule_id="ENR-3") is None
    with pytest.raises(ValidationError, match="public display"):
        services.objection_file(actor=None, published=published, text="迟到的异议")
    with pytest.raises(ValidationError, match="Answer every objection"):
        services.recruitment_appoint(actor=f.manager(d), recruitment=f.recruitment(d))
    services.objection_answer(actor=f.manager(d), objection=objection, answer="经核查，学历证书真实有效。")
    done = services.recruitment_appoint(actor=f.manager(d), recruitment=f.recruitment(d))
    assert done.appointed_at is not None
    assert Objection.objects.get().answered_at is not None
    assert Supervision.objects.filter(rule_id="ENR-3").count() == 1
    with pytest.raises(ValidationError):
        services.recruitment_list_publish(
            actor=f.manager(d), recruitment=f.recruitment(d), stage="proposed", rows_text=f.ROWS_V2
        )
    assert RecruitmentList.objects.count() == 1


def test_rows_are_checked() -> None:
    with pytest.raises(ValidationError):
        services.rows_parse("A001,李明\nA001,王芳")
    with pytest.raises(ValidationError):
        services.rows_parse("\n\n")
    assert services.rows_parse("A001，李明，90") == [["A001", "李明", "90", ""]]
