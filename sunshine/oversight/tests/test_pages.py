"""Oversight's pages in zh-Hans for the people who use them, with real records: no
English word, rule ID or raw code; the public bulletin shows every school's colour and
working, the advanced list each veto's reason; the bulletin downloads as a Word file."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import translation
from docx import Document

from sunshine.core.testing import ANONYMOUS, District
from sunshine.core.tests.zh_text import offences, page_read
from sunshine.orgs.models import Role
from sunshine.oversight.tests import access as rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def district() -> District:
    with translation.override("zh-hans"):
        d = District()
        rows.reported(d)
        rows.filed_finding(d)
        rows.advanced(d)
        rows.veto(d)
        rows.circular(d)
    return d


def pages(d: District) -> list[tuple[str, str]]:
    evaluation = rows.issued(d)
    return [
        (ANONYMOUS, reverse("oversight:bulletins")),
        (ANONYMOUS, reverse("oversight:bulletin", args=[evaluation.pk])),
        (ANONYMOUS, reverse("oversight:advanced", args=[rows.advanced(d).pk])),
        (Role.DISCIPLINE_INSPECTOR, reverse("oversight:workbench")),
        (Role.DISCIPLINE_INSPECTOR, reverse("oversight:order-detail", args=[rows.order(d).pk])),
        (Role.DISCIPLINE_INSPECTOR, reverse("oversight:inspection-detail", args=[rows.inspection(d).pk])),
        (Role.DISCIPLINE_INSPECTOR, reverse("oversight:evaluation-detail", args=[evaluation.pk])),
        (Role.DISCIPLINE_INSPECTOR, reverse("oversight:veto-detail", args=[rows.veto(d).pk])),
        (Role.DISCIPLINE_INSPECTOR, reverse("oversight:circular-detail", args=[rows.circular(d).pk])),
        (Role.DISCIPLINE_INSPECTOR, reverse("oversight:talks")),
        (Role.DISCIPLINE_INSPECTOR, reverse("oversight:order-create")),
        (Role.DISCIPLINE_INSPECTOR, reverse("oversight:evaluation-create")),
        (Role.DISCIPLINE_INSPECTOR, reverse("oversight:circular-create")),
        (Role.SCHOOL_CLERK, reverse("oversight:workbench")),
        (Role.SCHOOL_CLERK, reverse("oversight:order-detail", args=[rows.order(d).pk])),
        (Role.SCHOOL_CLERK, reverse("oversight:veto-detail", args=[rows.veto(d).pk])),
        (Role.SCHOOL_CLERK, reverse("oversight:circular-detail", args=[rows.circular(d).pk])),
        (Role.SUPERVISOR, reverse("oversight:inspection-create")),
        (Role.LEADER, reverse("oversight:appointment-create")),
        (Role.LEADER, reverse("oversight:campaign-create")),
        (Role.LEADER, reverse("oversight:campaign-detail", args=[rows.answered(d).campaign_id])),
        (Role.SCHOOL_CLERK, reverse("oversight:campaign-detail", args=[rows.answered(d).campaign_id])),
        (Role.SCHOOL_CLERK, reverse("oversight:campaign-detail", args=[rows.campaign(d, "pledge").pk])),
        (Role.LEADER, reverse("oversight:campaign-detail", args=[rows.campaign(d, "warning").pk])),
        (Role.SUPERVISOR, reverse("oversight:workbench")),
    ]


def test_every_page_reads_in_chinese(district):
    problems = []
    for who, url in pages(district):
        response = district.client(who).get(url)
        assert response.status_code == 200, (who, url, response.status_code)
        page = page_read(response.content.decode())
        found = offences("\n".join(page.text), "\n".join(page.literal))
        if found:
            problems.append(f"[{who}] {url} en={found.words[:8]} ids={found.rule_ids[:6]} codes={found.codes[:6]}")
    assert not problems, "\n".join(problems)


def test_the_public_bulletin_shows_colours_working_and_the_word_file(district):
    evaluation = rows.issued(district)
    client = district.client(ANONYMOUS)
    html = client.get(reverse("oversight:bulletin", args=[evaluation.pk])).content.decode()
    assert "第一实验小学" in html and "rag-" in html and "计分明细" in html and "师德师风" in html
    response = client.get(reverse("oversight:bulletin-docx", args=[evaluation.pk]))
    assert response.status_code == 200
    document = Document(io.BytesIO(b"".join(response.streaming_content)))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "第一实验小学" in cells


def test_the_advanced_list_names_each_veto_and_its_reason(district):
    html = district.client(ANONYMOUS).get(reverse("oversight:advanced", args=[rows.advanced(district).pk])).content
    text = html.decode()
    assert "第一实验小学" in text and "经认定存在违规收费" in text and "违规收费" in text


def test_the_home_page_links_the_bulletins(district):
    html = district.client(ANONYMOUS).get("/").content.decode()
    assert reverse("oversight:bulletins") in html
