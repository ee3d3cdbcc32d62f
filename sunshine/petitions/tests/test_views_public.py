"""The public pages of petitions: the channel page (PET-1), the web form (PET-2, PET-8)
with its one-time receipt, following a case with the receipt code (rate-limited), the
filer's case page (PET-6 replies, rating, PET-7 review) and the public figures (PET-10)."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sunshine.core.crypto import keyed_hash
from sunshine.core.issued import document_for
from sunshine.orgs.models import Role
from sunshine.orgs.tests.factories import BureauFactory, DepartmentFactory, SchoolFactory
from sunshine.petitions import rules, services
from sunshine.petitions.models import FilerIdentity, Message, Petition, ReceiptAttempt
from sunshine.petitions.tests.factories import confirm_accused
from sunshine.petitions.views.public import TRACK_SESSION_KEY

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def make_district() -> dict[str, Any]:
    """A bureau (the site's, being the first) with its discipline group, a department and a school."""
    from sunshine.core.testing import user_with_role

    bureau = BureauFactory(code="TEST", name="测试区教育局", address="测试区教育路 8 号", hotline="0000-7654321")
    discipline = DepartmentFactory(parent=bureau, name="纪检组")
    department = DepartmentFactory(parent=bureau, name="基础教育股")
    school = SchoolFactory(parent=bureau, name="测试区第一小学")
    inspector = user_with_role(Role.DISCIPLINE_INSPECTOR, organization=discipline)
    clerk = user_with_role(Role.SCHOOL_CLERK, organization=school)
    return {
        "bureau": bureau,
        "discipline": discipline,
        "department": department,
        "school": school,
        "inspector": inspector,
        "clerk": clerk,
    }


@pytest.fixture
def district(db: None) -> dict[str, Any]:
    return make_district()


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "kind": "report",
        "subject_organization": "",
        "accused_name": "",
        "accused_organization": "",
        "title": "食堂收费问题",
        "facts": "学校食堂每月额外收取餐具费二十元。",
        "request": "请求查处并退还。",
        "reasons": "义务教育不得乱收费。",
        "filer": "anonymous",
        "name": "",
        "id_number": "",
        "phone": "",
        "address": "",
        "email": "",
        "unit": "",
        "privacy": "on",
    }
    data.update(overrides)
    return data


def file_case(district: dict[str, Any], **kwargs: Any) -> services.FiledPetition:
    params: dict[str, Any] = {
        "bureau": district["bureau"],
        "kind": "report",
        "channel": "web",
        "title": "补课收费",
        "facts": "某老师组织有偿补课。",
        "request": "请求查处。",
        "reasons": "在职教师不得有偿补课。",
        "actor": None,
    }
    params.update(kwargs)
    return services.petition_file(**params)


def answered_case(district: dict[str, Any]) -> services.FiledPetition:
    """A case accepted, assigned to the school, answered by its clerk."""
    filed = file_case(district, subject_organization=district["school"])
    petition = filed.petition
    services.petition_accept(petition=petition, actor=district["inspector"])
    confirm_accused(petition, district["inspector"])
    services.petition_assign(petition=petition, organization=district["school"], actor=district["inspector"])
    services.petition_unit_report(
        petition=petition, actor=district["clerk"], findings="经查属实。", actions="已约谈该教师并责令退还费用。"
    )
    services.petition_reply(
        petition=petition,
        actor=district["clerk"],
        request_summary="请求查处有偿补课。",
        facts="经查,该教师确有组织有偿补课行为。",
        reasons="违反师德规范。",
        decision="supported",
        legal_basis="《中小学教师违反职业道德行为处理办法》",
    )
    petition.refresh_from_db()
    return filed


def open_case(client: Client, code: str) -> Any:
    return client.post(reverse("petitions:track"), {"code": code})


# --- PET-1: the channel page --------------------------------------------------------------------


