"""Seams between domain apps, which never import each other (docs/architecture.md).

A seam is a typed contract: a frozen dataclass goes in, a frozen dataclass comes out,
and the result carries only what the caller may keep. Two kinds:

* :class:`Command` — exactly one receiver, which does the work and returns a result.
  The receiving app registers it in ``AppConfig.ready()``; calling a command that no
  installed module receives raises :class:`SeamUnavailable` (an ``ImproperlyConfigured``),
  and the caller tells the person in plain words what to do instead.
* :class:`Event` — zero or more subscribers, told that something happened. Subscribers
  run in the caller's transaction, so a subscriber's failure undoes the caller's change
  (a veto is never lost half-way); each must be idempotent.

The seams:

=============================  =======  ===========================================
seam                           kind     between
=============================  =======  ===========================================
``petition_intake``            command  fees, disclosure, opinion → petitions
``disclosure_entry_publish``   command  any module → disclosure's catalogue (DIS-2)
``fee_violation_confirmed``    event    fees → the school's evaluation veto (FEE-6 → OVS-2)
``rectification_request``      event    any module → rectification (OVS-4)
``fund_project_open``          command  decisions → funds (a project paid on progress)
``fund_project_pay``           command  decisions → funds (FND-2: never ahead of progress)
``fund_project_status``        command  decisions → funds (progress, payable, paid)
=============================  =======  ===========================================

Each seam has a contract test running its real receiver in the receiving app's tests
(``test_seam_contract.py``); an event with no receiver yet is tested on the caller's side.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse


class SeamUnavailable(ImproperlyConfigured):
    """A command seam was called and no installed module receives it."""

    def __init__(self, seam: str) -> None:
        self.seam = seam
        super().__init__(f"No installed module receives the seam {seam!r}.")


class Receiver[Payload, Result](Protocol):
    """The receiving app's handler: ``receiver(payload, actor=actor) -> result``."""

    def __call__(self, payload: Payload, /, *, actor: Any) -> Result: ...


class Subscriber[Payload](Protocol):
    """An event's subscriber: ``subscriber(payload, actor=actor)``; returns nothing."""

    def __call__(self, payload: Payload, /, *, actor: Any) -> None: ...


class Command[Payload, Result]:
    """A hand-over with exactly one receiver. ``pages`` names the receiver's pages a
    caller may send a person to (URL names, reversed by :meth:`page_url`), so the caller
    never names another app's URLs."""

    def __init__(self, name: str, payload: type[Payload], result: type[Result]) -> None:
        self.name = name
        self.payload = payload
        self.result = result
        self._receiver: Receiver[Payload, Result] | None = None
        self._pages: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"<Command {self.name}>"

    def register(self, receiver: Receiver[Payload, Result], *, pages: dict[str, str] | None = None) -> None:
        """Called once, by the receiving app's ``ready()``. A second, different receiver is
        a configuration error: a command has exactly one."""
        if self._receiver is not None and self._receiver is not receiver:
            raise ImproperlyConfigured(f"The seam {self.name!r} already has a receiver.")
        self._receiver = receiver
        if pages is not None:
            self._pages = dict(pages)

    @property
    def installed(self) -> bool:
        return self._receiver is not None

    def __call__(self, payload: Payload, *, actor: Any) -> Result:
        if not isinstance(payload, self.payload):
            raise TypeError(f"{self.name} takes a {self.payload.__name__}, not a {type(payload).__name__}.")
        if self._receiver is None:
            raise SeamUnavailable(self.name)
        result = self._receiver(payload, actor=actor)
        if not isinstance(result, self.result):
            raise TypeError(f"{self.name}'s receiver returned a {type(result).__name__}, not a {self.result.__name__}.")
        return result

    def page_url(self, page: str) -> str:
        """The URL of the receiver's page ``page`` (e.g. petitions' "receipt")."""
        if self._receiver is None:
            raise SeamUnavailable(self.name)
        return reverse(self._pages[page])

    @contextmanager
    def absent(self) -> Iterator[None]:
        """For tests: within this block no module receives the command."""
        receiver, pages = self._receiver, self._pages
        self._receiver, self._pages = None, {}
        try:
            yield
        finally:
            self._receiver, self._pages = receiver, pages


