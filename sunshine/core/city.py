"""A production-like city stack on one machine (``make city`` / ``make city-stop``).

What runs, all under one supervisor (:class:`sunshine.core.runner.Supervisor`: a child
that exits is started again, a dead worker's tasks are made ready again):

- nginx (Debian's package) on ``127.0.0.1:8100``: static files from ``STATIC_ROOT``
  directly, everything else to three app servers (``least_conn``), and a bare static file
  ``/bench-reference.txt`` as the reference of the load run;
- three app servers on ``127.0.0.1:8101-8103``: gunicorn (``--threads 2``, a process a
  core shared over the three) with ``config.wsgi:application`` (waitress when gunicorn
  is not installed yet);
- two task workers (``manage.py db_worker``) and two schedulers (``manage.py
  run_scheduler``; a due job's row is locked, so a run is enqueued once);
- PostgreSQL: the machine's server at ``127.0.0.1:5432``, database ``sunshine_city``
  (created on first start);
- Redis: the machine's server at ``127.0.0.1:6379``, database 3 (``SUNSHINE_CITY_REDIS``),
  the app servers' shared cache and the sessions' copy (``sunshine.core.cache``), emptied
  when the stack starts; without a Redis answering, each process keeps its own cache and
  sessions are read from the database.

Settings are ``config.settings.production``: every secret is read from a file under
``var/city/secrets/`` (``SUNSHINE_*_FILE``), made with 32 random bytes on the first start
and never printed; DEBUG is off and the demo keys are refused. The stack speaks plain
HTTP on loopback, so ``SUNSHINE_SSL_REDIRECT`` is off; a city puts TLS in nginx.

``python -m sunshine.core.city start`` starts it in the background and returns once nginx
answers; ``stop`` stops it; ``run`` stays in the foreground; ``env`` prints the
environment (without secrets) for running ``manage.py`` against the stack.
"""

from __future__ import annotations

import argparse
import base64
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from sunshine.core.runner import Child, Supervisor, worker_prefix

