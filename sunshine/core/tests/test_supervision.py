"""Supervision (督办): due dates from the clocks, OVS-1 colours, reminders,
escalation, leaders' instructions and notifications."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from sunshine.core.clocks import Rag, deadline
from sunshine.core.models import AuditEntry, Instruction, Notification, Supervision
from sunshine.core.notifications import notification_mark_read, notifications_unread, notify
from sunshine.core.supervision import (
    supervision_answer,
    supervision_close,
    supervision_extend,
    supervision_get_active,
    supervision_instruct,
    supervision_list_for,
    supervision_open,
    supervision_rag,
    supervision_sweep,
)
from sunshine.orgs.models import Role
from sunshine.orgs.services import membership_grant
from sunshine.orgs.tests.factories import BureauFactory, DepartmentFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 10, 0, tzinfo=SH)
# Extensions are granted now and never after the deadline: their clocks start recently.
RECENT = timezone.now() - timedelta(days=1)
V = Notification.Verb

SENT: list[Notification] = []


def recording_notifier(notification):
    """A test channel (stands in for a later e-mail/SMS sender)."""
    SENT.append(notification)


def failing_notifier(notification):
    raise RuntimeError("channel down")


def member(org, role):
    user = UserFactory()
    membership_grant(actor=None, user=user, organization=org, role=role)
    return user


@pytest.fixture
def tree():
    city = BureauFactory(name="市教育局")
    bureau = BureauFactory(name="区教育局", parent=city)
    dept = DepartmentFactory(name="基础教育股", parent=bureau)
    return {
        "city": city,
        "bureau": bureau,
        "dept": dept,
        "staff": member(dept, Role.DEPARTMENT_STAFF),
        "dept_leader": member(dept, Role.LEADER),
        "bureau_leader": member(bureau, Role.LEADER),
        "bureau_staff": member(bureau, Role.DISCIPLINE_INSPECTOR),
        "city_leader": member(city, Role.LEADER),
        "clerk": UserFactory(),
    }


def open_pet5(tree, **kwargs):
    return supervision_open(
        item=kwargs.get("item") or SchoolFactory(parent=tree["bureau"]),
        organization=kwargs.get("organization", tree["dept"]),
        rule_id=kwargs.get("rule_id", "PET-5"),
        start=kwargs.get("start", START),
        actor=tree["clerk"],
        title="关于某校收费的信访",
    )


def notes(verb, supervision=None):
    qs = Notification.objects.filter(verb=verb)
    if supervision is not None:
        qs = qs.filter(supervision=supervision)
    return sorted(qs.values_list("recipient__username", flat=True))


def names(*users):
    return sorted(u.username for u in users)


def test_due_date_comes_from_the_clock_and_the_unit_is_told(tree):
    supervision = open_pet5(tree)
    expected = deadline("PET-5", START)
    assert (supervision.due_at, supervision.due_provisional) == (expected.due, expected.provisional)
    assert Supervision.objects.get(pk=supervision.pk).due_at == expected.due
    assert notes(V.ASSIGNED) == names(tree["staff"], tree["dept_leader"])
    assert AuditEntry.objects.filter(action="core.supervision_open", target_id=str(supervision.pk)).exists()


def test_open_refuses_an_unknown_rule_and_a_second_live_supervision(tree):
    with pytest.raises(ValidationError):
        open_pet5(tree, rule_id="NOPE-1")
    item = SchoolFactory(parent=tree["bureau"])
    first = open_pet5(tree, item=item)
    with pytest.raises(ValidationError):
        open_pet5(tree, item=item)
    assert supervision_get_active(item=item, rule_id="PET-5") == first
    supervision_close(supervision=first, actor=tree["clerk"])
    assert supervision_get_active(item=item, rule_id="PET-5") is None
    open_pet5(tree, item=item)  # a closed one does not block a new one
    assert Supervision.objects.filter(object_id=str(item.pk)).count() == 2


def test_rag_green_at_start_amber_at_75_percent_red_past_due(tree):
    """OVS-1: green on time, amber with 30% or less of the time left, red when overdue."""
    supervision = open_pet5(tree)
    allowed = supervision.due_at - supervision.started_at
    assert supervision_rag(supervision, now=supervision.started_at) == Rag.GREEN
    assert supervision_rag(supervision, now=supervision.started_at + allowed * 0.65) == Rag.GREEN
    assert supervision_rag(supervision, now=supervision.started_at + allowed * 0.75) == Rag.AMBER
    assert supervision_rag(supervision, now=supervision.due_at + timedelta(seconds=1)) == Rag.RED


def test_answered_supervision_keeps_the_colour_of_its_answer(tree):
    """OVS-1: the colour of an answered supervision is the colour at its answer."""
    supervision = open_pet5(tree, rule_id="OPN-1", start=timezone.now() - timedelta(hours=1))
    assert supervision_rag(supervision, now=supervision.due_at + timedelta(days=100)) == Rag.RED
    supervision_answer(supervision=supervision, actor=tree["staff"])
    supervision.refresh_from_db()
    assert supervision.finished_at is not None
    # Answered one hour into 48: green forever after.
    assert supervision_rag(supervision, now=supervision.due_at + timedelta(days=100)) == Rag.GREEN


def test_extension_uses_the_clock_once_within_its_ceiling(tree):
    """PET-5: one extension of at most 30 days; 90 days is the ceiling."""
    supervision = open_pet5(tree, start=RECENT)
    with pytest.raises(ValidationError):
        supervision_extend(supervision=supervision, units=31, actor=tree["dept_leader"], reason="复杂")
    with pytest.raises(ValidationError):
        supervision_extend(supervision=supervision, units=10, actor=tree["dept_leader"], reason=" ")
    assert Supervision.objects.get(pk=supervision.pk).extended_by == 0

    supervision_extend(supervision=supervision, units=30, actor=tree["dept_leader"], reason="需要调查")
    stored = Supervision.objects.get(pk=supervision.pk)
    assert stored.due_at == deadline("PET-5", RECENT, extension=30).due
    assert stored.extended_by == 30
    with pytest.raises(ValidationError):
        supervision_extend(supervision=supervision, units=1, actor=tree["dept_leader"], reason="again")
    assert Supervision.objects.get(pk=supervision.pk).due_at == stored.due_at


def test_extension_refused_for_a_clock_without_one(tree):
    supervision = open_pet5(tree, rule_id="PET-3")
    with pytest.raises(ValidationError):
        supervision_extend(supervision=supervision, units=1, actor=tree["dept_leader"], reason="x")
    assert Supervision.objects.get(pk=supervision.pk).due_at == deadline("PET-3", START).due


def test_sweep_reminds_once_even_when_run_twice(tree):
    """OVS-1: turning amber sends one reminder to the unit's members, never two."""
    supervision = open_pet5(tree)
    allowed = supervision.due_at - supervision.started_at
    green = supervision.started_at + allowed * 0.5
    amber = supervision.started_at + allowed * 0.8

    assert supervision_sweep(now=green).reminded == 0
    assert notes(V.REMINDER) == []

    assert supervision_sweep(now=amber).reminded == 1
    assert supervision_sweep(now=amber).reminded == 0
    assert supervision_sweep(now=amber + timedelta(hours=1)).reminded == 0
    assert notes(V.REMINDER, supervision) == names(tree["staff"], tree["dept_leader"])
    assert Supervision.objects.get(pk=supervision.pk).reminded_at == amber


