"""Run the whole platform on one machine: web server, task worker and scheduler.

``make demo`` ends here. The three processes share one database; stopping this
runner (Ctrl-C) stops all of them.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description="Run Sunshine's web server, worker and scheduler together.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--banner", default="", help="A text file printed once the server answers (the demo logins).")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    python = sys.executable
    commands = {
        "web": [
            python,
            "-m",
            "waitress",
            f"--listen={args.host}:{args.port}",
            f"--threads={args.threads}",
            "config.wsgi:application",
        ],
        "worker": [python, "manage.py", "db_worker", "--queue-name", "default"],
        "scheduler": [python, "manage.py", "run_scheduler"],
    }
    procs = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}  # noqa: S603

    def stop(*_: object) -> None:
        for proc in procs.values():
            if proc.poll() is None:
                proc.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        _wait_until_serving(args.host, args.port, procs["web"])
        if args.banner and os.path.exists(args.banner):
            with open(args.banner, encoding="utf-8") as banner:
                print("\n" + banner.read().rstrip(), flush=True)
        print(f"\nSunshine is running: http://{args.host}:{args.port}/  (Ctrl-C stops it)\n", flush=True)
        while True:
            for name, proc in procs.items():
                code = proc.poll()
                if code is not None:
                    print(f"{name} exited with {code}; stopping.", flush=True)
                    stop()
                    return code or 1
            time.sleep(1)
    except KeyboardInterrupt:
        stop()
        return 0


def _wait_until_serving(host: str, port: int, web: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Return once the web server accepts connections (its start-up lines are out by then)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end and web.poll() is None:
        try:
            with socket.create_connection((host, port), timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    time.sleep(1.5)  # let the worker and the scheduler print their start-up lines first


if __name__ == "__main__":
    raise SystemExit(main())
