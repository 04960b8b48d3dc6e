# SocialBlue — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Tests run in full mode against real servers (defaults: the local PostgreSQL and Redis).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/9
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast install install-runtime install-demo lint schema lock bench clean

# Four lock files, each pins and hashes only, made from pyproject.toml by `make lock`:
#   requirements.lock        what the product runs on (production)
#   requirements-demo.lock   the demo company's extras on top of it (`make run`)
#   requirements-dev.lock    the development tools on top of it, the demo's included (tests,
#                            browser, fuzzer, ruff)
#   requirements-bench.lock  the benchmark's extras on top of it (`make bench`)
# Each stamp is newer than its lock once that lock is installed, so an install runs again only
# when a lock changed.
$(BIN)/.installed: requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

# Both locks in one pip call: pip refuses the pair if they ever pinned a package differently.
$(BIN)/.dev-installed: requirements-dev.lock $(BIN)/.installed
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock -r requirements-dev.lock
	touch $@

$(BIN)/.demo-installed: requirements-demo.lock $(BIN)/.installed
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock -r requirements-demo.lock
	touch $@

## The product's run-time environment only (what production installs).
install-runtime: $(BIN)/.installed

## The run-time environment and the demo company's extras (what `make run` installs).
install-demo: $(BIN)/.demo-installed

## The development environment: the run-time lock and the development lock.
install: $(BIN)/.dev-installed

# The benchmark's extras (django-activity-stream, the peer it is compared with) stay out of
# the product's environment until `make bench` asks for them.
$(BIN)/.bench-installed: requirements-bench.lock $(BIN)/.installed
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock -r requirements-bench.lock
	touch $@

## Make the lock files again from pyproject.toml: the run-time lock first, then the development
## and bench locks constrained to its pins (and the bench's to the development pins) so that every
## pair installs together. Pins already locked are kept; `make lock LOCK_ARGS=--upgrade` (or
## `--upgrade-package NAME`) moves them. `--no-emit-*` keeps this machine's pip configuration
## (private indexes, wheel folders) out of the files.
PIP_TOOLS ?= pip-tools==7.7.0
LOCK_VENV := var/pip-tools
LOCK_ARGS ?=
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes \
	--no-emit-index-url --no-emit-find-links --strip-extras $(LOCK_ARGS)

$(LOCK_VENV)/bin/pip-compile:
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet $(PIP_TOOLS)

lock: $(LOCK_VENV)/bin/pip-compile
	$(PIP_COMPILE) --output-file=requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra=demo --constraint=requirements.lock --output-file=requirements-demo.lock \
		pyproject.toml
	$(PIP_COMPILE) --extra=dev --extra=demo --constraint=requirements.lock \
		--output-file=requirements-dev.lock pyproject.toml
	$(PIP_COMPILE) --extra=bench --constraint=requirements-dev.lock --output-file=requirements-bench.lock \
		pyproject.toml

## Serve the demo company on the embedded default (SQLite, no Redis, tasks inline).
# DEBUG is off unless asked for (a forgotten variable must not expose the debug page); the
# demo and the tests ask for it.
run: export DEBUG = 1
run: install-demo
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --if-empty
	@echo "SocialBlue: http://$(HOST):$(PORT)/  API docs: http://$(HOST):$(PORT)/api/docs/"
	# Per-message deflate off, as in production: see WS_PER_MESSAGE_DEFLATE in tests/live.py.
	$(BIN)/uvicorn socialblue.asgi:application --host $(HOST) --port $(PORT) --lifespan off --ws-per-message-deflate false

## The whole suite against real PostgreSQL and Redis.
test: export DEBUG = 1
test: install
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(BIN)/pytest -p no:cacheprovider -m "not cluster" $(PYTEST_ARGS)

## The pure tests (image pipeline, text rendering): no PostgreSQL, no Redis, in seconds.
test-fast: export DEBUG = 1
test-fast: install
	DATABASE_URL=sqlite://:memory: REDIS_URL= $(BIN)/pytest -p no:cacheprovider -m pure $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

schema: export DEBUG = 1
schema: install-runtime
	mkdir -p var
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file var/schema.yml

## Benchmarks (bench/): prints a table, writes bench/results.md and bench/results.json.
bench: $(BIN)/.bench-installed
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(BIN)/python -m bench

## The production topology on one machine, on loopback (deploy/local/cluster.sh; README,
## "Running as a cluster on one machine"): a 3-primary Redis Cluster, the broker's Redis,
## PostgreSQL, two servers behind nginx, per-queue Celery workers and beat, all under var/cluster.
.PHONY: cluster cluster-stop cluster-status cluster-clean test-cluster
cluster: install-runtime
	deploy/local/cluster.sh start

cluster-stop:
	deploy/local/cluster.sh stop

## The stories told against that topology (tests/cluster): it must be running (make cluster).
# Its environment file gives them the addresses, the database and the Redis servers.
test-cluster: install
	@deploy/local/cluster.sh status >/dev/null 2>&1 || { deploy/local/cluster.sh status || true; \
		echo "test-cluster: the local cluster is not running (or not all of it): run make cluster first" >&2; exit 1; }
	set -a && . var/cluster/env && set +a && $(BIN)/pytest -p no:cacheprovider -m cluster tests/cluster $(PYTEST_ARGS)

cluster-status:
	@deploy/local/cluster.sh status || true

## Stop it and delete var/cluster (its database, media, logs).
cluster-clean:
	deploy/local/cluster.sh stop --purge

clean:
	rm -rf $(VENV) var
