"""The fee pages: declaring, reviewing, publishing, the public notice, the poster, the
complaint seam, ledger upload and export — allowed and denied."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from sunshine.core import seams
from sunshine.core.figures import figures_registered
from sunshine.core.issued import document_for
from sunshine.core.models import AuditEntry
from sunshine.core.receipts import receipt_code_grouped
from sunshine.core.testing import audit_entries_containing, login_verified, receipt_codes_drawn, user_with_role
from sunshine.fees.models import FeeDeclaration, FeeNotice, Finding, LedgerUpload
from sunshine.fees.services import fee_notice_generate, fee_notice_publish
from sunshine.fees.tests.access import before_registration
from sunshine.fees.tests.test_audit import CLEAN, HEADER
from sunshine.orgs.models import Role
from sunshine.orgs.tests.factories import BureauFactory

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    login_verified(client, user)
    return client


def declare_post(world, code: str, yuan: str = "900") -> dict:
    return {
        "school": world.primary.pk,
        "term": world.term.pk,
        "item": world.item(code).pk,
        "standard": yuan,
        "unit": "term",
        "grades": "一至六年级",
        "scope": "all",
        "reductions": "",
    }


def test_clerk_declares_and_prohibited_is_refused_with_the_rule(world):
    client = client_of(world.clerk)
    response = client.post(reverse("fees:declaration-create"), declare_post(world, "meals"))
    assert response.status_code == 302
    assert FeeDeclaration.objects.get().standard_fen == 90000
    response = client.post(reverse("fees:declaration-create"), declare_post(world, "heating"))
    page = response.content.decode()
    assert response.status_code == 400 and "may not be charged under any name" in page and "FEE-3" not in page
    assert FeeDeclaration.objects.count() == 1


def test_clerk_cannot_declare_for_another_school(world):
    client = client_of(world.senior_clerk)
    response = client.post(reverse("fees:declaration-create"), declare_post(world, "meals"))
    assert response.status_code == 400 and not FeeDeclaration.objects.exists()


def test_reviewer_approves_and_files_others_cannot(world):
    client_of(world.clerk).post(reverse("fees:declaration-create"), declare_post(world, "meals"))
    declaration = FeeDeclaration.objects.get()
    url = reverse("fees:declaration-review", args=[declaration.pk])
    # The clerk sees the declaration but cannot approve it.
    assert client_of(world.clerk).get(url).status_code == 200
    assert client_of(world.clerk).post(url, {"action": "approve"}).status_code == 403
    # Another bureau's reviewer does not even see it.
    stranger = user_with_role(Role.FEE_REVIEWER, organization=BureauFactory())
    assert client_of(stranger).get(url).status_code == 404
    reviewer = client_of(world.reviewer)
    reviewer.post(url, {"action": "approve", "approving_body": "区发改局", "document_number": "区发改〔2026〕9号"})
    reviewer.post(url, {"action": "file"})
    declaration.refresh_from_db()
    assert declaration.status == FeeDeclaration.Status.FILED


def test_notice_publish_public_page_and_poster(world):
    world.file(world.primary, "meals", 90000)
    client = client_of(world.clerk)
    url = reverse("fees:notice-staff", args=[world.primary.pk, world.term.pk])
    assert client.post(url, {"action": "generate"}).status_code == 302
    public = Client()
    assert public.get(reverse("fees:school-notice", args=[world.primary.code])).status_code == 404  # draft
    # FEE-5: registration is over, so the page asks for the reason; without it nothing is published.
    assert "id_late_reason" in client.get(url).content.decode()
    client.post(url, {"action": "publish"})
    assert FeeNotice.objects.get().status == FeeNotice.Status.DRAFT
    client.post(url, {"action": "publish", "late_reason": "校舍维修推迟公示"})
    assert FeeNotice.objects.get().status == FeeNotice.Status.PUBLISHED
    assert Finding.objects.get().kind == Finding.Kind.LATE_NOTICE
    page = public.get(reverse("fees:school-notice", args=[world.primary.code]))
    assert page.status_code == 200 and "伙食费" in page.content.decode() and "0000-12345" in page.content.decode()
    assert world.primary.name in public.get(reverse("fees:school-list")).content.decode()
    notice = FeeNotice.objects.get()
    poster = public.get(reverse("fees:notice-poster", args=[notice.pk]))
    body = b"".join(poster.streaming_content)
    word = Document(io.BytesIO(body))
    text = "\n".join([p.text for p in word.paragraphs] + [c.text for t in word.tables for r in t.rows for c in r.cells])
    assert world.primary.name in text and "0000-12345" in text and "伙食费" in text
    # The poster was issued and published with the notice: a core record under the school's
    # notice number of the term's year, and the download is its recorded bytes.
    document = document_for(notice, kind="fees.notice")
    assert document is not None and document.published and document.number == notice.number
    assert (
        notice.number == f"{world.primary.short_name or world.primary.name}收费公告〔{world.term.starts_on.year}〕1号"
    )
    assert notice.number in text and hashlib.sha256(body).hexdigest() == document.sha256
    assert document.period_start == world.term.starts_on and document.issued_by == world.clerk
    assert public.get(reverse("core:document-download", args=[document.pk])).status_code == 200
    # The senior school's clerk cannot publish the primary's notice.
    assert client_of(world.senior_clerk).post(url, {"action": "publish"}).status_code == 404


@pytest.fixture
def published(world):
    world.file(world.primary, "meals", 90000)
    notice = fee_notice_generate(school=world.primary, term=world.term, actor=world.clerk)
    return fee_notice_publish(notice=notice, actor=world.clerk, now=before_registration(world.term))


def test_a_published_notice_is_in_the_schools_disclosure_catalogue_under_fees(published):
    """DIS-2 "fees": the notice reaches the school's catalogue through the real disclosure
    module (``core.seams.disclosure_entry_publish``), with its table and its poster."""
    assert published.disclosure_url
    page = Client().get(published.disclosure_url)
    body = page.content.decode()
    assert page.status_code == 200
    assert published.school.name in body and published.number in body and "0000-12345" in body
    assert f"{published.number}.docx" in body  # the poster, named as a person reads it
    entry = AuditEntry.objects.get(action="disclosure.entry_receive")
    assert entry.data["source"] == f"fees.notice:{published.pk}" and entry.data["category"] == "fees"


def test_without_disclosure_the_notice_is_published_on_the_fee_pages_only(world):
    world.file(world.primary, "meals", 90000)
    notice = fee_notice_generate(school=world.primary, term=world.term, actor=world.clerk)
    with seams.disclosure_entry_publish.absent():
        notice = fee_notice_publish(notice=notice, actor=world.clerk, now=before_registration(world.term))
    assert notice.status == FeeNotice.Status.PUBLISHED and notice.disclosure_url == ""
    assert Client().get(reverse("fees:school-notice", args=[world.primary.code])).status_code == 200


COMPLAINT = {"title": "多收资料费", "facts": "班主任收了每人50元资料费", "request": "退还"}


def test_complaint_goes_to_petitions_and_its_code_only_to_the_parents_receipt_page(published):
    """The real petitions module receives the complaint; the receipt code reaches the
    parent's own receipt page (once) and is stored nowhere on the way."""
    parent = Client()
    with receipt_codes_drawn() as codes:
        response = parent.post(reverse("fees:notice-complain", args=[published.pk]), COMPLAINT)
    (code,) = codes
    assert response.status_code == 302 and response["Location"] == seams.petition_intake.page_url("receipt")
    assert code not in response.content.decode()
    receipt = parent.get(response["Location"]).content.decode()
    assert receipt_code_grouped(code) in receipt  # shown on petitions' receipt page, to this browser only
    assert receipt_code_grouped(code) not in parent.get(response["Location"]).content.decode()  # and only once
    filed = AuditEntry.objects.get(action="petitions.petition_file")
    assert filed.data["kind"] == "complaint" and filed.data["named"] is False
    assert audit_entries_containing(code) == []
    # The code opens the case on petitions' tracking page: it is the case's real code.
    tracking = Client()
    assert tracking.post(reverse("petitions:track"), {"code": code}).status_code == 302
    assert "多收资料费" in tracking.get(reverse("petitions:track-case")).content.decode()


