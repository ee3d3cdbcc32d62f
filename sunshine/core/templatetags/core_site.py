"""Template tags for the base templates. Each works without a request or context
processors, so that the 500 page renders even when those are what failed."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse

from sunshine.core.context_processors import DISPLAY_CLASSES, display_preferences

register = template.Library()


@register.filter
def rule_label(rule_id: object) -> str:
    """``{{ supervision.rule_id|rule_label }}``: the rule's name, never its ID
    (``core.rules.rule_label``)."""
    from sunshine.core.rules import rule_label as label

    return label(rule_id)


@register.filter
def model_label(label: object) -> str:
    """``{{ entry.target_type|model_label }}``: ``accounts.user`` as the model's name."""
    from sunshine.core.labels import model_label as label_of

    return label_of(label)


@register.filter
def source_text(label: object) -> str:
    """``{{ petition.source_label|source_text }}``: ``fees.notice:42`` as the model's name and
    number (``core.labels.source_text``)."""
    from sunshine.core.labels import source_text as text_of

    return text_of(label)


@register.filter
def labelled(value: Any) -> Any:
    """``{{ entry.data|labelled }}``: stored data with rule IDs and role codes named
    (``core.labels.labelled``)."""
    from sunshine.core.labels import labelled as label_all

    return label_all(value)


@register.simple_tag
def site_identity() -> dict[str, str]:
    """settings.SUNSHINE_SITE, for templates rendered without context processors."""
    return dict(settings.SUNSHINE_SITE)


@register.simple_tag(takes_context=True)
def display_classes(context: template.Context) -> str:
    """The <html> classes for the visitor's 适老化 choices (large text, high contrast)."""
    prefs = display_preferences(context.get("request"))
    return " ".join(DISPLAY_CLASSES[p] for p in sorted(prefs))


@register.simple_tag(takes_context=True)
def display_state(context: template.Context) -> dict[str, bool]:
    prefs = display_preferences(context.get("request"))
    return {option: option in prefs for option in DISPLAY_CLASSES}


@register.simple_tag(takes_context=True)
def staff_identity(context: template.Context) -> dict[str, Any]:
    """Name, role labels and organisations of the signed-in user, for the workbench top bar."""
    from sunshine.core.views.staff import identity_of

    return identity_of(context.get("user"))


@register.simple_tag(takes_context=True)
def workbench_nav(context: template.Context) -> list[dict[str, Any]]:
    """The workbench menu as the signed-in user sees it: the entries the apps registered
    (``core.registry.register_workbench_entry``)."""
    from sunshine.core.registry import workbench_entries

    request = context.get("request")
    current_path = getattr(request, "path", "")
    home = reverse("core:workbench")
    items = []
    for entry in workbench_entries(getattr(request, "user", None) or context.get("user")):
        url = entry.url
        current = url == current_path if url == home else current_path.startswith(url)
        items.append({"label": entry.label, "url": url, "current": current})
    return items