def test_channel_page_shows_every_channel_address_hotline_and_time_limits(district: dict[str, Any]) -> None:
    """PET-1: channels, the bureau's address and hotline, how to follow a case; PET-3/PET-5 periods."""
    client = Client()
    client.cookies["django_language"] = "en"
    response = client.get(reverse("petitions:channels"))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Online", "By letter", "By phone", "By fax", "In person", "Suggestion box"):
        assert text in html
    assert "测试区教育路 8 号" in html and "0000-7654321" in html
    assert "Within 15 days of receiving your letter" in html  # PET-3
    assert "within 60 days of acceptance" in html  # PET-5
    assert "by at most 30 days (90 days in all)" in html  # PET-5 extension
    assert reverse("petitions:track") in html
    assert "never passed to the person or unit you report on" in html  # PET-9


# --- PET-2 / PET-8: the web form and the receipt --------------------------------------------------


def test_anonymous_report_gets_a_receipt_code_shown_once_and_never_cached(district: dict[str, Any]) -> None:
    client = Client()
    form = client.get(reverse("petitions:file"))
    assert form.status_code == 200
    assert "测试区第一小学" in form.content.decode()  # the bureau's schools to choose from

    response = client.post(
        reverse("petitions:file"),
        form_data(subject_organization=district["school"].pk, name="不该保存的名字", phone="13800000000"),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("petitions:receipt")
    petition = Petition.objects.get()
    assert petition.channel == "web" and petition.kind == "report"
    assert petition.subject_organization == district["school"]
    # An anonymous letter keeps nothing of what was typed in the identity fields (PET-8).
    assert petition.named is False
    assert not FilerIdentity.objects.filter(petition=petition).exists()

    receipt = client.get(reverse("petitions:receipt"))
    assert receipt.status_code == 200
    assert "no-store" in receipt["Cache-Control"]
    code = receipt.context["receipt"].code.replace(" ", "")
    assert len(code) == 16 and code.isdigit()
    grouped = " ".join(code[i : i + 4] for i in range(0, 16, 4))
    assert grouped in receipt.content.decode()
    # Only the keyed hash is stored.
    assert petition.receipt_hash == keyed_hash(code, purpose=rules.RECEIPT_PURPOSE)

    again = client.get(reverse("petitions:receipt"))
    assert again.status_code == 200
    assert "no-store" in again["Cache-Control"]
    assert code not in again.content.decode() and grouped not in again.content.decode()


def test_named_letter_keeps_the_identity_encrypted(district: dict[str, Any]) -> None:
    """PET-8: a name plus a working contact makes a real-name letter."""
    client = Client()
    response = client.post(
        reverse("petitions:file"),
        form_data(kind="complaint", filer="named", name="李四", phone="13912345678", id_number="110101199001011234"),
    )
    assert response.status_code == 302
    petition = Petition.objects.get()
    assert petition.named is True
    identity = FilerIdentity.objects.get(petition=petition)
    assert identity.name == "李四"
    raw = FilerIdentity.objects.filter(pk=identity.pk).values_list("name", flat=True)
    assert "李四" not in str(list(raw.query.sql_with_params()))  # the query holds no plaintext


def test_missing_fields_are_refused_with_messages_and_nothing_saved(district: dict[str, Any]) -> None:
    """PET-2: subject and facts are required; the privacy statement must be acknowledged."""
    client = Client()
    response = client.post(reverse("petitions:file"), form_data(title="", facts="", privacy=""))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"title", "facts", "privacy"} <= set(errors)
    assert "这个字段是必填项" in response.content.decode()  # zh-Hans by default
    assert Petition.objects.count() == 0


def test_complaint_without_request_is_refused_by_the_service(district: dict[str, Any]) -> None:
    """PET-2 via the service: a complaint states what it asks for."""
    client = Client()
    client.cookies["django_language"] = "en"
    response = client.post(reverse("petitions:file"), form_data(kind="complaint", request=""))
    assert response.status_code == 200
    assert "request" in response.context["form"].errors
    assert Petition.objects.count() == 0


def test_a_valid_attachment_is_stored_with_the_case(district: dict[str, Any]) -> None:
    client = Client()
    upload = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    response = client.post(reverse("petitions:file"), {**form_data(), "attachments": [upload]})
    assert response.status_code == 302
    message = Message.objects.get(petition__isnull=False)
    assert [f.original_name for f in message.attachments.all()] == ["photo.png"]


