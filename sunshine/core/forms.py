"""One form style for every form of the site, and one-time submissions.

``FormRenderer`` (``FORM_RENDERER``) renders ``{{ form }}`` with ``core/forms/form.html``
(the error summary, hidden fields, then each field) and each field with
``core/forms/field.html`` (label beside the field, the required mark, help text, and the
field's own errors under it). A template that lays out fields itself renders one with
``{{ form.title.as_field_group }}``. ``core/forms/privacy.html`` is the privacy note shown
wherever personal data is asked for. ``PrivacyReviewForm`` with ``core/privacy/review.html``
is the reviewer's answer to the personal-data gate on every publishing page.

``OnceForm`` adds a hidden one-time token to a form that files something. The view claims
it with ``submission_claim`` inside the transaction that files: the same submission sent
again (a double click, the back button and "send again") is not filed a second time but
sent to the page the first one reached.

The receipt escrow closes the gap between a filing's commit and its answer: a filer
whose answer was lost (the app server died after the commit) has a case but never saw
its receipt code. ``receipt_escrow_keep`` seals the receipt the filing put into the
session under a key derived from the form's token, which only the filer's browser holds
(the database keeps the token's SHA-256, never the token), in the filing's transaction.
The same form sent again (``receipt_escrow_recover``) opens it and puts the receipt
back for the receipt page, which shows it and empties the escrow
(``receipt_escrow_release``); nothing is recovered after the receipt was shown, or
once the sealed receipt's ten minutes are over.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import timedelta
from typing import Any, cast

from django import forms
from django.db import IntegrityError, transaction
from django.forms.renderers import DjangoTemplates
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sunshine.core.crypto import SESSION_SECRET_SECONDS, DecryptionError, open_for_holder, seal_for_holder
from sunshine.core.models import FormSubmission
from sunshine.core.privacy import NO_REVIEW, PersonalDataFound, Review, number_key

ESCROW_SESSION_KEY = "core.receipt_escrow"
_ESCROW_CONTEXT = "core.formsubmission.sealed_receipt"


class FormRenderer(DjangoTemplates):
    """Django's renderer with the house templates for forms and fields."""

    form_template_name = "core/forms/form.html"
    field_template_name = "core/forms/field.html"


class OnceForm(forms.Form):
    """A form with a one-time token (hidden field ``submission``), new for each blank form
    and carried through a re-shown form with errors. A post without a token (not from the
    site's own form) is handled once per post, like a post with a fresh token."""

    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission", secrets.token_urlsafe(24))

    @property
    def submission_token(self) -> str:
        return str(self.cleaned_data.get("submission") or "")


def submission_claim(token: str, *, purpose: str) -> bool:
    """Claim ``token`` for ``purpose``: True the first time, False when it was already
    claimed (the same submission again: the caller sends it to the page the first
    one reached, and files nothing). Call it inside the ``transaction.atomic`` block
    that files, so a filing that fails frees the token for the corrected form."""
    if not token:
        return True
    try:
        with transaction.atomic():
            FormSubmission.objects.create(token=_digest(token), purpose=purpose)
    except IntegrityError:
        return False
    return True


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def receipt_escrow_keep(token: str, session: Any, key: str) -> None:
    """Inside the transaction that filed (after :func:`submission_claim` and after the
    receipt went into ``session[key]`` through ``core.crypto.session_secret_put``): keep
    that sealed receipt on the claimed submission, sealed again under the form's token.
    A form without a token (not the site's own) keeps nothing."""
    blob = session.get(key)
    if len(token) < 16 or not isinstance(blob, str):
        return
    sealed = seal_for_holder(token, json.dumps({"key": key, "blob": blob}), context=_ESCROW_CONTEXT)
    FormSubmission.objects.filter(token=_digest(token)).update(sealed_receipt=sealed)
    session[ESCROW_SESSION_KEY] = _digest(token)


def receipt_escrow_recover(token: str, session: Any) -> bool:
    """The same form sent again: put its receipt back into ``session`` for the receipt
    page when it was never shown (True), else nothing (False)."""
    if len(token) < 16:
        return False
    sealed = (
        FormSubmission.objects.filter(token=_digest(token))
        .exclude(sealed_receipt="")
        .values_list("sealed_receipt", flat=True)
        .first()
    )
    if not sealed:
        return False
    try:
        held = json.loads(open_for_holder(token, sealed, context=_ESCROW_CONTEXT))
    except (DecryptionError, ValueError):
        return False
    if not isinstance(held, dict) or not isinstance(held.get("key"), str) or not isinstance(held.get("blob"), str):
        return False
    session[held["key"]] = held["blob"]
    session[ESCROW_SESSION_KEY] = _digest(token)
    return True


