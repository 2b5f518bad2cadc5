# The quick start is two commands: `make demo` and `make test`. Each sets up
# .venv (with the project and its dev tools) when missing or out of date.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Strict editable install: a tree of links under build/ that mypy can follow. It holds
# the files that existed at install time, so the stamp names the list of modules.
MODULES := $(shell find routing api simulator -name '*.py' -o -name py.typed -o -path '*/static/*' 2>/dev/null | sort | cksum | cut -d' ' -f1)
STAMP := $(VENV)/.installed-$(MODULES)
DEMO ?= scenarios/hotline_02473000062.toml
DAY ?= scenarios/hotline_day.toml

.PHONY: demo test test-fast test-compiled compiled lint bench serve emulate clean

# Demo credentials for `make serve`; set your own Stringee API key in the environment.
export PCC_API_KEY_SID ?= SKdemo0000000000000000000000000000
export PCC_API_KEY_SECRET ?= demo-secret-change-me-demo-secret-00

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	rm -rf $(VENV)/.installed* .mypy_cache
	$(BIN)/python -m pip install --quiet -e '.[dev]' --config-settings editable_mode=strict
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/pcc-router simulate $(DEMO)
	$(BIN)/pcc-router simulate $(DAY) --summary --report reports/day

lint: $(STAMP)
	$(BIN)/ruff check api routing simulator tests bench setup.py
	$(BIN)/ruff format --check api routing simulator tests bench setup.py
	$(BIN)/mypy
	$(BIN)/mypy --config-file tests/mypy.ini tests

test: lint
	$(BIN)/python -m pytest -q

# Everything but the tests marked slow (real clocks, a whole day, schema fuzzing).
test-fast: lint
	$(BIN)/python -m pytest -q -m "not slow"

# The compiled build as `pip install .` makes it (a wheel with the engine compiled by mypyc),
# unpacked into build/compiled-site: put first on PYTHONPATH, it runs instead of the sources.
COMPILED_SITE := build/compiled-site
compiled: $(STAMP)
	rm -rf build/wheel $(COMPILED_SITE)
	PCC_ROUTER_COMPILE=1 $(BIN)/python -m pip wheel . --no-deps --quiet --wheel-dir build/wheel
	$(BIN)/python -m pip install --no-deps --quiet --target $(COMPILED_SITE) build/wheel/*.whl

# The whole suite again on the compiled build: same results, same bytes (the slow tests too:
# they are the ones that send scenarios to other processes).
test-compiled: compiled
	PYTHONPATH=$(CURDIR)/$(COMPILED_SITE) PCC_ROUTER_EXPECT_BUILD=compiled \
		$(BIN)/python -m pytest -q -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]' --config-settings editable_mode=strict
	$(MAKE) compiled || echo 'bench: no compiled build; its rows are left out'
	$(BIN)/python bench/compare.py
	$(BIN)/python bench/engine_scaling.py
	test ! -d $(COMPILED_SITE) || PYTHONPATH=$(CURDIR)/$(COMPILED_SITE) $(BIN)/python bench/engine_scaling.py
	$(BIN)/python bench/webhooks.py
	$(BIN)/python bench/cli_start.py
	$(BIN)/python bench/instructions.py
	$(BIN)/python bench/plan.py

# The demo's own store, made afresh by every `make serve` (old calls never come back).
DEMO_STORE := .demo/pcc-router.db
serve: $(STAMP)
	rm -rf .demo && mkdir -p .demo
	DATABASE_URL=sqlite:///$(DEMO_STORE) $(BIN)/pcc-router serve --scenario $(DEMO) --print-token

# The PCC emulator on :8090, pointed at `make serve` (run that first, in another terminal).
CONTROLLER ?= http://127.0.0.1:8080
emulate: $(STAMP)
	$(BIN)/pcc-router emulate $(DEMO) --event-url $(CONTROLLER)/pcc/events \
		--agents-url $(CONTROLLER)/pcc/agents-for-queue --print-token

# Everything a demo, a test run or an install wrote (pcc-router.db*: `pcc-router serve`
# run by hand with the default store).
clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache .hypothesis reports .demo \
		pcc_router.egg-info
	rm -f pcc-router.db pcc-router.db-wal pcc-router.db-shm pcc-router.db.store-id
