"""Public pages of petitions (PET-1 … PET-8 as the filer sees them): the channels, the
web form and its one-time receipt, following a case with the receipt code, and the
public figures (PET-10).

The pages parse input and call ``petitions.services`` / ``selectors``; they never
write a model or compute a deadline themselves.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from sunshine.core.audit import audit_public
from sunshine.core.clocks import clock_get
from sunshine.core.context_processors import display_preferences
from sunshine.core.figures import Period, figure_value, figures_pass
from sunshine.core.forms import receipt_escrow_keep, receipt_escrow_recover, receipt_escrow_release, submission_claim
from sunshine.core.receipts import Receipt, receipt_code_grouped
from sunshine.core.throttle import (
    Throttled,
    client_address,
    form_throttle,
    guesses_left,
    submissions_wait,
    throttle_give_back,
    wrong_code_message,
    wrong_codes_wait,
)
from sunshine.orgs.models import Organization
from sunshine.orgs.selectors import site_bureau
from sunshine.petitions import access, rules, selectors, services
from sunshine.petitions.forms import (
    FilerMessageForm,
    PetitionFileForm,
    RatingForm,
    ReasonsForm,
    ReceiptLookupForm,
    errors_apply,
)
from sunshine.petitions.models import Petition
from sunshine.petitions.views import reply_download

# The session holds the one case a filer opened with the receipt code, for this long.
TRACK_SESSION_KEY = "petitions.track"
TRACK_SESSION_SECONDS = 30 * 60
TRACK_RENEW_SECONDS = 60  # the hold is renewed at most once a minute


def bureau_units(bureau: Organization | None) -> Any:
    """The bureau's departments and schools, for the "concerned" selects."""
    if bureau is None:
        return Organization.objects.none()
    return (
        Organization.objects.filter(parent=bureau, is_active=True)
        .exclude(kind=Organization.Kind.BUREAU)
        .order_by("kind", "code")
    )


def client_ip(request: HttpRequest) -> str | None:
    """The client's address (behind a configured trusted proxy, the forwarded one)."""
    return client_address(request)


def _hotline() -> str:
    bureau = site_bureau()
    return bureau.hotline if bureau is not None and bureau.hotline else ""


def throttled_response(request: HttpRequest, template: str, context: dict[str, Any], exc: Throttled) -> HttpResponse:
    """A public form refused for too many submissions: 429 with ``Retry-After``."""
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(exc.retry_seconds)
    return response


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
    response["Pragma"] = "no-cache"
    return response


def time_limits() -> dict[str, Any]:
    """The PET-3 / PET-5 / PET-7 periods, read from core's clocks (never typed here)."""
    return {
        "notice_days": clock_get("PET-3").length,
        "named_report_wd": clock_get("PET-3-named-report").length,
        "handling_days": clock_get("PET-5").length,
        "extension_days": clock_get("PET-5").extension,
        "ceiling_days": clock_get("PET-5").ceiling,
        "review_apply_days": clock_get("PET-7-review-apply").length,
        "review_answer_days": clock_get("PET-7-review-answer").length,
        "reexam_apply_days": clock_get("PET-7-reexam-apply").length,
        "reexam_answer_days": clock_get("PET-7-reexam-answer").length,
        "result_wd": clock_get("PET-8").length,
    }


class ChannelListView(TemplateView):
    """PET-1: how to reach us (web, letter, phone, fax, visit, suggestion box), how to
    follow a case, the time limits in plain words, and how reporters are protected (PET-9)."""

    template_name = "petitions/public/channels.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        bureau = site_bureau()
        context["bureau"] = bureau
        context["limits"] = time_limits()
        return context


