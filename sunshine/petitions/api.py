"""The petitions API for integration (hotline systems): intake and status, with an
OpenAPI schema at ``<mount>/openapi.json`` and docs at ``<mount>/docs``.

Authentication: the header ``X-Api-Key``. The keys themselves are never configured:
``SUNSHINE_PETITION_API_KEYS`` holds a comma-separated list of the SHA-256 hex
digests of the keys (``python -c "import hashlib,sys;print(hashlib.sha256(sys.argv[1].encode()).hexdigest())" KEY``).
No key configured = the API refuses everyone.

Status look-ups go through ``receipt_lookup``: the same format check, per-address
throttle and record as the public tracking page.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Header, NinjaAPI, Schema, Status
from ninja.security import APIKeyHeader
from pydantic import field_validator

from sunshine.core.crypto import constant_time_equals
from sunshine.core.figures import Period, figures_all
from sunshine.core.inputs import text_error
from sunshine.core.throttle import client_address
from sunshine.orgs.models import Organization
from sunshine.petitions.models import Message
from sunshine.petitions.services import IdentityInput, ReceiptThrottled, petition_file, receipt_lookup

__all__ = ["api"]

FIGURE_YEARS = (2000, 2100)  # the figures API answers for these years only


def _digests() -> list[str]:
    raw = getattr(settings, "SUNSHINE_PETITION_API_KEYS", "") or ""
    return [d.strip().lower() for d in raw.split(",") if d.strip()]


class ApiKey(APIKeyHeader):
    param_name = "X-Api-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> str | None:
        if not key:
            return None
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
        matched = None
        for known in _digests():  # compare with every digest, in constant time
            if constant_time_equals(digest, known):
                matched = known
        return f"api:{matched[:8]}" if matched else None


api = NinjaAPI(
    urls_namespace="petitions-api",
    # Swagger UI from django-ninja's own static files ("ninja" is installed), never a
    # CDN; off in production (SUNSHINE_API_DOCS), where the OpenAPI schema remains.
    docs_url="/docs" if settings.SUNSHINE_API_DOCS else None,
    title="Sunshine petitions API",
    version="1.0",
    description="Intake of petitions from hotline systems, their status by receipt code, and the figures.",
    auth=ApiKey(),
)


class IntakeIn(Schema):
    bureau_code: str
    kind: str = "complaint"
    channel: str = "hotline"
    title: str
    facts: str
    request: str = ""
    reasons: str = ""
    subject_code: str = ""  # the school or department concerned (organisation code)
    accused_name: str = ""
    name: str = ""
    phone: str = ""
    address: str = ""
    email: str = ""
    unit: str = ""
    received_at: datetime | None = None

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        """A lone surrogate (JSON's "\ud800") cannot be stored: refused with a message."""
        if isinstance(value, str) and (error := text_error(value)):
            raise ValueError(error)
        return value


class IntakeOut(Schema):
    number: str
    receipt_code: str
    status: str
    named: bool
    notice_due_at: datetime | None


class ErrorOut(Schema):
    detail: Any


class ReplyOut(Schema):
    document_number: str
    stage: str
    decision: str
    issued_at: datetime


class MessageOut(Schema):
    text: str
    sent_at: datetime


class StatusOut(Schema):
    number: str
    status: str
    status_label: str
    received_at: datetime
    handling_due_at: datetime | None
    replies: list[ReplyOut]
    messages: list[MessageOut]


class FigureOut(Schema):
    key: str
    label: str
    unit: str
    value: float | None
    numerator: float | None
    denominator: float | None
    definition: str


class FiguresOut(Schema):
    bureau_code: str
    first_day: date
    last_day: date
    as_of: datetime
    figures: list[FigureOut]


@api.post("/intake", response={201: IntakeOut, 400: ErrorOut}, summary="File a case")
def intake(request: HttpRequest, payload: IntakeIn) -> Status:
    """Register a case received by a hotline system. The receipt code is returned once;
    read it to the caller — it is not stored and cannot be retrieved again."""
    bureau = Organization.objects.filter(code=payload.bureau_code, kind=Organization.Kind.BUREAU).first()
    if bureau is None:
        return Status(400, {"detail": {"bureau_code": ["Unknown bureau."]}})
    subject = None
    if payload.subject_code:
        subject = Organization.objects.filter(code=payload.subject_code, path__startswith=bureau.path).first()
        if subject is None:
            return Status(400, {"detail": {"subject_code": ["Unknown school or department."]}})
    identity = IdentityInput(
        name=payload.name, phone=payload.phone, address=payload.address, email=payload.email, unit=payload.unit
    )
    try:
        filed = petition_file(
            bureau=bureau,
            kind=payload.kind,
            channel=payload.channel,
            title=payload.title,
            facts=payload.facts,
            request=payload.request,
            reasons=payload.reasons,
            subject_organization=subject,
            accused_name=payload.accused_name,
            identity=None if identity.is_empty() else identity,
            source_label=str(request.auth)[:64],  # type: ignore[attr-defined]
            received_at=payload.received_at,
            actor=None,
        )
    except ValidationError as exc:
        return Status(400, {"detail": exc.message_dict if hasattr(exc, "error_dict") else exc.messages})
    p = filed.petition
    return Status(
        201,
        {
            "number": p.number,
            "receipt_code": filed.receipt_code,
            "status": p.status,
            "named": p.named,
            "notice_due_at": p.notice_due_at,
        },
    )


@api.get("/status", response={200: StatusOut, 400: ErrorOut, 404: ErrorOut, 429: ErrorOut}, summary="Case status")
def status(request: HttpRequest, x_receipt_code: str = Header(..., alias="X-Receipt-Code")) -> Status:
    """The status, replies and messages of the case with this receipt code (sent in the
    ``X-Receipt-Code`` header, never in the URL, so it stays out of access logs).
    Rate-limited per address like the public tracking page."""
    try:
        petition = receipt_lookup(code=x_receipt_code, ip=client_address(request))
    except ValidationError as exc:
        return Status(400, {"detail": exc.messages})
    except ReceiptThrottled as exc:
        return Status(429, {"detail": str(exc)})
    if petition is None:
        return Status(404, {"detail": "No case with this receipt code."})
    return Status(
        200,
        {
            "number": petition.number,
            "status": petition.status,
            "status_label": str(petition.status_label(petition.status)),
            "received_at": petition.received_at,
            "handling_due_at": petition.handling_due_at,
            "replies": [
                {
                    "document_number": r.document_number,
                    "stage": r.stage,
                    "decision": r.decision,
                    "issued_at": r.issued_at,
                }
                for r in petition.replies.all()
            ],
            "messages": [
                {"text": m.text, "sent_at": m.created_at}
                for m in petition.messages.filter(direction=Message.Direction.TO_FILER)
            ],
        },
    )


@api.get("/figures", response={200: FiguresOut, 400: ErrorOut}, summary="Figures (PET-10)")
def figures(
    request: HttpRequest, bureau_code: str, year: int, quarter: int | None = None, month: int | None = None
) -> Status:
    """The petitions figures of the bureau's tree for a year, or one quarter or month of
    it, read from the figures registry: each with its unit, numerator, denominator and
    definition. Money is in yuan."""
    bureau = Organization.objects.filter(code=bureau_code, kind=Organization.Kind.BUREAU).first()
    if bureau is None:
        return Status(400, {"detail": {"bureau_code": ["Unknown bureau."]}})
    sound = (
        FIGURE_YEARS[0] <= year <= FIGURE_YEARS[1]
        and (quarter is None or 1 <= quarter <= 4)
        and (month is None or 1 <= month <= 12)
        and (quarter is None or month is None)
    )
    if not sound:
        return Status(
            400,
            {
                "detail": _("Give a year from %(first)s to %(last)s, and a quarter (1–4) or a month (1–12), not both.")
                % {"first": FIGURE_YEARS[0], "last": FIGURE_YEARS[1]}
            },
        )
    period = Period.of(year, quarter=quarter, month=month)
    return Status(
        200,
        {
            "bureau_code": bureau.code,
            "first_day": period.first_day,
            "last_day": period.last_day,
            "as_of": period.as_of,
            "figures": [row.as_dict() for row in figures_all(period=period, organization=bureau, prefix="petitions.")],
        },
    )