def test_fake_type_file_is_refused_and_nothing_saved(district: dict[str, Any]) -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")
    response = client.post(reverse("petitions:file"), {**form_data(), "attachments": [fake]})
    assert response.status_code == 200
    errors = response.context["form"].errors["attachments"]
    assert any("does not match" in e for e in errors)
    assert Petition.objects.count() == 0


def test_oversized_file_is_refused_and_nothing_saved(district: dict[str, Any], settings: Any) -> None:
    settings.SUNSHINE_UPLOAD_MAX_BYTES = 64
    client = Client()
    client.cookies["django_language"] = "en"
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * 100, content_type="image/png")
    response = client.post(reverse("petitions:file"), {**form_data(), "attachments": [big]})
    assert response.status_code == 200
    assert any("larger than the limit" in e for e in response.context["form"].errors["attachments"])
    assert Petition.objects.count() == 0


# --- Following a case -------------------------------------------------------------------------------


def test_malformed_receipt_code_gets_a_message_and_no_lookup(district: dict[str, Any]) -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    response = open_case(client, "12345")
    assert response.status_code == 200
    assert "A receipt code has exactly 16 digits." in response.content.decode()
    assert ReceiptAttempt.objects.count() == 0
    assert TRACK_SESSION_KEY not in client.session


def test_wrong_code_is_recorded_and_throttled_after_the_limit(district: dict[str, Any]) -> None:
    """Guessing is rate-limited per address; a throttled visitor gets a clear message,
    even with the right code."""
    filed = file_case(district)
    client = Client()
    client.cookies["django_language"] = "en"
    for i in range(rules.RECEIPT_MAX_FAILURES):
        wrong = open_case(client, f"{i:016d}")
        assert wrong.status_code == 200
        assert "No case has this receipt code" in wrong.content.decode()
    assert ReceiptAttempt.objects.filter(succeeded=False).count() == rules.RECEIPT_MAX_FAILURES
    throttled = open_case(client, filed.receipt_code)
    assert throttled.status_code == 429
    assert "Too many wrong codes" in throttled.content.decode()
    assert 0 < int(throttled["Retry-After"]) <= 60  # a wait of seconds, not an hour
    assert TRACK_SESSION_KEY not in client.session


def test_receipt_code_opens_the_case_without_internal_notes(district: dict[str, Any]) -> None:
    filed = answered_case(district)
    petition = filed.petition
    services.petition_note_internal(petition=petition, actor=district["inspector"], text="内部意见:注意保护举报人")
    services.petition_message_to_filer(petition=petition, actor=district["inspector"], text="已转学校办理。")
    client = Client()
    response = open_case(client, " ".join(filed.receipt_code[i : i + 4] for i in range(0, 16, 4)))
    assert response.status_code == 302
    assert response["Location"] == reverse("petitions:track-case")
    page = client.get(reverse("petitions:track-case"))
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert petition.number in html
    assert "经查,该教师确有组织有偿补课行为。" in html  # PET-6 reply fields
    assert "《中小学教师违反职业道德行为处理办法》" in html
    assert "已转学校办理。" in html
    assert "内部意见" not in html  # internal notes never reach the filer
    reply = petition.replies.get()
    download = client.get(reverse("petitions:track-reply-docx", args=[reply.pk]))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert "filename*=utf-8''" in download["Content-Disposition"].lower()
    assert "no-store" in download["Cache-Control"]
    # The bytes the filer receives are the ones issued and recorded under the reply's number.
    document = document_for(reply, kind="petitions.reply")
    assert document is not None and document.number == reply.document_number
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == document.sha256


def test_case_page_without_a_code_goes_back_to_the_code_form(district: dict[str, Any]) -> None:
    response = Client().get(reverse("petitions:track-case"))
    assert response.status_code == 302
    assert response["Location"] == reverse("petitions:track")


def test_the_held_case_times_out(district: dict[str, Any]) -> None:
    filed = file_case(district)
    client = Client()
    open_case(client, filed.receipt_code)
    session = client.session
    session[TRACK_SESSION_KEY] = {"pk": filed.petition.pk, "until": time.time() - 1}
    session.save()
    response = client.get(reverse("petitions:track-case"))
    assert response.status_code == 302
    assert TRACK_SESSION_KEY not in client.session