class PetitionFileView(View):
    """The web form (PET-2 fields; PET-8 named or anonymous). Nothing is saved on error;
    on success the receipt code goes to the session for the receipt page to show once."""

    template_name = "petitions/public/file.html"

    def _render(self, request: HttpRequest, form: PetitionFileForm, bureau: Organization | None) -> HttpResponse:
        return render(request, self.template_name, {"form": form, "bureau": bureau, "limits": time_limits()})

    def get(self, request: HttpRequest) -> HttpResponse:
        bureau = site_bureau()
        return self._render(request, PetitionFileForm(organizations=bureau_units(bureau)), bureau)

    def post(self, request: HttpRequest) -> HttpResponse:
        bureau = site_bureau()
        form = PetitionFileForm(request.POST, request.FILES, organizations=bureau_units(bureau))
        if bureau is None:
            form.add_error(None, _("Letters cannot be received on this site yet. Please write or call."))
        if not form.is_valid() or bureau is None:
            return self._render(request, form, bureau)
        data = form.cleaned_data
        identity = services.IdentityInput(**form.identity_values()) if form.is_named else None
        # PET-8: a citizen signed in who files anonymously is not linked to the case.
        user = request.user if request.user.is_authenticated and form.is_named else None
        try:
            submission = form_throttle(scope="petitions.file", address=client_ip(request))
        except Throttled as exc:
            form.add_error(None, submissions_wait(exc))
            return throttled_response(
                request, self.template_name, {"form": form, "bureau": bureau, "limits": time_limits()}, exc
            )
        token = form.submission_token
        try:
            with audit_public(), transaction.atomic():
                if not submission_claim(token, purpose="petitions.file"):
                    throttle_give_back(submission)
                    receipt_escrow_recover(token, request.session)  # its answer may have been lost
                    messages.info(request, _("This letter was already sent; it has not been filed a second time."))
                    return redirect("petitions:receipt")
                filed = services.petition_file(
                    bureau=bureau,
                    kind=data["kind"],
                    channel=Petition.Channel.WEB,
                    title=data["title"],
                    facts=data["facts"],
                    request=data["request"],
                    reasons=data["reasons"],
                    subject_organization=data["subject_organization"],
                    accused_organization=data["accused_organization"],
                    accused_name=data["accused_name"],
                    identity=identity,
                    filer_user=user,
                    consent_publish=data["consent_publish"],
                    attachments=data["attachments"],
                    actor=user,
                )
                access.receipt_once_put(request.session, petition=filed.petition, code=filed.receipt_code)
                receipt_escrow_keep(token, request.session, access.RECEIPT_ONCE_KEY)
        except ValidationError as exc:
            throttle_give_back(submission)
            errors_apply(form, exc)
            return self._render(request, form, bureau)
        return redirect("petitions:receipt")


@method_decorator(never_cache, name="dispatch")
class PetitionReceiptView(View):
    """The receipt: the 16-digit code shown ONCE (taken out of the session as it is shown),
    never cached; a reload shows only the advice."""

    def get(self, request: HttpRequest) -> HttpResponse:
        held = access.receipt_once_take(request.session)
        if held:
            receipt_escrow_release(request.session)
        context: dict[str, Any] = {
            "receipt": petition_receipt(held) if held and held.get("code") else None,
            "gone_heading": _("Your letter has been received"),
            "gone_text": _(
                "The receipt code is shown only once, right after a letter is sent, and has already been shown. "
                "If you did not write it down, we cannot show it again: please call us with your case number, "
                "or write again."
            ),
            "gone_links": [
                (reverse("petitions:track"), _("Follow a case")),
                (reverse("petitions:file"), _("Write to us")),
            ],
        }
        return _no_store(render(request, "core/receipt.html", context))


def petition_receipt(held: dict[str, Any]) -> Receipt:
    """The receipt of a letter (or of a complaint handed over from another module): the
    case number, the code, and the PET-3 notice date the case was given when filed."""
    limits = time_limits()
    due = held.get("notice_due") or ""
    return Receipt(
        heading=_("Your letter has been received"),
        number_label=_("Case number"),
        number=held["number"],
        code=receipt_code_grouped(held["code"]),
        code_label=_("Your receipt code"),
        code_warning=_(
            "Write this code down or print this page now. It is shown only this once and cannot be shown again "
            "or recovered: we do not keep it."
        ),
        deadline_label=_("We tell you whether it is accepted by"),
        deadline=date.fromisoformat(due) if due else None,
        steps=(
            _("With the code, and nothing else, you can follow your case, read our replies, write back and add files."),
            _("Do not share the code: anyone who has it can read the case."),
            _("We will tell you within %(days)s days whether your letter is accepted.")
            % {"days": limits["notice_days"]},
            _("An accepted case is concluded within %(days)s days, extended by at most %(more)s days if needed.")
            % {"days": limits["handling_days"], "more": limits["extension_days"]},
        ),
        follow_url=reverse("petitions:track"),
        follow_label=_("Follow your case"),
        back_url=reverse("petitions:channels"),
        back_label=_("Back to letters and visits"),
    )


