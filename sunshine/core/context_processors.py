from typing import Any

from django.conf import settings
from django.http import HttpRequest

# 适老化 display preferences: "large" text and high "contrast", kept in a cookie (set by
# the no-JS form and by the JS toggle, which also keeps them in localStorage).
DISPLAY_COOKIE = "sunshine_display"
DISPLAY_OPTIONS = ("large", "contrast")
DISPLAY_CLASSES = {"large": "text-large", "contrast": "contrast-high"}


def display_preferences(request: HttpRequest | None) -> frozenset[str]:
    """The display options a visitor has switched on (empty without a request)."""
    if request is None:
        return frozenset()
    raw = request.COOKIES.get(DISPLAY_COOKIE, "")
    return frozenset(part for part in raw.split(".") if part in DISPLAY_OPTIONS)


def site(request: HttpRequest) -> dict[str, Any]:
    """The site identity every public page shows (国办发〔2017〕47号), and whether the
    visitor is staff (a public account is offered no workbench it would be refused)."""
    from django.utils.functional import SimpleLazyObject

    from sunshine.orgs.access import is_staff_user

    user = getattr(request, "user", None)
    return {"site": settings.SUNSHINE_SITE, "is_staff_user": SimpleLazyObject(lambda: is_staff_user(user))}
