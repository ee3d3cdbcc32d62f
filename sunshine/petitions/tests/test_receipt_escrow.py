"""A filer whose answer was lost between the filing's commit and the page: the same form
sent again brings the receipt back once, and never after it was shown (core.forms'
receipt escrow, through the letter form and through the intake seam's real receiver)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sunshine.core.models import FormSubmission
from sunshine.petitions.models import Petition
from sunshine.petitions.tests.test_views_public import form_data, make_district, open_case

TOKEN = "lost-answer-token-0123456789abcdef"


@pytest.fixture
def district(db: None) -> dict[str, Any]:
    return make_district()


def _code(response: Any) -> str:
    receipt = response.context["receipt"]
    assert receipt is not None and receipt.code, "the receipt code is shown"
    return str(receipt.code).replace(" ", "")


def test_a_lost_answer_is_recovered_by_sending_the_same_form_again(district: dict[str, Any]) -> None:
    data = form_data(submission=TOKEN)
    # The filing commits, but its answer (and the session with the receipt) never reaches
    # the browser: the filer's next request comes without that session.
    assert Client().post(reverse("petitions:file"), data).status_code == 302
    petition = Petition.objects.get()

    stored = FormSubmission.objects.get()
    assert stored.token != TOKEN and TOKEN not in stored.token  # only the token's digest is kept
    assert stored.sealed_receipt and petition.number not in stored.sealed_receipt

    browser = Client()
    again = browser.post(reverse("petitions:file"), data)
    assert again.status_code == 302 and again["Location"] == reverse("petitions:receipt")
    assert Petition.objects.count() == 1  # nothing filed twice
    code = _code(browser.get(again["Location"]))
    assert browser.get(again["Location"]).context["receipt"] is None  # shown once
    # The code is the case's: it opens the case.
    follower = Client()
    assert open_case(follower, code).status_code == 302
    assert follower.get(reverse("petitions:track-case")).context["petition"].pk == petition.pk

    # Once shown, the escrow is empty: the same form again brings back nothing.
    assert FormSubmission.objects.get().sealed_receipt == ""
    late = Client()
    page = late.get(late.post(reverse("petitions:file"), data)["Location"])
    assert page.context["receipt"] is None and Petition.objects.count() == 1


def test_a_receipt_shown_at_once_leaves_nothing_to_recover(district: dict[str, Any]) -> None:
    data = form_data(submission=TOKEN)
    filer = Client()
    filer.get(filer.post(reverse("petitions:file"), data)["Location"])
    assert FormSubmission.objects.get().sealed_receipt == ""
    other = Client()
    assert other.get(other.post(reverse("petitions:file"), data)["Location"]).context["receipt"] is None


def test_another_token_opens_nothing(district: dict[str, Any]) -> None:
    Client().post(reverse("petitions:file"), form_data(submission=TOKEN))
    guess = Client()
    response = guess.post(reverse("petitions:file"), form_data(submission=TOKEN[:-1] + "X"))
    assert response.status_code == 302 and Petition.objects.count() == 2  # a new letter, not the first's receipt
    first = Petition.objects.order_by("pk").first()
    assert first is not None
    shown = guess.get(response["Location"]).context["receipt"]
    assert shown is not None and shown.number != first.number
