"""Personal data in enrollment's publications (core.privacy): a recruitment list shows
identity numbers masked, masked at the source (ENR-3, DIS-2); a list or a disclosure with a
phone number or a child's name is refused with nothing published (ENR-4)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from docx import Document

from sunshine.core.models import IssuedDocument
from sunshine.core.privacy import PersonalDataFound, id_check_char, mask_id_number
from sunshine.core.testing import District
from sunshine.enrollment import recruitment, services
from sunshine.enrollment.models import Disclosure, RecruitmentList
from sunshine.enrollment.tests import factories as f

pytestmark = pytest.mark.django_db

BODY17 = "37010219900307123"
ID_NUMBER = BODY17 + id_check_char(BODY17)


@pytest.fixture
def d() -> District:
    return District()


def test_a_recruitment_list_publishes_identity_numbers_masked(d: District) -> None:
    published = recruitment.recruitment_list_publish(
        actor=f.manager(d),
        recruitment=f.recruitment(d),
        stage="proposed",
        rows_text=f"A001,李明（{ID_NUMBER}）,86.5,拟聘用",
    )
    assert published.rows[0][1] == f"李明（{mask_id_number(ID_NUMBER)}）" and ID_NUMBER not in str(published.rows)
    assert published.document is not None
    with published.document.file.file.open("rb") as fh:
        text = " ".join(c.text for row in Document(io.BytesIO(fh.read())).tables[0].rows for c in row.cells)
    assert ID_NUMBER not in text and mask_id_number(ID_NUMBER) in text


def test_a_list_with_a_phone_number_is_refused_and_nothing_is_published(d: District) -> None:
    before = IssuedDocument.objects.count()
    with pytest.raises(ValidationError) as raised:
        recruitment.recruitment_list_publish(
            actor=f.manager(d),
            recruitment=f.recruitment(d),
            stage="proposed",
            rows_text="A001,李明,86.5,拟聘用 13812345678",
        )
    assert isinstance(raised.value, PersonalDataFound)
    assert IssuedDocument.objects.count() == before and not RecruitmentList.objects.exists()


def test_a_disclosure_naming_a_child_is_refused(d: District) -> None:
    season = f.season(d)
    with pytest.raises(PersonalDataFound) as raised:
        services.disclosure_publish(
            actor=f.manager(d), season=season, kind="policy", title="招生政策", body="学生张小明已被录取。"
        )
    assert "张小明" not in raised.value.messages[0]
    assert not Disclosure.objects.filter(season=season).exists()


def test_mask_keeps_six_and_four() -> None:
    assert mask_id_number(ID_NUMBER) == "370102********" + ID_NUMBER[-4:]
