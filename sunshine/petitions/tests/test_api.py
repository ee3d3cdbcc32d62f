"""The integration API: API-key authentication (keys configured as SHA-256 digests),
intake, status by receipt code (throttled), and the OpenAPI schema."""

import hashlib

import pytest
from django.test import override_settings

from sunshine.petitions import rules
from sunshine.petitions.models import Petition
from sunshine.petitions.tests.factories import make_world

pytestmark = pytest.mark.django_db

KEY = "hotline-test-key-123"
BASE = "/petitions/api"
SETTINGS = {"SUNSHINE_PETITION_API_KEYS": f"{'0' * 64}, {hashlib.sha256(KEY.encode()).hexdigest()}"}
CASE = {
    "bureau_code": "TST",
    "title": "热线转来的投诉",
    "facts": "学校补课收费",
    "request": "查处",
    "reasons": "违反规定",
    "subject_code": "TST-S01",
}


@pytest.fixture
def w():
    return make_world()


@override_settings(**SETTINGS)
def test_intake_needs_a_configured_key(w, client):
    assert client.post(f"{BASE}/intake", CASE, content_type="application/json").status_code == 401
    bad = client.post(f"{BASE}/intake", CASE, content_type="application/json", headers={"X-Api-Key": "wrong"})
    assert bad.status_code == 401
    assert not Petition.objects.exists()


def test_no_keys_configured_refuses_everyone(w, client):
    response = client.post(f"{BASE}/intake", CASE, content_type="application/json", headers={"X-Api-Key": KEY})
    assert response.status_code == 401


@override_settings(**SETTINGS)
def test_intake_then_status(w, client):
    """PET-1 hotline channel through the API; the status answers with the receipt code."""
    response = client.post(
        f"{BASE}/intake",
        {**CASE, "name": "热线来电人", "phone": "13900007777"},
        content_type="application/json",
        headers={"X-Api-Key": KEY},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    p = Petition.objects.get(number=body["number"])
    assert p.channel == "hotline" and p.named and p.subject_organization == w.school
    assert p.source_label.startswith("api:")
    status = client.get(f"{BASE}/status", headers={"X-Api-Key": KEY, "X-Receipt-Code": body["receipt_code"]})
    assert status.status_code == 200
    assert status.json()["number"] == p.number and status.json()["status"] == "registered"
    assert "13900007777" not in status.content.decode()


@override_settings(**SETTINGS)
def test_bad_input_and_throttle(w, client):
    """Missing fields → 400 and nothing saved; malformed code → 400; guesses → 404 then 429."""
    response = client.post(
        f"{BASE}/intake", {**CASE, "facts": " "}, content_type="application/json", headers={"X-Api-Key": KEY}
    )
    assert response.status_code == 400 and "facts" in response.json()["detail"]
    assert not Petition.objects.exists()
    headers = {"X-Api-Key": KEY}
    assert client.get(f"{BASE}/status", headers={**headers, "X-Receipt-Code": "12ab"}).status_code == 400
    codes = [
        client.get(f"{BASE}/status", headers={**headers, "X-Receipt-Code": f"{i:016d}"}).status_code
        for i in range(rules.RECEIPT_MAX_FAILURES + 2)
    ]
    assert codes == [404] * rules.RECEIPT_MAX_FAILURES + [429, 429]


def test_openapi_schema(client):
    schema = client.get(f"{BASE}/openapi.json").json()
    assert {f"{BASE}/intake", f"{BASE}/status"} <= set(schema["paths"])
    assert schema["info"]["title"] == "Sunshine petitions API"


@override_settings(**SETTINGS)
def test_figures_read_through_the_registry(w, client):
    """PET-10 through the API: the registry's petitions figures with their parts and
    definitions; an unknown bureau or a quarter and a month at once are refused."""
    from django.utils import timezone

    from sunshine.core.figures import Period, figure_value
    from sunshine.petitions.services import petition_accept
    from sunshine.petitions.tests.factories import file_case

    petition_accept(petition=file_case(w).petition, actor=w.inspector)
    file_case(w)
    year = timezone.localdate().year
    assert client.get(f"{BASE}/figures", {"bureau_code": "TST", "year": year}).status_code == 401
    response = client.get(f"{BASE}/figures", {"bureau_code": "TST", "year": year}, headers={"X-Api-Key": KEY})
    assert response.status_code == 200, response.content
    body = response.json()
    figures = {f["key"]: f for f in body["figures"]}
    assert all(key.startswith("petitions.") for key in figures)
    assert figures["petitions.received"]["value"] == 2
    assert figures["petitions.closure_rate"]["numerator"] == 0
    assert figures["petitions.closure_rate"]["denominator"] == 1
    assert figures["petitions.closure_rate"]["value"] == 0.0
    registry = figure_value("petitions.closure_rate", period=Period.year(year), organization=w.bureau)
    assert figures["petitions.closure_rate"]["definition"] == registry.definition
    assert body["first_day"] == f"{year}-01-01" and body["last_day"] == f"{year}-12-31"
    other_year = client.get(f"{BASE}/figures", {"bureau_code": "TST", "year": year - 1}, headers={"X-Api-Key": KEY})
    assert {f["key"]: f["value"] for f in other_year.json()["figures"]}["petitions.received"] == 0
    unknown = client.get(f"{BASE}/figures", {"bureau_code": "NOPE", "year": year}, headers={"X-Api-Key": KEY})
    assert unknown.status_code == 400
    both = client.get(
        f"{BASE}/figures", {"bureau_code": "TST", "year": year, "quarter": 1, "month": 1}, headers={"X-Api-Key": KEY}
    )
    assert both.status_code == 400


@pytest.mark.django_db
def test_api_docs_load_swagger_from_our_own_static_files_never_a_cdn(client):
    response = client.get("/petitions/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower() and "https://" not in page
    assert "no-store" in response["Cache-Control"]


def test_production_turns_the_api_docs_off():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[3] / "config" / "settings" / "production.py").read_text()
    assert 'SUNSHINE_API_DOCS = env("SUNSHINE_API_DOCS", False, bool)' in text
