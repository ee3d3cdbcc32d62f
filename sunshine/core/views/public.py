from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from sunshine.core.context_processors import DISPLAY_COOKIE, DISPLAY_OPTIONS, display_preferences
from sunshine.core.registry import HOME_FIGURES, home_panels, home_sections
from sunshine.core.search import search_query

DISPLAY_COOKIE_AGE = 365 * 24 * 3600


class HomeView(TemplateView):
    """The public home page: the site's columns, filled with the panels the modules
    register (``core.registry.register_home_panel``); a column nobody fills says so."""

    template_name = "core/public/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sections"] = home_sections()
        context["figure_panels"] = home_panels(HOME_FIGURES)
        return context


class SearchView(TemplateView):
    """Site search over everything indexed in ``sunshine.core.search``: the public sees
    public entries; staff also see the entries granted to their organisations.
    Filters: organisation (id), category, publication dates."""

    template_name = "core/public/search.html"
    page_size = 20

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        query = params.get("q", "").strip()[:100]
        context["query"] = query
        filters: dict[str, Any] = {}
        org = params.get("org", "")
        if org.isdigit():
            filters["organization_id"] = int(org)
        if params.get("category"):
            filters["category"] = params["category"][:64]
        for name, key in (("from", "published_from"), ("to", "published_to")):
            with contextlib.suppress(ValueError):
                filters[key] = date.fromisoformat(params.get(name, ""))
        try:
            page = max(1, int(params.get("page", "1")))
        except ValueError:
            page = 1
        results = search_query(
            q=query, user=self.request.user, limit=self.page_size, offset=(page - 1) * self.page_size, **filters
        )
        context["results"] = results
        context["page"] = page
        context["next_page"] = page + 1 if results.has_next else None
        context["previous_page"] = page - 1 if page > 1 else None
        context["filters"] = {
            "org": org,
            "category": params.get("category", ""),
            "from": params.get("from", ""),
            "to": params.get("to", ""),
        }
        return context


class DisplayPreferenceUpdateView(View):
    """适老化 switch without JavaScript: toggles large text or high contrast in a cookie
    and returns to the page the visitor came from."""

    def post(self, request: HttpRequest) -> HttpResponseRedirect:
        prefs = set(display_preferences(request))
        option = request.POST.get("toggle", "")
        if option in DISPLAY_OPTIONS:
            prefs ^= {option}
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("core:home")
        response = HttpResponseRedirect(target)
        value = ".".join(o for o in DISPLAY_OPTIONS if o in prefs)
        if value:
            response.set_cookie(DISPLAY_COOKIE, value, max_age=DISPLAY_COOKIE_AGE, samesite="Lax")
        else:
            response.delete_cookie(DISPLAY_COOKIE, samesite="Lax")
        return response
