"""Decisions publish through the disclosure catalogue, whose personal-data gate refuses a
resolution carrying a phone number or a pupil's name (core.privacy; PET-9, DIS-2): the item
stays unpublished and the refusal masks what it found."""

from __future__ import annotations

import pytest

from sunshine.core.privacy import MOBILE, PersonalDataFound
from sunshine.core.seams import disclosure_entry_publish
from sunshine.decisions import services
from sunshine.decisions.models import DecisionItem, Vote

from .conftest import World

pytestmark = pytest.mark.django_db


def _decided(world: World, item: DecisionItem, resolution: str) -> DecisionItem:
    meeting = world.meeting([("甲", "", True), ("乙", "", False), ("丙", "", False)])
    services.agenda_add(actor=world.staff, meeting=meeting, item=item)
    services.meeting_open(actor=world.staff, meeting=meeting)
    point = meeting.agenda.get(item=item)
    for member in meeting.members.order_by("is_principal"):
        services.speech_record(actor=world.staff, agenda_item=point, member=member, text="同意。")
        services.vote_record(actor=world.staff, agenda_item=point, member=member, choice=Vote.Choice.FOR)
    services.agenda_decide(actor=world.staff, agenda_item=point, resolution=resolution)
    item.refresh_from_db()
    return item


def test_a_decision_with_a_phone_number_is_not_published(world: World) -> None:
    if not disclosure_entry_publish.installed:
        pytest.skip("the disclosure catalogue is not installed")
    item = _decided(world, world.item(title="校车线路调整"), "同意实施。联系人手机13812345678。")
    with pytest.raises(PersonalDataFound) as raised:
        services.decision_publish(actor=world.staff, item=item)
    assert raised.value.kinds == [MOBILE] and "13812345678" not in raised.value.messages[0]
    item.refresh_from_db()
    assert item.published_at is None and not item.published_url


def test_the_reviewer_publishes_the_decision_with_the_proposed_redaction(world: World) -> None:
    """The issue's "done when" on this path: an identity number and a minor's name in the
    resolution block the publication; the item page shows them masked and one click
    publishes the title and resolution with the redaction (the record keeps the
    resolution as adopted), audited."""
    if not disclosure_entry_publish.installed:
        pytest.skip("the disclosure catalogue is not installed")
    from django.test import Client
    from django.urls import reverse

    from sunshine.core.models import AuditEntry
    from sunshine.core.privacy import ID_CARD, MINOR_NAME, id_check_char, mask_id_number
    from sunshine.core.testing import login_verified
    from sunshine.disclosure.models import Document

    body17 = "33010620150307123"
    id_number = body17 + id_check_char(body17)
    resolution = f"同意对学生张小明（身份证号{id_number}）给予特殊困难资助。"
    item = _decided(world, world.item(title="特殊困难学生资助"), resolution)
    client = Client()
    login_verified(client, world.staff)
    url = reverse("decisions:item", kwargs={"pk": item.pk})
    response = client.post(url, {"action": "publish"})
    assert response.status_code == 400
    shown = response.content.decode().split('id="privacy-findings"')[1].split("<form")[0]
    assert mask_id_number(id_number) in shown and "张**" in shown and id_number not in shown
    item.refresh_from_db()
    assert item.published_at is None
    assert client.post(url, {"action": "publish", "privacy": "redact"}).status_code == 302
    item.refresh_from_db()
    assert item.published_at is not None and item.resolution == resolution
    published = Document.objects.get(source_label=f"decisions.item:{item.pk}")
    assert id_number not in published.body and "张小明" not in published.body
    assert mask_id_number(id_number) in published.body
    entry = AuditEntry.objects.get(action="core.privacy_review")
    assert entry.data == {"masked": {ID_CARD: 1, MINOR_NAME: 1}} and entry.actor_id == world.staff.pk
    # The decisions' own public pages and API read the published copy, never the record.
    public = Client()
    for page in (
        public.get(reverse("decisions:public-decision", kwargs={"pk": item.pk})),
        public.get(reverse("decisions:public-decisions")),
        public.get(reverse("decisions:api-decisions")),
    ):
        assert page.status_code == 200
        text = page.content.decode()
        assert id_number not in text and "张小明" not in text
    detail = public.get(reverse("decisions:public-decision", kwargs={"pk": item.pk})).content.decode()
    assert mask_id_number(id_number) in detail and "特殊困难学生资助" in detail
