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


def test_a_recruitment_list_naming_a_minor_in_its_note_is_refused(d: District) -> None:
    """The masking rule covers the list's identity numbers; anything else personal in what
    is published (here a minor's name in the note) still blocks it."""
    with pytest.raises(PersonalDataFound):
        recruitment.recruitment_list_publish(
            actor=f.manager(d),
            recruitment=f.recruitment(d),
            stage="proposed",
            rows_text=f"A001,李明（{ID_NUMBER}）,86.5,拟聘用",
            note="考生李明之子李小军同学就读本校三年级。",
        )
    assert not RecruitmentList.objects.exists()


def test_the_reviewer_takes_the_proposed_redaction_of_a_disclosure(d: District) -> None:
    """The issue's "done when" on this path: an identity number and a minor's name block
    the disclosure; the season page shows them masked and one click publishes the text
    with the proposed redaction (core/privacy/review.html), audited by counts."""
    from django.test import Client
    from django.urls import reverse

    from sunshine.core.models import AuditEntry
    from sunshine.core.privacy import ID_CARD, MINOR_NAME
    from sunshine.core.testing import login_verified

    season = f.season(d)
    manager = f.manager(d)
    client = Client()
    login_verified(client, manager)
    url = reverse("enrollment:season-staff", kwargs={"pk": season.pk})
    child = "33010620150307123"
    child += id_check_char(child)
    body = f"经复核，学生张小明（身份证号{child}）符合政策性照顾条件。"
    post = {"action": "disclose", "kind": "policy", "title": "招生政策补充说明", "body": body}
    response = client.post(url, post)
    assert response.status_code == 400
    review = response.content.decode().split('id="privacy-findings"')[1].split("</section>")[0]
    shown = review.split("<form")[0]  # the findings and the proposed text (the form carries the text as written)
    assert mask_id_number(child) in shown and "张**" in shown and child not in shown and "张小明" not in shown
    assert 'value="redact"' in review
    assert not Disclosure.objects.filter(season=season).exists()
    response = client.post(url, post | {"privacy": "redact"})
    assert response.status_code == 302
    published = Disclosure.objects.get(season=season)
    assert child not in published.body and "张小明" not in published.body
    assert mask_id_number(child) in published.body and "学生张**" in published.body
    entry = AuditEntry.objects.get(action="core.privacy_review")
    assert entry.data == {"masked": {ID_CARD: 1, MINOR_NAME: 1}} and entry.actor_id == manager.pk