def test_the_notification_key_stops_a_concurrent_duplicate(tree):
    supervision = open_pet5(tree)
    first = notify(recipients=[tree["staff"]], verb=V.REMINDER, text="t", supervision=supervision, key="due:1")
    again = notify(recipients=[tree["staff"]], verb=V.REMINDER, text="t", supervision=supervision, key="due:1")
    assert len(first) == 1 and again == []
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=tree["staff"], verb=V.REMINDER, supervision=supervision, key="due:1")
    assert Notification.objects.filter(verb=V.REMINDER).count() == 1


def test_extension_allows_a_new_reminder_for_the_new_due_date(tree):
    supervision = open_pet5(tree, start=RECENT)
    allowed = supervision.due_at - supervision.started_at
    supervision_sweep(now=supervision.started_at + allowed * 0.8)
    supervision_extend(supervision=supervision, units=30, actor=tree["dept_leader"], reason="需要调查")
    supervision.refresh_from_db()
    later = supervision.due_at - (supervision.due_at - supervision.started_at) * 0.1
    assert supervision_sweep(now=later).reminded == 1
    assert Notification.objects.filter(verb=V.REMINDER, recipient=tree["staff"]).count() == 2


def test_overdue_escalates_department_to_bureau_then_city(tree):
    """OVS-1 escalation: level 1 when overdue, one more level per full allowed period past due."""
    supervision = open_pet5(tree)
    allowed = supervision.due_at - supervision.started_at
    overdue = supervision.due_at + timedelta(minutes=1)

    result = supervision_sweep(now=overdue)
    assert result.escalated == 1
    stored = Supervision.objects.get(pk=supervision.pk)
    assert (stored.escalation_level, stored.escalated_to) == (1, tree["bureau"])
    assert notes(V.ESCALATED) == names(tree["bureau_leader"])  # not the inspector, not the city
    assert notes(V.OVERDUE) == names(tree["staff"], tree["dept_leader"])
    assert notes(V.REMINDER) == []  # no after-the-fact reminder

    assert supervision_sweep(now=overdue + allowed / 2).escalated == 0
    assert supervision_sweep(now=overdue).escalated == 0
    assert notes(V.ESCALATED) == names(tree["bureau_leader"])

    assert supervision_sweep(now=supervision.due_at + allowed + timedelta(minutes=1)).escalated == 1
    stored.refresh_from_db()
    assert (stored.escalation_level, stored.escalated_to) == (2, tree["city"])
    assert notes(V.ESCALATED) == names(tree["bureau_leader"], tree["city_leader"])

    # The top of the tree: nothing more to climb.
    assert supervision_sweep(now=supervision.due_at + allowed * 5).escalated == 0
    assert Supervision.objects.get(pk=supervision.pk).escalation_level == 2
    assert AuditEntry.objects.filter(action="core.supervision_escalate").count() == 2


