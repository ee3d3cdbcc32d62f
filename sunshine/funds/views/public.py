"""Public pages of funds: every school's "where is my school's money" — its allocations,
what arrived and when, against the time schedule."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from sunshine.funds import access
from sunshine.funds.models import Allocation, Disbursement
from sunshine.funds.selectors import chart_svg, rows_for


class SchoolListView(TemplateView):
    template_name = "funds/public/school_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["schools"] = access.schools_public().order_by("name")
        return context


def school_context(school: Any, on: Any) -> dict[str, Any]:
    allocations = Allocation.objects.filter(organization=school, fund__year=on.year)
    rows = rows_for(allocations, on, label="fund")
    arrivals = (
        Disbursement.objects.filter(allocation__in=allocations, paid_on__lte=on)
        .select_related("allocation__fund")
        .order_by("-paid_on", "pk")
    )
    return {
        "school": school,
        "on": on,
        "rows": rows,
        "arrivals": arrivals,
        "chart": chart_svg(
            rows, title=_("Funds of %(school)s: arrived against the time schedule") % {"school": school.name}
        ),
    }


class SchoolFundsView(TemplateView):
    template_name = "funds/public/school.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        school = access.school_public_get(kwargs["code"])
        context.update(school_context(school, timezone.localdate()))
        return context
