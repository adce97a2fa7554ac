# Build, check and test migkaitai. `make help` lists the targets.
# Everything Python runs from .venv; the Kaitai compiler is the pinned npm build in tools/ksc.

PYTHON   ?= python3
VENV     := .venv
PY       := $(VENV)/bin/python
KSC_DIR  := tools/ksc
# Stream that `make run` decodes (.mig, or .mig.xz decompressed to a temporary file),
# and extra CLI arguments, e.g. make run ARGS='--format tree'.
SAMPLE   ?= tests/data/corpus/x86/microvm-64m.mig.xz
ARGS     ?=

VENV_STAMP := $(VENV)/.installed
NPM_STAMP  := $(KSC_DIR)/node_modules/.installed
BROWSER_DIR   := tools/browser
BROWSER_STAMP := $(BROWSER_DIR)/node_modules/.installed

.DEFAULT_GOAL := help
.PHONY: help venv npm browser generate check-generated man lint test test-quick run bench fuzz clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

venv: $(VENV_STAMP) ## Create .venv with the pinned requirements and migkaitai (editable)

$(VENV_STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

npm: $(NPM_STAMP) ## Install the pinned Kaitai compiler and JS runtime (npm ci)

$(NPM_STAMP): $(KSC_DIR)/package.json $(KSC_DIR)/package-lock.json
	cd $(KSC_DIR) && npm ci --no-audit --no-fund
	touch $@

browser: $(BROWSER_STAMP) ## Install the browser tests' pinned playwright-core and html-validate (npm ci)

$(BROWSER_STAMP): $(BROWSER_DIR)/package.json $(BROWSER_DIR)/package-lock.json
	cd $(BROWSER_DIR) && npm ci --no-audit --no-fund
	touch $@

generate: $(NPM_STAMP) ## Regenerate generated/ (python, javascript) from the .ksy
	tools/generate.sh generated

check-generated: $(NPM_STAMP) ## Fail if generated/ differs from a fresh compile of the .ksy
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	tools/generate.sh "$$tmp" && \
	if ! diff -r -x __pycache__ generated "$$tmp"; then \
		echo "check-generated: generated/ differs from the .ksy; run 'make generate' and commit" >&2; \
		exit 1; \
	fi

man: $(VENV_STAMP) ## Rewrite man/migkaitai.1 from the CLI's parser (argparse-manpage)
	$(PY) tools/manpage.py man/migkaitai.1

lint: $(VENV_STAMP) ## ruff and mypy (pinned in requirements-dev.txt, configured in pyproject.toml)
	$(VENV)/bin/ruff check migkaitai tests tools
	$(VENV)/bin/mypy

# --dist loadgroup: tests of the slowest streams share a worker and its parse cache
# (the browser tests need Debian's chromium too: .ci/run installs it; without it they are skipped)
test: $(VENV_STAMP) $(NPM_STAMP) $(BROWSER_STAMP) check-generated lint ## Install, check generated/, lint, run all tests
	$(PY) -m pytest -n 2 --dist loadgroup

test-quick: $(VENV_STAMP) $(NPM_STAMP) ## The tests but the slow ones (the edit loop: under a minute)
	$(PY) -m pytest -n 2 -m "not slow" -q

run: $(VENV_STAMP) ## Decode SAMPLE=stream.mig[.xz] with the CLI (ARGS=... passed on)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && stream='$(SAMPLE)' && \
	case "$$stream" in *.xz) \
		out="$$tmp/$$(basename "$$stream" .xz)" && \
		$(PY) -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$$stream" "$$out" && \
		stream=$$out;; \
	esac && \
	$(PY) -m migkaitai $(ARGS) "$$stream"

bench: venv ## Time the CLI on big QEMU streams vs cat/cp (BENCH_SIZES="1 2 8", BENCH_DIR=..., BENCH_REPEAT=3)
	$(PY) tools/bench.py $(if $(BENCH_SIZES),--sizes "$(BENCH_SIZES)") $(if $(BENCH_DIR),--dir "$(BENCH_DIR)") \
		$(if $(BENCH_REPEAT),--repeat $(BENCH_REPEAT))

fuzz: venv ## Mutation-fuzz the CLI on corpus streams (FUZZ_CASES=10000, FUZZ_SEED, FUZZ_JOBS=2, FUZZ_OUT=...)
	$(PY) tools/fuzz.py --cases $(or $(FUZZ_CASES),10000) --seed $(or $(FUZZ_SEED),1) \
		--jobs $(or $(FUZZ_JOBS),2) --out "$(or $(FUZZ_OUT),$${TMPDIR:-/tmp}/migkaitai-fuzz)"

clean: ## Remove .venv, node_modules and caches (keeps generated/)
	rm -rf $(VENV) $(KSC_DIR)/node_modules $(BROWSER_DIR)/node_modules .artifacts .pytest_cache .mypy_cache .ruff_cache *.egg-info
	find . -path ./.git -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
