# Two commands for users: `make serve` and `make test` (see README.md).
# Everything installs into .venv/ and node_modules/ inside this folder; after the first run, serving
# works with no network.

PYTHON ?= python3
export NO_MKDOCS_2_WARNING := 1
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
# torch: on this course's machines a CPU build is on disk; elsewhere pip picks a build for your platform.
TORCH  ?= torch==2.13.0
PORT   ?= 8000

.PHONY: serve build test check check-citations notebooks bench pdf offline clean install install-demo install-test demos

$(VENV)/.site-installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e ".[site]"
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

install: $(VENV)/.site-installed node_modules/.package-lock.json

$(VENV)/.demo-installed: $(VENV)/.site-installed
	$(PIP) install -q "$(TORCH)" || $(PIP) install -q "torch>=2.4"
	$(PIP) install -q -e ".[site,demo,test]"
	touch $@

install-demo: $(VENV)/.demo-installed

## serve: install what the site needs (first run), then serve http://127.0.0.1:8000 with live reload (PORT=8001 make serve for another port)
serve: install
	$(VENV)/bin/mkdocs serve -a 127.0.0.1:$(PORT)

## build: build the site into site/ (fails on a broken citation)
build: install
	$(VENV)/bin/mkdocs build --strict

## check: the contributor's quick check (no torch): citations, notebooks, captions, diagrams, links and anchors
check: install
	$(VENV)/bin/mkdocs build --strict -q -d build/check-site && echo "make check: no error"

## check-citations: check [@key] citations against references.bib
check-citations: $(VENV)/.site-installed
	$(PY) scripts/check_citations.py

## test: install what is missing and run every check (this is what CI runs)
test: install install-demo
	$(PY) scripts/check_citations.py --no-warnings
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(PY) scripts/build_demos.py --only models  # tests/test_demos_models.py needs them
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(PY) -m pytest

## notebooks: execute the demo notebooks (full profile) and store their outputs
notebooks: install-demo
	HF_HUB_OFFLINE=$${HF_HUB_OFFLINE:-0} $(PY) scripts/run_notebooks.py --profile full

## demos: the live demos' files into demos/: tokenizers (committed; `make demos DEMOS_ARGS="--only tokenizers"` retrains only them, in seconds, no model) and the ONNX models (built); installs the demo extra (torch) first
demos: install-demo
	$(PY) scripts/build_demos.py $(DEMOS_ARGS)

## bench: build-time and encoder benchmarks (print figures)
bench: install install-demo
	$(PY) benchmarks/build_bench.py

## offline: the offline classroom bundle (works from file://, no network) -> build/offline/<name>.zip
offline: install
	$(PY) scripts/build_offline.py

## pdf: print each deck and the whole lecture to build/pdf/ (headless Chromium); `make pdf PDF_ARGS=--notes` adds handouts
pdf: install
	$(PY) -c "import playwright" 2>/dev/null || $(PIP) install -q "playwright>=1.45"
	$(PY) scripts/export_pdf.py $(PDF_ARGS)

clean:
	rm -rf site build .pytest_cache .cache
