"""The one door for status changes, proven on Supervision (a real stateful model;
no test-only model is needed)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from sunshine.core.models import AuditEntry, StatusAssignmentError, StatusChange, Supervision
from sunshine.core.supervision import supervision_open
from sunshine.core.transitions import (
    TransitionConflict,
    TransitionNotAllowed,
    status_changed,
    status_history,
    transition,
)
from sunshine.orgs.tests.factories import DepartmentFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
S = Supervision.Status
# How to reach each status from OPEN through allowed moves.
PATH_TO = {S.OPEN: [], S.ANSWERED: [S.ANSWERED], S.CLOSED: [S.CLOSED], S.CANCELLED: [S.CANCELLED]}


def _open(actor, status=S.OPEN):
    supervision = supervision_open(
        item=SchoolFactory(),
        organization=DepartmentFactory(),
        rule_id="PET-5",
        start=datetime(2026, 3, 2, 10, 0, tzinfo=SH),
        actor=actor,
        title="某信访件",
    )
    for step in PATH_TO[status]:
        transition(supervision, step, actor=actor)
    return Supervision.objects.get(pk=supervision.pk)


def _snapshot(supervision):
    return (
        Supervision.objects.get(pk=supervision.pk).status,
        StatusChange.objects.count(),
        AuditEntry.objects.filter(action="core.supervision_transition").count(),
    )


@pytest.mark.parametrize("start", list(S))
def test_every_move_outside_allowed_is_refused_and_changes_nothing(start):
    actor = UserFactory()
    supervision = _open(actor, start)
    refused = [to for to in S if to not in Supervision.ALLOWED[start]]
    assert refused  # every status refuses something (at least itself)
    for to in refused:
        before = _snapshot(supervision)
        with pytest.raises(TransitionNotAllowed):
            transition(supervision, to, actor=actor, reason="try")
        assert _snapshot(supervision) == before
        assert supervision.status == start


@pytest.mark.parametrize("start", list(S))
def test_every_allowed_move_goes_through(start):
    actor = UserFactory()
    for to in Supervision.ALLOWED[start]:
        supervision = _open(actor, start)
        change = transition(supervision, to, actor=actor, reason="ok")
        assert Supervision.objects.get(pk=supervision.pk).status == to
        assert (change.old_status, change.new_status) == (start, to)


def test_refusal_message_names_both_states():
    actor = UserFactory()
    supervision = _open(actor, S.CLOSED)
    with translation.override("en"), pytest.raises(TransitionNotAllowed) as exc:
        transition(supervision, S.OPEN, actor=actor)
    assert exc.value.messages == ["The status cannot change from “closed” to “open”."]


def test_history_audit_and_signal_are_recorded():
    actor = UserFactory()
    supervision = _open(actor)
    received = []

    def receiver(sender, instance, old, new, actor, **kwargs):
        received.append((sender, instance.pk, old, new, actor))

    status_changed.connect(receiver)
    try:
        transition(supervision, S.ANSWERED, actor=actor, reason="answered", data={"note": 1})
        transition(supervision, S.OPEN, actor=actor, reason="sent back")
        transition(supervision, S.CLOSED, actor=None, reason="done")
    finally:
        status_changed.disconnect(receiver)

    history = list(status_history(supervision))
    assert [(h.old_status, h.new_status, h.reason) for h in history] == [
        (S.OPEN, S.ANSWERED, "answered"),
        (S.ANSWERED, S.OPEN, "sent back"),
        (S.OPEN, S.CLOSED, "done"),
    ]
    assert history[0].actor == actor and history[0].data == {"note": 1}
    assert history[2].actor is None
    entries = AuditEntry.objects.filter(action="core.supervision_transition", target_id=str(supervision.pk))
    assert [(e.data["from"], e.data["to"]) for e in entries.order_by("pk")] == [
        ("open", "answered"),
        ("answered", "open"),
        ("open", "closed"),
    ]
    assert received == [
        (Supervision, supervision.pk, S.OPEN, S.ANSWERED, actor),
        (Supervision, supervision.pk, S.ANSWERED, S.OPEN, actor),
        (Supervision, supervision.pk, S.OPEN, S.CLOSED, None),
    ]
    assert Supervision.objects.get(pk=supervision.pk).status == S.CLOSED


def test_assigning_status_directly_and_saving_raises():
    actor = UserFactory()
    supervision = _open(actor)
    supervision.status = S.CLOSED
    with pytest.raises(StatusAssignmentError):
        supervision.save()
    with pytest.raises(StatusAssignmentError):
        Supervision.objects.filter(pk=supervision.pk).update(status=S.CLOSED)
    assert Supervision.objects.get(pk=supervision.pk).status == S.OPEN
    assert not status_history(supervision).exists()


def test_other_fields_still_save_and_a_refreshed_copy_saves():
    actor = UserFactory()
    supervision = _open(actor)
    other = Supervision.objects.get(pk=supervision.pk)
    transition(other, S.ANSWERED, actor=actor)
    supervision.refresh_from_db()
    supervision.title = "改名"
    supervision.save()
    assert Supervision.objects.get(pk=supervision.pk).title == "改名"
    deferred = Supervision.objects.defer("status").get(pk=supervision.pk)
    deferred.title = "再改"
    deferred.save()
    assert Supervision.objects.get(pk=supervision.pk).status == S.ANSWERED


def test_a_new_row_must_start_in_the_initial_status():
    actor = UserFactory()
    template = _open(actor)
    copy = Supervision(
        content_type=template.content_type,
        object_id="other",
        organization=template.organization,
        rule_id="PET-5",
        title="x",
        started_at=template.started_at,
        due_at=template.due_at,
        status=S.CLOSED,
    )
    with pytest.raises(StatusAssignmentError):
        copy.save()
    assert not Supervision.objects.filter(object_id="other").exists()


def test_stale_object_is_refused():
    actor = UserFactory()
    supervision = _open(actor)
    first = Supervision.objects.get(pk=supervision.pk)
    second = Supervision.objects.get(pk=supervision.pk)
    transition(first, S.ANSWERED, actor=actor)
    # CLOSED is allowed from OPEN (what `second` believes) and from ANSWERED: only staleness refuses it.
    with pytest.raises(TransitionConflict):
        transition(second, S.CLOSED, actor=actor)
    assert Supervision.objects.get(pk=supervision.pk).status == S.ANSWERED
    assert status_history(supervision).count() == 1
