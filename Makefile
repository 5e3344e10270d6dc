# Two commands do everything: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-slow lint format check-deploy worker beat translations pdf-font clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)

# Re-install only when the requirements change.
$(VENV)/.installed: requirements.txt $(VENV)/bin/activate
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

translations: $(VENV)/.installed
	$(PY) manage.py compile_translations

# The PDFs' font, cut once from the packaged variable font into var/fonts.
pdf-font: $(VENV)/.installed
	$(PY) manage.py prepare_pdf_font

run: $(VENV)/.installed translations pdf-font
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed-dev translations pdf-font
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	# Security lint: any high-severity finding fails the build.
	$(VENV)/bin/bandit -q -r core sscard accounts casework withdrawals pensions benefits maternity workinjury cards corrections employer verification -lll -x '*/migrations/*'
	# Every process logs to one file; the run fails if a full ID number is found in it.
	SSCARD_LOG_FILE=$${SSCARD_LOG_FILE:-$(CURDIR)/var/test-run.log} $(PY) -m pytest $(PYTEST_ARGS)

# Only the slow fault tests (worker SIGKILLs, Redis and PostgreSQL restarts); `make test` runs them too.
test-slow: $(VENV)/.installed-dev
	$(PY) -m pytest -m slow $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

worker: $(VENV)/.installed
	$(VENV)/bin/celery -A sscard worker --loglevel=info

beat: $(VENV)/.installed
	$(VENV)/bin/celery -A sscard beat --loglevel=info

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
