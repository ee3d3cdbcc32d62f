"""How the admin shows stored codes: by their names (``core.labels``), never the code.

The item a supervision or status change is about is shown as "<model name> <item>"
(not a content type and an object id); list filters offer names (a rule's name, a
model's name), not codes; machine text that has no name (a MIME type, a link, a hash)
is set in ``<code>``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from sunshine.core.rules import rule_label

# The admin's filter heading: Django asks for this string, and its own zh-Hans catalogue
# lacks it; marked here so that ours keeps its translation.
gettext_noop("Filter by %(field_name)s")


def machine_text(value: object) -> SafeString | str:
    """A value without a name a person reads (a MIME type, a path, a hash) as ``<code>``."""
    return format_html("<code>{}</code>", value) if value not in (None, "") else ""


def target_text(obj: Any) -> str:
    """``<model name> <item>`` for an object with ``content_type`` and ``item``."""
    content_type = obj.content_type
    model = content_type.model_class()
    name = str(model._meta.verbose_name) if model is not None else ""
    item = obj.item
    return f"{name} {item}" if item is not None else name


class TargetAdminMixin:
    """For a model with a generic ``item``: the item, by name, in place of the content
    type and object id (which the admin excludes)."""

    @admin.display(description=_("work item"))
    def target(self, obj: Any) -> str:
        return target_text(obj)


class TargetTypeFilter(admin.SimpleListFilter):
    """Filter by the kind of item (the model's name), offering only kinds present."""

    title = _("kind of work item")
    parameter_name = "item_type"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        ids = model_admin.get_queryset(request).values_list("content_type", flat=True).distinct()
        models = {t.pk: t.model_class() for t in ContentType.objects.filter(pk__in=list(ids))}
        pairs = [(str(pk), str(model._meta.verbose_name)) for pk, model in models.items() if model is not None]
        return sorted(pairs, key=lambda pair: pair[1])

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(content_type_id=self.value()) if self.value() else queryset


def labelled_filter(
    field: str, title: Any, label: Callable[[str], str], parameter: str | None = None
) -> type[admin.SimpleListFilter]:
    """A list filter on ``field`` whose choices are the values present, shown through
    ``label`` (e.g. ``rule_label``), never the stored code."""

    class LabelledFilter(admin.SimpleListFilter):
        parameter_name = parameter or field

        def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
            values = model_admin.get_queryset(request).order_by().values_list(field, flat=True).distinct()
            return sorted(((v, label(v) or v) for v in values if v), key=lambda pair: pair[1])

        def queryset(self, request: HttpRequest, queryset: QuerySet[Model]) -> QuerySet[Model]:
            return queryset.filter(**{field: self.value()}) if self.value() else queryset

    LabelledFilter.title = title
    return LabelledFilter


RuleFilter = labelled_filter("rule_id", _("rule"), rule_label, parameter="rule")
