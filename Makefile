# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 7860

.PHONY: run test install install-test browser ocr proxy clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Stamps re-run pip only when pyproject.toml changes.
$(VENV)/.run-installed: pyproject.toml | $(PY)
	$(PY) -m pip install -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(PY)
	$(PY) -m pip install -e ".[small,dev]"
	touch $@

install: $(VENV)/.run-installed
install-test: $(VENV)/.test-installed

# Debian's Chromium and driver for the browser tests (no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver; }

# Debian's Tesseract, with its English data: reads scanned PDF pages and pictures (without it they are
# skipped, and say so). The tests need it; the app runs without it where it cannot be installed.
ocr:
	@command -v tesseract >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq tesseract-ocr; }

# Debian's nginx (the light build), for the test that serves Groundline under a path behind it.
proxy:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx-light; }

run: install
	@$(MAKE) --no-print-directory ocr || echo "Tesseract could not be installed: scanned pages and pictures will be skipped."
	$(VENV)/bin/groundline ingest examples/news
	$(VENV)/bin/groundline serve --port $(PORT)

test: install-test browser ocr proxy
	$(VENV)/bin/ruff check index rag ui tests bench
	$(VENV)/bin/ruff format --check index rag ui tests bench
	$(PY) -m pytest

clean:
	rm -rf $(VENV) .groundline .pytest_cache