def test_complaint_is_post_redirect_get_and_the_same_submission_files_once(published):
    """The fee complaint posts, redirects to petitions' receipt page, and the same form sent
    again (its one-time token) files no second case."""
    parent = Client()
    form = parent.get(reverse("fees:notice-complain", args=[published.pk])).content.decode()
    token = form.split('name="submission" value="')[1].split('"')[0]
    assert 'class="privacy-note"' in form and 'class="required"' in form
    data = {**COMPLAINT, "submission": token}
    first = parent.post(reverse("fees:notice-complain", args=[published.pk]), data)
    assert first.status_code == 302 and first["Location"] == seams.petition_intake.page_url("receipt")
    assert 'id="receipt-number"' in parent.get(first["Location"]).content.decode()
    again = parent.post(reverse("fees:notice-complain", args=[published.pk]), data)
    assert again.status_code == 302 and again["Location"] == seams.petition_intake.page_url("receipt")
    assert AuditEntry.objects.filter(action="petitions.petition_file").count() == 1


def test_complaint_without_petitions_keeps_the_text_and_gives_the_hotline(published):
    with seams.petition_intake.absent():
        response = Client().post(reverse("fees:notice-complain", args=[published.pk]), COMPLAINT)
    body = response.content.decode()
    assert response.status_code == 503 and "0000-12345" in body and "班主任收了每人50元资料费" in body
    assert not AuditEntry.objects.filter(action="petitions.petition_file").exists()


