# Two commands for a fresh machine: `make run` and `make test` (see README).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := FLASK_APP=wsgi $(BIN)/flask
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)

.PHONY: install translations messages migrate seed run lint test test-sqlite test-postgres test-browser browser bench wrk clean

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# Compiled catalogues (.mo) are build output, made from the committed .po files.
translations: install
	$(BIN)/pybabel compile -f -d app/translations 2>&1 | grep -v "^compiling" || true

# For developers: collect new strings into the catalogues (then translate app/translations/en/.../messages.po).
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l --no-location --sort-output -w 120 -o app/translations/messages.pot app templates
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete -w 120

migrate: translations
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed-demo --if-empty

# Plain http on 127.0.0.1: SANGKIEN_DEVELOPMENT=1 drops the cookies' Secure flag (see app/config.py).
# The job-queue worker (Huey, app/jobs.py) runs beside the web server: it delivers the notifications (e-mail to the
# outbox page /notifications/outbox unless MAIL_SERVER is set) and runs the scheduled reminders and digests.
run: seed
	@SANGKIEN_DEVELOPMENT=1 $(BIN)/huey_consumer app.jobs.huey -k thread -w 2 -m 2 -q & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	echo "== job-queue worker started (pid $$worker)"; \
	SANGKIEN_DEVELOPMENT=1 $(FLASK) run --host 127.0.0.1 --port 5000

# Static checks: ruff (style and likely bugs) and mypy (types, with the SQLAlchemy 2.0 typed models); settings in
# pyproject.toml.
lint: install
	$(BIN)/ruff check app tests
	$(BIN)/mypy

test: lint test-sqlite test-postgres test-browser

test-sqlite: translations
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest -q

# PostgreSQL run: on TEST_DATABASE_URL, or on a database of our own (created here) when a local server answers.
# REQUIRE_POSTGRES=1 (set by .ci/run) turns "no server" into a failure instead of a skip.
TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/sangkien_test
test-postgres: translations
	@url="$${TEST_DATABASE_URL:-$(TEST_POSTGRES_URL)}"; \
	if ! $(BIN)/python -m tests.pgtestdb "$$url"; then \
		if [ -n "$$REQUIRE_POSTGRES" ]; then echo "PostgreSQL required but not usable at $$url" >&2; exit 1; fi; \
		echo "PostgreSQL not reachable: PostgreSQL run skipped (set REQUIRE_POSTGRES=1 to fail instead)"; \
	else echo "== PostgreSQL: $$url"; TEST_DATABASE_URL="$$url" $(BIN)/python -m pytest -q -p no:cacheprovider; fi

# Real-browser suite (tests/browser): Playwright drives Debian's chromium against a live gunicorn on its own SQLite
# database; once per `make test`. Run as root without chromium it is installed first; otherwise the tests are skipped
# with a loud banner, and REQUIRE_BROWSER=1 or CI=true (set by .ci/run) turns the skip into a failure.
CHROMIUM ?= /usr/bin/chromium
browser:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "== installing Debian's chromium for the browser tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
		else echo "!!! $(CHROMIUM) missing and not root (apt-get install chromium): browser tests SKIPPED, or FAILED under REQUIRE_BROWSER=1/CI" >&2; fi; \
	fi

test-browser: translations browser
	env -u TEST_DATABASE_URL BROWSER_EXECUTABLE=$(CHROMIUM) $(BIN)/python -m pytest -q tests/browser

clean:
	rm -rf $(VENV) instance/sangkien.db* instance/jobs.db*

# National-size benchmark on SQLite and (when reachable) PostgreSQL; results in docs/BENCHMARKS.md.
BENCH_SQLITE_URL ?= sqlite:///$(CURDIR)/instance/bench.db
BENCH_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/sangkien_bench
# The HTTP part (flask bench-http) drives gunicorn with wrk: Debian's package, installed here when missing and root
# (else a Python client of our own measures the reads).
wrk:
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; } || \
		echo "wrk missing: the HTTP benchmark uses its Python client"

bench: translations wrk
	DATABASE_URL=$(BENCH_SQLITE_URL) $(FLASK) db upgrade
	DATABASE_URL=$(BENCH_SQLITE_URL) $(FLASK) bench-seed
	DATABASE_URL=$(BENCH_SQLITE_URL) $(FLASK) bench-run
	@if command -v psql >/dev/null && pg_isready -q -h 127.0.0.1; then \
		psql "$(dir $(BENCH_POSTGRES_URL))postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='$(notdir $(BENCH_POSTGRES_URL))'" | grep -q 1 \
			|| psql "$(dir $(BENCH_POSTGRES_URL))postgres" -c "CREATE DATABASE $(notdir $(BENCH_POSTGRES_URL))"; \
		DATABASE_URL=$(BENCH_POSTGRES_URL) $(FLASK) db upgrade && \
		DATABASE_URL=$(BENCH_POSTGRES_URL) $(FLASK) bench-seed && \
		DATABASE_URL=$(BENCH_POSTGRES_URL) $(FLASK) bench-run && \
		DATABASE_URL=$(BENCH_POSTGRES_URL) $(FLASK) bench-http; \
	else echo "PostgreSQL not reachable: benchmark on SQLite only"; fi
	$(FLASK) bench-report
