# SocialBlue — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Tests run in full mode against real servers (defaults: the local PostgreSQL and Redis).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/9
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint schema check-contract bench clean

$(BIN)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

install: $(BIN)/.installed

# The benchmark's extras (django-activity-stream, the peer it is compared with) stay out of
# the product's environment until `make bench` asks for them.
$(BIN)/.bench-installed: requirements-bench.lock $(BIN)/.installed
	$(BIN)/pip install --quiet --require-hashes -r requirements-bench.lock
	touch $@

## Serve the demo company on the embedded default (SQLite, no Redis, tasks inline).
# DEBUG is off unless asked for (a forgotten variable must not expose the debug page); the
# demo and the tests ask for it.
run: export DEBUG = 1
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --if-empty
	@echo "SocialBlue: http://$(HOST):$(PORT)/  API docs: http://$(HOST):$(PORT)/api/docs/"
	$(BIN)/uvicorn socialblue.asgi:application --host $(HOST) --port $(PORT) --lifespan off

## The whole suite against real PostgreSQL and Redis.
test: export DEBUG = 1
test: install
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

schema: export DEBUG = 1
schema: install
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file var/schema.yml

## Benchmarks (bench/): prints a table, writes bench/results.md and bench/results.json.
bench: $(BIN)/.bench-installed
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var
