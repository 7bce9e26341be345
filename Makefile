# Two entry points (see README): `make book` and `make test`. Both create .venv and install on
# first use, and reinstall only when pyproject.toml changes, so repeated calls are fast.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PROFILE ?= ci

.PHONY: install test book book-check book-paper clean

install: $(STAMP)

# torch is pinned exactly in pyproject.toml: an unpinned torch would pull a CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[book,test]'
	touch $(STAMP)

# Lint and format check first (seconds), then the tests with the 15 slowest listed.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest --durations=15

# Fetches the benchmark files the book needs that are missing from the data directory first
# (checksum-verified; offline it stops at once naming them and how to provide them).
book: $(STAMP)
	$(BIN)/tgnas book all --profile $(PROFILE) --fetch-data

book-check: $(STAMP)
	$(BIN)/tgnas book check

# The book that shows the published paper-profile runs (book/paper) where they are current, the ci
# runs elsewhere: run `make book` first. HTML in _build/paper/_build/html.
book-paper: $(STAMP)
	$(BIN)/tgnas book build --profile paper

clean:
	rm -rf _build book/chapters
