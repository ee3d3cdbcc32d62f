"""Public pages of disclosure: catalogues, documents and their versions, the archive,
Atom feeds, search, FOI requests and their tracking, bulletins and the annual report."""

from __future__ import annotations

import contextlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.syndication.views import Feed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from sunshine.core.clocks import clock_get, deadline
from sunshine.core.crypto import session_secret_pop, session_secret_put
from sunshine.core.figures import Period, figure_value
from sunshine.core.forms import receipt_escrow_keep, receipt_escrow_recover, receipt_escrow_release, submission_claim
from sunshine.core.receipts import Receipt, receipt_code_grouped
from sunshine.core.search import search_query
from sunshine.core.throttle import (
    Throttled,
    client_address,
    form_throttle,
    guess_checked,
    guesses_left,
    submissions_wait,
    wrong_code_message,
    wrong_codes_wait,
)
from sunshine.disclosure import access, rules, services
from sunshine.disclosure.forms import FoiForm, TrackForm
from sunshine.disclosure.models import Document, FoiRequest
from sunshine.orgs.models import Organization

RECEIPT_SESSION_KEY = "disclosure.foi_receipt"
TRACK_SESSION_KEY = "disclosure.foi_tracked"


def _bureaus() -> QuerySet[Organization]:
    return access.organizations_public(Organization.Kind.BUREAU)


class IndexView(TemplateView):
    """The disclosure home: organisations' catalogues, latest documents, search."""

    template_name = "disclosure/public/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["bureaus"] = _bureaus()
        context["schools"] = access.organizations_public(Organization.Kind.SCHOOL)
        context["latest"] = (
            access.documents_public().select_related("organization", "category").order_by("-last_published_at")[:15]
        )
        context["bulletins"] = access.bulletins_public()[:4]
        return context


class CatalogueView(TemplateView):
    """One organisation's catalogue (公开目录), by category."""

    template_name = "disclosure/public/catalogue.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        org = access.organization_public_get(self.kwargs["code"])
        docs = (
            access.documents_public().filter(organization=org).select_related("category").order_by("-last_published_at")
        )
        chosen = self.request.GET.get("category", "")
        sections = []
        for category in services.categories_for(org):
            if chosen and category.code != chosen:
                continue
            items = [d for d in docs if d.category_id == category.pk]
            sections.append({"category": category, "documents": items})
        context.update(organization=org, sections=sections, chosen=chosen)
        return context


class DocumentDetailView(TemplateView):
    """A document's latest published version, with its version history."""

    template_name = "disclosure/public/document.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        document = get_object_or_404(
            access.documents_public().select_related("organization", "category"), pk=self.kwargs["pk"]
        )
        versions = list(document.versions.order_by("-number"))
        number = self.kwargs.get("number")
        if number is None:
            version = versions[0]
        else:
            found = next((v for v in versions if v.number == number), None)
            if found is None:
                raise Http404
            version = found
        due, on_time = services.version_dis1(version)
        context.update(
            document=document,
            version=version,
            versions=versions,
            latest=versions[0],
            attachments=version.attachments.all(),
            dis1_due=due,
            on_time=on_time,
        )
        return context


class ArchiveView(TemplateView):
    """The archive (公开档案): withdrawn documents with the reason; nothing is deleted."""

    template_name = "disclosure/public/archive.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["documents"] = (
            access.documents_archived().select_related("organization", "category").order_by("-withdrawn_at")[:200]
        )
        return context


class ArchivedDocumentView(TemplateView):
    template_name = "disclosure/public/archived.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        document = get_object_or_404(
            access.documents_archived().select_related("organization", "category"), pk=self.kwargs["pk"]
        )
        context.update(document=document, versions=document.versions.order_by("-number"))
        return context