def test_ledger_upload_view_errors_then_findings_and_export(world):
    world.file(world.primary, "meals", 90000)
    world.file(world.primary, "accommodation", 40000)
    world.file(world.primary, "uniform", 25000)
    client = client_of(world.clerk)
    bad = SimpleUploadedFile("l.csv", "\n".join([HEADER, *CLEAN, "S9,某,伙食费,-1,2026-09-01,R"]).encode())
    response = client.post(
        reverse("fees:ledger-upload"), {"school": world.primary.pk, "term": world.term.pk, "file": bad}
    )
    assert response.status_code == 400 and "Row 6" in response.content.decode()
    assert not LedgerUpload.objects.exists()
    good = SimpleUploadedFile("l.csv", "\n".join([HEADER, *CLEAN, "S9,某,上机费,20,2026-09-01,R"]).encode())
    response = client.post(
        reverse("fees:ledger-upload"), {"school": world.primary.pk, "term": world.term.pk, "file": good}
    )
    assert response.status_code == 302
    finding = Finding.objects.get()
    assert finding.kind == "prohibited"
    # The clerk cannot confirm; the reviewer can.
    action = reverse("fees:finding-action", args=[finding.pk])
    assert client.post(action, {"action": "confirm"}).status_code == 403
    client_of(world.reviewer).post(action, {"action": "confirm"})
    finding.refresh_from_db()
    assert finding.status == Finding.Status.CONFIRMED
    export = client_of(world.reviewer).get(reverse("fees:finding-export"))
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][4] == "S9" and rows[1][7] == 20
    # Another bureau's reviewer exports nothing of ours.
    stranger = user_with_role(Role.FEE_REVIEWER, organization=BureauFactory())
    rows = list(
        load_workbook(io.BytesIO(client_of(stranger).get(reverse("fees:finding-export")).content)).active.iter_rows(
            values_only=True
        )
    )
    assert len(rows) == 1


def test_workbench_shows_notice_status(world, published):
    response = client_of(world.reviewer).get(reverse("fees:workbench"))
    body = response.content.decode()
    assert response.status_code == 200 and world.primary.name in body and "rag rag-" in body
    # This year's fee figures come from the figures registry, each with its definition.
    keys = [figure.key for figure in response.context["figures"]]
    assert keys == [f.key for f in figures_registered("fees.")]
    refunds = next(f for f in response.context["figures"] if f.key == "fees.refunds_ordered")
    assert refunds.display in body and str(refunds.definition) in body
    clerk = client_of(world.clerk).get(reverse("fees:workbench"))
    assert "figures" not in clerk.context  # a school's clerk sees no bureau figures