# --- Following a case with the receipt code ---------------------------------------------------


def track_release(request: HttpRequest) -> None:
    """Forget the held case, and with it the filer's access to the case's files."""
    request.session.pop(TRACK_SESSION_KEY, None)
    request.session.pop(access.RECEIPT_SESSION_KEY, None)


def tracked_petition(request: HttpRequest, read: Callable[[int], Petition | None] | None = None) -> Petition | None:
    """The case this browser session opened with its receipt code, while the 30 minutes
    last (read by ``read(pk)``: by default with its replies)."""
    held = request.session.get(TRACK_SESSION_KEY)
    if not isinstance(held, dict) or held.get("until", 0) < time.time():
        if held is not None:
            track_release(request)
        return None
    pk = held.get("pk")
    if not isinstance(pk, int) or pk not in access.receipt_session_ids(request.session):
        return None
    # The case page reads the replies three times (its list, the timeline, the forms): one query.
    if read is not None:
        return read(pk)
    return Petition.objects.filter(pk=pk).prefetch_related("replies").first()


def track_hold(request: HttpRequest, petition: Petition) -> None:
    """Mark the session as holding ``petition`` for 30 minutes, renewed by each action
    (also the mark that lets the filer download the case's files: access.receipt_session_add).
    For a visitor without an account the whole session lapses after 30 idle minutes.
    Renewed at most once a minute: a page viewed again within it writes no session row
    (the write and its commit were most of the case page's database time)."""
    held = request.session.get(TRACK_SESSION_KEY)
    if (
        isinstance(held, dict)
        and held.get("pk") == petition.pk
        and held.get("until", 0) - time.time() > TRACK_SESSION_SECONDS - TRACK_RENEW_SECONDS
        and petition.pk in access.receipt_session_ids(request.session)
    ):
        return
    if not held:
        request.session.cycle_key()  # a fresh session id once the code has opened a case
    access.receipt_session_add(request.session, petition)
    request.session[TRACK_SESSION_KEY] = {"pk": petition.pk, "until": time.time() + TRACK_SESSION_SECONDS}
    if not request.user.is_authenticated:
        request.session.set_expiry(TRACK_SESSION_SECONDS)


@method_decorator(never_cache, name="dispatch")
class TrackView(View):
    """Enter the receipt code. Look-ups are rate-limited and recorded by
    ``services.receipt_lookup``; a throttled visitor is told so plainly."""

    template_name = "petitions/public/track.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return _no_store(render(request, self.template_name, {"form": ReceiptLookupForm()}))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ReceiptLookupForm(request.POST)
        status, retry = 200, 0
        if form.is_valid():
            address = client_ip(request)
            try:
                petition = services.receipt_lookup(code=form.cleaned_data["code"], ip=address)
            except ValidationError as exc:
                errors_apply(form, exc)
            except services.ReceiptThrottled as exc:
                form.add_error(None, wrong_codes_wait(exc, hotline=_hotline()))
                status, retry = 429, exc.retry_seconds
            else:
                if petition is not None:
                    track_hold(request, petition)
                    return redirect("petitions:track-case")
                left = guesses_left(scope=rules.RECEIPT_PURPOSE, address=address)
                form.add_error(
                    "code", wrong_code_message(_("No case has this receipt code."), left, hotline=_hotline())
                )
        response = render(request, self.template_name, {"form": form}, status=status)
        if retry:
            response["Retry-After"] = str(retry)
        return _no_store(response)


