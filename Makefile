# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 7860

.PHONY: run test install install-test browser ocr antiword proxy clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# llama-cpp-python is compiled here for this CPU (-march=native), but without Intel AMX: some virtual machines
# report AMX and then trap its instructions (SIGILL at the first answer, seen on a Xeon VM). pip's wheel cache
# is keyed by the source alone, not by build flags or CPU, so the wheel is built outside it, kept in a folder
# named for this CPU's features, the flags and the version (pyproject.toml's pin), and installed before the rest.
LLAMA_CPP := $(shell grep -o 'llama-cpp-python==[0-9.]*' pyproject.toml | head -1)
NO_AMX := $(if $(filter x86_64,$(shell uname -m)),-mno-amx-tile -mno-amx-int8 -mno-amx-bf16)
LLAMA_KEY := $(shell { grep -m1 -E '^(flags|Features)' /proc/cpuinfo; uname -m; echo '$(LLAMA_CPP) $(NO_AMX)'; } \
                     | sha256sum | cut -c1-16)
LLAMA_WHEELS := $(HOME)/.cache/groundline/llama-cpp/$(LLAMA_KEY)

$(VENV)/.llama-cpp-installed: | $(PY)
	ls $(LLAMA_WHEELS)/*.whl >/dev/null 2>&1 || CFLAGS="$(NO_AMX)" CXXFLAGS="$(NO_AMX)" \
	  $(PY) -m pip wheel --no-deps --no-cache-dir --no-binary llama-cpp-python -w $(LLAMA_WHEELS) "$(LLAMA_CPP)"
	$(PY) -m pip install --force-reinstall --no-deps $(LLAMA_WHEELS)/*.whl
	touch $@

# Stamps re-run pip only when pyproject.toml changes.
$(VENV)/.run-installed: pyproject.toml | $(PY) $(VENV)/.llama-cpp-installed
	$(PY) -m pip install -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(PY) $(VENV)/.llama-cpp-installed
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

# Debian's antiword: reads the Word 97-2003 documents (.doc) msdoc2docx cannot convert; without it they are
# skipped, and say so. The tests need it; the app runs without it where it cannot be installed.
antiword:
	@command -v antiword >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq antiword; }

# Debian's nginx (the light build), for the test that serves Groundline under a path behind it.
proxy:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx-light; }

run: install
	@$(MAKE) --no-print-directory ocr || echo "Tesseract could not be installed: scanned pages and pictures will be skipped."
	@$(MAKE) --no-print-directory antiword || echo "antiword could not be installed: Word 97-2003 (.doc) files msdoc2docx cannot convert will be skipped."
	$(VENV)/bin/groundline ingest examples/news
	$(VENV)/bin/groundline serve --port $(PORT)

# The unit tests on two workers (pytest-xdist: 225 s -> 125 s on 2 cores), then the end-to-end tests alone, one at
# a time: they share session fixtures that take minutes to build (the ingested corpus, the models, a served app,
# the browser), and beside other work on 2 cores the model answers at half speed (both at once: 1048 s in all,
# against 900 s one after another, 2026-12-01/02).
test: install-test browser ocr antiword proxy
	$(VENV)/bin/ruff check index rag ui tests bench
	$(VENV)/bin/ruff format --check index rag ui tests bench
	$(PY) -m pytest -n 2 -m "not e2e"
	$(PY) -m pytest -m e2e

clean:
	rm -rf $(VENV) .groundline .pytest_cache
