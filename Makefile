# kdesk: `make run` serves the demo desk, `make test` runs every check CI runs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/kdesk
PG_REDIS_URL ?= redis://127.0.0.1:6379/0
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test install lint pytest pytest-postgres browser imap clean worker

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	@DEBUG=true $(BIN)/python manage.py migrate --noinput
	@DEBUG=true $(BIN)/python manage.py seed_demo
	@echo ""
	@echo "kdesk is running at http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	@echo "Background worker: started beside the server (manage.py db_worker)."
	@echo ""
	@DEBUG=true $(BIN)/python manage.py db_worker >/dev/null 2>&1 & worker=$$!; \
	trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	DEBUG=true $(BIN)/python -m kdesk.serving.asgi_server -b $(HOST) -p $(PORT) kdesk.asgi:application

worker: install
	DEBUG=true $(BIN)/python manage.py db_worker

# Debian's Chromium for the Playwright browser tests (only as root and only when missing).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium is missing and we are not root: browser tests will be skipped."; \
	  fi; \
	fi

# Debian's Dovecot for the IMAP tests of the email channel (only as root and only when missing;
# the tests start their own instance on a loopback port and skip with a message without it).
imap:
	@if [ ! -x /usr/sbin/dovecot ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null; \
	  else \
	    echo "Dovecot is missing and we are not root: IMAP tests will be skipped."; \
	  fi; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

pytest-postgres: install
	@if [ "$$CI" = "true" ] && [ -x ../shared/services-up ]; then ../shared/services-up; fi
	@if [ "$$CI" = "true" ] || { $(BIN)/python -c "import psycopg; psycopg.connect('$(PG_URL:/kdesk=/postgres)', connect_timeout=2).close()" 2>/dev/null && $(BIN)/python -c "import redis; redis.Redis.from_url('$(PG_REDIS_URL)', socket_connect_timeout=2).ping()" 2>/dev/null; }; then \
	  echo "== PostgreSQL + Redis leg =="; \
	  DATABASE_URL=$(PG_URL) REDIS_URL=$(PG_REDIS_URL) KDESK_TEST_POSTGRES=1 $(BIN)/pytest $(PYTEST_ARGS); \
	else \
	  echo "== PostgreSQL leg SKIPPED: PostgreSQL ($(PG_URL)) or Redis ($(PG_REDIS_URL)) did not answer =="; \
	fi

test: install browser imap lint
	@echo "== SQLite leg =="
	$(BIN)/pytest $(PYTEST_ARGS)
	$(MAKE) --no-print-directory pytest-postgres

clean:
	rm -rf $(VENV) staticfiles db.sqlite3*
