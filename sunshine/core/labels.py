"""What a person reads where the code keeps a code: a model's name for ``accounts.user``,
a role's name for ``leader``, a rule's name for ``PET-3`` inside free text.

Pages, the admin and the audit log show stored codes through these helpers (templates
through the ``model_label`` and ``labelled`` filters of ``core_site``), never the code
itself. A rule ID becomes its name through :func:`sunshine.core.rules.rule_label`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.apps import apps

from sunshine.core.rules import RULE_ID, rule_label

__all__ = ["labelled", "model_label", "role_label", "source_text", "text_labelled"]

# Keys of stored data (audit data, status-change data) whose values are role codes.
ROLE_KEYS = frozenset({"role", "roles", "old_role", "new_role"})


def model_label(label: object) -> str:
    """``accounts.user`` (``app_label.model_name``) → the model's verbose name; "" when no
    such model."""
    app_label, _dot, model_name = str(label or "").partition(".")
    try:
        return str(apps.get_model(app_label, model_name)._meta.verbose_name)
    except (LookupError, ValueError):
        return ""


def source_text(label: object) -> str:
    """Where a handed-over item came from, as a person reads it: a seam's source label
    ``disclosure.foirequest:7`` (``app_label.model_name:id[:more]``) → the model's name and
    its numbers, "依申请公开申请 7"; "" when the label names no model."""
    model, _colon, rest = str(label or "").partition(":")
    name = model_label(model)
    if not name:
        return ""
    numbers = [part for part in rest.split(":") if part.isdigit()]
    return " ".join([name, *numbers])


def role_label(code: object) -> str:
    """A role code (``leader``) → its name; the code itself when it is no role."""
    from sunshine.orgs.models import Role

    try:
        return str(Role(str(code)).label)
    except ValueError:
        return str(code)


def text_labelled(text: str) -> str:
    """``text`` with every rule, clock or LOCAL rule ID in it replaced by its name."""

    def name(match: Any) -> str:
        whole = match.group(0)
        return rule_label(whole) or rule_label(match.group("rule")) or whole

    return _RULE_IN_TEXT.sub(name, text)


def labelled(value: Any, key: str = "") -> Any:
    """Stored data (a dict, list or text) as a person reads it: rule IDs named, role codes
    (under :data:`ROLE_KEYS`) named; the shape is kept."""
    if isinstance(value, Mapping):
        return {k: labelled(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [labelled(v, key) for v in value]
    if isinstance(value, str):
        return role_label(value) if key in ROLE_KEYS else text_labelled(value)
    return value


# A rule ID with an optional clock or LOCAL suffix (PET-7-review-answer, FEE-5-notice).
_RULE_IN_TEXT = re.compile(rf"(?P<rule>{RULE_ID.pattern})(?:-[a-z][a-z0-9]*)*")
