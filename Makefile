# Set-up and checks for autograd_lite. Each target creates .venv, installs only what it needs,
# and is quick when that is already done.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check
SRC    := autograd_lite tests benchmarks

# One stamp per set of extras: the demo needs only the package and matplotlib, the notebooks
# JupyterLab, the tests the dev tools (and PyTorch, optionally).
DEMO_STAMP := $(VENV)/.installed-demo
NB_STAMP   := $(VENV)/.installed-notebook
DEV_STAMP  := $(VENV)/.installed-dev

.PHONY: help install dot test lint typecheck pytest demo notebooks bench clean

help:
	@echo "make demo       - set up and train a small MLP on moons, writing pictures to demo_out/"
	@echo "make test       - set up and run lint, type checks, tests, doctests and notebooks"
	@echo "make notebooks  - set up JupyterLab and open the notebooks (prints the URL)"
	@echo "make bench      - set up and run the benchmarks against micrograd 0.1.0"

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

install: $(DEV_STAMP)

# Graphviz's `dot` program renders diagrams; install it with apt-get when missing and root.
dot:
	@if command -v dot >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Graphviz (dot) with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
	else \
		echo "Graphviz's dot is missing: install it (Debian/Ubuntu: sudo apt-get install graphviz," \
		     "macOS: brew install graphviz), then run make again"; exit 1; \
	fi

lint: $(DEV_STAMP)
	$(BIN)/ruff check $(SRC)
	$(BIN)/ruff format --check $(SRC)

typecheck: $(DEV_STAMP)
	$(BIN)/mypy --strict autograd_lite

pytest: $(DEV_STAMP) dot
	$(BIN)/python -m pytest tests autograd_lite --nbmake notebooks

test: lint typecheck pytest

demo: $(DEMO_STAMP) dot
	$(BIN)/autograd-lite demo --out demo_out

# JupyterLab on notebooks/, without opening a browser (it prints the URL to open; as root,
# as in a container, it needs --allow-root).
notebooks: $(NB_STAMP) dot
	$(BIN)/jupyter lab --no-browser --ServerApp.root_dir=notebooks \
		$$([ "$$(id -u)" = 0 ] && echo --allow-root)

bench: $(DEV_STAMP)
	$(PIP) micrograd==0.1.0
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) demo_out .pytest_cache .mypy_cache .ruff_cache
