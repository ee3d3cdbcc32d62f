"""The single-box runner: a child that dies is started again (a real process, killed),
and the tasks its worker left RUNNING are made ready again, then picked up."""

from __future__ import annotations

import io
import os
import signal
import sys
import threading
import time

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sunshine.core.runner import Child, Supervisor
from sunshine.core.tasks import TASK_MAX_ATTEMPTS, tasks_requeue_orphans

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def _running(worker_ids: list[str]) -> DBTaskResult:
    """A task row as django-tasks-db leaves it when its worker claimed it."""
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="sunshine.core.tasks.supervision_sweep_task",
        worker_ids=worker_ids,
        backend_name="default",
        run_after=timezone.now(),
        started_at=timezone.now(),
    )


def _wait(condition, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_is_restarted_and_its_task_is_picked_up_again() -> None:
    """Before: the runner stopped everything when the worker died, and the task stayed
    RUNNING for ever. Now the worker is started again and the task is READY."""
    exits: list[int] = []

    def requeue(n: int) -> None:
        exits.append(n)
        tasks_requeue_orphans(worker_ids=[f"w-{n}"])

    worker = Child("worker", lambda n: SLEEPER, on_exit=requeue)
    other = Child("web", lambda n: SLEEPER)
    supervisor = Supervisor([worker, other], log=lambda _: None)
    thread = threading.Thread(target=supervisor.run, kwargs={"interval": 0.05})
    thread.start()
    try:
        assert _wait(lambda: worker.proc is not None and other.proc is not None)
        task = _running(["w-1"])
        untouched = _running(["somebody-else"])
        first = worker.history[0]
        os.kill(first, signal.SIGKILL)
        assert _wait(lambda: len(worker.history) == 2, timeout=15)  # started again after the back-off
        assert worker.history[1] != first and worker.proc is not None and worker.proc.poll() is None
        assert exits == [1]
        assert DBTaskResult.objects.get(pk=task.pk).status == TaskResultStatus.READY
        assert DBTaskResult.objects.get(pk=untouched.pk).status == TaskResultStatus.RUNNING
        assert other.history == [other.history[0]] and other.proc.poll() is None  # the rest kept running
    finally:
        supervisor.stop()
        thread.join(timeout=30)
    assert worker.proc is not None and worker.proc.poll() is not None  # stopping stops the children
    assert other.proc is not None and other.proc.poll() is not None


def test_a_slow_clean_up_holds_up_only_its_own_child() -> None:
    """Before: the worker's clean-up (tasks_requeue, a whole Django start-up: a minute on a
    loaded machine) ran inside the supervisor's loop, and an app server killed meanwhile
    stayed down until it was done. Now the clean-up has a thread of its own; its child
    starts again once it is done, the others at once."""
    release = threading.Event()
    cleaned: list[int] = []

    def slow_requeue(n: int) -> None:
        release.wait(timeout=30)
        cleaned.append(n)

    worker = Child("worker", lambda n: SLEEPER, on_exit=slow_requeue)
    web = Child("web", lambda n: SLEEPER)
    supervisor = Supervisor([worker, web], log=lambda _: None)
    thread = threading.Thread(target=supervisor.run, kwargs={"interval": 0.05})
    thread.start()
    try:
        assert _wait(lambda: worker.proc is not None and web.proc is not None)
        os.kill(worker.history[0], signal.SIGKILL)
        assert _wait(lambda: worker.proc is None)
        os.kill(web.history[0], signal.SIGKILL)
        assert _wait(lambda: len(web.history) == 2, timeout=15)  # not held up by the worker's clean-up
        time.sleep(1.5)  # the worker's back-off has passed: it still waits for its clean-up
        assert len(worker.history) == 1 and cleaned == []
        release.set()
        assert _wait(lambda: len(worker.history) == 2, timeout=15)
        assert cleaned == [1]
    finally:
        release.set()
        supervisor.stop()
        thread.join(timeout=30)


@pytest.mark.django_db
def test_requeue_by_prefix_and_give_up_after_the_last_attempt() -> None:
    left = _running(["runner-box-1-1"])
    poison = _running(["runner-box-1-1", "runner-box-2-1", "runner-box-2-2"][:TASK_MAX_ATTEMPTS])
    live = _running(["elsewhere-1"])
    call_command("tasks_requeue", "--worker-prefix", "runner-box-", stdout=io.StringIO())
    assert DBTaskResult.objects.get(pk=left.pk).status == TaskResultStatus.READY
    assert DBTaskResult.objects.get(pk=poison.pk).status == TaskResultStatus.FAILED
    assert DBTaskResult.objects.get(pk=live.pk).status == TaskResultStatus.RUNNING


def test_a_held_child_starts_once_released_and_writes_to_its_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """make demo: the worker and the scheduler wait for the web server, and their lines
    go to the log file, not under the logins in the terminal."""
    held = threading.Event()
    log = tmp_path / "demo.log"
    with open(log, "wb") as output:
        child = Child("worker", lambda n: [sys.executable, "-c", "print('worker up')"], output=output, held=held)
        supervisor = Supervisor([child], log=lambda _: None)
        supervisor.step()
        assert child.proc is None  # not before it is released
        held.set()
        supervisor.step()
        assert child.proc is not None
        child.proc.wait(timeout=30)
    assert log.read_text() == "worker up\n"
