"""Every write of enrollment: keyword-only, atomic, an actor whose right is checked
here, an audit entry. Status changes only through ``core.transitions.transition``."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from sunshine.core.actors import SYSTEM
from sunshine.core.audit import audit_public, audit_record
from sunshine.core.clocks import deadline
from sunshine.core.crypto import blind_index, keyed_hash, receipt_code_new
from sunshine.core.inputs import text_error
from sunshine.core.privacy import NO_REVIEW, Review, guard_publication, review_record
from sunshine.core.seams import DisclosureEntry, EntryFile, SeamUnavailable, disclosure_entry_publish
from sunshine.core.supervision import supervision_close, supervision_get_active, supervision_open
from sunshine.core.transitions import transition
from sunshine.enrollment import access, lottery
from sunshine.enrollment.models import Application, Disclosure, Lottery, Placement, PlanSchool, Season
from sunshine.orgs.models import Organization

RECEIPT_PURPOSE = "enrollment.receipt"
CHILD_PURPOSE = "enrollment.child"
CATALOGUE_CATEGORY = "policies"  # the bureau's catalogue: education policies and their implementation
MAX_CHOICES = 6
ID_NUMBER = re.compile(r"^\d{17}[\dX]$")


def _require(allowed: bool, message: str = "") -> None:
    if not allowed:
        raise PermissionDenied(message or _("You may not manage enrollment in this district."))


def _manager(actor: Any, bureau: Organization) -> None:
    if actor is SYSTEM:
        return
    _require(actor is not None and access.can_manage(actor, bureau))


def _clean_text(value: str, field: str, *, required: bool = True, limit: int = 2000) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    problem = text_error(value)
    if problem:
        raise ValidationError({field: problem})
    if len(value) > limit:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": limit}})
    return value


# --- Seasons and the five disclosures (ENR-4) -------------------------------------------------


@transaction.atomic
def season_create(
    *,
    actor: Any,
    bureau: Organization,
    key: str,
    name: str,
    level: str,
    year: int,
    applications_open: date,
    applications_close: date,
) -> Season:
    _manager(actor, bureau)
    if applications_close < applications_open:
        raise ValidationError({"applications_close": _("Applications cannot close before they open.")})
    if Season.objects.filter(key=key).exists():
        raise ValidationError({"key": _("A season with this key exists already.")})
    season = Season.objects.create(
        bureau=bureau,
        key=key,
        name=_clean_text(name, "name", limit=100),
        level=level,
        year=year,
        applications_open=applications_open,
        applications_close=applications_close,
    )
    audit_record(actor=actor, action="enrollment.season_create", target=season, data={"key": key})
    return season


@transaction.atomic
def plan_school_set(
    *,
    actor: Any,
    season: Season,
    code: str,
    name: str,
    seats: int,
    by_lottery: bool = False,
    groups: list[str] | None = None,
    line: int | None = None,
    quota_seats: int = 0,
    school: Organization | None = None,
) -> PlanSchool:
    """Adds or changes a school's line of the plan; only before applications open."""
    _manager(actor, season.bureau)
    if season.status != Season.Status.DRAFT:
        raise ValidationError(_("The plan is fixed once applications open."))
    if seats < 0 or quota_seats < 0 or quota_seats > seats:
        raise ValidationError({"quota_seats": _("Quota seats must be between 0 and the school's seats.")})
    row, _created = PlanSchool.objects.update_or_create(
        season=season,
        code=code,
        defaults={
            "name": name,
            "seats": seats,
            "by_lottery": by_lottery,
            "groups": list(groups or []),
            "line": line,
            "quota_seats": quota_seats,
            "school": school,
        },
    )
    audit_record(actor=actor, action="enrollment.plan_set", target=row, data={"code": code, "seats": seats})
    return row


def _advance_ok(season: Season, published: datetime) -> bool:
    """ENR-4: the policy and the plan stay published the LOCAL number of days before
    applications open (the ENR-4-advance display period ends before the opening day)."""
    return deadline("ENR-4-advance", published).due_date < season.applications_open


