from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from sunshine.core.context_processors import DISPLAY_COOKIE, DISPLAY_OPTIONS, display_preferences

DISPLAY_COOKIE_AGE = 365 * 24 * 3600


class HomeView(TemplateView):
    template_name = "core/public/home.html"


class SearchView(TemplateView):
    """Site search (placeholder: the index arrives with the disclosure module)."""

    template_name = "core/public/search.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["query"] = self.request.GET.get("q", "").strip()[:100]
        context["results"] = []
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
