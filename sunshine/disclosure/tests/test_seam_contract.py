"""The contract of ``core.seams.disclosure_entry_publish``, run against disclosure, its
real receiver: what any module hands over (a typed entry) is published in the
organisation's catalogue (DIS-1, DIS-2), and only the entry's id, URL and version come
back. A school's fee notice reaches its DIS-2 "fees" checklist item this way."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from sunshine.core.models import AuditEntry
from sunshine.core.seams import (
    DisclosureEntry,
    DisclosureEntryResult,
    EntryFile,
    SeamUnavailable,
    disclosure_entry_publish,
)
from sunshine.core.search import search_query
from sunshine.disclosure import services
from sunshine.disclosure.models import Document

from .conftest import District

pytestmark = pytest.mark.django_db
PDF = (Path(__file__).resolve().parent / "fixtures" / "notice.pdf").read_bytes()


def _fee_notice_entry(d: District, **changes: object) -> DisclosureEntry:
    values: dict = {
        "organization_id": d.school.pk,
        "category": "fees",
        "title": "示范区实验小学 2026-2027学年秋季学期收费公示",
        "info_date": timezone.localdate(),
        "source_label": "fees.notice:42",
        "body": "<table><tr><td>伙食费</td><td>900.00</td></tr></table><script>alert(1)</script>",
        "attachments": (EntryFile(name="收费通知.pdf", content=PDF),),
        "number": "示范区实验小学收费公告〔2026〕2号",
    }
    values.update(changes)
    return DisclosureEntry(**values)


def _quarter() -> dict[str, int]:
    today = timezone.localdate()
    return {"year": today.year, "quarter": (today.month - 1) // 3 + 1}


def test_an_entry_is_published_in_the_catalogue_and_fills_the_dis2_item(district: District):
    d = district
    before = services.organization_gaps(d.school, **_quarter())
    result = disclosure_entry_publish(_fee_notice_entry(d), actor=d.officer)

    assert isinstance(result, DisclosureEntryResult) and result.version == 1
    document = Document.objects.get(pk=result.entry_id)
    assert document.organization == d.school and document.category.code == "fees"
    assert document.status == Document.Status.PUBLISHED and document.source_label == "fees.notice:42"
    assert "<script>" not in document.body and "伙食费" in document.body  # sanitised
    assert result.url == document.get_absolute_url()
    page = Client().get(result.url).content.decode()
    assert "示范区实验小学 2026-2027学年秋季学期收费公示" in page and "收费通知.pdf" in page
    # The attachment's text is searchable; the DIS-2 "fees" item now counts as present.
    assert [h.object_id for h in search_query(q="赞助费").hits] == [str(document.pk)]
    after = services.organization_gaps(d.school, **_quarter())
    assert after.present == before.present + 1
    assert not any(item["category"] == document.category.label for item in after.missing)
    entry = AuditEntry.objects.get(action="disclosure.entry_receive")
    assert entry.actor == d.officer and entry.data["source"] == "fees.notice:42"


def test_the_same_source_publishes_a_new_version_of_the_same_entry(district: District):
    d = district
    first = disclosure_entry_publish(_fee_notice_entry(d), actor=None)
    second = disclosure_entry_publish(
        _fee_notice_entry(d, title="示范区实验小学 收费公示（更正）", attachments=()), actor=None
    )
    assert second.entry_id == first.entry_id and second.version == 2
    document = Document.objects.get(pk=first.entry_id)
    assert document.title == "示范区实验小学 收费公示（更正）"
    assert document.current_version().attachments.count() == 0  # the entry's files replace the old ones
    assert document.versions.get(number=1).attachments.count() == 1  # the first version keeps its own


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"category": "no-such-category"}, "no-such-category"),
        ({"category": "budgets"}, "category"),  # a bureau's category, not a school's (DIS-2)
        ({"source_label": ""}, "source"),
    ],
)
def test_an_entry_the_catalogue_cannot_take_is_refused_and_nothing_is_saved(district, changes, message):
    with pytest.raises(ValidationError) as refused:
        disclosure_entry_publish(_fee_notice_entry(district, **changes), actor=None)
    assert message in str(refused.value)
    assert not Document.objects.exists()


def test_the_seam_takes_only_its_typed_entry_and_says_when_no_module_receives_it(district: District):
    with pytest.raises(TypeError):
        disclosure_entry_publish({"title": "x"}, actor=None)  # type: ignore[arg-type]
    with disclosure_entry_publish.absent(), pytest.raises(SeamUnavailable):
        disclosure_entry_publish(_fee_notice_entry(district, info_date=date(2026, 9, 1)), actor=None)