def test_sweep_leaves_answered_and_closed_supervisions_alone(tree):
    answered = open_pet5(tree)
    supervision_answer(supervision=answered, actor=tree["staff"])
    closed = open_pet5(tree)
    supervision_close(supervision=closed, actor=tree["staff"])
    result = supervision_sweep(now=answered.due_at + timedelta(days=200))
    assert (result.reminded, result.escalated) == (0, 0)
    assert Notification.objects.exclude(verb=V.ASSIGNED).count() == 0


def test_instruct_refused_for_a_non_leader_and_a_leader_elsewhere(tree):
    supervision = open_pet5(tree)
    other_school = SchoolFactory(parent=BureauFactory())
    outsider = member(other_school, Role.LEADER)
    for user in (tree["staff"], tree["bureau_staff"], outsider):
        with pytest.raises(PermissionDenied):
            supervision_instruct(supervision=supervision, author=user, text="抓紧办理")
    assert not Instruction.objects.exists()
    assert notes(V.INSTRUCTION) == []


def test_bureau_leader_instructs_and_the_unit_is_told(tree):
    supervision = open_pet5(tree)
    instruction = supervision_instruct(supervision=supervision, author=tree["bureau_leader"], text="请于本周内办结")
    assert Instruction.objects.get().author == tree["bureau_leader"]
    assert instruction.text == "请于本周内办结"
    assert notes(V.INSTRUCTION) == names(tree["staff"], tree["dept_leader"])
    assert AuditEntry.objects.filter(action="core.supervision_instruct").count() == 1
    supervision_close(supervision=supervision, actor=tree["staff"])
    with pytest.raises(ValidationError):
        supervision_instruct(supervision=supervision, author=tree["bureau_leader"], text="再批")
    assert Instruction.objects.count() == 1


def test_list_for_shows_own_and_escalated_supervisions_only(tree):
    supervision = open_pet5(tree)
    other = open_pet5(tree, organization=DepartmentFactory(parent=tree["bureau"]))
    assert list(supervision_list_for(tree["staff"])) == [supervision]
    assert list(supervision_list_for(tree["bureau_leader"])) == []
    supervision_sweep(now=supervision.due_at + timedelta(minutes=1))
    assert set(supervision_list_for(tree["bureau_leader"])) == {supervision, other}
    assert list(supervision_list_for(UserFactory())) == []


def test_unread_notifications_and_mark_read(tree):
    open_pet5(tree)
    unread = list(notifications_unread(tree["staff"]))
    assert [n.verb for n in unread] == [V.ASSIGNED]
    with pytest.raises(PermissionDenied):
        notification_mark_read(user=tree["bureau_leader"], notification=unread[0])
    assert notifications_unread(tree["staff"]).count() == 1
    notification_mark_read(user=tree["staff"], notification=unread[0])
    assert notifications_unread(tree["staff"]).count() == 0


@override_settings(
    SUNSHINE_NOTIFIERS=[
        "sunshine.core.tests.test_supervision.failing_notifier",
        "sunshine.core.tests.test_supervision.recording_notifier",
    ]
)
def test_configured_notifiers_deliver_after_commit_despite_a_failing_one(tree, django_capture_on_commit_callbacks):
    SENT.clear()
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(recipients=[tree["staff"], tree["staff"]], verb=V.REMINDER, text="hello")
    assert len(created) == 1
    assert [n.pk for n in SENT] == [created[0].pk]


def test_a_units_work_never_reaches_its_social_supervisor_or_its_administrators(tree):
    """Supervised items and their notices go to those who do the unit's work: a social
    supervisor (who watches from outside) and an administrator (三员分立) of the same unit
    get neither the item in their list nor a notice, escalated or not."""
    supervisor = member(tree["bureau"], Role.SUPERVISOR)
    admin = member(tree["bureau"], Role.SYSTEM_ADMIN)
    supervision = open_pet5(tree, organization=tree["bureau"])
    assert notes(V.ASSIGNED) == names(tree["bureau_leader"], tree["bureau_staff"])
    supervision_sweep(now=supervision.due_at + timedelta(minutes=1))
    for outsider in (supervisor, admin):
        assert list(supervision_list_for(outsider)) == []
        assert not Notification.objects.filter(recipient=outsider).exists()
