# The two commands: `make demo` and `make test`. Each creates .venv when missing and installs the exact
# versions in requirements/dev.lock (hash-checked), so every machine and CI runs the same packages.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
LOCK   := requirements/dev.lock
# the tool that writes the lock; pinned so `make lock` resolves the same way on every machine
UV_VERSION := 0.13.9
LOCK_FLAGS := --extra dev --python-version 3.11 --python-platform x86_64-manylinux_2_28 --generate-hashes

.PHONY: demo test lint bench lock clean

$(STAMP): $(LOCK) pyproject.toml setup.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install -qq --no-deps -e .
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/mantissa demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/query.py

# Re-resolve every dependency to the newest versions pyproject.toml allows and rewrite the lock.
# Run it after changing a dependency in pyproject.toml (commit the lock with it), or to take updates.
lock:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml $(LOCK_FLAGS) --upgrade -o $(LOCK)
	$(BIN)/python requirements/write_environment.py

clean:
	rm -rf $(VENV) demo build *.egg-info
