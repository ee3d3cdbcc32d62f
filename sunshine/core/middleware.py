"""The language of every face: zh-Hans unless the visitor chose another with the switch.

Django's LocaleMiddleware also follows the browser's Accept-Language, which would show
English to anyone whose browser is set to English. A bureau's site speaks Chinese by
default (product.md); English is shown only after the visitor picks it (the language
cookie set by ``/i18n/setlang/``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.utils import translation
from django.utils.cache import patch_vary_headers

from sunshine.core.context_processors import DISPLAY_COOKIE


class DefaultLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class NoStoreMiddleware:
    """The ``Cache-Control`` of every page.

    ``no-store`` on everything that may carry personal data: every response to a
    signed-in user (staff pages, exports, downloads, the admin, the security pages) and
    every response under the paths of ``settings.SUNSHINE_NO_STORE_PATHS`` (the
    workbench, the admin, the API, files, a filer's case followed with a receipt code),
    whoever asks. No browser, proxy or shared computer keeps a copy.

    ``public, max-age=SUNSHINE_PUBLIC_CACHE_SECONDS`` on a page that is the same for every
    anonymous visitor with the same language and display cookies, so the city's nginx
    may keep it that long (its micro-cache, ``sunshine.core.city``): a GET or HEAD
    answered 200 to a request carrying no cookie but those two, that set no cookie, put
    no CSRF token in a form (a token belongs to one visitor) and drew no CSP nonce (a
    nonce is valid for one response), and is not an htmx fragment. Any other answer to
    an anonymous visitor is ``private``: a shared cache never keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefixes = tuple(settings.SUNSHINE_NO_STORE_PATHS)
        self.public = f"public, max-age={int(settings.SUNSHINE_PUBLIC_CACHE_SECONDS)}"
        self.shared_cookies = frozenset({settings.LANGUAGE_COOKIE_NAME, DISPLAY_COOKIE})

    def shareable(self, request: HttpRequest, response: HttpResponse) -> bool:
        """The page is the same for every anonymous visitor with these two cookies."""
        return (
            request.method in ("GET", "HEAD")
            and response.status_code == 200
            and settings.SUNSHINE_PUBLIC_CACHE_SECONDS > 0
            and not response.cookies
            and self.shared_cookies.issuperset(request.COOKIES)
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not get_nonce(request)
            and "HX-Request" not in request.headers
            and not getattr(getattr(request, "session", None), "modified", False)
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        path = request.path
        personal = (
            (user is not None and user.is_authenticated)
            or path.startswith(self.prefixes)
            or "/staff/" in path
            or "/api/" in path
        )
        if personal and "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = "no-store"
            response.headers.pop("Expires", None)
        elif not personal and "Cache-Control" not in response:
            response["Cache-Control"] = self.public if self.shareable(request, response) else "private"
        return response
