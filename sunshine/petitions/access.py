"""Who may see and act on which petition (style.md: "access is a few functions").

Views never call ``Petition.objects`` for a user-facing read: they use
:func:`petitions_visible_to` / :func:`petition_get_for`.

Who sees a case
* Triage (分办): a discipline inspector of the receiving bureau (held at the bureau or
  in one of its departments, e.g. the 纪检组) and a leader held at the bureau itself
  see every case the bureau received.
* The handling unit: a member of the unit the case is assigned to, in a handling role
  (clerk, principal, department staff, leader, inspector, fee reviewer), sees it.
* Nobody else: the system, security and audit administrators and the social
  supervisors never see case contents (三员分立; supervisors are outsiders).

PET-9 (recusal) overrides all of the above. A case is never visible to, assignable to,
or searchable by:
* the accused person (``accused_user``);
* the accused unit (``accused_organization``) and every unit below it;
* every unit in which the accused person holds a role — this includes each unit above
  the accused unit that the accused leads (holds ``leader`` or ``principal`` there) —
  and the units below it;
* a staff member who stepped aside (a ``Recusal`` row).
A *bureau* in those positions is excluded as a node only (its own members: leaders,
administrators…), not with its whole subtree: otherwise a case against a bureau
leader would vanish from the bureau's own discipline inspectors, who must forward it
to the authority above. "Excluded" is about people: a user holding ANY role in an
excluded unit is excluded, whatever else they hold.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from sunshine.core.crypto import session_secret_pop, session_secret_put
from sunshine.orgs.access import staff_roles_of
from sunshine.orgs.models import IDENTITY_ROLES, Membership, Organization, Role
from sunshine.petitions.models import Message, Petition, PetitionLink, Recusal, Reply

__all__ = [
    "HANDLING_ROLES",
    "IDENTITY_ROLES",
    "assignable_organizations",
    "can_act_on",
    "can_approve_extension",
    "can_assign_to",
    "can_decide_link",
    "can_open_identity",
    "can_triage",
    "excluded_organizations",
    "is_excluded",
    "petition_get_for",
    "petitions_visible_to",
    "reply_document_access",
    "supervision_exclusion",
    "triage_bureau_ids",
]

# Roles that may handle a case assigned to their unit.
HANDLING_ROLES = frozenset(
    {
        Role.SCHOOL_CLERK,
        Role.PRINCIPAL,
        Role.DEPARTMENT_STAFF,
        Role.LEADER,
        Role.DISCIPLINE_INSPECTOR,
        Role.FEE_REVIEWER,
    }
)
# Roles that may open a filer's identity (with a reason): ``orgs.models.IDENTITY_ROLES``,
# the bureau's discipline inspectors and leaders. Never school or department staff,
# never the three administrators (custodian model, GlobaLeaks); granting one takes a
# second person's approval (``orgs.services.membership_approve``).


def _memberships(user: Any) -> list[tuple[str, Organization]]:
    """(role, organisation) of the user's active memberships, cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return []
    cache = getattr(user, "_petitions_memberships", None)
    if cache is None:
        cache = [
            (m.role, m.organization)
            for m in Membership.objects.filter(user=user, is_active=True).select_related("organization")
        ]
        user._petitions_memberships = cache
    return cache