def test_filer_rates_the_answer(district: dict[str, Any]) -> None:
    filed = answered_case(district)
    client = Client()
    open_case(client, filed.receipt_code)
    bad = client.post(reverse("petitions:track-rate"), {"satisfaction": "", "comment": ""})
    assert bad.status_code == 400
    filed.petition.refresh_from_db()
    assert filed.petition.satisfaction == ""
    response = client.post(reverse("petitions:track-rate"), {"satisfaction": "basically", "comment": "处理及时"})
    assert response.status_code == 302
    filed.petition.refresh_from_db()
    assert filed.petition.status == Petition.Status.RATED
    assert filed.petition.satisfaction == "basically"


RECEIPT_MIDDLEWARE = "sunshine.petitions.middleware.ReceiptSessionMiddleware"


def test_filer_writes_back_with_a_file(district: dict[str, Any], settings: Any) -> None:
    if RECEIPT_MIDDLEWARE not in settings.MIDDLEWARE:  # until config/settings/base.py lists it
        index = settings.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1
        settings.MIDDLEWARE = [*settings.MIDDLEWARE[:index], RECEIPT_MIDDLEWARE, *settings.MIDDLEWARE[index:]]
    filed = file_case(district)
    client = Client()
    open_case(client, filed.receipt_code)
    upload = SimpleUploadedFile("more.png", PNG, content_type="image/png")
    response = client.post(reverse("petitions:track-message"), {"text": "补充一张照片。", "attachments": [upload]})
    assert response.status_code == 302
    message = Message.objects.get(petition=filed.petition, direction=Message.Direction.FROM_FILER)
    stored = message.attachments.get()
    # The session that opened the case may download the file it added.
    download = client.get(reverse("core:file-download", args=[stored.pk]))
    assert download.status_code == 200
    assert Client().get(reverse("core:file-download", args=[stored.pk])).status_code == 404


def test_empty_message_changes_nothing(district: dict[str, Any]) -> None:
    filed = file_case(district)
    client = Client()
    open_case(client, filed.receipt_code)
    response = client.post(reverse("petitions:track-message"), {"text": ""})
    assert response.status_code == 400
    assert not Message.objects.filter(direction=Message.Direction.FROM_FILER).exists()


def test_review_application_within_the_window(district: dict[str, Any]) -> None:
    """PET-7: after the reply the filer may apply for review."""
    filed = answered_case(district)
    client = Client()
    open_case(client, filed.receipt_code)
    page = client.get(reverse("petitions:track-case"))
    assert page.context["can_review"] is True
    response = client.post(reverse("petitions:track-review"), {"review-reasons": "事实认定不清。"})
    assert response.status_code == 302
    filed.petition.refresh_from_db()
    assert filed.petition.status == Petition.Status.UNDER_REVIEW


def test_leaving_drops_the_case_from_the_session(district: dict[str, Any]) -> None:
    filed = file_case(district)
    client = Client()
    open_case(client, filed.receipt_code)
    client.post(reverse("petitions:track-leave"))
    assert client.get(reverse("petitions:track-case")).status_code == 302


# --- PET-10: public figures ----------------------------------------------------------------------------


def test_public_figures_count_this_years_cases(district: dict[str, Any]) -> None:
    answered_case(district)
    file_case(district)
    client = Client()
    response = client.get(reverse("petitions:figures"))
    assert response.status_code == 200
    figures = {figure.key: figure for figure in response.context["figures"]}
    assert figures["petitions.received"].value == 2
    assert figures["petitions.closed"].value == 1
    # Issue 11: the definition and the parts are written beside each figure.
    body = response.content.decode()
    closure = figures["petitions.closure_rate"]
    assert closure.numerator == 1 and closure.denominator == 1
    assert str(closure.definition) in body and "100.0%" in body