@transaction.atomic
def disclosure_publish(
    *,
    actor: Any,
    season: Season,
    kind: str,
    title: str,
    body: str,
    now: datetime | None = None,
    review: Review = NO_REVIEW,
) -> Disclosure:
    """Publishes one of the five disclosures in the bureau's catalogue (a new version
    when published before). Policy and plan start their ENR-4-advance display period;
    cutoff lines and results need the season decided and stop its ENR-4-results clock
    once both are out."""
    _manager(actor, season.bureau)
    now = now or timezone.now()
    if kind not in Disclosure.Kind.values:
        raise ValidationError({"kind": _("Choose one of the five disclosures.")})
    title = _clean_text(title, "title", limit=200)
    body = _clean_text(body, "body", limit=20000)
    # ENR-4 results and ENR-1 data name no child: the personal-data gate before anything
    # is stored (the disclosure catalogue checks again when it publishes).
    guard_publication(
        (pgettext("publication part", "title"), title), (pgettext("publication part", "body"), body), review=review
    )
    if kind in Disclosure.AFTER_DECISION and season.status != Season.Status.DECIDED:
        raise ValidationError(_("Cutoff lines and results are published once the season's results are decided."))
    existing = Disclosure.objects.select_for_update().filter(season=season, kind=kind).first()
    published_by = None if actor is SYSTEM else actor
    if existing:
        existing.title, existing.body, existing.published_at = title, body, now
        existing.version += 1
        existing.published_by = published_by
        existing.save()
        disclosure = existing
    else:
        disclosure = Disclosure.objects.create(
            season=season, kind=kind, title=title, body=body, published_at=now, published_by=published_by
        )
    html = "".join(f"<p>{escape(line)}</p>" for line in body.splitlines() if line.strip())
    try:
        with translation.override(settings.LANGUAGE_CODE):
            result = disclosure_entry_publish(
                DisclosureEntry(
                    organization_id=season.bureau_id,
                    category=CATALOGUE_CATEGORY,
                    title=f"{season.name}：{title}",
                    info_date=timezone.localdate(now),
                    source_label=f"enrollment.disclosure:{season.pk}:{kind}",
                    body=html,
                    public_numbers=tuple(sorted(review.public_numbers)),
                ),
                actor=actor,
            )
        Disclosure.objects.filter(pk=disclosure.pk).update(url=result.url)
        disclosure.url = result.url
    except SeamUnavailable:
        pass
    if kind in Disclosure.BEFORE_OPENING and disclosure.version == 1:
        supervision_open(
            item=disclosure, organization=season.bureau, rule_id="ENR-4-advance", start=now, actor=actor,
            title=f"{season.name}：{disclosure.get_kind_display()}",
        )  # fmt: skip
    if kind in Disclosure.AFTER_DECISION:
        done = set(season.disclosures.values_list("kind", flat=True))
        clock = supervision_get_active(item=season, rule_id="ENR-4-results")
        if clock is not None and {Disclosure.Kind.CUTOFFS, Disclosure.Kind.RESULTS} <= done:
            supervision_close(supervision=clock, actor=actor, reason="published")
    audit_record(
        actor=actor,
        action="enrollment.disclosure_publish",
        target=disclosure,
        data={"kind": kind, "v": disclosure.version},
    )
    review_record(actor=actor, target=disclosure, review=review)
    return disclosure


@transaction.atomic
def season_open(*, actor: Any, season: Season) -> Season:
    """Opens applications. ENR-4: refused unless the policy and the plan were published
    early enough to stay up the LOCAL number of days before the opening day."""
    _manager(actor, season.bureau)
    published = {d.kind: d.published_at for d in season.disclosures.all()}
    for kind in (Disclosure.Kind.POLICY, Disclosure.Kind.PLAN):
        if kind not in published:
            raise ValidationError(_("Publish the enrollment policy and the plan before applications open."))
        if not _advance_ok(season, published[kind]):
            raise ValidationError(
                _("The %(what)s was published too late: it must be public for the set number of days before %(day)s.")
                % {"what": Disclosure.Kind(kind).label, "day": season.applications_open.isoformat()}
            )
    if not season.plan.exists():
        raise ValidationError(_("The plan has no school yet."))
    transition(season, Season.Status.OPEN, actor=actor)
    return season