def test_notice_colours_ovs1_fee5(world, published):
    """FEE-5 / OVS-1 colours: green published before registration, red none by registration, amber pending."""
    from datetime import datetime, timedelta

    from sunshine.core.clocks import SHANGHAI, Rag
    from sunshine.fees.selectors import notice_status_list
    from sunshine.orgs.models import Organization

    FeeNotice.objects.filter(pk=published.pk).update(published_at=datetime(2026, 8, 20, 9, tzinfo=SHANGHAI))
    schools = Organization.objects.filter(pk__in=[world.primary.pk, world.senior.pk])
    before = datetime(2026, 8, 25, 9, tzinfo=SHANGHAI)
    colours = {s.school.pk: s.rag for s in notice_status_list(schools=schools, term=world.term, now=before)}
    assert colours == {world.primary.pk: Rag.GREEN, world.senior.pk: Rag.AMBER}
    after = before + timedelta(days=7)
    colours = {s.school.pk: s.rag for s in notice_status_list(schools=schools, term=world.term, now=after)}
    assert colours == {world.primary.pk: Rag.GREEN, world.senior.pk: Rag.RED}


def test_ovs1_notice_colour_is_core_rag_on_the_fee5_deadline(world, published):
    """OVS-1: a notice's colour is core.clocks.rag on the FEE-5 deadline (from the end of
    the previous term to registration): it follows the LOCAL amber share, and a notice
    published late in the allowed time stays amber, as a supervision answered late does."""
    from datetime import date, datetime

    from sunshine.core.clocks import SHANGHAI, Rag, rag
    from sunshine.core.local_rules import local_rule_set
    from sunshine.fees.selectors import notice_deadline, notice_status_list
    from sunshine.fees.tests.factories import TermFactory
    from sunshine.orgs.models import Organization, Term

    TermFactory(
        bureau=world.term.bureau,
        school_year="2025-2026",
        season=Term.Season.SPRING,
        starts_on=date(2026, 3, 2),
        ends_on=date(2026, 7, 10),
        registration_date=date(2026, 2, 28),
    )
    start, due = notice_deadline(world.term)
    assert start == datetime(2026, 7, 10, 23, 59, 59, 999999, tzinfo=SHANGHAI)
    assert due == datetime(2026, 8, 31, tzinfo=SHANGHAI)  # 51 days: amber from 15.3 days before

    schools = Organization.objects.filter(pk__in=[world.primary.pk, world.senior.pk])

    def colours(now: datetime) -> dict[int, Rag]:
        return {s.school.pk: s.rag for s in notice_status_list(schools=schools, term=world.term, now=now)}

    FeeNotice.objects.filter(pk=published.pk).update(published_at=datetime(2026, 8, 20, 9, tzinfo=SHANGHAI))
    july = datetime(2026, 7, 20, 9, tzinfo=SHANGHAI)
    assert colours(july) == {world.primary.pk: Rag.AMBER, world.senior.pk: Rag.GREEN}
    for now in (july, datetime(2026, 8, 25, 9, tzinfo=SHANGHAI), datetime(2026, 9, 1, 9, tzinfo=SHANGHAI)):
        got = colours(now)
        assert got[world.senior.pk] == rag(start=start, due=due, now=now)
        assert got[world.primary.pk] == rag(start=start, due=due, now=datetime(2026, 8, 20, 9, tzinfo=SHANGHAI))
    # The LOCAL amber share moves the colour: with half the time as the amber mark, a
    # notice not yet up a month before registration is already amber.
    august = datetime(2026, 8, 3, 9, tzinfo=SHANGHAI)
    assert colours(august)[world.senior.pk] == Rag.GREEN
    local_rule_set(actor=None, key="OVS-1-amber-share", value=0.6)
    assert colours(august)[world.senior.pk] == Rag.AMBER
    FeeNotice.objects.filter(pk=published.pk).update(published_at=datetime(2026, 7, 15, 9, tzinfo=SHANGHAI))
    assert colours(august)[world.primary.pk] == Rag.GREEN


