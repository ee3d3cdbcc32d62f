"""Makes the filer's receipt session visible to the file-access check of
"petitions.attachment" (core calls the check with the user only).

Add ``"sunshine.petitions.middleware.ReceiptSessionMiddleware"`` to MIDDLEWARE after
the session middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from sunshine.petitions.access import receipt_context


class ReceiptSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with receipt_context(getattr(request, "session", None)):
            return self.get_response(request)
