"""The seam mechanism (core.seams): a command has exactly one receiver and says plainly
when there is none; an event reaches every subscriber in the caller's transaction; both
take only their typed payload, and every payload and result is a frozen dataclass. Each
seam's contract with its real receiver is tested in the receiving app."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from sunshine.core import seams
from sunshine.core.models import LocalRuleValue


@dataclasses.dataclass(frozen=True)
class Ping:
    n: int


@dataclasses.dataclass(frozen=True)
class Pong:
    n: int


def test_a_command_calls_its_one_receiver_with_the_typed_payload():
    command: seams.Command[Ping, Pong] = seams.Command("ping", Ping, Pong)
    with pytest.raises(seams.SeamUnavailable) as missing:
        command(Ping(1), actor=None)
    assert isinstance(missing.value, ImproperlyConfigured) and missing.value.seam == "ping"

    def receive(payload: Ping, /, *, actor: Any) -> Pong:
        return Pong(payload.n + 1)

    command.register(receive, pages={"home": "core:home"})
    command.register(receive)  # the same receiver again (a second ready()) is harmless
    assert command(Ping(1), actor=None) == Pong(2)
    assert command.page_url("home") == "/"
    with pytest.raises(ImproperlyConfigured):
        command.register(lambda payload, *, actor: Pong(0))  # a command has one receiver
    with pytest.raises(TypeError):
        command({"n": 1}, actor=None)  # type: ignore[arg-type]
    with command.absent(), pytest.raises(seams.SeamUnavailable):
        command(Ping(1), actor=None)
    assert command.installed


def test_a_command_whose_receiver_returns_the_wrong_type_fails_loudly():
    command: seams.Command[Ping, Pong] = seams.Command("ping", Ping, Pong)
    command.register(lambda payload, *, actor: "P-1")  # type: ignore[arg-type,return-value]
    with pytest.raises(TypeError):
        command(Ping(1), actor=None)


@pytest.mark.django_db
def test_an_event_reaches_every_subscriber_inside_the_callers_transaction():
    event: seams.Event[Ping] = seams.Event("pinged", Ping)
    assert event.send(Ping(1), actor=None) == 0  # nobody listens yet: nothing happens
    heard: list[tuple[int, Any]] = []
    event.subscribe("a", lambda payload, *, actor: heard.append((payload.n, actor)))
    event.subscribe("a", lambda payload, *, actor: heard.append((payload.n, actor)))  # same key: once

    def failing(payload: Ping, /, *, actor: Any) -> None:
        LocalRuleValue.objects.create(key="test-seam", value="1")
        raise RuntimeError("subscriber failed")

    assert event.send(Ping(2), actor="clerk") == 1 and heard == [(2, "clerk")]
    with event.subscribed(failing), pytest.raises(RuntimeError), transaction.atomic():
        event.send(Ping(3), actor=None)
    assert not LocalRuleValue.objects.filter(key="test-seam").exists()  # undone with the caller's change
    with pytest.raises(TypeError):
        event.send(Pong(1), actor=None)  # type: ignore[arg-type]


def test_every_seam_payload_and_result_is_frozen_and_keeps_identity_out_of_its_repr():
    for seam in seams.SEAMS:
        types = [seam.payload] + ([seam.result] if isinstance(seam, seams.Command) else [])
        for kind in types:
            assert dataclasses.is_dataclass(kind) and kind.__dataclass_params__.frozen, kind  # type: ignore[attr-defined]
    intake = seams.PetitionIntake(kind="complaint", channel="web", title="t", facts="f", name="张三", phone="139")
    assert "张三" not in repr(intake) and "139" not in repr(intake)
    assert [f.name for f in dataclasses.fields(seams.PetitionIntakeResult)] == ["case_id", "case_number"]


@pytest.mark.django_db
def test_the_rectification_request_carries_its_typed_items():
    """The payload is typed and frozen; the real receiver (oversight) is tested in its
    contract test, so here the organisations are real ones for it to find."""
    from sunshine.core.actors import SYSTEM
    from sunshine.orgs.tests.factories import SchoolFactory

    school = SchoolFactory()
    heard: list[seams.RectificationRequest] = []
    request = seams.RectificationRequest(
        organization_id=school.pk,
        issuer_id=school.parent_id,
        source_label="disclosure.inspection:3",
        items=(
            seams.RectificationItem(text="补充公开收费项目", due_on=date(2099, 10, 30)),
            seams.RectificationItem(text="x"),
        ),
    )
    with seams.rectification_request.subscribed(lambda payload, *, actor: heard.append(payload)):
        assert seams.rectification_request.send(request, actor=SYSTEM) >= 1
    assert heard == [request] and heard[0].items[1].rule_id == "OVS-4"
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.organization_id = 6  # type: ignore[misc]
