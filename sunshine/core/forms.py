"""One form style for every form of the site, and one-time submissions.

``FormRenderer`` (``FORM_RENDERER``) renders ``{{ form }}`` with ``core/forms/form.html``
(the error summary, hidden fields, then each field) and each field with
``core/forms/field.html`` (label beside the field, the required mark, help text, and the
field's own errors under it). A template that lays out fields itself renders one with
``{{ form.title.as_field_group }}``. ``core/forms/privacy.html`` is the privacy note shown
wherever personal data is asked for.

``OnceForm`` adds a hidden one-time token to a form that files something. The view claims
it with ``submission_claim`` inside the transaction that files: the same submission sent
again (a double click, the back button and "send again") is not filed a second time but
sent to the page the first one reached.
"""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.db import IntegrityError, transaction
from django.forms.renderers import DjangoTemplates

from sunshine.core.models import FormSubmission


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
