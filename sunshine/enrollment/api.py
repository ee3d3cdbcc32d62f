"""The enrollment API: public, read-only, what the public pages show — the seasons with
their published disclosures and the lotteries with their fingerprint, seed and the
addresses of the bundle and the verifier. OpenAPI schema at ``<mount>/openapi.json``."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from ninja import NinjaAPI, Schema

from sunshine.enrollment import access
from sunshine.enrollment.models import Lottery

api = NinjaAPI(
    urls_namespace="enrollment-api",
    docs_url="/docs" if settings.SUNSHINE_API_DOCS else None,
    title="Sunshine enrollment API",
    version="1.0",
    description="Published enrollment seasons, their five disclosures, and the lotteries with their data.",
)


class DisclosureOut(Schema):
    kind: str
    title: str
    published_at: datetime
    version: int


class SeasonOut(Schema):
    id: int
    name: str
    level: str
    status: str
    applications_open: date
    applications_close: date
    disclosures: list[DisclosureOut]


class LotteryOut(Schema):
    id: int
    season: str
    status: str
    draw_on: date
    entry_count: int
    root: str
    sources: list[str]
    seed: str
    bundle_url: str
    verifier_url: str


@api.get("/seasons", response=list[SeasonOut])
def seasons(request: HttpRequest) -> list[SeasonOut]:
    out = []
    for s in access.seasons_public().prefetch_related("disclosures"):
        out.append(
            SeasonOut(
                id=s.pk,
                name=s.name,
                level=s.level,
                status=s.status,
                applications_open=s.applications_open,
                applications_close=s.applications_close,
                disclosures=[
                    DisclosureOut(kind=d.kind, title=d.title, published_at=d.published_at, version=d.version)
                    for d in s.disclosures.all()
                ],
            )
        )
    return out


@api.get("/lotteries", response=list[LotteryOut])
def lotteries(request: HttpRequest) -> list[LotteryOut]:
    out = []
    for draw in access.lotteries_public():
        published = draw.status == Lottery.Status.PUBLISHED
        out.append(
            LotteryOut(
                id=draw.pk,
                season=draw.season.name,
                status=draw.status,
                draw_on=draw.draw_on,
                entry_count=draw.entry_count,
                root=draw.root,
                sources=[s["name"] for s in draw.sources],
                seed=draw.seed if published else "",
                bundle_url=request.build_absolute_uri(reverse("enrollment:lottery-bundle", args=[draw.pk])),
                verifier_url=request.build_absolute_uri(reverse("enrollment:verifier")),
            )
        )
    return out
