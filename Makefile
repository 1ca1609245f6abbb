# `make run` serves the demo site; `make test` runs every check on SQLite, then on
# a throwaway PostgreSQL cluster with a streaming replica when PostgreSQL's
# binaries are on the machine, and the page-cache tests on a throwaway Redis
# when redis-server is there.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# The tests that exercise the page cache, run once more with Redis as the cache.
REDIS_TESTS := tests/newsroom/test_caching.py tests/newsroom/test_security.py tests/test_draft_leaks.py \
	tests/fundraising/test_attribution.py tests/newsroom/test_page_cache_hits.py tests/newsroom/test_search_limits.py

# The Nu HTML Checker, for tests/test_html_validity.py: the vnu-jar npm package's
# jar, installed into .tools/ (ignored by git) and run with Java.
VNU_VERSION := 26.9.27
VNU_JAR := .tools/node_modules/vnu-jar/build/dist/vnu.jar

.PHONY: run test lint format install clean bench-newsletter vnu bench soak

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

$(VNU_JAR):
	@command -v npm >/dev/null 2>&1 || { echo "npm is needed to install the Nu HTML Checker"; exit 1; }
	npm install --prefix .tools --no-audit --no-fund --no-save vnu-jar@$(VNU_VERSION)

vnu: $(VNU_JAR)

run: $(STAMP)
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_demo
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) manage.py check
	$(PY) -m pytest $(PYTEST_ARGS)
	$(PY) tests/pgcluster.py --replica -- $(PY) -m pytest $(PYTEST_ARGS)
	$(PY) tests/redisserver.py -- $(PY) -m pytest -q $(REDIS_TESTS)

# One edition to 1,000 then 10,000 confirmed subscribers through a loopback SMTP
# server: time and peak memory, on SQLite and (when installed) PostgreSQL.
# A benchmark to rerun by hand, never part of `make test`.
bench-newsletter: $(STAMP)
	$(PY) -m tests.bench.newsletter --subscribers 1000 10000
	$(PY) tests/pgcluster.py -- $(PY) -m tests.bench.newsletter --subscribers 1000 10000

# Speed figures and ratios (issue 12): PostgreSQL, gunicorn, nginx when
# installed, measured with wrk, at 50,000 stories (BENCH_SCALE synthetic
# issues of four; BENCH_SCALE=0 for the demo alone).
# Never part of `make test` or CI.
BENCH_SCALE ?= 12500
bench: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || { echo "Installing Debian's wrk"; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
	BENCH_SCALE=$(BENCH_SCALE) $(PY) tests/pgcluster.py -- $(PY) -m tests.bench.run

# The soak of issue 15: 60 s at 32 connections while an editor publishes,
# corrects and schedules, then again through a 10 s PostgreSQL outage, on a
# cluster of its own (tests/soak/run.py). Never part of `make test` or CI.
soak: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || { echo "Installing Debian's wrk"; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
	$(PY) -m tests.soak.run

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) staticfiles test-output .tools
