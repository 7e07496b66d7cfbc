# Set-up and checks for autograd_lite. Every target creates .venv and installs what it needs,
# and is quick when that is already done.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
SRC    := autograd_lite tests benchmarks

.PHONY: help install dot test lint typecheck pytest demo bench clean

help:
	@echo "make demo   - set up and train a small MLP on moons, writing pictures to demo_out/"
	@echo "make test   - set up and run lint, type checks, tests, doctests and notebooks"
	@echo "make bench  - set up and run the benchmarks against micrograd 0.1.0"

# The virtual environment with the package (editable) and its dev, plot and notebook extras.
# PyTorch is optional: tests compare against it when it is installed. Only the pinned CPU
# CPU build is asked for by exact version; without it the tests still pass.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	-$(BIN)/python -m pip install --quiet --disable-pip-version-check torch==2.13.0 \
		|| echo "note: torch==2.13.0 is not available here; PyTorch parity tests will not run"
	touch $(STAMP)

install: $(STAMP)

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

lint: $(STAMP)
	$(BIN)/ruff check $(SRC)
	$(BIN)/ruff format --check $(SRC)

typecheck: $(STAMP)
	$(BIN)/mypy --strict autograd_lite

pytest: $(STAMP) dot
	$(BIN)/python -m pytest tests autograd_lite --nbmake notebooks

test: lint typecheck pytest

demo: $(STAMP) dot
	$(BIN)/autograd-lite demo --out demo_out

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check micrograd==0.1.0
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) demo_out .pytest_cache .mypy_cache .ruff_cache