def receipt_escrow_sweep() -> int:
    """Empty the escrows older than a sealed receipt's life (scheduled hourly); the
    number emptied."""
    until = timezone.now() - timedelta(seconds=SESSION_SECRET_SECONDS)
    return FormSubmission.objects.filter(created_at__lt=until).exclude(sealed_receipt="").update(sealed_receipt="")


def receipt_escrow_release(session: Any) -> None:
    """The receipt page has shown the receipt: empty its escrow, so the form sent again
    no longer brings it back."""
    digest = session.pop(ESCROW_SESSION_KEY, None)
    if isinstance(digest, str):
        FormSubmission.objects.filter(token=digest).update(sealed_receipt="")


class PrivacyReviewForm(forms.Form):
    """The reviewer's part of a publication refused by the personal-data gate
    (core.privacy), rendered by ``core/privacy/review.html`` on every publishing page:
    ``privacy=redact`` takes the proposed redaction, ``privacy=confirm`` publishes with
    the landlines ticked as public office numbers (a reason required) and the scans
    confirmed as looked at. Built with the refusal (``found``) to offer its numbers; bound
    to a post, with or without it (the numbers posted are checked again by the guard)."""

    privacy = forms.ChoiceField(
        choices=[("redact", "redact"), ("confirm", "confirm")], required=False, widget=forms.HiddenInput
    )
    public_numbers = forms.MultipleChoiceField(
        label=_("Public office numbers"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick only a unit's published office telephone; a person's number is never public."),
    )
    public_reason = forms.CharField(
        label=_("Why these numbers are public"), required=False, max_length=200, widget=forms.TextInput
    )
    scans_seen = forms.BooleanField(
        label=_(
            "I have looked through every page of the scans without text and confirm they carry no identity "
            "number, telephone number, student number, bank card number, home address or name of a minor."
        ),
        required=False,
    )

    def __init__(self, *args: Any, found: PersonalDataFound | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        numbers = found.office_numbers if found is not None else []
        choices = [(number_key(f), f"{where}：{f.text}" if where else f.text) for where, f in numbers]
        if self.is_bound:  # the numbers ticked come back with the post (the guard checks them again)
            known = {value for value, _label in choices}
            posted = self.data.getlist("public_numbers") if hasattr(self.data, "getlist") else []
            choices += [(v, v) for v in dict.fromkeys(posted) if v.isdigit() and v not in known]
        field = cast(forms.MultipleChoiceField, self.fields["public_numbers"])
        field.choices = choices
        self.scans = found.scans if found is not None else []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("public_numbers") and not (data.get("public_reason") or "").strip():
            self.add_error("public_reason", _("Say why the numbers ticked are public office numbers."))
        return data

    def review(self) -> Review:
        if not self.is_valid():
            return NO_REVIEW
        data = self.cleaned_data
        return Review(
            public_numbers=frozenset(data.get("public_numbers") or ()),
            reason=(data.get("public_reason") or "").strip(),
            scans_seen=bool(data.get("scans_seen")),
        )

    def take_redaction(self, *texts: str) -> tuple[list[str], Review]:
        """The texts as the reviewer publishes them: with the proposed redaction when they
        took it (``privacy=redact``; the numbers they ticked stay), else as posted; and
        the review, counting what was masked for the audit entry."""
        review = self.review()
        return review.take_redaction(*texts) if self.redacting else (list(texts), review)

    @property
    def redacting(self) -> bool:
        return self.is_valid() and self.cleaned_data.get("privacy") == "redact"


def privacy_review_context(
    found: PersonalDataFound,
    *,
    form: PrivacyReviewForm | None = None,
    preview: list[tuple[str, str]] | None = None,
    preview_html: str = "",
    carry: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """The context of ``core/privacy/review.html`` for a refused publication: the
    findings, the reviewer's form, the text as the proposed redaction leaves it (plain
    parts, or the page's HTML body) and the page's fields posted again with the answer."""
    return {
        "privacy": found,
        "privacy_form": form if form is not None else PrivacyReviewForm(found=found),
        "privacy_preview": preview or [],
        "privacy_preview_html": preview_html,
        "privacy_carry": carry or [],
    }
