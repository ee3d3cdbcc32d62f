"""A public reply passes the personal-data gate (core.privacy; PET-9): a reply naming a
pupil or giving a phone number is refused with nothing recorded; the same reply kept
internal is recorded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sunshine.core.actors import SYSTEM
from sunshine.core.privacy import MINOR_NAME, MOBILE, PersonalDataFound
from sunshine.core.testing import user_with_role
from sunshine.opinion import services
from sunshine.opinion.fetch import Item
from sunshine.opinion.models import Event, Source
from sunshine.orgs.models import Role

pytestmark = pytest.mark.django_db


def test_a_public_reply_with_personal_data_is_refused(district):
    source = services.source_create(
        actor=district["monitor"], name="t", kind=Source.Kind.MANUAL, bureau=district["bureau"]
    )
    posts, _dups = services.posts_ingest(
        source=source,
        items=[
            Item(
                guid="1",
                url="",
                title="测试区第一中学体罚学生",
                text="测试区第一中学体罚学生",
                published_at=timezone.now() - timedelta(minutes=1),
            )
        ],
        actor=SYSTEM,
    )
    event = posts[0].event
    staff = user_with_role(Role.DEPARTMENT_STAFF, bureau=district["bureau"])
    services.event_assign(event=event, organization=district["office"], actor=staff)
    leaky = "经核实，该校教师对学生王小红进行了批评教育，家长电话13812345678，已沟通。"
    with pytest.raises(PersonalDataFound) as raised:
        services.event_reply(event=event, actor=staff, text=leaky, public=True)
    assert set(raised.value.kinds) == {MINOR_NAME, MOBILE}
    assert "王小红" not in raised.value.messages[0] and "13812345678" not in raised.value.messages[0]
    event.refresh_from_db()
    assert event.status != Event.Status.ANSWERED and event.reply == ""
    services.event_reply(event=event, actor=staff, text=leaky, public=False)  # internal: recorded
    event.refresh_from_db()
    assert event.status == Event.Status.ANSWERED and not event.reply_public
