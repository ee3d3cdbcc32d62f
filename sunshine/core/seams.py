"""Seams between domain apps, which never import each other (docs/architecture.md).

A domain app that needs another to act offers or calls a seam here. The receiving app
registers its handler in ``AppConfig.ready()``; the calling app calls the seam and gets
a clear error if no module is installed to receive it.

Petition intake: fees (a parent's complaint from a fee notice), disclosure (an FOI
request that is really a complaint, FOI-4) and opinion (an event with a citizen's
request in it) all hand a case to petitions through :func:`petition_intake`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class PetitionIntake:
    """What another module hands to petitions. Identity fields are plaintext here and
    are encrypted by petitions on arrival; never log or audit this object."""

    kind: str  # "report" | "complaint" | "suggestion" | "inquiry"
    channel: str  # e.g. "web", "forwarded", "opinion", "foi"
    title: str
    facts: str
    request: str = ""
    reasons: str = ""
    subject_organization_id: int | None = None
    source_label: str = ""  # e.g. "fees.notice:42", "disclosure.foirequest:7", "opinion.event:3"
    named: bool = False
    name: str = ""
    phone: str = ""
    address: str = ""
    email: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


PetitionIntakeHandler = Callable[..., Any]
_petition_intake: PetitionIntakeHandler | None = None


def register_petition_intake(handler: PetitionIntakeHandler) -> None:
    """Called once by petitions' AppConfig.ready(): ``handler(*, intake, actor) -> petition``."""
    global _petition_intake
    _petition_intake = handler


def petition_intake(*, intake: PetitionIntake, actor: Any) -> Any:
    """Register ``intake`` as a petition case; returns the case (with its receipt code for
    an anonymous filer, as the handler documents)."""
    if _petition_intake is None:
        raise ImproperlyConfigured("No petitions module is installed to receive this case.")
    return _petition_intake(intake=intake, actor=actor)


# --- The public home page's panels -----------------------------------------------------
# A domain app that has something for the home page registers a provider in ready():
#   "figures"   -> petitions: {"received", "answered", "average_days", "closure_rate", "url"} for this year
#   "bulletins" -> disclosure: [{"title", "url", "date"}] newest first
# The home page shows an empty state for a panel nobody provides.

HomeProvider = Callable[[], Any]
_home_providers: dict[str, HomeProvider] = {}


def register_home_provider(key: str, provider: HomeProvider) -> None:
    _home_providers[key] = provider


def home_panel(key: str) -> Any:
    """What the provider of ``key`` returns now, or None when no module provides it."""
    provider = _home_providers.get(key)
    return provider() if provider is not None else None
