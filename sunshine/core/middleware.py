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
from django.utils import translation
from django.utils.cache import patch_vary_headers


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
    """``Cache-Control: no-store`` on everything that may carry personal data: every
    response to a signed-in user (staff pages, exports, downloads, the admin, the
    security pages) and every response under the paths of
    ``settings.SUNSHINE_NO_STORE_PATHS`` (the workbench, the admin, the API, files, a
    filer's case followed with a receipt code), whoever asks. No browser, proxy or
    shared computer keeps a copy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefixes = tuple(settings.SUNSHINE_NO_STORE_PATHS)

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
        return response
