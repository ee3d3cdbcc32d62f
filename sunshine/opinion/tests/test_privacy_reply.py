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


def _assigned(district) -> tuple[Event, object]:
    source = services.source_create(
        actor=district["monitor"], name="t", kind=Source.Kind.MANUAL, bureau=district["bureau"]
    )
    posts, _dups = services.posts_ingest(
        source=source,
        items=[
            Item(
                guid="1",
                url="",
                title="测试区第一中学食堂饭菜问题",
                text="测试区第一中学食堂饭菜分量不足",
                published_at=timezone.now() - timedelta(minutes=1),
            )
        ],
        actor=SYSTEM,
    )
    event = posts[0].event
    staff = user_with_role(Role.DEPARTMENT_STAFF, bureau=district["bureau"])
    services.event_assign(event=event, organization=district["office"], actor=staff)
    return event, staff


BODY17 = "33010620150307123"


def test_the_reviewer_takes_the_proposed_redaction_of_a_public_reply(district):
    """The issue's "done when" on this path: an identity number and a minor's name block
    the public reply; the page shows them masked (core/privacy/review.html) and one
    click publishes the reply with the redaction, audited by counts."""
    from django.test import Client
    from django.urls import reverse

    from sunshine.core.models import AuditEntry
    from sunshine.core.privacy import ID_CARD, id_check_char, mask_id_number
    from sunshine.core.testing import login_verified

    event, staff = _assigned(district)
    id_number = BODY17 + id_check_char(BODY17)
    leaky = f"经核实，该校学生张小明（身份证号{id_number}）反映的情况属实，已责令整改。"
    client = Client()
    login_verified(client, staff)
    url = reverse("opinion:event-action", kwargs={"pk": event.pk, "action": "reply"})
    response = client.post(url, {"text": leaky, "public": "on"})
    assert response.status_code == 400
    page = response.content.decode()
    review = page.split('id="privacy-findings"')[1].split("</section>")[0]
    assert "身份证号码" in review and "未成年人姓名" in review and mask_id_number(id_number) in review
    assert "张**" in review and 'value="redact"' in review
    event.refresh_from_db()
    assert event.status != Event.Status.ANSWERED and event.reply == ""
    response = client.post(url, {"text": leaky, "public": "on", "privacy": "redact"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == Event.Status.ANSWERED and event.reply_public
    assert id_number not in event.reply and "张小明" not in event.reply
    assert mask_id_number(id_number) in event.reply and "学生张**" in event.reply
    entry = AuditEntry.objects.get(action="core.privacy_review")
    assert entry.data == {"masked": {ID_CARD: 1, MINOR_NAME: 1}} and entry.actor_id == staff.pk


def test_a_landline_marked_as_a_public_office_number_is_published_with_the_reason(district):
    from django.test import Client
    from django.urls import reverse

    from sunshine.core.models import AuditEntry
    from sunshine.core.testing import login_verified

    event, staff = _assigned(district)
    text = "食堂已整改。详情：0571-87654321（后勤）。"
    client = Client()
    login_verified(client, staff)
    url = reverse("opinion:event-action", kwargs={"pk": event.pk, "action": "reply"})
    page = client.post(url, {"text": text, "public": "on"}).content.decode()
    assert 'name="public_numbers" value="057187654321"' in page
    # ticked without a reason: refused, nothing recorded
    response = client.post(url, {"text": text, "public": "on", "privacy": "confirm", "public_numbers": "057187654321"})
    assert response.status_code == 400
    event.refresh_from_db()
    assert event.reply == ""
    # a mobile cannot be marked public: the number posted is not a landline's
    mobile = "食堂已整改。联系人手机13812345678。"
    response = client.post(
        url,
        {"text": mobile, "public": "on", "privacy": "confirm", "public_numbers": "13812345678", "public_reason": "x"},
    )
    assert response.status_code == 400
    response = client.post(
        url,
        {
            "text": text,
            "public": "on",
            "privacy": "confirm",
            "public_numbers": "057187654321",
            "public_reason": "学校后勤处的办公电话，已在学校网站公布",
        },
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.reply_public and "0571-87654321" in event.reply
    entry = AuditEntry.objects.get(action="core.privacy_review")
    assert entry.actor_id == staff.pk
    assert entry.data == {"public_office_numbers": ["0571******21"], "reason": "学校后勤处的办公电话，已在学校网站公布"}