ROOT = Path(__file__).resolve().parent.parent.parent
CITY = Path(os.environ.get("SUNSHINE_CITY_DIR", str(ROOT / "var" / "city")))
SECRETS = CITY / "secrets"
DATA = CITY / "data"
LOGS = CITY / "logs"
PIDFILE = CITY / "city.pid"
HOST = "127.0.0.1"
PROXY_PORT = int(os.environ.get("SUNSHINE_CITY_PORT", "8100"))
APP_PORTS = [PROXY_PORT + 1, PROXY_PORT + 2, PROXY_PORT + 3]
DB_NAME = os.environ.get("SUNSHINE_CITY_DB", "sunshine_city")
DB_SERVER = os.environ.get("SUNSHINE_CITY_DB_SERVER", "postgres://postgres@127.0.0.1:5432")
# Each app server's gunicorn processes (SUNSHINE_CITY_WORKERS; by default the machine's
# cores shared over the three app servers, at least one each) and threads a process
# (SUNSHINE_CITY_THREADS). More processes than cores only contend: on 2 cores, 2 processes
# of 4 threads an app server served a filer's case page at 540-730 req/s, one of 2 threads
# at 930-1,000 (bench.city).
APP_WORKERS = int(os.environ.get("SUNSHINE_CITY_WORKERS", str(max(1, (os.cpu_count() or 1) // len(APP_PORTS)))))
APP_THREADS = int(os.environ.get("SUNSHINE_CITY_THREADS", "2"))
REDIS = os.environ.get("SUNSHINE_CITY_REDIS", "redis://127.0.0.1:6379/3")
SECRET_NAMES = ("SECRET_KEY", "HASH_KEY", "INDEX_KEY", "AUDIT_KEY", "BACKUP_KEY")
REFERENCE = "bench-reference.txt"
BUSY_PAGE = "busy.html"
BUSY_HTML = """<!DOCTYPE html>
<html lang="zh-Hans"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>系统繁忙 - 阳光</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto; padding: 0 1em; line-height: 1.7">
<h1>系统繁忙，请稍后再试</h1>
<p>服务器暂时未能响应您的请求。若您刚才提交了材料，请勿重复提交：请先用查询码查询是否已经受理；
如未受理，请稍候几分钟后再提交。</p>
<p><a href="/">返回首页</a></p>
</body></html>
"""
APP_KEEPALIVE = 75  # seconds an app server keeps an idle connection from nginx (see _app_server)


def _secret_file(name: str) -> Path:
    path = SECRETS / name.lower()
    if not path.exists():
        SECRETS.mkdir(parents=True, exist_ok=True)
        os.chmod(SECRETS, 0o700)
        raw = os.urandom(32)
        text = f"city1:{base64.b64encode(raw).decode()}" if name == "FIELD_KEYS" else base64.b64encode(raw).decode()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text + "\n")
    return path


def city_env() -> dict[str, str]:
    """The environment of every process of the stack (secrets by file only)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SUNSHINE_") and k != "DATABASE_URL"}
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DATABASE_URL": f"{DB_SERVER}/{DB_NAME}",
            "SUNSHINE_DB_CONN_MAX_AGE": "60",
            "SUNSHINE_DATA_DIR": str(DATA),
            "SUNSHINE_ALLOWED_HOSTS": f"{HOST},localhost",
            "SUNSHINE_TRUSTED_PROXIES": HOST,
            "SUNSHINE_SSL_REDIRECT": "false",
            "SUNSHINE_HSTS_SECONDS": "0",
            "SUNSHINE_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    for name in (*SECRET_NAMES, "FIELD_KEYS"):
        environment[f"SUNSHINE_{name}_FILE"] = str(_secret_file(name))
    if redis_answers():
        environment["SUNSHINE_REDIS_URL"] = REDIS
    return environment


def redis_answers(timeout: float = 0.5) -> bool:
    """Whether the stack's Redis accepts a connection."""
    import urllib.parse

    where = urllib.parse.urlsplit(REDIS)
    try:
        with socket.create_connection((where.hostname or HOST, where.port or 6379), timeout=timeout):
            return True
    except OSError:
        return False


def _redis_empty() -> None:
    """The shared cache starts empty with the stack (the database may have been rebuilt)."""
    if redis_answers():
        import redis

        redis.Redis.from_url(REDIS, socket_timeout=2).flushdb()


def _manage(*args: str) -> list[str]:
    return [sys.executable, "manage.py", *args]


def _run(command: list[str], environment: dict[str, str]) -> None:
    subprocess.run(command, cwd=ROOT, env=environment, check=True)  # noqa: S603


def _ensure_database() -> None:
    import psycopg

    with psycopg.connect(f"{DB_SERVER}/postgres", autocommit=True) as pg:
        if pg.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone() is None:
            pg.execute(f'CREATE DATABASE "{DB_NAME}"')


def _nginx_conf(static_root: Path) -> Path:
    (CITY / "nginx").mkdir(parents=True, exist_ok=True)
    reference = CITY / "www"
    reference.mkdir(exist_ok=True)
    (reference / REFERENCE).write_text("阳光\n" * 200, encoding="utf-8")  # about the size of a small page
    (reference / BUSY_PAGE).write_text(BUSY_HTML, encoding="utf-8")
    upstream = "\n".join(f"        server {HOST}:{port};" for port in APP_PORTS)
    conf = f"""# Generated by sunshine.core.city; a city's template (add TLS and its server_name).
worker_processes 2;
pid {CITY / "nginx" / "nginx.pid"};
error_log {LOGS / "nginx-error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    sendfile on;
    keepalive_timeout 30;
    client_max_body_size 25m;
    client_body_temp_path {CITY / "nginx" / "body"};
    proxy_temp_path {CITY / "nginx" / "proxy"};
    fastcgi_temp_path {CITY / "nginx" / "fastcgi"};
    uwsgi_temp_path {CITY / "nginx" / "uwsgi"};
    scgi_temp_path {CITY / "nginx" / "scgi"};
    upstream sunshine {{
        least_conn;
{upstream}
        keepalive 32;
    }}
    # Micro-cache of public pages. Django marks a page "Cache-Control: public, max-age=N"
    # only when it is the same for every anonymous visitor with the same language and
    # display cookies (core.middleware.NoStoreMiddleware); everything else is private or
    # no-store and never kept. The key holds those two cookies; a request with any other
    # cookie (a session, a CSRF token, messages), an htmx request or a POST passes by.
    proxy_cache_path {CITY / "nginx" / "cache"} levels=1:2 keys_zone=pages:10m max_size=256m inactive=10m
                     use_temp_path=off;
    map $http_cookie $sunshine_personal {{
        default 1;
        "" 0;
        "~^\\s*((django_language|sunshine_display)=[^;]*(;\\s*|$))+$" 0;
    }}
    map $http_hx_request $sunshine_fragment {{
        default 1;
        "" 0;
    }}
    server {{
        listen {HOST}:{PROXY_PORT};
        location /static/ {{ alias {static_root}/; expires 7d; }}
        location = /{REFERENCE} {{ root {reference}; }}
        # When no app server answers (one restarting, all busy), nginx's own English page
        # would show: a Chinese one instead, with the same status.
        error_page 502 503 504 /{BUSY_PAGE};
        location = /{BUSY_PAGE} {{ root {reference}; internal; }}
        location / {{
            proxy_pass http://sunshine;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;  # with the port: Django compares it with Origin
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_cache pages;
            proxy_cache_key "$scheme$host$request_uri|$cookie_django_language|$cookie_sunshine_display";
            proxy_cache_bypass $sunshine_personal $sunshine_fragment $http_authorization;
            proxy_no_cache $sunshine_personal $sunshine_fragment $http_authorization;
            # No proxy_cache_lock: its waiters poll every 500 ms, which stalls every page
            # that turns out private (a look-up's answer, a form); "updating" serves the
            # kept copy while one request refreshes it, so an expiry is no stampede.
            proxy_cache_use_stale updating;
            proxy_cache_background_update on;
            add_header X-Cache $upstream_cache_status always;
        }}
    }}
}}
"""
    path = CITY / "nginx" / "nginx.conf"
    path.write_text(conf, encoding="utf-8")
    return path


def _app_server(port: int) -> list[str]:
    if importlib.util.find_spec("gunicorn") is not None:
        # --keep-alive above nginx's upstream keepalive_timeout (60 s by default): nginx, not
        # gunicorn (2 s by default), closes an idle kept-alive connection. Otherwise gunicorn
        # may close one just as nginx sends a request on it, and nginx, which never resends
        # a POST, answers 502 to a letter that was never received (bench.faults found it).
        sizes = ["--workers", str(APP_WORKERS), "--threads", str(APP_THREADS)]
        return [sys.executable, "-m", "gunicorn", "--bind", f"{HOST}:{port}", *sizes,
                "--keep-alive", str(APP_KEEPALIVE), "config.wsgi:application"]  # fmt: skip
    print("city: gunicorn is not installed in this environment; the app servers run waitress", flush=True)
    return [sys.executable, "-m", "waitress", f"--listen={HOST}:{port}", "--threads=8", "config.wsgi:application"]


def prepare(*, demo: bool) -> dict[str, str]:
    """Database, secrets, schema, static files, catalogue; the demo district when asked and empty."""
    for folder in (CITY, DATA, LOGS):
        folder.mkdir(parents=True, exist_ok=True)
    environment = city_env()
    _ensure_database()
    _redis_empty()
    _run(_manage("migrate", "--noinput", "-v", "0"), environment)
    _run(_manage("collectstatic", "--noinput", "-v", "0"), environment)
    _run(_manage("compilemessages", "--ignore=.venv", "-v", "0"), environment)
    marker = CITY / "demo-built"
    if demo and not marker.exists():
        _run(_manage("demo_district", "--logins-file", str(CITY / "demo-logins.txt")), environment)
        marker.touch()
    return environment


def run(*, demo: bool) -> int:
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        print("city: nginx is not installed (make city-deps)", file=sys.stderr)
        return 1
    environment = prepare(demo=demo)
    os.environ.clear()
    os.environ.update(environment)  # the children inherit it
    os.chdir(ROOT)
    static_root = DATA / "static"
    conf = _nginx_conf(static_root)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    prefix = worker_prefix()
    run_id = f"{prefix}city-{os.getpid()}-"
    subprocess.run(_manage("tasks_requeue", "--worker-prefix", f"{prefix}city-"), check=False)  # noqa: S603

    def worker(k: int) -> Child:
        def ident(n: int) -> str:
            return f"{run_id}w{k}-{n}"

        def requeue(n: int) -> None:
            subprocess.run(_manage("tasks_requeue", "--worker-id", ident(n)), check=False)  # noqa: S603

        return Child(
            f"worker-{k}",
            lambda n: _manage("db_worker", "--queue-name", "default", "--worker-id", ident(n)),
            on_exit=requeue,
        )

    children = [Child("nginx", lambda n: [nginx, "-c", str(conf), "-g", "daemon off;"])]
    children += [Child(f"app-{port}", lambda n, port=port: _app_server(port)) for port in APP_PORTS]  # type: ignore[misc]
    children += [worker(1), worker(2)]
    children += [Child(f"scheduler-{k}", lambda n: _manage("run_scheduler")) for k in (1, 2)]
    supervisor = Supervisor(children, log=lambda line: print(f"city: {line}", flush=True))
    signal.signal(signal.SIGTERM, supervisor.stop)
    signal.signal(signal.SIGINT, supervisor.stop)
    PIDFILE.write_text(str(os.getpid()))
    try:
        supervisor.run()
    finally:
        PIDFILE.unlink(missing_ok=True)
    return 0


def serving(timeout: float = 0) -> bool:
    end = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((HOST, PROXY_PORT), timeout=1) as sock:
                sock.sendall(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                if sock.recv(12).startswith(b"HTTP/1.1 200"):
                    return True
        except OSError:
            pass
        if time.monotonic() >= end:
            return False
        time.sleep(0.5)


def start(*, demo: bool) -> int:
    if PIDFILE.exists() and serving():
        print(f"city: already running: http://{HOST}:{PROXY_PORT}/")
        return 0
    LOGS.mkdir(parents=True, exist_ok=True)
    log = (LOGS / "city.log").open("ab")
    command = [sys.executable, "-m", "sunshine.core.city", "run", *([] if demo else ["--no-demo"])]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # noqa: S603
    print(f"city: starting (log {LOGS / 'city.log'}) …", flush=True)
    end = time.monotonic() + 600
    while time.monotonic() < end:
        if proc.poll() is not None:
            print(f"city: the stack stopped while starting; see {LOGS / 'city.log'}", file=sys.stderr)
            return 1
        if serving(timeout=2):
            print(f"city: running: http://{HOST}:{PROXY_PORT}/ (make city-stop stops it)")
            return 0
    print("city: not serving after 10 minutes", file=sys.stderr)
    return 1


def stop() -> int:
    if not PIDFILE.exists():
        print("city: not running")
        return 0
    pid = int(PIDFILE.read_text())
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        PIDFILE.unlink(missing_ok=True)
        print("city: not running")
        return 0
    for _ in range(60):
        time.sleep(0.5)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            print("city: stopped")
            return 0
    print(f"city: process {pid} still running", file=sys.stderr)
    return 1


def main() -> int:
    parser = argparse.ArgumentParser(description="The city stack on this machine.")
    parser.add_argument("action", choices=["start", "run", "stop", "env"])
    parser.add_argument("--no-demo", action="store_true", help="Do not build the demo district into an empty stack.")
    args = parser.parse_args()
    if args.action == "start":
        return start(demo=not args.no_demo)
    if args.action == "run":
        return run(demo=not args.no_demo)
    if args.action == "stop":
        return stop()
    for key, value in sorted(city_env().items()):
        if key.startswith(("SUNSHINE_", "DATABASE_URL", "DJANGO_")):
            print(f"export {key}={value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