def test_a_long_poster_keeps_its_signature_with_the_hotline(published):
    """With many items the type gets smaller, the table's header row repeats on a second
    page, and the hotline, principal, school and date stay together in one unbreakable row."""
    from sunshine.fees.poster import notice_poster

    published.lines = published.lines * 12
    document = Document(io.BytesIO(notice_poster(published)))
    table = document.tables[0]
    assert len(table.rows) == 13
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert {run.font.size.pt for run in table.rows[1].cells[1].paragraphs[0].runs} == {9.0}
    closing = document.tables[1].rows[0]
    assert closing._tr.trPr.find(qn("w:cantSplit")) is not None  # one row that never breaks
    hotline, signature = (cell.text for cell in closing.cells)
    assert "0000-12345" in hotline and published.school.name in signature and "年" in signature


def test_the_catalogue_opens_on_the_current_term_not_the_latest(world):
    from datetime import timedelta

    from django.utils import timezone

    from sunshine.fees.tests.factories import TermFactory

    today = timezone.localdate()
    current = TermFactory(
        bureau=world.bureau, school_year="2090-2091", season="autumn",
        starts_on=today - timedelta(days=10), ends_on=today + timedelta(days=30),
        registration_date=today - timedelta(days=11),
    )  # fmt: skip
    TermFactory(
        bureau=world.bureau, school_year="2095-2096", season="spring",
        starts_on=today + timedelta(days=400), ends_on=today + timedelta(days=500),
        registration_date=today + timedelta(days=399),
    )  # fmt: skip
    world.term.starts_on, world.term.ends_on = today - timedelta(days=300), today - timedelta(days=200)
    world.term.save()
    response = client_of(world.reviewer).get(reverse("fees:catalogue"))
    assert response.status_code == 200 and response.context["term"] == current
    assert f'<option value="{current.pk}" selected>' in response.content.decode()
    chosen = client_of(world.reviewer).get(reverse("fees:catalogue"), {"term": world.term.pk})
    assert chosen.context["term"] == world.term


def test_the_ledger_page_flags_one_student_number_under_two_names(world):
    world.file(world.primary, "meals", 90000)
    world.file(world.primary, "uniform", 25000)
    client = client_of(world.clerk)
    lines = [
        HEADER,
        "S001,张三,伙食费,900,2026-09-01,R1",
        "S001,张珊,校服费,250,2026-09-02,R2",
        "S002,李四,伙食费,900,2026-09-01,R3",
    ]
    upload = SimpleUploadedFile("l.csv", "\n".join(lines).encode())
    client.post(reverse("fees:ledger-upload"), {"school": world.primary.pk, "term": world.term.pk, "file": upload})
    ledger = LedgerUpload.objects.get()
    response = client_of(world.reviewer).get(reverse("fees:ledger-detail", args=[ledger.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and 'id="name-conflicts"' in page
    [conflict] = response.context["name_conflicts"]
    assert conflict.student_no == "S001" and set(conflict.names) == {"张三", "张珊"}
    assert "李四" not in conflict.names


def test_a_lost_complaint_answer_brings_petitions_receipt_back_once(published):
    """The complaint is filed through the intake seam's real receiver, but its answer is
    lost: the same form sent again shows petitions' receipt once, with the case's code."""
    data = {**COMPLAINT, "submission": "fee-lost-answer-token-0123456789"}
    url = reverse("fees:notice-complain", args=[published.pk])
    assert Client().post(url, data).status_code == 302
    browser = Client()
    again = browser.post(url, data)
    assert again.status_code == 302 and AuditEntry.objects.filter(action="petitions.petition_file").count() == 1
    receipt = browser.get(again["Location"]).context["receipt"]
    assert receipt is not None and receipt.code
    tracking = Client()
    assert tracking.post(reverse("petitions:track"), {"code": receipt.code.replace(" ", "")}).status_code == 302
    assert "多收资料费" in tracking.get(reverse("petitions:track-case")).content.decode()
    late = Client()
    assert late.get(late.post(url, data)["Location"]).context["receipt"] is None
