from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from django.views.i18n import set_language

from sunshine.core.context_processors import DISPLAY_COOKIE, DISPLAY_OPTIONS, display_preferences
from sunshine.core.origin import same_site_post
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


def _bounded_id(text: str, *, maximum: int = 2**63 - 1) -> int | None:
    """A positive whole number of ASCII digits up to ``maximum``, or None."""
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    value = int(text)
    return value if 1 <= value <= maximum else None


class SearchView(TemplateView):
    """Site search over everything indexed in ``sunshine.core.search``: the public sees
    public entries; staff also see the entries granted to their organisations.
    Filters: organisation (id), category, publication dates."""

    template_name = "core/public/search.html"
    page_size = 20
    max_page = 10_000

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        context = self.get_context_data(**kwargs)
        return self.render_to_response(context, status=400 if context["filter_error"] else 200)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        query = params.get("q", "").strip()[:100]
        context["query"] = query
        filters: dict[str, Any] = {}
        org = params.get("org", "")
        raw_page = params.get("page", "") or "1"
        context["filters"] = {
            "org": org[:20],
            "category": params.get("category", "")[:64],
            "from": params.get("from", "")[:10],
            "to": params.get("to", "")[:10],
        }
        context["filter_error"] = ""
        org_id = _bounded_id(org) if org else None
        page = _bounded_id(raw_page, maximum=self.max_page)
        if (org and org_id is None) or page is None:
            # A hand-made address (an organisation id past any integer, a superscript
            # digit, an absurd page): say so, and search nothing.
            context["filter_error"] = _("The search conditions are not valid; change them and search again.")
            context["query"] = ""
            context["filters"]["org"] = org[:20] if org_id is not None else ""
            return context
        if org_id is not None:
            filters["organization_id"] = org_id
        if params.get("category"):
            filters["category"] = params["category"][:64]
        for name, key in (("from", "published_from"), ("to", "published_to")):
            with contextlib.suppress(ValueError):
                filters[key] = date.fromisoformat(params.get(name, ""))
        results = search_query(
            q=query, user=self.request.user, limit=self.page_size, offset=(page - 1) * self.page_size, **filters
        )
        context["results"] = results
        context["page"] = page
        context["next_page"] = page + 1 if results.has_next else None
        context["previous_page"] = page - 1 if page > 1 else None
        return context


language_switch = same_site_post(set_language)


@method_decorator(same_site_post, name="dispatch")
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
