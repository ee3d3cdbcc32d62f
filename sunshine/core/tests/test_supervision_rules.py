"""Supervision fitted to every clock of rules.md: extensions by the clock's definition
(PET-5, FOI-3), pauses with their cap (FOI-3 consultation) or restart (FOI-2),
re-opening and hand-over, several clocks per item (OPN-1), minimum display periods
(FEE-5, ENR-3), the deadline in force (no rewriting of history), the exclusion hook
(PET-9) and the link from each supervision to its object."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from sunshine.core import supervision as sup
from sunshine.core.clocks import CLOCKS, ClockKind, Rag, clock_get, deadline
from sunshine.core.models import AuditEntry, Notification, Supervision, SupervisionExtension
from sunshine.core.supervision import (
    Exclusion,
    due_in_force,
    register_supervised,
    register_supervision_exclusion,
    supervision_answer,
    supervision_close,
    supervision_extend,
    supervision_instruct,
    supervision_link,
    supervision_on_time,
    supervision_open,
    supervision_pause,
    supervision_rag,
    supervision_reassign,
    supervision_reopen,
    supervision_resume,
    supervision_sweep,
)
from sunshine.core.testing import login_verified
from sunshine.orgs.models import Organization, Role
from sunshine.orgs.services import membership_grant
from sunshine.orgs.tests.factories import BureauFactory, DepartmentFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 10, 0, tzinfo=SH)  # a Monday; FOI-3 due 30 March
V = Notification.Verb


def member(org, role):
    user = UserFactory()
    membership_grant(actor=None, user=user, organization=org, role=role)
    return user


@pytest.fixture
def tree():
    city = BureauFactory(name="市教育局")
    bureau = BureauFactory(name="区教育局", parent=city)
    dept = DepartmentFactory(name="基础教育股", parent=bureau)
    other = DepartmentFactory(name="计财股", parent=bureau)
    school = SchoolFactory(name="第一小学", parent=bureau)
    return {
        "city": city,
        "bureau": bureau,
        "dept": dept,
        "other": other,
        "school": school,
        "staff": member(dept, Role.DEPARTMENT_STAFF),
        "dept_leader": member(dept, Role.LEADER),
        "other_staff": member(other, Role.DEPARTMENT_STAFF),
        "principal": member(school, Role.PRINCIPAL),
        "bureau_leader": member(bureau, Role.LEADER),
        "city_leader": member(city, Role.LEADER),
        "elsewhere_leader": member(BureauFactory(name="邻区教育局"), Role.LEADER),
    }


@pytest.fixture
def registries():
    """Registrations made by a test are undone after it (the apps' own stay)."""
    supervised, exclusions = dict(sup._SUPERVISED), dict(sup._EXCLUSIONS)
    yield
    sup._SUPERVISED.clear()
    sup._SUPERVISED.update(supervised)
    sup._EXCLUSIONS.clear()
    sup._EXCLUSIONS.update(exclusions)


def open_clock(tree, rule_id="PET-5", *, start=START, organization=None, item=None):
    return supervision_open(
        item=item or SchoolFactory(parent=tree["bureau"]),
        organization=organization or tree["dept"],
        rule_id=rule_id,
        start=start,
        actor=None,
        title="督办事项",
    )


def notes(verb, supervision=None):
    qs = Notification.objects.filter(verb=verb)
    if supervision is not None:
        qs = qs.filter(supervision=supervision)
    return sorted(qs.values_list("recipient__username", flat=True))


def names(*users):
    return sorted(u.username for u in users)


# --- the clocks' definitions --------------------------------------------------------------


def test_clock_definitions_say_extensions_grantors_pauses_and_kind():
    """PET-5 and FOI-3: one extension each, by the unit head / the office head; FOI-3
    pauses for consultation (capped by FOI-3-consultation) and for a correction (FOI-2,
    restart); FEE-5-notice and ENR-3 are display periods."""
    pet5, foi3 = CLOCKS["PET-5"], CLOCKS["FOI-3"]
    assert (pet5.max_extensions, set(pet5.grantors), pet5.pauses) == (1, {"principal", "leader"}, ())
    assert (foi3.max_extensions, foi3.grantors) == (1, ("leader",))
    assert foi3.pause_get("consultation").cap == "FOI-3-consultation"
    assert foi3.pause_get("correction").restart and foi3.pause_get("correction").cap is None
    displays = {r for r, c in CLOCKS.items() if c.kind == ClockKind.DISPLAY}
    assert displays == {"FEE-5-notice", "ENR-3", "ENR-4-advance", "DEC-1"}
    assert all(c.max_extensions == 0 for r, c in CLOCKS.items() if r not in ("PET-5", "FOI-3"))


# --- PET-5 / FOI-3: extensions ------------------------------------------------------------


def test_pet5_extension_refused_once_the_deadline_has_passed(tree):
    """PET-5: an extension is granted before the 60 days run out, never after."""
    supervision = open_clock(tree)  # started 2 March 2026: due 1 May, long past
    with pytest.raises(ValidationError, match="deadline has passed"):
        supervision_extend(supervision=supervision, units=30, actor=tree["bureau_leader"], reason="补办")
    stored = Supervision.objects.get(pk=supervision.pk)
    assert (stored.extended_by, stored.due_at) == (0, deadline("PET-5", START).due)
    assert not SupervisionExtension.objects.exists()


def test_pet5_extension_only_by_the_unit_head_or_above(tree):
    """PET-5: the head of the handling unit (principal or leader) or a leader above it."""
    start = timezone.now() - timedelta(days=5)
    supervision = open_clock(tree, start=start, organization=tree["school"])
    for user in (tree["staff"], tree["dept_leader"], tree["elsewhere_leader"], None):
        with pytest.raises(PermissionDenied):
            supervision_extend(supervision=supervision, units=10, actor=user, reason="需要调查")
    assert Supervision.objects.get(pk=supervision.pk).extended_by == 0
    supervision_extend(supervision=supervision, units=10, actor=tree["principal"], reason="需要调查")
    other = open_clock(tree, start=start, organization=tree["school"])
    supervision_extend(supervision=other, units=30, actor=tree["bureau_leader"], reason="需要调查")
    assert Supervision.objects.get(pk=other.pk).due_at == deadline("PET-5", start, extension=30).due


def test_pet5_extension_count_comes_from_the_clock_and_is_kept(tree):
    """PET-5: one extension; the row keeps who, why, and the deadline before and after."""
    start = timezone.now() - timedelta(days=5)
    supervision = open_clock(tree, start=start)
    before = supervision.due_at
    supervision_extend(supervision=supervision, units=20, actor=tree["dept_leader"], reason="需要调查")
    with pytest.raises(ValidationError, match="as often as its rule allows"):
        supervision_extend(supervision=supervision, units=5, actor=tree["dept_leader"], reason="再延")
    (row,) = SupervisionExtension.objects.filter(supervision=supervision)
    assert (row.units, row.granted_by, row.reason) == (20, tree["dept_leader"], "需要调查")
    assert (row.due_before, row.due_after) == (before, deadline("PET-5", start, extension=20).due)
    assert Supervision.objects.get(pk=supervision.pk).due_at == row.due_after


def test_an_extension_never_rewrites_history(tree):
    """PET-5 / PET-10: "closed on time" is judged against the deadline in force when the
    case was due; an extension recorded after that deadline does not make it on time."""
    start = timezone.now() - timedelta(days=70)
    late = open_clock(tree, start=start)
    original = late.due_at
    # An extension written after the deadline (as imported history may hold one).
    granted = original + timedelta(days=2)
    new_due = deadline("PET-5", start, extension=30).due
    SupervisionExtension.objects.create(
        supervision=late, units=30, reason="补批", granted_at=granted, due_before=original, due_after=new_due
    )
    Supervision.objects.filter(pk=late.pk).update(extended_by=30, due_at=new_due)
    late.refresh_from_db()
    supervision_close(supervision=late, actor=None)
    late.refresh_from_db()
    assert late.finished_at < late.due_at  # before the extended deadline …
    assert due_in_force(late, original - timedelta(seconds=1)) == original
    assert due_in_force(late, granted) == new_due
    assert supervision_on_time(late) is False  # … yet late: it was overdue before the extension

    timely = open_clock(tree, start=timezone.now() - timedelta(days=55))
    supervision_extend(supervision=timely, units=30, actor=tree["dept_leader"], reason="需要调查")
    supervision_close(supervision=timely, actor=None)
    assert supervision_on_time(timely, now=timezone.now()) is True
    assert supervision_on_time(open_clock(tree, start=start), now=timezone.now()) is False


# --- FOI-3 / FOI-2: pauses ----------------------------------------------------------------


def test_foi3_consultation_pauses_at_most_15_working_days_then_the_clock_runs(tree):
    """FOI-3: third-party consultation does not count, for at most FOI-3-consultation's
    15 working days; then the sweep lets the clock run again, and says so."""
    supervision = open_clock(tree, "FOI-3")
    assert supervision.due_at.date() == date(2026, 3, 30)
    with pytest.raises(ValidationError):
        supervision_pause(supervision=supervision, kind="holiday", actor=None, reason="x", start=date(2026, 3, 9))
    pause = supervision_pause(
        supervision=supervision, kind="consultation", actor=tree["staff"], reason="某建筑公司", start=date(2026, 3, 9)
    )
    assert pause.last_day == date(2026, 3, 27)  # 15 working days, 9 March included
    with pytest.raises(ValidationError, match="already paused"):
        supervision_pause(supervision=supervision, kind="consultation", actor=None, reason="x", start=date(2026, 3, 10))

    # While paused: neither reminded nor escalated, even past the old due date.
    frozen = supervision_rag(supervision, now=datetime(2026, 4, 20, tzinfo=SH))
    assert frozen == supervision_rag(supervision, now=supervision.paused_since)
    result = supervision_sweep(now=datetime(2026, 3, 27, 12, tzinfo=SH))
    assert (result.reminded, result.escalated, result.resumed) == (0, 0, 0)

    result = supervision_sweep(now=datetime(2026, 3, 28, 9, tzinfo=SH))
    assert result.resumed == 1
    stored = Supervision.objects.get(pk=supervision.pk)
    pause.refresh_from_db()
    assert stored.paused_since is None and pause.capped and pause.ended_on == date(2026, 3, 27)
    expected = deadline("FOI-3", START, paused=[(date(2026, 3, 9), date(2026, 3, 27))])
    assert stored.due_at == expected.due == pause.due_after
    with pytest.raises(ValidationError, match="not paused"):
        supervision_resume(supervision=stored, actor=None, end=date(2026, 4, 2))
    assert AuditEntry.objects.filter(action="core.supervision_resume", target_id=str(stored.pk)).exists()


def test_foi3_consultation_ended_early_and_late(tree):
    """FOI-3: ended early, only its days are left out; ended after its cap, the cap holds."""
    early = open_clock(tree, "FOI-3")
    supervision_pause(supervision=early, kind="consultation", actor=None, reason="甲公司", start=date(2026, 3, 9))
    supervision_resume(supervision=early, actor=None, end=date(2026, 3, 13))
    assert early.due_at == deadline("FOI-3", START, paused=[(date(2026, 3, 9), date(2026, 3, 13))]).due
    late = open_clock(tree, "FOI-3")
    supervision_pause(supervision=late, kind="consultation", actor=None, reason="乙公司", start=date(2026, 3, 9))
    supervision_resume(supervision=late, actor=None, end=date(2026, 4, 20))
    assert late.due_at == deadline("FOI-3", START, paused=[(date(2026, 3, 9), date(2026, 3, 27))]).due
    assert late.pauses.get().capped


def test_foi2_correction_wait_restarts_the_clock(tree):
    """FOI-2: the reply clock waits for the correction and restarts on its receipt."""
    supervision = open_clock(tree, "FOI-3")
    with pytest.raises(ValidationError):  # PET-5 cannot be paused
        supervision_pause(
            supervision=open_clock(tree), kind="correction", actor=None, reason="x", start=date(2026, 3, 5)
        )
    supervision_pause(supervision=supervision, kind="correction", actor=None, reason="请补正", start=date(2026, 3, 5))
    supervision_resume(supervision=supervision, actor=None, end=date(2026, 3, 20))
    stored = Supervision.objects.get(pk=supervision.pk)
    assert stored.due_at == deadline("FOI-3", date(2026, 3, 20)).due
    assert timezone.localtime(stored.started_at).date() == date(2026, 3, 20)


# --- re-opening, hand-over, several clocks ----------------------------------------------------


def test_ovs1_reopened_supervision_runs_and_escalates_again(tree):
    """OVS-1: an answer sent back reopens the clock to the same deadline."""
    supervision = open_clock(tree, "OPN-1", start=timezone.now() - timedelta(hours=1))
    supervision_answer(supervision=supervision, actor=tree["staff"])
    assert supervision_sweep(now=supervision.due_at + timedelta(hours=1)).escalated == 0
    supervision_reopen(supervision=supervision, actor=tree["bureau_leader"], reason="答复不充分")
    stored = Supervision.objects.get(pk=supervision.pk)
    assert (stored.status, stored.finished_at) == (Supervision.Status.OPEN, None)
    assert supervision_sweep(now=stored.due_at + timedelta(hours=1)).escalated == 1


def test_ovs1_reassigned_supervision_keeps_its_clock_and_tells_the_new_unit(tree):
    start = timezone.now() - timedelta(days=5)
    supervision = open_clock(tree, start=start)
    supervision_extend(supervision=supervision, units=10, actor=tree["dept_leader"], reason="需要调查")
    supervision_answer(supervision=supervision, actor=tree["staff"])
    supervision_reassign(supervision=supervision, organization=tree["other"], actor=None, reason="改由计财股办理")
    stored = Supervision.objects.get(pk=supervision.pk)
    assert (stored.status, stored.organization, stored.finished_at) == (Supervision.Status.OPEN, tree["other"], None)
    assert stored.due_at == deadline("PET-5", start, extension=10).due and stored.extensions.count() == 1
    assert tree["other_staff"].username in notes(V.ASSIGNED, stored)
    assert stored.escalation_level == 0 and stored.escalated_to is None


def test_opn1_major_incident_runs_two_clocks_each_stopped_by_its_own_act(tree):
    """OPN-1: 5 hours for authoritative information, 24 hours for a press statement;
    answering the first leaves the second running, reminded and escalated alone."""
    item = SchoolFactory(parent=tree["bureau"])
    now = timezone.now()
    info = open_clock(tree, "OPN-1-major-info", start=now, item=item)
    statement = open_clock(tree, "OPN-1-major-statement", start=now, item=item)
    supervision_answer(supervision=info, actor=tree["staff"])
    result = supervision_sweep(now=now + timedelta(hours=20))
    assert result.reminded == 1 and notes(V.REMINDER, info) == [] and notes(V.REMINDER, statement)
    result = supervision_sweep(now=now + timedelta(hours=25))
    assert result.escalated == 1 and notes(V.ESCALATED, info) == []
    assert Supervision.objects.get(pk=statement.pk).escalation_level == 1


# --- FEE-5 / ENR-3: minimum display periods -----------------------------------------------------


@pytest.mark.parametrize("rule_id", ["FEE-5-notice", "ENR-3"])
def test_display_period_is_never_overdue_and_cannot_end_early(tree, rule_id):
    """FEE-5 notice / ENR-3 publicity: at least N days on display: never amber, red or
    escalated; not closed or answered before its last day; the sweep ends it after."""
    supervision = open_clock(tree, rule_id, start=timezone.now())
    assert supervision.due_at == deadline(rule_id, supervision.started_at).due
    assert clock_get(rule_id).kind == ClockKind.DISPLAY
    for when in (supervision.due_at - timedelta(hours=1), supervision.due_at + timedelta(days=100)):
        assert supervision_rag(supervision, now=when) == Rag.GREEN
    with pytest.raises(ValidationError, match="cannot end earlier"):
        supervision_close(supervision=supervision, actor=tree["staff"])
    with pytest.raises(ValidationError):
        supervision_answer(supervision=supervision, actor=tree["staff"])
    with pytest.raises(ValidationError):
        supervision_extend(supervision=supervision, units=1, actor=tree["bureau_leader"], reason="x")
    result = supervision_sweep(now=supervision.due_at + timedelta(days=100))
    assert (result.reminded, result.escalated, result.ended) == (0, 0, 1)
    assert Supervision.objects.get(pk=supervision.pk).status == Supervision.Status.CLOSED
    assert Notification.objects.exclude(verb=V.ASSIGNED).count() == 0


# --- PET-9: exclusion -------------------------------------------------------------------------


def test_pet9_excluded_people_and_units_never_hear_of_the_item(tree, registries):
    """PET-9: the exclusion hook keeps the accused person and unit away from every
    notice, reminder, overdue notice and escalation; escalation skips their unit."""
    accused = tree["staff"]
    register_supervision_exclusion(
        Organization,
        lambda item: Exclusion(user_ids=frozenset({accused.pk}), organization_ids=frozenset({tree["bureau"].pk})),
    )
    supervision = open_clock(tree, start=timezone.now() - timedelta(days=59, hours=12))
    assert notes(V.ASSIGNED) == names(tree["dept_leader"])
    supervision_sweep(now=supervision.started_at + (supervision.due_at - supervision.started_at) * 0.8)
    assert notes(V.REMINDER) == names(tree["dept_leader"])
    supervision_sweep(now=supervision.due_at + timedelta(minutes=1))
    stored = Supervision.objects.get(pk=supervision.pk)
    assert stored.escalated_to == tree["city"]  # the bureau steps aside: straight to the city
    assert notes(V.ESCALATED) == names(tree["city_leader"])
    assert notes(V.OVERDUE) == names(tree["dept_leader"])
    assert accused.username not in Notification.objects.values_list("recipient__username", flat=True)
    with pytest.raises(PermissionDenied):  # a leader of the excluded bureau cannot instruct
        supervision_instruct(supervision=stored, author=tree["bureau_leader"], text="尽快办理")
    with pytest.raises(ValidationError):  # never handed to a unit that steps aside
        supervision_reassign(supervision=stored, organization=tree["bureau"], actor=None)
    assert Supervision.objects.get(pk=stored.pk).organization == tree["dept"]
    # A clock the domain keeps at such a unit still tells none of its members.
    at_bureau = open_clock(tree, organization=tree["bureau"])
    assert notes(V.ASSIGNED, at_bureau) == []


def test_pet9_excluded_leader_cannot_grant_an_extension(tree, registries):
    register_supervision_exclusion(
        "orgs.Organization", lambda item: Exclusion(user_ids=frozenset({tree["dept_leader"].pk}))
    )
    supervision = open_clock(tree, start=timezone.now() - timedelta(days=5))
    with pytest.raises(PermissionDenied):
        supervision_extend(supervision=supervision, units=5, actor=tree["dept_leader"], reason="x")
    supervision_extend(supervision=supervision, units=5, actor=tree["bureau_leader"], reason="x")


# --- the link to the supervised object ----------------------------------------------------------


def test_each_supervision_links_to_its_object_in_the_workbench(tree, registries, client):
    register_supervised(Organization, url=lambda org: f"/orgs/{org.pk}/", label="学校事项")
    item = SchoolFactory(parent=tree["bureau"])
    supervision = open_clock(tree, start=timezone.now(), item=item)
    link = supervision_link(supervision)
    assert (link.label, link.url) == ("学校事项", f"/orgs/{item.pk}/")
    assert Notification.objects.filter(supervision=supervision).first().url == link.url
    login_verified(client, tree["staff"])
    body = client.get(reverse("core:workbench")).content.decode()
    assert f'href="/orgs/{item.pk}/"' in body and "学校事项" in body
