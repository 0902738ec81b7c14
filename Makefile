# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m demo_project.setup_data
	$(BIN)/dagdeck -m demo_project.definitions --home .dagdeck

test: $(STAMP) lint
	PYTHON=$(PYTHON) tests/packaging/wheel/smoke.sh
	$(BIN)/python -m pytest -n 2 -q

# Import contracts run on the built wheel: it has the installed layout (dagdeck/core, dagdeck/store,
# dagdeck/tui) that import-linter reads from folders; the editable install maps them from the root.
WHEEL_DIR := build/wheel
lint: $(STAMP)
	$(BIN)/ruff check .
	rm -rf build && mkdir -p $(WHEEL_DIR)/unpacked  # setuptools reuses build/lib: stale files would ship
	$(BIN)/python -m pip wheel -q --no-deps -w $(WHEEL_DIR) .
	cd $(WHEEL_DIR)/unpacked && $(abspath $(BIN))/python -m zipfile -e ../dagdeck-*.whl . \
		&& PYTHONPATH=. $(abspath $(BIN))/lint-imports --config $(abspath pyproject.toml)

bench: $(STAMP)
	$(BIN)/python -m bench engine

clean:
	rm -rf $(VENV) .dagdeck
