"""The workbench home: supervised items with their OVS-1 colour, notifications as to-dos,
and administration links only for the role that holds each (三员分立)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sunshine.core.supervision import supervision_open
from sunshine.core.testing import client_for
from sunshine.orgs.models import Role
from sunshine.orgs.tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db


def test_workbench_lists_the_units_supervised_items_with_their_colour():
    client, clerk = client_for(Role.SCHOOL_CLERK)
    school = clerk.memberships.get().organization
    item = SchoolFactory(parent=school.parent)  # any model instance can be the supervised item
    supervision_open(
        item=item, organization=school, rule_id="PET-5", start=timezone.now() - timedelta(days=70), actor=None,
        title="关于食堂收费的来信",
    )  # fmt: skip
    other_school = SchoolFactory(parent=school.parent)
    supervision_open(
        item=item, organization=other_school, rule_id="DIS-1", start=timezone.now(), actor=None, title="别校的事项"
    )
    body = client.get(reverse("core:workbench")).content.decode()
    assert "关于食堂收费的来信" in body
    assert "rag-red" in body  # 70 days after the start of a 60-day clock
    assert "别校的事项" not in body  # another unit's work is not shown


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (Role.SYSTEM_ADMIN, "admin:index", ("accounts:security", "core:audit-list")),
        (Role.SECURITY_ADMIN, "accounts:security", ("admin:index", "core:audit-list")),
        (Role.AUDIT_ADMIN, "core:audit-list", ("admin:index", "accounts:security")),
    ],
)
def test_each_administrator_sees_only_their_own_page_in_the_navigation(role, shown, hidden):
    client, _user = client_for(role)
    body = client.get(reverse("core:workbench")).content.decode()
    assert f'href="{reverse(shown)}"' in body
    for name in hidden:
        assert f'href="{reverse(name)}"' not in body


def test_a_leader_sees_no_administration_link():
    client, _user = client_for(Role.LEADER)
    body = client.get(reverse("core:workbench")).content.decode()
    for name in ("admin:index", "accounts:security", "core:audit-list"):
        assert f'href="{reverse(name)}"' not in body


def test_workbench_groups_items_by_module_with_counts_and_says_what_is_asked_by_when():
    from sunshine.core.models import Notification
    from sunshine.core.rules import rule_label
    from sunshine.core.views.staff import workbench_groups

    client, clerk = client_for(Role.SCHOOL_CLERK)
    school = clerk.memberships.get().organization
    now = timezone.now()
    for n in range(3):
        supervision_open(
            item=SchoolFactory(parent=school.parent), organization=school, rule_id="PET-5",
            start=now - timedelta(days=70 if n == 0 else 1), actor=None, title=f"事项{n}",
        )  # fmt: skip
    Notification.objects.create(
        recipient=clerk, verb=Notification.Verb.MESSAGE, text="请查看本周通知", url=reverse("core:workbench")
    )
    groups = {g.key: g for g in workbench_groups(clerk, now)}
    assert groups["orgs"].supervised_count == 3 and groups["orgs"].overdue_count == 1
    assert groups["core"].notification_count == 1
    row = groups["orgs"].supervised[0]
    assert row.asked == rule_label("PET-5") and row.asked  # what is asked, in words
    assert row.item.title == "事项0"  # the most urgent first
    body = client.get(reverse("core:workbench")).content.decode()
    assert 'id="module-orgs"' in body and 'id="module-core"' in body
    assert rule_label("PET-5") in body and row.due_at.astimezone().strftime("%Y") in body
    assert "PET-5" not in body