class TrackedMixin:
    """Views that act on the case the session holds; without one, back to the code form."""

    petition: Petition

    # How the held case is read by its pk (tracked_petition; None: with its replies).
    read_petition: Callable[[int], Petition | None] | None = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        petition = tracked_petition(request, type(self).read_petition)
        if petition is None:
            if request.method == "POST":
                messages.error(request, _("Your session has ended. Please enter your receipt code again."))
            return redirect("petitions:track")
        self.petition = petition
        track_hold(request, petition)
        response: HttpResponse = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        return _no_store(response)


def track_context(petition: Petition, **forms: Any) -> dict[str, Any]:
    status = petition.status
    S = Petition.Status
    context: dict[str, Any] = {
        "petition": petition,
        "clock": selectors.petition_clock(petition),
        "timeline": selectors.petition_timeline(petition, for_filer=True),
        "replies": list(petition.replies.all()),
        "limits": time_limits(),
        "can_write": status != S.CLOSED,
        "can_rate": status == S.ANSWERED and not petition.satisfaction,
        "can_review": status in (S.ANSWERED, S.RATED) and not services.review_window_lapsed(petition),
        "can_reexamine": status == S.REVIEWED and not services.review_window_lapsed(petition),
    }
    context["message_form"] = forms.get("message_form") or FilerMessageForm()
    context["rating_form"] = forms.get("rating_form") or RatingForm()
    context["review_form"] = forms.get("review_form") or ReasonsForm(prefix="review")
    context["reexam_form"] = forms.get("reexam_form") or ReasonsForm(prefix="reexam")
    return context


FILER_PAGE_BODY = "petitions/public/track_case_body.html"


