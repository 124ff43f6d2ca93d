# `make run` and `make test` set up .venv from requirements.lock when it is missing or stale.
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
export PATH := $(BIN):$(PATH)

.PHONY: run test check lint params docs bench lock clean

run: $(STAMP)
	python -m nnreel.runs.lockfile
	dvc repro

# Everything, as CI runs it: lint, types, and every test including the end-to-end DVC runs.
test: $(STAMP) lint
	pytest -n auto --dist loadscope --no-loadscope-reorder

# The inner loop: lint, types, and the tests that need no DVC run (not marked slow).
check: $(STAMP) lint
	pytest -n auto --dist loadscope --no-loadscope-reorder -m "not slow"

lint: $(STAMP)
	ruff check .
	ruff format --check .
	mypy

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "nnreel needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Compose params.yaml from conf/ exactly as `dvc exp run` does.
params: $(STAMP)
	nnreel params

# Refresh the pictures at the top of the README from the latest run.
docs: run
	cp reports/final_frame.png docs/final_frame.png
	cp reports/preview/training.gif docs/training.gif
	nnreel gallery --out docs/gallery.png

bench: $(STAMP)
	python benchmarks/bench_train.py
	python benchmarks/bench_render.py
	python benchmarks/bench_memory.py
	python benchmarks/bench_repro.py
	python benchmarks/bench_landscape.py
	python benchmarks/bench_viewer.py
	python benchmarks/bench_sweep.py
	python benchmarks/bench_scale.py

# Re-pin every dependency after editing pyproject.toml (needs pip-tools).
lock: $(STAMP)
	python -m pip install --quiet pip-tools
	pip-compile --quiet --extra dev --generate-hashes --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV)