class Event[Payload]:
    """A notice with zero or more subscribers (keyed, so a second ``ready()`` does not
    subscribe twice)."""

    def __init__(self, name: str, payload: type[Payload]) -> None:
        self.name = name
        self.payload = payload
        self._subscribers: dict[str, Subscriber[Payload]] = {}

    def __repr__(self) -> str:
        return f"<Event {self.name}>"

    def subscribe(self, key: str, subscriber: Subscriber[Payload]) -> None:
        self._subscribers[key] = subscriber

    def send(self, payload: Payload, *, actor: Any) -> int:
        """Tell every subscriber, in the caller's transaction; returns how many were told."""
        if not isinstance(payload, self.payload):
            raise TypeError(f"{self.name} takes a {self.payload.__name__}, not a {type(payload).__name__}.")
        subscribers = list(self._subscribers.values())
        for subscriber in subscribers:
            subscriber(payload, actor=actor)
        return len(subscribers)

    @contextmanager
    def subscribed(self, subscriber: Subscriber[Payload]) -> Iterator[None]:
        """For tests: ``subscriber`` hears the event within this block."""
        key = f"test:{id(subscriber)}"
        self._subscribers[key] = subscriber
        try:
            yield
        finally:
            self._subscribers.pop(key, None)


# --- Petition intake: fees, disclosure (FOI-4), opinion → petitions ------------------------


@dataclass(frozen=True)
class PetitionIntake:
    """A case another module hands to petitions. The identity fields are plaintext here,
    encrypted by petitions on arrival, and kept out of the repr; never log or audit this
    object.

    ``filer_session`` is set only when the filer is the person at the browser (a parent's
    complaint from a fee notice): petitions puts the receipt code in that session for its
    receipt page to show once, and the caller redirects to
    ``petition_intake.page_url("receipt")``. The code never passes through the caller.
    ``filer_token`` is the caller's one-time form token: petitions keeps the receipt in
    escrow under it (``core.forms.receipt_escrow_keep``), so the same form sent again
    after a lost answer brings the receipt back (``receipt_escrow_recover``)."""

    kind: str  # "report" | "complaint" | "suggestion" | "inquiry"
    channel: str  # e.g. "web", "forwarded", "opinion", "foi"
    title: str
    facts: str
    request: str = ""
    reasons: str = ""
    subject_organization_id: int | None = None
    bureau_id: int | None = None  # when there is no subject unit; else the subject's bureau
    source_label: str = ""  # e.g. "fees.notice:42", "disclosure.foirequest:7", "opinion.event:3"
    named: bool = False
    name: str = field(default="", repr=False)
    phone: str = field(default="", repr=False)
    address: str = field(default="", repr=False)
    email: str = field(default="", repr=False)
    filer_session: MutableMapping[str, Any] | None = field(default=None, repr=False, compare=False)
    filer_token: str = field(default="", repr=False, compare=False)


@dataclass(frozen=True)
class PetitionIntakeResult:
    """What the caller may keep: the case's id and number — never its receipt code."""

    case_id: int
    case_number: str


petition_intake: Command[PetitionIntake, PetitionIntakeResult] = Command(
    "petition_intake", PetitionIntake, PetitionIntakeResult
)


# --- Disclosure entries: any module → the disclosure catalogue (DIS-1, DIS-2) ------------------
# Decisions, funds statements, enrollment results and recruitment lists are published
# through the catalogue, not beside it. A school's published fee notice reaches its DIS-2
# "fees" checklist item the same way: fees publishes it as an entry of the school's "fees"
# category, which is exactly what the checklist counts — no second seam is needed.


@dataclass(frozen=True)
class EntryFile:
    """A file published with an entry (type-checked and stored by the receiver)."""

    name: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class DisclosureEntry:
    """An entry to publish now in ``organization_id``'s catalogue, under the category
    ``category`` (its key, e.g. "fees", "budgets", "major-decisions", "hiring"). The same
    ``source_label`` publishes a new version of the same entry. The calling module's
    service has already checked its actor's right to publish this; the receiver records
    the actor and publishes without its own review step."""

    organization_id: int
    category: str
    title: str
    info_date: date  # when the information was created or changed: starts DIS-1's clock
    source_label: str  # e.g. "fees.notice:42", "decisions.decision:9"
    body: str = ""  # rich text; the receiver keeps only safe tags
    attachments: tuple[EntryFile, ...] = ()
    number: str = ""  # document number (文号)
    issued_on: date | None = None
    # landlines the module's reviewer marked as public office numbers (core.privacy.Review;
    # the module audits who and why): the receiver's personal-data gate lets them through
    public_numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class DisclosureEntryResult:
    entry_id: int
    url: str  # the entry's public page
    version: int


disclosure_entry_publish: Command[DisclosureEntry, DisclosureEntryResult] = Command(
    "disclosure_entry_publish", DisclosureEntry, DisclosureEntryResult
)