class DocumentFeed(Feed):
    """Atom feed of an organisation's catalogue, optionally one category."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, code: str, category: str = "") -> dict[str, Any]:
        org = access.organization_public_get(code)
        cat = get_object_or_404(access.categories_public(), code=category) if category else None
        return {"org": org, "category": cat}

    def title(self, obj: dict[str, Any]) -> str:
        if obj["category"]:
            return f"{obj['org'].name} · {obj['category'].label}"
        return str(obj["org"].name)

    def link(self, obj: dict[str, Any]) -> str:
        return reverse("disclosure:catalogue", kwargs={"code": obj["org"].code})

    def subtitle(self, obj: dict[str, Any]) -> str:
        return _("Proactive disclosure")

    def items(self, obj: dict[str, Any]) -> QuerySet[Document]:
        docs = access.documents_public().filter(organization=obj["org"])
        if obj["category"]:
            docs = docs.filter(category=obj["category"])
        return docs.select_related("category").order_by("-last_published_at")[:50]

    def item_title(self, item: Document) -> str:
        version = item.current_version()
        return version.title if version else item.title

    def item_description(self, item: Document) -> str:
        version = item.current_version()
        return services.body_plain(version.body)[:300] if version else ""

    def item_link(self, item: Document) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Document) -> Any:
        return item.first_published_at

    def item_updateddate(self, item: Document) -> Any:
        return item.last_published_at

    def item_categories(self, item: Document) -> list[str]:
        return [item.category.label]


class DisclosureSearchView(TemplateView):
    """Search within disclosures, with organisation, category and date filters."""

    template_name = "disclosure/public/search.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from datetime import date

        context = super().get_context_data(**kwargs)
        params = self.request.GET
        query = params.get("q", "").strip()[:100]
        filters: dict[str, Any] = {}
        org = access.organizations_public().filter(code=params.get("org", "")).first()
        if org:
            filters["organization_id"] = org.pk
        if params.get("category"):
            filters["category"] = params["category"][:40]
        for name, key in (("from", "published_from"), ("to", "published_to")):
            with contextlib.suppress(ValueError):
                filters[key] = date.fromisoformat(params.get(name, ""))
        results = search_query(q=query, doc_type=services.SEARCH_PUBLIC, public_only=True, limit=30, **filters)
        context.update(
            query=query,
            results=results,
            categories=access.categories_public(),
            organizations=access.organizations_public(),
            params=params,
        )
        return context


@method_decorator(never_cache, name="dispatch")
class FoiCreateView(View):
    """FOI-1: the public application form. The receipt code is shown once."""

    template_name = "disclosure/public/foi_form.html"

    def _context(self, form: FoiForm) -> dict[str, Any]:
        return {"form": form, "bureaus": _bureaus(), "reply_days": clock_get(rules.REPLY_CLOCK).length}

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, self._context(FoiForm()))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = FoiForm(request.POST)
        bureau = _bureaus().filter(code=request.POST.get("bureau", "")).first() or _bureaus().first()
        if bureau is None:
            raise Http404
        if not form.is_valid():
            return render(request, self.template_name, self._context(form), status=400)
        try:
            form_throttle(scope="disclosure.foi", address=client_address(request))
        except Throttled as exc:
            form.add_error(None, submissions_wait(exc))
            response = render(request, self.template_name, self._context(form), status=429)
            response["Retry-After"] = str(exc.retry_seconds)
            return response
        data = {k: v for k, v in form.cleaned_data.items() if k != "submission"}
        with transaction.atomic():
            if not submission_claim(form.submission_token, purpose="disclosure.foi"):
                receipt_escrow_recover(form.submission_token, request.session)  # its answer may have been lost
                messages.info(request, _("This request was already sent; it has not been filed a second time."))
                return redirect("disclosure:foi-done")
            foi, code = services.foi_submit(actor=request.user, organization=bureau, **data)
            session_secret_put(request.session, RECEIPT_SESSION_KEY, {"number": foi.number, "code": code})
            receipt_escrow_keep(form.submission_token, request.session, RECEIPT_SESSION_KEY)
        return redirect("disclosure:foi-done")


@method_decorator(never_cache, name="dispatch")
class FoiDoneView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        held = session_secret_pop(request.session, RECEIPT_SESSION_KEY)
        if held is None:  # shown once already, or a replayed form
            return redirect("disclosure:foi-track")
        receipt_escrow_release(request.session)
        clock = clock_get(rules.REPLY_CLOCK)
        receipt = Receipt(
            heading=_("Request received"),
            number_label=_("Request number"),
            number=held["number"],
            code=receipt_code_grouped(held["code"]),
            code_label=_("Your receipt code"),
            code_warning=_(
                "Write this code down or print this page now. It is shown only this once and cannot be shown "
                "again or recovered: we do not keep it."
            ),
            deadline_label=_("Reply due by, if the office confirms your request today"),
            deadline=deadline(rules.REPLY_CLOCK, timezone.localdate()).due_date,
            steps=(
                _("The office checks your request and confirms the date it is received."),
                _(
                    "If something is missing or unclear, the office asks you once to correct it; the time "
                    "limit starts again when the correction arrives."
                ),
                _("The office replies in writing within %(days)s working days of the date received.")
                % {"days": clock.length},
                _("If it needs more time, the office head may extend this once, by at most %(days)s working days.")
                % {"days": clock.extension},
            ),
            follow_url=reverse("disclosure:foi-track"),
            follow_label=_("Follow your request"),
            back_url=reverse("disclosure:index"),
            back_label=_("Back to information disclosure"),
        )
        return render(request, "core/receipt.html", {"receipt": receipt})


@method_decorator(never_cache, name="dispatch")
class FoiTrackView(View):
    """Follow a request with its receipt code (POST, never in a URL)."""

    template_name = "disclosure/public/foi_track.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": TrackForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TrackForm(request.POST)
        digits = "".join(ch for ch in form.data.get("code", "") if ch.isdigit()) if form.is_valid() else ""
        if len(digits) != 16:
            form.add_error("code", _("No request has this receipt code. Check the 16 digits."))
            return render(request, self.template_name, {"form": form}, status=404)
        address = client_address(request)
        hotline = getattr(_bureaus().first(), "hotline", "") or ""
        try:
            guess = guess_checked(
                scope=services.RECEIPT_PURPOSE, code=digits, address=address, lookup=lambda: services.foi_track(digits)
            )
        except Throttled as exc:
            form.add_error(None, wrong_codes_wait(exc, hotline=hotline))
            response = render(request, self.template_name, {"form": form}, status=429)
            response["Retry-After"] = str(exc.retry_seconds)
            return response
        foi = guess.found
        if foi is None:
            left = guesses_left(scope=services.RECEIPT_PURPOSE, address=address)
            form.add_error("code", wrong_code_message(_("No request has this receipt code."), left, hotline=hotline))
            return render(request, self.template_name, {"form": form}, status=404)
        return render(request, "disclosure/public/foi_status.html", _status_context(foi))


def _status_context(foi: FoiRequest) -> dict[str, Any]:
    return {
        "foi": foi,
        "due": services.foi_due(foi),
        "reason_label": rules.reason_label(foi.reply_type, foi.reply_reason) if foi.reply_reason else "",
    }


class FoiMineView(LoginRequiredMixin, TemplateView):
    """The requests filed from the signed-in account."""

    template_name = "disclosure/public/foi_mine.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["requests"] = [_status_context(f) for f in access.foi_requests_of(self.request.user)]
        return context


class BulletinView(TemplateView):
    """The published bulletin (通报) of a quarterly inspection."""

    template_name = "disclosure/public/bulletin.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        inspection = get_object_or_404(access.bulletins_public(), pk=self.kwargs["pk"])
        context.update(inspection=inspection, results=inspection.results.select_related("school"))
        return context


class AnnualReportView(TemplateView):
    """FOI-5: the request table of the annual report, computed from the records and
    cross-checked (a table that does not add up is refused, not shown)."""

    template_name = "disclosure/public/annual_report.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from datetime import date

        from sunshine.core.clocks import deadline

        context = super().get_context_data(**kwargs)
        bureau = access.organization_public_get(self.kwargs["code"], Organization.Kind.BUREAU)
        year = int(self.kwargs["year"])
        if not 2000 <= year <= timezone.localdate().year:
            raise Http404
        error = ""
        rows: list[dict[str, Any]] = []
        try:
            rows = services.foi_report_rows(services.foi_annual_report(bureau=bureau, year=year))
        except ValidationError as exc:
            error = " ".join(exc.messages)
        proactive = figure_value("disclosure.government_published", period=Period.year(year), organization=bureau).value
        context.update(
            bureau=bureau,
            year=year,
            rows=rows,
            error=error,
            proactive=proactive,
            due=deadline("FOI-5", date(year, 6, 1)),
            columns=[str(label) for _k, label in FoiRequest.ApplicantKind.choices],
        )
        return context
