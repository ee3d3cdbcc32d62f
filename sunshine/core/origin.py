"""CSRF protection by the request's origin, for the few public forms that must not carry
a CSRF token: a token belongs to one visitor, so a page with one cannot be kept by a
shared cache (the city's nginx, see ``core.middleware.NoStoreMiddleware``). Used by the
language and display switches of every public page and by the public look-ups that
change nothing but a guess counter (the lottery and admission look-ups)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.urls import get_callable
from django.views.decorators.csrf import csrf_exempt

__all__ = ["same_site", "same_site_post"]


def same_site(request: HttpRequest) -> bool:
    """The POST comes from a page of this site: its ``Origin`` (every current browser
    sends one with a form's POST; "null" from a sandboxed or privacy-stripped page) or,
    without one, its ``Referer`` names this host or a trusted origin. A request with
    neither passes: no current browser posts a cross-site form without an ``Origin``;
    what remains (a very old browser on a page hiding its Referer) could at most switch
    a visitor's language or display, or spend one look-up guess."""
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if not source:
        return True
    parts = urlsplit(source)
    if not parts.scheme or not parts.netloc:
        return False
    origin = f"{parts.scheme}://{parts.netloc}"
    return origin == f"{request.scheme}://{request.get_host()}" or origin in settings.CSRF_TRUSTED_ORIGINS


def same_site_post(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """The view without Django's CSRF token check, its POSTs checked by
    :func:`same_site` instead; a refused POST gets the site's CSRF failure page (403)."""

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "POST" and not same_site(request):
            failure = get_callable(settings.CSRF_FAILURE_VIEW)
            return failure(request, reason="Origin checking failed")  # type: ignore[no-any-return]
        return view(request, *args, **kwargs)

    return csrf_exempt(checked)
