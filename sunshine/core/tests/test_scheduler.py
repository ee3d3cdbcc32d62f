"""The periodic-job scheduler and the supervision sweep task."""

import os
import signal
import threading
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.tasks import default_task_backend
from django.test import override_settings
from django.utils import timezone

from sunshine.core import scheduler
from sunshine.core.models import Notification, ScheduledJob
from sunshine.core.scheduler import PERIODIC_JOBS, register_periodic, scheduler_tick
from sunshine.core.supervision import supervision_open
from sunshine.orgs.models import Role
from sunshine.orgs.services import membership_grant
from sunshine.orgs.tests.factories import DepartmentFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=SH)
SWEEP = "supervision-sweep"
DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def only_sweep(monkeypatch):
    """The registry as core alone defines it (other apps may add jobs of their own)."""
    monkeypatch.setattr(scheduler, "PERIODIC_JOBS", {SWEEP: PERIODIC_JOBS[SWEEP]})


def enqueued_sweeps():
    return [r for r in default_task_backend.results if r.task.name == "supervision_sweep_task"]


def test_core_registers_the_supervision_sweep():
    assert PERIODIC_JOBS[SWEEP] == ("sunshine.core.tasks.supervision_sweep_task", 300)


@override_settings(TASKS=DUMMY)
def test_due_job_is_enqueued_once_until_its_interval_passes(only_sweep):
    assert scheduler_tick(NOW) == [SWEEP]
    assert len(enqueued_sweeps()) == 1
    job = ScheduledJob.objects.get(name=SWEEP)
    assert (job.next_run_at, job.last_run_at) == (NOW + timedelta(seconds=300), NOW)
    assert job.last_enqueued_result_id == enqueued_sweeps()[0].id

    # A second scheduler at the same moment, and ticks before the interval: nothing.
    assert scheduler_tick(NOW) == []
    assert scheduler_tick(NOW + timedelta(seconds=299)) == []
    assert len(enqueued_sweeps()) == 1

    assert scheduler_tick(NOW + timedelta(seconds=300)) == [SWEEP]
    assert len(enqueued_sweeps()) == 2
    assert ScheduledJob.objects.get(name=SWEEP).next_run_at == NOW + timedelta(seconds=600)


@override_settings(TASKS=DUMMY)
def test_missed_runs_are_not_caught_up_one_by_one(only_sweep):
    scheduler_tick(NOW)
    later = NOW + timedelta(hours=5)
    assert scheduler_tick(later) == [SWEEP]
    assert scheduler_tick(later + timedelta(seconds=1)) == []
    assert ScheduledJob.objects.get(name=SWEEP).next_run_at == later + timedelta(seconds=300)
    assert len(enqueued_sweeps()) == 2


@override_settings(TASKS=DUMMY)
def test_disabled_job_is_not_enqueued_and_the_admin_interval_is_kept(only_sweep):
    scheduler_tick(NOW)
    ScheduledJob.objects.filter(name=SWEEP).update(enabled=False, interval_seconds=60)
    assert scheduler_tick(NOW + timedelta(days=1)) == []
    ScheduledJob.objects.filter(name=SWEEP).update(enabled=True)
    assert scheduler_tick(NOW + timedelta(days=1)) == [SWEEP]
    job = ScheduledJob.objects.get(name=SWEEP)
    assert job.interval_seconds == 60
    assert job.next_run_at == NOW + timedelta(days=1, seconds=60)
    assert len(enqueued_sweeps()) == 2


@override_settings(TASKS=DUMMY)
def test_a_broken_job_does_not_stop_the_others(monkeypatch):
    monkeypatch.setattr(scheduler, "PERIODIC_JOBS", {})
    register_periodic("broken", "sunshine.core.scheduler.scheduler_tick", 60)  # not a @task
    register_periodic(SWEEP, "sunshine.core.tasks.supervision_sweep_task", 300)
    assert scheduler_tick(NOW) == [SWEEP]
    assert ScheduledJob.objects.get(name="broken").last_run_at is None
    with pytest.raises(ValueError):
        register_periodic("never", "sunshine.core.tasks.supervision_sweep_task", 0)


@override_settings(TASKS=DUMMY)
def test_run_scheduler_once_enqueues_due_jobs(only_sweep):
    out = StringIO()
    call_command("run_scheduler", "--once", stdout=out)
    assert out.getvalue() == f"enqueued {SWEEP}\n"
    assert len(enqueued_sweeps()) == 1
    call_command("run_scheduler", "--once", stdout=StringIO())
    assert len(enqueued_sweeps()) == 1


def test_tick_runs_the_sweep_task_which_reminds(only_sweep):
    """The immediate backend of the test settings runs the enqueued sweep: an amber
    supervision (OVS-1) gets its reminder."""
    dept = DepartmentFactory()
    staff = UserFactory()
    membership_grant(actor=None, user=staff, organization=dept, role=Role.DEPARTMENT_STAFF)
    supervision_open(
        item=SchoolFactory(),
        organization=dept,
        rule_id="OPN-1",  # 48 hours; 40 of them gone leaves 17%: amber
        start=timezone.now() - timedelta(hours=40),
        actor=None,
        title="网络舆情",
    )
    assert scheduler_tick() == [SWEEP]
    assert list(Notification.objects.filter(verb=Notification.Verb.REMINDER).values_list("recipient", flat=True)) == [
        staff.pk
    ]


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DUMMY)
def test_run_scheduler_loops_until_sigterm(only_sweep):
    before = signal.getsignal(signal.SIGTERM)
    timer = threading.Timer(0.5, os.kill, args=(os.getpid(), signal.SIGTERM))
    timer.start()
    out = StringIO()
    try:
        call_command("run_scheduler", "--interval", "0.05", stdout=out)
    finally:
        timer.cancel()
    lines = out.getvalue().splitlines()
    assert lines[0] == f"enqueued {SWEEP}"
    assert lines[-1] == f"signal {signal.SIGTERM}: stopping after this tick"
    assert len(enqueued_sweeps()) == 1  # many ticks, one due run
    assert signal.getsignal(signal.SIGTERM) == before  # the previous handler is back


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DUMMY)
def test_two_schedulers_claiming_one_due_run_at_once_enqueue_it_once(only_sweep, monkeypatch):
    """Two schedulers (two threads, two database connections) both find the sweep due and
    try to claim it at the same instant: the row lock and the re-check under it let one
    enqueue the run; the other finds it taken (make city runs two schedulers)."""
    scheduler._sync(NOW)
    both_found_it_due = threading.Barrier(2, timeout=10)
    claim = scheduler._run_if_due

    def claim_together(pk, now):
        both_found_it_due.wait()
        return claim(pk, now)

    monkeypatch.setattr(scheduler, "_run_if_due", claim_together)
    took: list[list[str]] = []
    enqueued: list[str] = []

    def one_scheduler():
        from django.db import connection

        try:
            took.append(scheduler_tick(NOW))
            enqueued.extend(r.id for r in enqueued_sweeps())  # each thread has its own backend
        finally:
            connection.close()

    threads = [threading.Thread(target=one_scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(took) == [[], [SWEEP]]
    assert len(enqueued) == 1
    job = ScheduledJob.objects.get(name=SWEEP)
    assert job.next_run_at == NOW + timedelta(seconds=300)
    assert job.last_enqueued_result_id == enqueued[0]
