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
