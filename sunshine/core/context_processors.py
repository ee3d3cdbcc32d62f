from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    """The site identity every public page shows (国办发〔2017〕47号)."""
    return {"site": settings.SUNSHINE_SITE}
