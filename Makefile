# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: run test lint bench index clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || python3 -m venv $(VENV)
	# torch first and pinned: the CPU build on this machine's disk, not a multi-GB CUDA one.
	$(BIN)/pip install --quiet --disable-pip-version-check torch==2.13.0
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev,scale]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/rag index --quiet
	$(BIN)/python ui.py

test: $(STAMP)
	./scripts/ensure-chromium
	$(BIN)/ruff check rag tests evals bench ui.py
	$(BIN)/python -m pytest -q -p no:cacheprovider
	$(BIN)/rag eval --mode extractive --gate

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python bench/run.py

index: $(STAMP)
	$(BIN)/rag index

clean:
	rm -rf index/build-* index/manifest.json .cache evals/reports