def test_letter_form_is_post_redirect_get_and_the_same_submission_files_once(district: dict[str, Any]) -> None:
    """PET-2: the form posts, redirects to the receipt page (GET), and the same form sent again
    (its one-time token) files nothing more; the receipt shows the PET-3 notice date."""
    client = Client()
    page = client.get(reverse("petitions:file")).content.decode()
    token = page.split('name="submission" value="')[1].split('"')[0]
    assert len(token) >= 24
    data = form_data(submission=token)

    first = client.post(reverse("petitions:file"), data)
    assert first.status_code == 302 and first["Location"] == reverse("petitions:receipt")
    receipt = client.get(first["Location"])
    petition = Petition.objects.get()
    shown = receipt.context["receipt"]
    assert shown.number == petition.number
    assert shown.deadline == timezone.localtime(petition.notice_due_at).date()  # PET-3, from the case's clock
    html = receipt.content.decode()
    assert 'id="receipt-deadline"' in html and "data-receipt-copy" in html and "data-receipt-print" in html
    assert "<script>" not in html  # the copy and print buttons come from a file (CSP)

    again = client.post(reverse("petitions:file"), data)
    assert again.status_code == 302 and again["Location"] == reverse("petitions:receipt")
    assert Petition.objects.count() == 1
    assert "未重复登记" in client.get(again["Location"]).content.decode()

    # A fresh form is a new letter.
    assert client.post(reverse("petitions:file"), form_data(submission="another-token-0123456789")).status_code == 302
    assert Petition.objects.count() == 2


def test_a_refused_letter_leaves_its_token_free_for_the_corrected_form(district: dict[str, Any]) -> None:
    client = Client()
    refused = client.post(reverse("petitions:file"), form_data(submission="tok-refused-0123456789", title=""))
    assert refused.status_code == 200 and not Petition.objects.exists()
    page = refused.content.decode()
    assert 'value="tok-refused-0123456789"' in page  # the same token comes back with the form
    assert 'id="id_title_error"' in page  # the error sits under its own field
    fixed = client.post(reverse("petitions:file"), form_data(submission="tok-refused-0123456789"))
    assert fixed.status_code == 302 and Petition.objects.count() == 1


