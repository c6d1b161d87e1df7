# Everything a fresh machine with Python 3.11 and make needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000
BENCH_ARGS ?=
# Every core, one test file per worker (module fixtures such as the fuzz's seeded plant run once).
PYTEST_ARGS ?= -n auto --dist loadfile

.PHONY: install run serve test lint pytest bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# A background-task worker (docs/jobs.md) next to a server command; Ctrl-C (or the server
# stopping) stops both. The worker does not reload on code changes: restart after editing tasks.
WITH_WORKER = $(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap "kill $$worker 2>/dev/null; wait $$worker" EXIT INT TERM;

## Set up (venv, dependencies, SQLite database, demo data, admin/admin) and serve on :8000,
## with a background-task worker beside the development server.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --superuser
	$(BIN)/python manage.py jobs_reap
	@sh -c '$(WITH_WORKER) $(BIN)/python manage.py runserver 0.0.0.0:$(PORT)'

## Production-like: gunicorn, DEBUG off, static files by whitenoise (local HTTP, so no SSL redirect),
## and one background-task worker (`manage.py db_worker`; more workers, more hosts: docs/jobs.md).
serve: install
	DEBUG=0 SECRET_KEY=$${SECRET_KEY:-local-serve-$$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')} \
	ALLOWED_HOSTS=$${ALLOWED_HOSTS:-localhost,127.0.0.1} SECURE_SSL_REDIRECT=0 \
	SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 \
	sh -c 'set -e; $(BIN)/python manage.py collectstatic --noinput -v0; \
	$(BIN)/python manage.py migrate --noinput; $(BIN)/python manage.py jobs_reap; set +e; \
	$(WITH_WORKER) \
	$(BIN)/gunicorn config.wsgi --workers $${WEB_CONCURRENCY:-2} --bind 0.0.0.0:$(PORT) --access-logfile -'

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## What CI runs: lint, checks, the suite on SQLite, and again on PostgreSQL when DATABASE_URL is set.
test: lint
	$(BIN)/python manage.py check
	env -u DATABASE_URL $(BIN)/python manage.py makemigrations --check --dry-run
	env -u DATABASE_URL $(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "--- PostgreSQL: $$DATABASE_URL"; \
		$(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS); \
	else \
		echo "--- DATABASE_URL not set: PostgreSQL run skipped"; \
	fi

bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3* .test-db*.sqlite3* .hypothesis staticfiles .pytest_cache