# --- Confirmed illegal fee → the school's evaluation veto (FEE-6 → OVS-2) -------------------


@dataclass(frozen=True)
class FeeViolationConfirmed:
    """An illegal fee confirmed at ``school_id``: FEE-6 vetoes the school's "advanced"
    rating for ``school_year`` (OVS-2). Sent once per confirmed finding; a subscriber keeps
    one veto per school and year."""

    school_id: int
    school_year: str  # "2026-2027"
    finding_id: int
    finding_label: str
    rule_id: str = "FEE-6"


fee_violation_confirmed: Event[FeeViolationConfirmed] = Event("fee_violation_confirmed", FeeViolationConfirmed)


# --- Any module → rectification (OVS-4) ----------------------------------------------------


@dataclass(frozen=True)
class RectificationItem:
    """One thing to put right, due on ``due_on`` or, without a date, by ``rule_id``'s
    clock (OVS-4's default)."""

    text: str
    due_on: date | None = None
    rule_id: str = "OVS-4"


@dataclass(frozen=True)
class RectificationRequest:
    """``issuer_id`` (an organisation, usually the bureau) orders ``organization_id`` to
    put ``items`` right, because of ``source_label`` (e.g. "funds.transfer:12",
    "disclosure.inspection:3")."""

    organization_id: int
    issuer_id: int
    source_label: str
    items: tuple[RectificationItem, ...]


rectification_request: Event[RectificationRequest] = Event("rectification_request", RectificationRequest)


# --- Projects paid against certified progress: decisions → funds (FND-2) ----------------------
# A construction project that a decision starts (a kindergarten building) is paid by funds
# as a project allocation: funds keeps its certified progress (certified by the project's
# certifier, with evidence) and refuses any payment that would run ahead of it.


@dataclass(frozen=True)
class FundProject:
    """A project to pay against certified progress. Opening the same ``source_label``
    again returns the same allocation (its amount may be raised to a new contract price,
    never below what is already paid)."""

    organization_id: int  # the unit the project belongs to (the bureau or a school)
    title: str
    amount_fen: int  # the contract price: the most that will ever be paid
    year: int
    approved_on: date  # the decision's date (starts FND-3's clock for the allocation)
    source_label: str  # e.g. "decisions.project:4"


@dataclass(frozen=True)
class FundProjectResult:
    allocation_id: int
    url: str  # the allocation's page in the workbench (progress, certification, payments)


@dataclass(frozen=True)
class FundProjectPayment:
    """A payment on the project ``source_label``. The receiver raises a ``ValidationError``
    with a message in Chinese, and records nothing, when the payment would pass the
    certified progress × the amount (FND-2), the amount itself, or repeats a voucher."""

    source_label: str
    amount_fen: int
    paid_on: date
    voucher: str


@dataclass(frozen=True)
class FundProjectQuery:
    source_label: str


@dataclass(frozen=True)
class FundProjectStatus:
    """Where a project's money stands: progress in basis points (10000 = complete)."""

    allocation_id: int
    amount_fen: int
    certified_bp: int
    certified_on: date | None
    payable_fen: int  # amount_fen × certified_bp ÷ 10000, rounded down
    paid_fen: int


fund_project_open: Command[FundProject, FundProjectResult] = Command(
    "fund_project_open", FundProject, FundProjectResult
)
fund_project_pay: Command[FundProjectPayment, FundProjectStatus] = Command(
    "fund_project_pay", FundProjectPayment, FundProjectStatus
)
fund_project_status: Command[FundProjectQuery, FundProjectStatus] = Command(
    "fund_project_status", FundProjectQuery, FundProjectStatus
)


SEAMS: tuple[Command[Any, Any] | Event[Any], ...] = (
    petition_intake,
    disclosure_entry_publish,
    fee_violation_confirmed,
    rectification_request,
    fund_project_open,
    fund_project_pay,
    fund_project_status,
)


__all__ = [
    "SEAMS",
    "Command",
    "DisclosureEntry",
    "DisclosureEntryResult",
    "EntryFile",
    "Event",
    "FeeViolationConfirmed",
    "FundProject",
    "FundProjectPayment",
    "FundProjectQuery",
    "FundProjectResult",
    "FundProjectStatus",
    "PetitionIntake",
    "PetitionIntakeResult",
    "RectificationItem",
    "RectificationRequest",
    "SeamUnavailable",
    "disclosure_entry_publish",
    "fee_violation_confirmed",
    "fund_project_open",
    "fund_project_pay",
    "fund_project_status",
    "petition_intake",
    "rectification_request",
]