def test_the_held_case_is_renewed_at_most_once_a_minute(district: dict[str, Any]) -> None:
    """Viewing the case page again within a minute writes no session row; later it renews the 30 minutes."""
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    filed = file_case(district)
    client = Client()
    open_case(client, filed.receipt_code)
    client.get(reverse("petitions:track-case"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("petitions:track-case")).status_code == 200
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE") and "session" in q["sql"]]
    session = client.session
    session[TRACK_SESSION_KEY] = {"pk": filed.petition.pk, "until": time.time() + 25 * 60}
    session.save()
    before = Session.objects.get(session_key=session.session_key).expire_date
    assert client.get(reverse("petitions:track-case")).status_code == 200
    held = client.session[TRACK_SESSION_KEY]
    assert held["until"] > time.time() + 29 * 60
    assert Session.objects.get(session_key=client.session.session_key).expire_date >= before


# --- the filer's page made once per state of the case (issue #19: a citizen's own case is never stale) ---


def _csrf_from(html: str) -> str:
    import re

    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_the_kept_case_page_shows_every_change_at_once(district: dict[str, Any]) -> None:
    """A message to the filer, a status change and a reply each show on the next load,
    though the page is kept between loads; a load without a change costs the session's
    and the case's query only, and stays no-store."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    filed = file_case(district, subject_organization=district["school"])
    petition = filed.petition
    client = Client()
    open_case(client, filed.receipt_code)
    page = reverse("petitions:track-case")
    first = client.get(page).content.decode()
    assert "已转学校办理。" not in first
    with CaptureQueriesContext(connection) as queries:
        again = client.get(page)
    assert again.status_code == 200 and "no-store" in again["Cache-Control"]
    assert len(queries.captured_queries) <= 2  # the session and the case with its stamp
    services.petition_message_to_filer(petition=petition, actor=district["inspector"], text="已转学校办理。")
    assert "已转学校办理。" in client.get(page).content.decode()
    services.petition_accept(petition=petition, actor=district["inspector"])
    petition.refresh_from_db()
    assert str(Petition.Status.ACCEPTED.label) in client.get(page).content.decode()
    answered = answered_case(district)
    other = Client()
    open_case(other, answered.receipt_code)
    before = other.get(page).content.decode()
    assert "经查,该教师确有组织有偿补课行为。" in before
    services.petition_rate(petition=answered.petition, satisfaction="basically", comment="处理及时")
    after = other.get(page).content.decode()
    assert "处理及时" in after and str(Petition.Status.RATED.label) in after


def test_the_kept_case_page_carries_this_browsers_csrf_token(district: dict[str, Any]) -> None:
    """The forms of a page served from the kept copy hold the token of the browser that
    loads it: a second browser's token is its own, and leaving works with it."""
    filed = file_case(district)
    page = reverse("petitions:track-case")
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for client in (first, second):
        form = client.get(reverse("petitions:track"))
        client.post(
            reverse("petitions:track"),
            {"code": filed.receipt_code, "csrfmiddlewaretoken": _csrf_from(form.content.decode())},
        )
    token_first = _csrf_from(first.get(page).content.decode())
    token_second = _csrf_from(second.get(page).content.decode())  # served from the kept copy
    from django.middleware.csrf import _unmask_cipher_token

    assert _unmask_cipher_token(token_first) == first.cookies["csrftoken"].value
    assert _unmask_cipher_token(token_second) == second.cookies["csrftoken"].value
    left = second.post(reverse("petitions:track-leave"), {"csrfmiddlewaretoken": token_second})
    assert left.status_code == 302
    assert second.get(page).status_code == 302
    assert first.get(page).status_code == 200  # the other browser still holds it


def test_the_kept_case_page_is_refused_without_the_case_in_the_session(district: dict[str, Any]) -> None:
    """Another case's id in the session, a tampered session cookie, a copy of the cookie
    after leaving: back to the code form, the kept page never shown."""
    mine, theirs = file_case(district), file_case(district, title="另一件")
    page = reverse("petitions:track-case")
    client = Client()
    open_case(client, mine.receipt_code)
    Client().get(page)
    assert mine.petition.number in client.get(page).content.decode()
    session = client.session
    session[TRACK_SESSION_KEY] = {"pk": theirs.petition.pk, "until": time.time() + 600}
    session.save()
    refused = client.get(page)
    assert refused.status_code == 302 and refused["Location"] == reverse("petitions:track")

    client = Client()
    open_case(client, mine.receipt_code)
    assert client.get(page).status_code == 200
    tampered = Client()
    tampered.cookies["sessionid"] = client.cookies["sessionid"].value[:-1] + "x"
    assert tampered.get(page).status_code == 302
    copy = Client()
    copy.cookies["sessionid"] = client.cookies["sessionid"].value
    assert copy.get(page).status_code == 200
    client.post(reverse("petitions:track-leave"))
    assert copy.get(page).status_code == 302


def test_the_kept_case_page_turns_red_when_the_clock_runs_out(district: dict[str, Any], monkeypatch: Any) -> None:
    """OVS-1's colour depends on the hour, not on a change of the case: the kept page is
    made again once the colour may have turned."""
    from datetime import timedelta

    from sunshine.core.models import Supervision

    filed = file_case(district)
    services.petition_accept(petition=filed.petition, actor=district["inspector"])
    now = timezone.now()
    Supervision.objects.filter(object_id=str(filed.petition.pk), status=Supervision.Status.OPEN).update(
        started_at=now - timedelta(days=1), due_at=now + timedelta(minutes=5)
    )
    client = Client()
    open_case(client, filed.receipt_code)
    page = reverse("petitions:track-case")
    assert "rag-amber" in client.get(page).content.decode()
    assert "rag-amber" in client.get(page).content.decode()
    later = now + timedelta(minutes=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    html = client.get(page).content.decode()
    assert "rag-red" in html and "rag-amber" not in html


def test_the_kept_case_page_shows_a_message_once_and_the_visitors_display_choice(district: dict[str, Any]) -> None:
    """The note after an action shows on the next load only; the page kept for one
    display choice is not served for another."""
    from django.utils import translation

    filed = file_case(district)
    client = Client()
    open_case(client, filed.receipt_code)
    page = reverse("petitions:track-case")
    client.get(page)
    client.post(reverse("petitions:track-message"), {"text": "请尽快处理。"})
    with translation.override("zh-hans"):
        note = translation.gettext("Your message has been added to the case.")
    shown = client.get(page).content.decode()
    assert note in shown and "请尽快处理。" in shown
    assert note not in client.get(page).content.decode()
    assert 'class="text-large"' not in client.get(page).content.decode()
    client.cookies["sunshine_display"] = "large"
    assert 'class="text-large"' in client.get(page).content.decode()
