"""Oversight's flows through the pages: a report with evidence sent from the order page,
the issuer's verification, a covert visit out of the school's sight until filed."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from sunshine.core.testing import District
from sunshine.orgs.models import Role
from sunshine.oversight import services
from sunshine.oversight.models import Inspection, RectificationItem
from sunshine.oversight.tests import access as rows
from sunshine.oversight.tests.test_services import png

pytestmark = pytest.mark.django_db


def test_the_school_reports_with_evidence_and_the_bureau_verifies_from_the_page():
    d = District()
    item = rows.item(d)
    url = reverse("oversight:order-detail", args=[item.order_id])
    clerk = d.client(Role.SCHOOL_CLERK)
    response = clerk.post(url, {"action": "report", "item": item.pk, "text": "已公示", "evidence": [png("公示栏.png")]})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == RectificationItem.Status.REPORTED
    (evidence,) = item.evidence.all()
    assert clerk.get(reverse("core:file-download", args=[evidence.pk])).status_code == 200
    assert d.client(rows.OTHER_SCHOOL_CLERK).get(reverse("core:file-download", args=[evidence.pk])).status_code == 404
    inspector = d.client(Role.DISCIPLINE_INSPECTOR)
    inspector.post(url, {"action": "verify", "item": item.pk, "accept": "0", "reason": ""})
    item.refresh_from_db()
    assert item.status == RectificationItem.Status.REPORTED  # a refusal needs its reason: nothing changed
    inspector.post(url, {"action": "verify", "item": item.pk, "accept": "1", "reason": ""})
    item.refresh_from_db()
    assert item.status == RectificationItem.Status.VERIFIED


def test_a_covert_visit_is_out_of_the_schools_sight_until_filed():
    d = District()
    inspection = services.inspection_open(
        appointment=rows.appointment(d),
        school=d.school,
        mode=Inspection.Mode.COVERT,
        visited_on=timezone.localdate(),
        items_checked="有偿补课",
        actor=d.user(Role.SUPERVISOR),
    )
    url = reverse("oversight:inspection-detail", args=[inspection.pk])
    clerk = d.client(Role.SCHOOL_CLERK)
    assert clerk.get(url).status_code == 404
    assert "有偿补课" not in clerk.get(reverse("oversight:workbench")).content.decode()
    services.inspection_file(inspection=inspection, actor=d.user(Role.SUPERVISOR))
    assert clerk.get(url).status_code == 200


def test_the_api_gives_each_schools_working_and_each_vetos_reason():
    d = District()
    advanced = rows.advanced(d)
    rows.veto(d)
    client = d.client("anonymous")
    (bulletin,) = client.get(reverse("oversight-api:bulletins")).json()
    school = next(s for s in bulletin["schools"] if s["school"] == "第一实验小学")
    assert {"indicator", "raw", "weight", "points"} <= set(school["working"][0])
    assert f"{sum(float(w['points']) for w in school['working']):.2f}" == school["score"]
    listed = client.get(reverse("oversight-api:advanced", args=[advanced.pk])).json()
    fee_veto = next(v for v in listed["vetoes"] if v["school"] == "第一实验小学")
    assert fee_veto["evidence"] == "违规收费"
