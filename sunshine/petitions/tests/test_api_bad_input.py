"""The integration API answers bad input with a 400 and a Chinese message, never a 500,
and files nothing: a time without a time zone, a year 9999 or 1900, a time in the
future, a lone surrogate in the JSON text."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from sunshine.petitions.models import Petition
from sunshine.petitions.tests.factories import make_world
from sunshine.petitions.tests.test_api import BASE, CASE, KEY, SETTINGS

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def post_raw(client, body: str):
    return client.post(
        f"{BASE}/intake",
        body,
        content_type="application/json",
        headers={"X-Api-Key": KEY, "Accept-Language": "zh-hans"},
    )


def post(client, **fields):
    return post_raw(client, json.dumps({**CASE, **fields}))


@override_settings(**SETTINGS)
@pytest.mark.parametrize(
    ("received_at", "expected"),
    [
        ("2026-09-01T10:00:00", "带时区的时间"),
        ("9999-12-31T23:59:59+08:00", "收到时间"),
        ("1900-01-01T08:00:00+08:00", "收到时间"),
        (None, "收到时间"),  # a day ahead of now
    ],
)
def test_impossible_times_of_receipt_are_refused(w, client, received_at, expected):
    if received_at is None:
        received_at = (timezone.now() + timedelta(days=1)).isoformat()
    response = post(client, received_at=received_at)
    assert response.status_code in (400, 422), response.content
    assert expected in json.dumps(response.json(), ensure_ascii=False)
    assert not Petition.objects.exists()


@override_settings(**SETTINGS)
def test_a_recent_time_of_receipt_with_a_zone_is_accepted(w, client):
    received = timezone.now() - timedelta(days=3)
    response = post(client, received_at=received.isoformat())
    assert response.status_code == 201, response.content
    assert Petition.objects.get().received_at == received


@override_settings(**SETTINGS)
def test_a_lone_surrogate_is_refused(w, client):
    body = json.dumps({**CASE, "facts": "x"}).replace('"x"', '"\\ud800"')
    response = post_raw(client, body)
    assert response.status_code in (400, 422), response.content
    assert "无法识别的字符" in json.dumps(response.json(), ensure_ascii=False)
    assert not Petition.objects.exists()


@override_settings(**SETTINGS)
@pytest.mark.parametrize(
    "params", [{"year": 10**30}, {"year": 9999, "quarter": 9}, {"year": 0}, {"year": 2026, "month": -1}]
)
def test_impossible_figure_periods_are_refused(w, client, params):
    response = client.get(f"{BASE}/figures", {"bureau_code": "TST", **params}, headers={"X-Api-Key": KEY})
    assert response.status_code == 400, response.content
    assert "季度" in json.dumps(response.json(), ensure_ascii=False)
