# Sunshine (阳光). Two commands matter: `make demo` and `make test` (see README).
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
PY := .venv/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: venv demo test lint check-migrations pytest browser-deps bench messages clean city city-stop city-deps

.venv/.synced: pyproject.toml uv.lock .python-version
	@command -v python3 >/dev/null || { echo "python3 is required"; exit 1; }
	@python3 -c 'import uv' 2>/dev/null || python3 -m pip install --quiet uv
	python3 -m uv sync --frozen
	@touch $@

venv: .venv/.synced

# Debian's chromium and CJK fonts for the browser tests and screenshots.
browser-deps:
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "cjk"; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
	  || echo "warning: could not install chromium/fonts-noto-cjk"; fi

# The catalogue and the static files are made while the database is migrated (they touch
# no table). The demo builder and the runner start at once too and load their code meanwhile:
# the builder builds once the migrations are applied; the runner's web server loads the
# application once the assets are made and listens once the demo is built. The logins are
# printed last, once the server answers (the services' log goes to demo.log). The migrations
# then the build are the path to the first page: the assets and the runner run niced, so on
# two cores the migrations keep one to themselves (demo_migrate: migrate, faster on a new database).
DEMO_DATA := $(or $(SUNSHINE_DATA_DIR),var)
DEMO_LOGINS := $(DEMO_DATA)/demo-logins.txt
DEMO_ASSETS := from django.core.management import call_command as c; \
  c("compilemessages", ignore_patterns=[".venv"], verbosity=0); c("collectstatic", interactive=False, verbosity=0)
demo: venv
	@mkdir -p $(DEMO_DATA) && cd $(DEMO_DATA) && rm -f demo-assets-ready demo-migrated demo-built
	@nice -n 10 $(PY) -m sunshine.core.runner --host $(HOST) --port $(PORT) --banner $(DEMO_LOGINS) --log $(DEMO_DATA)/demo.log \
	    --assets-ready $(DEMO_DATA)/demo-assets-ready --after $(DEMO_DATA)/demo-built & runner=$$!; \
	  { nice -n 10 $(MANAGE) shell --no-imports -c '$(DEMO_ASSETS)' && touch $(DEMO_DATA)/demo-assets-ready; } & assets=$$!; \
	  $(MANAGE) demo_district --skip-checks --after $(DEMO_DATA)/demo-migrated --logins-file $(DEMO_LOGINS) & build=$$!; \
	  if $(MANAGE) demo_migrate --noinput --skip-checks; then touch $(DEMO_DATA)/demo-migrated; else kill $$build; fi; \
	  wait $$build; built=$$?; \
	  if wait $$assets && [ $$built -eq 0 ]; then touch $(DEMO_DATA)/demo-built; else kill $$runner; wait $$runner; exit 1; fi; \
	  wait $$runner

# The production-like stack on this machine (docs/operations.md, "A city"): nginx, three
# app servers, two workers, two schedulers, PostgreSQL at 127.0.0.1:5432. Not part of `make test`.
city-deps:
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ] || ! command -v wrk >/dev/null; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light wrk >/dev/null) \
	  || echo "warning: could not install nginx-light/wrk"; fi

city: venv city-deps
	$(PY) -m sunshine.core.city start

city-stop:
	$(PY) -m sunshine.core.city stop

lint: venv
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/djlint sunshine --lint
	.venv/bin/mypy config sunshine bench

check-migrations: venv
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run

pytest: venv browser-deps
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) compilemessages --ignore=.venv >/dev/null
	.venv/bin/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test: lint check-migrations pytest

bench: venv
	.venv/bin/python -m bench.run

messages: venv
	$(MANAGE) makemessages -l zh_Hans --ignore=.venv --ignore=var --no-obsolete

clean:
	rm -rf .venv var
