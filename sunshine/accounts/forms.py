"""Forms of the login steps. They parse input; the checks live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}),
    )


class TotpCodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Code from your authenticator app"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        error_messages={"invalid": _("Enter the 6 digits your authenticator app shows.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split())


class EnrolmentForm(TotpCodeForm):
    """The one-time enrolment page: a password (new, twice; or the current one after a
    device reset) and the first code of the new authenticator."""

    def __init__(self, *args: Any, new_password: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        code = self.fields.pop("code")
        code.widget.attrs.pop("autofocus", None)
        if new_password:
            self.fields["password"] = forms.CharField(
                label=_("New password"),
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "autofocus": True}),
            )
            self.fields["password_again"] = forms.CharField(
                label=_("New password again"),
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
            )
        else:
            self.fields["password"] = forms.CharField(
                label=_("Your current password"),
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
            )
        self.fields["code"] = code


class AccountResetForm(forms.Form):
    """The security administrator names an account to reset."""

    username = forms.CharField(label=_("Username"), max_length=150)
    what = forms.ChoiceField(
        label=_("Reset"),
        choices=[("password", _("password and authenticator")), ("device", _("authenticator only"))],
        widget=forms.RadioSelect,
    )
