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
"""

from __future__ import annotations

import secrets
from typing import Any, cast

from django import forms
from django.db import IntegrityError, transaction
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy as _

from sunshine.core.models import FormSubmission
from sunshine.core.privacy import NO_REVIEW, PersonalDataFound, Review, number_key


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
            FormSubmission.objects.create(token=token, purpose=purpose)
    except IntegrityError:
        return False
    return True


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
