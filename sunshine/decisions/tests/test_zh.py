"""Every decisions page with real data reads in Chinese: the demo's layout plan, meeting,
consultation and kindergarten project, walked as the office staff, the inspector, a
principal and the public (the site-wide walk starts from pages that hold no decision)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from sunshine.core.demo import DemoContext
from sunshine.core.testing import login_verified, user_with_role
from sunshine.core.tests.zh_text import offences, page_read
from sunshine.decisions.demo import build_decisions_demo
from sunshine.decisions.models import Consultation, DecisionItem, Meeting, Project, TitleRound
from sunshine.orgs.models import Organization, Role
from sunshine.orgs.tests.factories import BureauFactory, DepartmentFactory, SchoolFactory


def _problems(client: Client, urls: list[str]) -> list[str]:
    problems = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        page = page_read(response.content.decode())
        found = offences("\n".join(page.text), "\n".join(page.literal))
        if found:
            problems.append(f"{url} en={found.words[:8]} ids={found.rule_ids[:6]} codes={found.codes[:6]}")
    return problems


@pytest.mark.django_db
def test_decisions_pages_read_in_chinese() -> None:
    bureau = BureauFactory(name="示范区教育局", short_name="区教育局")
    office = DepartmentFactory(parent=bureau, name="办公室")
    discipline = DepartmentFactory(parent=bureau, name="纪检组")
    school = SchoolFactory(parent=bureau, name="示范区北坪小学", level=Organization.Level.PRIMARY)
    staff = user_with_role(Role.DEPARTMENT_STAFF, organization=office)
    principal_user = user_with_role(Role.PRINCIPAL, organization=school)
    with translation.override("zh-hans"):
        build_decisions_demo(DemoContext(bureau=bureau, users={"bangong": staff}, now=timezone.now()))
    item = DecisionItem.objects.filter(status=DecisionItem.Status.DECIDED).first()
    meeting = Meeting.objects.get()
    project = Project.objects.get()
    staff_urls = [
        reverse("decisions:workbench"),
        reverse("decisions:item-create"),
        reverse("decisions:meeting-create"),
        reverse("decisions:purchase-create"),
        *[reverse("decisions:item", args=[i.pk]) for i in DecisionItem.objects.all()],
        reverse("decisions:meeting", args=[meeting.pk]),
        *[reverse("decisions:consultation", args=[c.pk]) for c in Consultation.objects.all()],
        reverse("decisions:project", args=[project.pk]),
    ]
    public_urls = [
        reverse("decisions:public-consultations"),
        reverse("decisions:public-decisions"),
        *[reverse("decisions:public-consultation", args=[c.pk]) for c in Consultation.objects.all()],
    ]
    if item is not None and item.published_at:
        public_urls.append(reverse("decisions:public-decision", args=[item.pk]))
    problems: list[str] = []
    client = Client()
    login_verified(client, staff)
    problems += _problems(client, staff_urls)
    inspector = Client()
    login_verified(inspector, user_with_role(Role.DISCIPLINE_INSPECTOR, organization=discipline))
    problems += _problems(inspector, [reverse("decisions:red-flags"), reverse("decisions:project", args=[project.pk])])
    principal = Client()
    login_verified(principal, principal_user)
    rounds = [reverse("decisions:round", args=[r.pk]) for r in TitleRound.objects.all()]
    assert rounds
    problems += _problems(principal, [reverse("decisions:workbench"), reverse("decisions:round-create"), *rounds])
    problems += _problems(Client(), public_urls)
    assert not problems, "\n".join(problems)
