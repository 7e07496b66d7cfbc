# Set-up and checks for autograd_lite. Each target creates .venv, installs only what it needs,
# and is quick when that is already done.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check
SRC    := autograd_lite tests benchmarks tools
DEMO_OUT ?= demo_out

# One stamp per set of extras: the demo needs only the package and matplotlib, the notebooks
# JupyterLab, the tests the dev tools (and PyTorch, optionally), the notebook check Playwright.
DEMO_STAMP  := $(VENV)/.installed-demo
NB_STAMP    := $(VENV)/.installed-notebook
DEV_STAMP   := $(VENV)/.installed-dev
CHECK_STAMP := $(VENV)/.installed-check

.PHONY: help install dot test lint typecheck pytest demo notebooks html check-notebooks bench clean

help:
	@echo "make demo            - set up and train a small MLP on moons, writing pictures to demo_out/"
	@echo "make test            - set up and run lint, type checks, tests, doctests and notebooks"
	@echo "make notebooks       - set up JupyterLab and open the notebooks, trusted (prints the URL)"
	@echo "make html            - export the notebooks to HTML pages that work offline (build/html/)"
	@echo "make check-notebooks - open every notebook in Chromium and check that its pictures show"
	@echo "make bench           - set up and run the benchmarks against micrograd 0.1.0"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(DEMO_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) -e '.[plot]'
	touch $@

$(NB_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) -e '.[notebook]'
	touch $@

# PyTorch is optional: tests compare against it when it is installed. Only the pinned CPU
# build is asked for, by exact version; without it the tests still pass.
$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) -e '.[dev]'
	-$(PIP) torch==2.13.0 \
		|| echo "note: torch==2.13.0 is not available here; PyTorch parity tests will not run"
	touch $@

$(CHECK_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) -e '.[check]'
	touch $@

install: $(DEV_STAMP)

# Graphviz's `dot` program renders diagrams; installed with apt-get when missing and root.
# The tests and the notebooks need it; the demo runs without it (see tools/ensure_dot.sh).
dot:
	@$(SHELL) tools/ensure_dot.sh

lint: $(DEV_STAMP)
	$(BIN)/ruff check $(SRC)
	$(BIN)/ruff format --check $(SRC)

typecheck: $(DEV_STAMP)
	$(BIN)/mypy --strict autograd_lite

pytest: $(DEV_STAMP) dot
	$(BIN)/python -m pytest tests autograd_lite --nbmake notebooks

test: lint typecheck pytest

demo: $(DEMO_STAMP)
	@$(SHELL) tools/ensure_dot.sh --optional
	$(BIN)/autograd-lite demo --out $(DEMO_OUT)

# JupyterLab on notebooks/, without opening a browser (it prints the URL to open; as root,
# as in a container, it needs --allow-root). The notebooks are signed first, so JupyterLab
# trusts their saved outputs (players run, SVG shows); signing again changes nothing.
notebooks: $(NB_STAMP) dot
	$(BIN)/jupyter trust notebooks/*.ipynb
	$(BIN)/jupyter lab --no-browser --ServerApp.root_dir=notebooks \
		$$([ "$$(id -u)" = 0 ] && echo --allow-root)

# The notebooks as HTML pages with MathJax beside them: formulas show offline.
html: $(NB_STAMP)
	$(BIN)/python tools/export_html.py --out build/html

# Every notebook in Chromium (JupyterLab trusted and untrusted, and the HTML export):
# pictures show, fit and step; screenshots in build/notebook-check/. Needs /usr/bin/chromium.
check-notebooks: $(CHECK_STAMP)
	$(BIN)/python tools/check_notebooks.py --out build/notebook-check

bench: $(DEV_STAMP)
	$(PIP) micrograd==0.1.0
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) demo_out build .pytest_cache .mypy_cache .ruff_cache
