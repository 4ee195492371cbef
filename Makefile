# Brandloom: `make run` starts the platform with a demo brand; `make test` runs every check.
# Both build what they need first (virtualenv, packages, Chromium) and start their own
# PostgreSQL + pgvector and Redis (see devstack/), unless DATABASE_URL / REDIS_URL say otherwise.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test manage lint format typecheck pytest install chromium fonts clean help

help:
	@echo "make run    start PostgreSQL, Redis, web, worker and beat with a demo brand"
	@echo "make test   lint, type-check and run the whole test suite"

install: $(STAMP)

$(STAMP): pyproject.toml scripts/find-python
	@python=$$(scripts/find-python) || exit 1; \
	if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		echo "Removing $(VENV): it was built with a Python older than 3.12."; rm -rf $(VENV); fi; \
	if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$python"; "$$python" -m venv $(VENV) || exit 1; fi
	@$(PY) -m pip install --quiet --upgrade pip 2>&1 | grep -v "is ignored" || true
	@echo "Installing Python packages (this takes a minute the first time)..."
	@$(PY) -m pip install --editable '.[dev]' > $(VENV)/install.log 2>&1 \
		|| { tail -n 25 $(VENV)/install.log; echo "Installing the Python packages failed: read $(VENV)/install.log, fix the cause, and run make again."; exit 1; }
	@touch $(STAMP)

# Browser tests drive Debian's Chromium: Playwright cannot download its own browsers here.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" != 0 ]; then echo "Chromium is missing: run 'sudo apt-get install -y chromium' (or set CHROMIUM=/path/to/chromium) and make again."; exit 1; fi; \
		echo "Installing Chromium and CJK fonts from Debian (once)..."; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null \
		|| { echo "Installing Chromium with apt-get failed: run 'apt-get install chromium' by hand to see why."; exit 1; }; \
	fi

# The poster compositor draws with Debian's Noto CJK, DejaVu and Noto Color Emoji fonts.
FONT_FILES := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc \
	/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc \
	/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf \
	/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
fonts:
	@missing=0; for file in $(FONT_FILES); do [ -f "$$file" ] || missing=1; done; \
	if [ "$$missing" = 1 ]; then \
		if [ "$$(id -u)" != 0 ]; then echo "Poster fonts are missing: run 'sudo apt-get install -y fonts-noto-cjk fonts-dejavu-core fonts-noto-color-emoji' and make again."; exit 1; fi; \
		echo "Installing the poster fonts from Debian (once)..."; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-noto-cjk fonts-dejavu-core fonts-noto-color-emoji >/dev/null \
		|| { echo "Installing the fonts with apt-get failed: run 'apt-get install fonts-noto-cjk fonts-dejavu-core fonts-noto-color-emoji' by hand to see why."; exit 1; }; \
	fi

run: $(STAMP) fonts
	@$(PY) -m devstack run

# A management command against the running `make run`, e.g.
#   make manage ARGS="generate --tenant demo --script FILE --channels live_1080x1920 --wait"
manage: $(STAMP)
	@$(PY) -m devstack manage -- $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: $(STAMP)
	$(VENV)/bin/mypy .

pytest: $(STAMP) chromium fonts
	@$(PY) -m devstack test -- $(PYTEST_ARGS)

test: lint typecheck pytest

clean:
	rm -rf $(VENV) .data .pytest_cache .mypy_cache .ruff_cache