@transaction.atomic
def season_close(*, actor: Any, season: Season) -> Season:
    _manager(actor, season.bureau)
    transition(season, Season.Status.CLOSED, actor=actor)
    return season


@transaction.atomic
def season_decide(*, actor: Any, season: Season, decided_on: date | None = None) -> Season:
    """Results decided: ENR-4-results starts, to publish cutoff lines and results."""
    _manager(actor, season.bureau)
    decided_on = decided_on or timezone.localdate()
    transition(season, Season.Status.DECIDED, actor=actor, update={"decided_on": decided_on})
    supervision_open(
        item=season, organization=season.bureau, rule_id="ENR-4-results",
        start=timezone.make_aware(datetime.combine(decided_on, datetime.min.time())), actor=actor,
        title=_("%(season)s: cutoff lines and results") % {"season": season.name},  # staff read it in their language
    )  # fmt: skip
    return season


# --- Applications -------------------------------------------------------------------------------


def _choices_clean(season: Season, choices: list[str], groups: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    plan = {p.code: p for p in season.plan.all()}
    picked = [c for c in choices if c]
    if not 1 <= len(picked) <= MAX_CHOICES:
        raise ValidationError({"choices": _("Choose between one and six schools.")})
    if len(set(picked)) != len(picked):
        raise ValidationError({"choices": _("Each school may be chosen once.")})
    for code in picked:
        if code not in plan:
            raise ValidationError({"choices": _("A chosen school is not in this season's plan.")})
    clean_groups = {}
    for code, group in (groups or {}).items():
        if group and code in picked:
            if group not in plan[code].groups:
                raise ValidationError({"choices": _("A priority group claimed is not in that school's plan.")})
            clean_groups[code] = group
    return picked, clean_groups


@transaction.atomic
def application_submit(
    *,
    actor: Any,
    season: Season,
    child_name: str,
    child_id_number: str,
    guardian_name: str,
    guardian_phone: str,
    residence: str,
    choices: list[str],
    groups_claimed: dict[str, str] | None = None,
) -> tuple[Application, str]:
    """A family's application; returns it with the receipt code, shown once. The code
    is kept only as a keyed hash, and the lottery entry id derives from it."""
    if season.status != Season.Status.OPEN:
        raise ValidationError(_("This season is not taking applications."))
    id_number = _clean_text(child_id_number, "child_id_number", limit=18).upper()
    if not ID_NUMBER.match(id_number):
        raise ValidationError({"child_id_number": _("Enter the 18-character identity number.")})
    index = blind_index(id_number, purpose=CHILD_PURPOSE)
    if Application.objects.filter(season=season, child_index=index).exists():
        raise ValidationError(
            _("This child has an application in this season already; correct it with its receipt code.")
        )
    picked, groups = _choices_clean(season, choices, groups_claimed or {})
    code = receipt_code_new()
    with audit_public():
        application = Application.objects.create(
            season=season,
            number=f"{season.year}{season.pk:03d}{Application.objects.filter(season=season).count() + 1:06d}",
            receipt_hash=keyed_hash(code, purpose=RECEIPT_PURPOSE),
            entry_id=lottery.entry_id_from_receipt(season.key, code),
            child_name=_clean_text(child_name, "child_name", limit=50),
            child_id_number=id_number,
            child_index=index,
            guardian_name=_clean_text(guardian_name, "guardian_name", limit=50),
            guardian_phone=_clean_text(guardian_phone, "guardian_phone", limit=30),
            residence=_clean_text(residence, "residence"),
            choices=picked,
            groups_claimed=groups,
        )
        audit_record(actor=actor, action="enrollment.application_submit", target=application)
    return application, code


def application_by_receipt(code: str) -> Application | None:
    digits = "".join(ch for ch in code if ch.isdigit())
    if not digits:
        return None
    return Application.objects.filter(receipt_hash=keyed_hash(digits, purpose=RECEIPT_PURPOSE)).first()


@transaction.atomic
def application_review(
    *,
    actor: Any,
    application: Application,
    decision: str,
    reason: str = "",
    groups_confirmed: dict[str, str] | None = None,
) -> Application:
    """Accept, return for correction or refuse, with the reason (required unless accepted).
    Priority groups count only as confirmed here."""
    _manager(actor, application.season.bureau)
    if application.season.status not in (Season.Status.OPEN, Season.Status.CLOSED):
        raise ValidationError(_("Applications are reviewed while the season takes them and before the lottery."))
    if Lottery.objects.filter(season=application.season).exists():
        raise ValidationError(_("The list is frozen for the lottery; reviews are closed."))
    targets = {
        "accept": Application.Status.ACCEPTED,
        "return": Application.Status.RETURNED,
        "reject": Application.Status.REJECTED,
    }
    if decision not in targets:
        raise ValidationError({"decision": _("Choose a decision.")})
    reason = _clean_text(reason, "reason", required=decision != "accept")
    confirmed = {c: g for c, g in (groups_confirmed or {}).items() if application.groups_claimed.get(c) == g}
    transition(
        application,
        targets[decision],
        actor=actor,
        reason=reason,
        update={"review_reason": reason, "groups_confirmed": confirmed if decision == "accept" else {}},
    )
    return application


@transaction.atomic
def application_correct(
    *,
    actor: Any,
    application: Application,
    residence: str,
    choices: list[str],
    groups_claimed: dict[str, str] | None = None,
) -> Application:
    """The family corrects a returned application (found by its receipt code)."""
    if application.status != Application.Status.RETURNED or application.season.status != Season.Status.OPEN:
        raise ValidationError(
            _("Only an application returned for correction can be corrected, while applications are open.")
        )
    picked, groups = _choices_clean(application.season, choices, groups_claimed or {})
    with audit_public():
        transition(
            application,
            Application.Status.SUBMITTED,
            actor=actor,
            update={"residence": _clean_text(residence, "residence"), "choices": picked, "groups_claimed": groups},
        )
    return application


# --- The lottery (ENR-1) ------------------------------------------------------------------------


def _lottery_schools(season: Season) -> list[PlanSchool]:
    return list(season.plan.filter(by_lottery=True).order_by("code"))


@transaction.atomic
def lottery_freeze(*, actor: Any, season: Season, draw_on: date, sources: list[str]) -> Lottery:
    """Freezes the accepted applications that chose a lottery school into the entry list,
    with its Merkle root, and announces the seed sources in their order; both are
    published before the draw."""
    _manager(actor, season.bureau)
    Season.objects.select_for_update().get(pk=season.pk)
    if season.status != Season.Status.CLOSED:
        raise ValidationError(_("Freeze the list once applications have closed."))
    if Lottery.objects.filter(season=season).exists():
        raise ValidationError(_("This season's list is frozen already."))
    names = [_clean_text(s, "sources", limit=200) for s in sources if s.strip()]
    if not names:
        raise ValidationError({"sources": _("Announce at least one seed source.")})
    schools = _lottery_schools(season)
    codes = {s.code for s in schools}
    entries = []
    for app in season.applications.filter(status=Application.Status.ACCEPTED):
        chosen = [(c, app.groups_confirmed.get(c, "")) for c in app.choices if c in codes]
        if chosen:
            entries.append(lottery.Entry(id=app.entry_id, choices=tuple(chosen)))
    if not entries:
        raise ValidationError(_("No accepted application chose a school that admits by lottery."))
    frozen = lottery.freeze(
        season_key=season.key,
        season_name=season.name,
        schools=[lottery.School(code=s.code, seats=s.seats, groups=tuple(s.groups), name=s.name) for s in schools],
        entries=entries,
    )
    draw = Lottery.objects.create(
        season=season,
        draw_on=draw_on,
        sources=[{"name": n, "value": ""} for n in names],
        frozen=json.dumps(frozen, ensure_ascii=False),
        root=frozen["root"],
        entry_count=frozen["entry_count"],
    )
    audit_record(
        actor=actor,
        action="enrollment.lottery_freeze",
        target=draw,
        data={"root": draw.root, "entries": draw.entry_count},
    )
    _publish_lottery(draw, actor=actor, with_result=False)
    return draw


def _publish_lottery(draw: Lottery, *, actor: Any, with_result: bool) -> None:
    season = draw.season
    with translation.override(settings.LANGUAGE_CODE):
        if with_result:
            title = _("%(season)s: lottery result and its data") % {"season": season.name}
            name = _("lottery data")
            content = draw.bundle.encode("utf-8")
            body = _(
                "The lottery was drawn with the announced sources; anyone can re-run it with the published verifier."
            )
        else:
            title = _("%(season)s: lottery list frozen and seed sources announced") % {"season": season.name}
            name = _("frozen lottery list")
            content = draw.frozen.encode("utf-8")
            body = _("%(n)s entries are in the lottery, drawn on %(day)s.") % {
                "n": draw.entry_count,
                "day": draw.draw_on.isoformat(),
            }
        sources = "".join(f"<li>{escape(s['name'])}</li>" for s in draw.sources)
        try:
            result = disclosure_entry_publish(
                DisclosureEntry(
                    organization_id=season.bureau_id,
                    category=CATALOGUE_CATEGORY,
                    title=title,
                    info_date=timezone.localdate(),
                    source_label=f"enrollment.lottery:{draw.pk}",
                    body=f"<p>{escape(body)}</p><ol>{sources}</ol>",
                    attachments=(EntryFile(name=f"{name}.json", content=content),),
                ),
                actor=actor,
            )
        except SeamUnavailable:
            return  # no catalogue installed: the lottery's own public page still shows it
    Lottery.objects.filter(pk=draw.pk).update(url=result.url)
    draw.url = result.url


@transaction.atomic
def lottery_draw(*, actor: Any, lottery_id: int, values: list[str]) -> Lottery:
    """Enters the announced sources' values and draws. The lottery row is locked first:
    a second operator drawing at the same moment waits, then finds it drawn and is
    refused; the placements are one row per application and one per seat."""
    draw = Lottery.objects.select_for_update().select_related("season", "season__bureau").get(pk=lottery_id)
    _manager(actor, draw.season.bureau)
    if draw.status != Lottery.Status.FROZEN:
        raise ValidationError(_("This lottery has been drawn already; it is never drawn twice."))
    clean = [_clean_text(v, "values", limit=200) for v in values]
    if len(clean) != len(draw.sources):
        raise ValidationError({"values": _("Enter the value of every announced source, in order.")})
    list(PlanSchool.objects.select_for_update().filter(season=draw.season, by_lottery=True))
    sources = [lottery.Source(name=s["name"], value=v) for s, v in zip(draw.sources, clean, strict=True)]
    bundle = lottery.run(json.loads(draw.frozen), sources)
    data = lottery.bundle_bytes(bundle)
    by_entry = {a.entry_id: a for a in draw.season.applications.filter(status=Application.Status.ACCEPTED)}
    plan = {p.code: p for p in draw.season.plan.all()}
    try:
        Placement.objects.bulk_create(
            [
                Placement(
                    lottery=draw,
                    application=by_entry[row["id"]],
                    school=plan.get(row["school"]) if row["school"] else None,
                    choice=row["choice"],
                    order=row["order"],
                    number=row["number"],
                )
                for row in bundle["result"]
            ]
        )
    except IntegrityError as exc:
        raise ValidationError(_("This lottery has been drawn already; it is never drawn twice.")) from exc
    transition(
        draw,
        Lottery.Status.DRAWN,
        actor=actor,
        update={
            "sources": bundle["sources"],
            "seed": bundle["seed"],
            "bundle": data.decode("utf-8"),
            "bundle_sha256": hashlib.sha256(data).hexdigest(),
            "drawn_at": timezone.now(),
        },
    )
    draw.refresh_from_db()
    audit_record(actor=actor, action="enrollment.lottery_draw", target=draw, data={"seed": draw.seed})
    return draw


@transaction.atomic
def lottery_publish(*, actor: Any, draw: Lottery) -> Lottery:
    """Publishes the bundle (frozen entries, root, sources, seed, algorithm, result)."""
    _manager(actor, draw.season.bureau)
    transition(draw, Lottery.Status.PUBLISHED, actor=actor)
    _publish_lottery(draw, actor=actor, with_result=True)
    audit_record(actor=actor, action="enrollment.lottery_publish", target=draw, data={"sha256": draw.bundle_sha256})
    return draw