def _org_ids_from_path(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def _exclusion_keys(user: Any) -> set[int]:
    """The accused units that would exclude ``user``: each organisation the user
    belongs to, and each non-bureau organisation above one (whose subtree holds it);
    cached on the user object with the memberships they come from."""
    cached = getattr(user, "_petitions_exclusion_keys", None)
    if cached is not None:
        return set(cached)
    keys: set[int] = set()
    for _role, org in _memberships(user):
        keys.add(org.pk)
        ancestors = _org_ids_from_path(org.path)[:-1]
        if ancestors:
            kinds = dict(Organization.objects.filter(pk__in=ancestors).values_list("pk", "kind"))
            keys.update(pk for pk in ancestors if kinds.get(pk) != Organization.Kind.BUREAU)
    if getattr(user, "is_authenticated", False):
        user._petitions_exclusion_keys = frozenset(keys)
    return keys


def triage_bureau_ids(user: Any) -> set[int]:
    """Bureaus whose whole intake ``user`` triages: a discipline inspector at the
    bureau or in one of its departments; a leader held at the bureau itself."""
    ids: set[int] = set()
    for role, org in _memberships(user):
        if role == Role.DISCIPLINE_INSPECTOR:
            if org.kind == Organization.Kind.BUREAU:
                ids.add(org.pk)
            elif org.kind == Organization.Kind.DEPARTMENT and org.parent_id:
                ids.add(org.parent_id)
        elif role == Role.LEADER and org.kind == Organization.Kind.BUREAU:
            ids.add(org.pk)
    return ids


def _handling_org_ids(user: Any) -> set[int]:
    return {org.pk for role, org in _memberships(user) if role in HANDLING_ROLES}


def petitions_visible_to(user: Any) -> QuerySet[Petition]:
    """The cases ``user`` may see, search and list (module docstring; PET-9)."""
    if not staff_roles_of(user):
        return Petition.objects.none()
    triage = triage_bureau_ids(user)
    handling = _handling_org_ids(user)
    if not triage and not handling:
        return Petition.objects.none()
    keys = _exclusion_keys(user)
    accused_member_here = Membership.objects.filter(
        user_id=OuterRef("accused_user_id"), is_active=True, organization_id__in=keys
    )
    recused = Recusal.objects.filter(petition_id=OuterRef("pk"), user=user)
    return (
        Petition.objects.filter(Q(bureau_id__in=triage) | Q(assigned_to_id__in=handling))
        .exclude(accused_user=user)
        .exclude(accused_organization_id__in=keys)
        .exclude(Exists(accused_member_here))
        .exclude(Exists(recused))
    )


def petition_get_for(user: Any, pk: Any) -> Petition:
    """The case ``pk`` if ``user`` may see it; Http404 otherwise (never 403: a refusal
    must not reveal that the case exists)."""
    try:
        return petitions_visible_to(user).select_related("bureau", "assigned_to", "subject_organization").get(pk=pk)
    except (Petition.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def excluded_organizations(petition: Petition) -> set[int]:
    """PET-9: the organisations a case must never reach: the accused unit and its
    subtree, and every unit the accused person belongs to (including those above the
    accused unit the accused leads) with their subtrees — a bureau as a node only."""
    roots: list[Organization] = []
    if petition.accused_organization_id:
        roots.append(petition.accused_organization)  # type: ignore[arg-type]
    if petition.accused_user_id:
        roots += [
            m.organization
            for m in Membership.objects.filter(user_id=petition.accused_user_id, is_active=True).select_related(
                "organization"
            )
        ]
    excluded: set[int] = set()
    for org in roots:
        if org.kind == Organization.Kind.BUREAU:
            excluded.add(org.pk)
        else:
            excluded.update(org.subtree().values_list("pk", flat=True))
    return excluded


def is_excluded(user: Any, petition: Petition) -> bool:
    """PET-9 for one user and one case: accused, in an excluded unit, or recused."""
    if not getattr(user, "is_authenticated", False):
        return True
    if petition.accused_user_id == user.pk:
        return True
    excluded = excluded_organizations(petition)
    if any(org.pk in excluded for _role, org in _memberships(user)):
        return True
    return Recusal.objects.filter(petition=petition, user=user).exists()


def supervision_exclusion(petition: Petition) -> Any:
    """PET-9 for core supervision: the accused person, those who stepped aside, and the
    excluded units (their members) never get a notice, reminder or escalation of the case."""
    from sunshine.core.supervision import Exclusion

    users = {petition.accused_user_id} if petition.accused_user_id else set()
    users.update(Recusal.objects.filter(petition=petition).values_list("user_id", flat=True))
    return Exclusion(user_ids=frozenset(users), organization_ids=frozenset(excluded_organizations(petition)))


def can_triage(user: Any, bureau: Organization | None = None) -> bool:
    """A triage role (inspector at or under the bureau, or a bureau leader)."""
    ids = triage_bureau_ids(user)
    return bool(ids) if bureau is None else bureau.pk in ids


def _visible(user: Any, petition: Petition) -> bool:
    return petitions_visible_to(user).filter(pk=petition.pk).exists()


def can_act_on(user: Any, petition: Petition) -> bool:
    """May write on the case (accept, assign, reply, message…): visible, and triage of
    its bureau or a handling member of the unit it is assigned to."""
    if not _visible(user, petition):
        return False
    if petition.bureau_id in triage_bureau_ids(user):
        return True
    return petition.assigned_to_id is not None and petition.assigned_to_id in _handling_org_ids(user)


def can_decide_link(user: Any, link: PetitionLink) -> bool:
    """May confirm or dismiss a link between two cases: triage of the bureau who may see
    both of them (PET-9 applies to each)."""
    earlier = link.earlier
    if earlier.bureau_id != link.later.bureau_id or not can_triage(user, earlier.bureau):
        return False
    return petitions_visible_to(user).filter(pk__in=(link.earlier_id, link.later_id)).count() == 2


def can_report_for_unit(user: Any, petition: Petition) -> bool:
    """May file the handling unit's report on an assigned case: a handling member of the
    unit it is assigned to (not the bureau's triage, who reads and may return it)."""
    if not _visible(user, petition) or petition.assigned_to_id is None:
        return False
    return petition.assigned_to_id in _handling_org_ids(user)


def can_open_identity(user: Any, petition: Petition) -> bool:
    """May open the filer's identity (with a reason): a discipline inspector at the
    receiving bureau or in one of its departments, or a leader held at the bureau —
    and not excluded from the case (PET-9)."""
    if not _visible(user, petition):
        return False
    for role, org in _memberships(user):
        if role not in IDENTITY_ROLES:
            continue
        if org.pk == petition.bureau_id:
            return True
        is_department = org.kind == Organization.Kind.DEPARTMENT
        if role == Role.DISCIPLINE_INSPECTOR and is_department and org.parent_id == petition.bureau_id:
            return True
    return False


def can_approve_extension(user: Any, petition: Petition) -> bool:
    """PET-5: the head of the handling unit (its leader or principal), or a leader at
    the bureau; never someone excluded from the case."""
    if is_excluded(user, petition):
        return False
    for role, org in _memberships(user):
        if role == Role.LEADER and org.pk == petition.bureau_id:
            return True
        if role in (Role.LEADER, Role.PRINCIPAL) and org.pk == petition.assigned_to_id:
            return True
    return False


def assignable_organizations(petition: Petition) -> QuerySet[Organization]:
    """The bureau's departments and schools the case may go to (PET-9 exclusions removed)."""
    return (
        Organization.objects.filter(
            parent_id=petition.bureau_id,
            is_active=True,
            kind__in=(Organization.Kind.DEPARTMENT, Organization.Kind.SCHOOL),
        )
        .exclude(pk__in=excluded_organizations(petition))
        .order_by("kind", "code")
    )


def can_assign_to(petition: Petition, organization: Organization) -> bool:
    """PET-9: never to the accused unit, its subtree, or a unit of the accused person."""
    return assignable_organizations(petition).filter(pk=organization.pk).exists()


# --- The filer's receipt session and file access -------------------------------------------

# The tracking view, after a successful ``receipt_lookup``, calls
# ``receipt_session_add(request.session, petition)``; the session then holds the case
# ids under this key. ``petitions.middleware.ReceiptSessionMiddleware`` exposes them to
# the file-access check (core's check receives only the user, not the request).
RECEIPT_SESSION_KEY = "petitions_receipts"
RECEIPT_SESSION_MAX = 20

# The current request's session (read lazily: most requests never touch it).
_receipt_session: contextvars.ContextVar[Any] = contextvars.ContextVar("petitions_receipt_session", default=None)


def receipt_session_add(session: Any, petition: Petition) -> None:
    """Mark ``session`` as holding the receipt of ``petition`` (most recent last, at most 20)."""
    ids = [pk for pk in session.get(RECEIPT_SESSION_KEY, []) if pk != petition.pk]
    ids.append(petition.pk)
    session[RECEIPT_SESSION_KEY] = ids[-RECEIPT_SESSION_MAX:]


# The receipt code between filing and the receipt page, which reads it once and drops it.
RECEIPT_ONCE_KEY = "petitions.receipt"


def receipt_once_put(session: Any, *, petition: Petition, code: str) -> None:
    """Hand the receipt code to the filer's own receipt page, through their session only
    (the web form and the intake seam for a filer at the browser both come here):
    sealed and short-lived (``core.crypto.session_secret_put``); the receipt page takes
    it out with :func:`receipt_once_take`."""
    due = timezone.localtime(petition.notice_due_at).date().isoformat() if petition.notice_due_at else ""
    session_secret_put(
        session,
        RECEIPT_ONCE_KEY,
        {"code": code, "number": petition.number, "named": petition.named, "notice_due": due},
    )


def receipt_once_take(session: Any) -> dict[str, Any] | None:
    """The receipt :func:`receipt_once_put` left, removed from the session as it is read."""
    return session_secret_pop(session, RECEIPT_ONCE_KEY)


def receipt_session_ids(session: Any) -> frozenset[int]:
    """The case ids whose receipt code this session has shown."""
    return frozenset(int(pk) for pk in session.get(RECEIPT_SESSION_KEY, []) if isinstance(pk, int))


@contextmanager
def receipt_context(session: Any) -> Iterator[None]:
    """Within this block, file checks read the filer's receipts from ``session``
    (any mapping: a request's session, or a dict in tests)."""
    token = _receipt_session.set(session)
    try:
        yield
    finally:
        _receipt_session.reset(token)


def attachment_access(user: Any, stored_file: Any) -> bool:
    """Registered for "petitions.attachment": staff who may see the case (PET-9 applies),
    and the filer — by receipt session or by their own account — for files that are
    not on an internal note."""
    messages = Message.objects.filter(attachments=stored_file)
    petition_ids = set(messages.values_list("petition_id", flat=True))
    if not petition_ids:
        return False
    if petitions_visible_to(user).filter(pk__in=petition_ids).exists():
        return True
    public_ids = set(messages.exclude(direction=Message.Direction.INTERNAL).values_list("petition_id", flat=True))
    session = _receipt_session.get()
    if session is not None and public_ids & receipt_session_ids(session):
        return True
    if getattr(user, "is_authenticated", False):
        return Petition.objects.filter(pk__in=public_ids, filer_user=user).exists()
    return False


def reply_document_access(user: Any, document: Any) -> bool:
    """The readers of an issued reply (处理意见书, core kind "petitions.reply"): staff who
    may see the case (PET-9 applies), and the filer — by receipt session or by their own
    account. Never the unit the case accuses."""
    petition_id = Reply.objects.filter(pk=document.item_id).values_list("petition_id", flat=True).first()
    if petition_id is None:
        return False
    if petitions_visible_to(user).filter(pk=petition_id).exists():
        return True
    session = _receipt_session.get()
    if session is not None and petition_id in receipt_session_ids(session):
        return True
    if getattr(user, "is_authenticated", False):
        return Petition.objects.filter(pk=petition_id, filer_user=user).exists()
    return False


def can_sign_off_reply(user: Any, petition: Petition) -> bool:
    """PET-6 (LOCAL): a leader of the bureau signs off a reply; never someone excluded."""
    if is_excluded(user, petition):
        return False
    return any(role == Role.LEADER and org.pk == petition.bureau_id for role, org in _memberships(user))