def filer_page(request: HttpRequest, petition: Petition, template_name: str) -> str:
    """The filer's page for ``petition`` (read by ``selectors.filer_page_petition``), for
    a visitor without an account and without messages to show: made once per state of
    the case, language and display choice and kept in the process's page cache, served again only
    for the same stamp (read with the case on every request) and only until a clock's
    colour or the review period may turn — never stale. The forms' CSRF token, which
    belongs to one browser, is put in per request; a page whose making drew a token or a
    nonce of its own is not kept."""
    shown = ".".join(sorted(display_preferences(request)))
    stamp = selectors.filer_page_stamp(petition)
    key = f"petitions:filer-page:{petition.pk}:{translation.get_language()}:{shown}:{stamp}"
    pages = caches["pages"]  # the process's own: same stamp, same page
    kept = pages.get(key)
    if kept is None or (kept[0] is not None and kept[0] <= timezone.now().timestamp()):
        petition = selectors.filer_page_case(petition)
        context = track_context(petition)
        marker = f"csrf{secrets.token_hex(16)}"
        body = render_to_string(FILER_PAGE_BODY, {**context, "csrf_token": marker})
        drawn = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE")), bool(get_nonce(request))
        html = render_to_string(template_name, {"petition": petition, "case_body": mark_safe(body)}, request)  # noqa: S308
        turns = [context["clock"].changes_at if context["clock"] else None, services.review_window_ends(petition)]
        future = [moment.timestamp() for moment in turns if moment is not None and moment > timezone.now()]
        kept = (min(future) if future else None, marker, html)
        if drawn == (bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE")), bool(get_nonce(request))):
            pages.set(key, kept, TRACK_SESSION_SECONDS)
    _until, marker, html = kept
    return html.replace(marker, get_token(request))


class TrackCaseView(TrackedMixin, View):
    """The filer's case page: status, the running clock in plain words, the timeline
    without internal notes, the replies (PET-6) and what the filer may do next. Made
    once per state of the case (``filer_page``): a page viewed again costs the session's
    and the case's query. A signed-in user's page, or one with messages, is made each time."""

    template_name = "petitions/public/track_case.html"
    read_petition = staticmethod(selectors.filer_page_petition)

    def get(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated or len(messages.get_messages(request)):
            return render(request, self.template_name, track_context(selectors.filer_page_case(self.petition)))
        return HttpResponse(filer_page(request, self.petition, self.template_name))


class TrackActionView(TrackedMixin, View):
    """Base of the filer's POST actions: a valid form calls the service and returns to
    the case page with a message; an invalid one shows the page with the errors."""

    form_key = ""

    def make_form(self, request: HttpRequest) -> Any:
        raise NotImplementedError

    def act(self, form: Any) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.make_form(request)
        if form.is_valid():
            try:
                submission = form_throttle(scope="petitions.track", address=client_ip(request))
            except Throttled as exc:
                form.add_error(None, submissions_wait(exc))
                context = track_context(self.petition, **{self.form_key: form})
                return throttled_response(request, TrackCaseView.template_name, context, exc)
            try:
                done = self.act(form)
            except ValidationError as exc:
                throttle_give_back(submission)
                errors_apply(form, exc)
            else:
                messages.success(request, done)
                return redirect("petitions:track-case")
        context = track_context(self.petition, **{self.form_key: form})
        return render(request, TrackCaseView.template_name, context, status=400)


class TrackMessageView(TrackActionView):
    form_key = "message_form"

    def make_form(self, request: HttpRequest) -> Any:
        return FilerMessageForm(request.POST, request.FILES)

    def act(self, form: Any) -> str:
        services.petition_message_from_filer(
            petition=self.petition, text=form.cleaned_data["text"], attachments=form.cleaned_data["attachments"]
        )
        return _("Your message has been added to the case.")


class TrackRateView(TrackActionView):
    form_key = "rating_form"

    def make_form(self, request: HttpRequest) -> Any:
        return RatingForm(request.POST)

    def act(self, form: Any) -> str:
        services.petition_rate(
            petition=self.petition,
            satisfaction=form.cleaned_data["satisfaction"],
            comment=form.cleaned_data["comment"],
        )
        return _("Thank you. Your rating has been recorded.")


class TrackReviewView(TrackActionView):
    """PET-7: apply for review within the window after the reply (the service checks it)."""

    form_key = "review_form"

    def make_form(self, request: HttpRequest) -> Any:
        return ReasonsForm(request.POST, prefix="review")

    def act(self, form: Any) -> str:
        services.petition_review_apply(petition=self.petition, reasons=form.cleaned_data["reasons"])
        return _("Your application for review has been received.")


class TrackReexamView(TrackActionView):
    """PET-7: apply for re-examination within the window after the review."""

    form_key = "reexam_form"

    def make_form(self, request: HttpRequest) -> Any:
        return ReasonsForm(request.POST, prefix="reexam")

    def act(self, form: Any) -> str:
        services.petition_reexam_apply(petition=self.petition, reasons=form.cleaned_data["reasons"])
        return _("Your application for re-examination has been received.")


class TrackReplyDownloadView(TrackedMixin, View):
    """A reply of the held case as a Word document (处理意见书): the bytes issued."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        reply = self.petition.replies.filter(pk=pk).first()
        if reply is None:
            raise Http404
        return reply_download(reply, actor=request.user)


class TrackLeaveView(View):
    """Close the case in this browser (on a shared computer)."""

    def post(self, request: HttpRequest) -> HttpResponseRedirect:
        track_release(request)
        messages.info(request, _("The case is closed in this browser."))
        return HttpResponseRedirect(reverse("petitions:track"))


class FiguresView(TemplateView):
    """PET-10 for the public: this year's figures from the figures registry, each with
    its definition and its parts written beside it."""

    template_name = "petitions/public/figures.html"
    SHOWN = (
        "received",
        "accepted_on_time_rate",
        "closed",
        "closed_on_time_rate",
        "closure_rate",
        "average_days_to_answer",
        "rating_participation_rate",
        "satisfaction_rate",
    )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        bureau = site_bureau()
        now = timezone.localtime()
        period = Period.year(now.year, as_of=now)
        context["year"] = now.year
        context["start"] = period.start
        context["end"] = now
        with figures_pass():  # the figures shown share one count of the cases
            context["figures"] = (
                [figure_value(f"petitions.{key}", period=period, organization=bureau) for key in self.SHOWN]
                if bureau is not None
                else []
            )
        return context
