# rp_portal — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/rp_portal
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
PYTEST_ARGS ?=

.PHONY: install run test lint format check-deploy lock clean backup restore bench guide-screenshots

# requirements.lock is what production installs; requirements-dev.lock adds the test tools.
$(VENV)/.installed: requirements-dev.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed
	scripts/system-packages

## make run: set up, migrate, load the demo, start web + worker + beat (Ctrl-C stops all).
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_data
	@echo
	@echo "  rp_portal is starting at http://127.0.0.1:$(PORT)  (PORT=... to change it)"
	@echo "  Emails are printed here and saved under var/mail/."
	@echo
	PORT=$(PORT) $(VENV)/bin/honcho -f Procfile.dev start

## make test: set up, then lint, migrations check, deploy check and the whole test suite.
test: install
	scripts/system-packages --tests
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	DJANGO_SETTINGS_MODULE=rp_portal.settings_test DATABASE_URL=$(TEST_DATABASE_URL) \
	  REDIS_URL=$(TEST_REDIS_URL) $(PY) manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory check-deploy
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest $(PYTEST_ARGS)

## Django's deployment checks under production settings (what docker-compose runs).
check-deploy: install
	DJANGO_SETTINGS_MODULE=rp_portal.settings DEBUG=false \
	  SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  ALLOWED_HOSTS=rp.example.org DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
	  EMAIL_HOST=smtp.example.org \
	  JOURNAL_KEYS="$$($(PY) -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" \
	  PSEUDONYM_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(48))')" \
	  $(PY) manage.py check --deploy --fail-level WARNING

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(VENV)/.installed
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

## Seed S and 10S into their own databases, load them under gunicorn, 10,000 reminders, PDF packs:
## writes docs/benchmarks.md (about 15 minutes; needs PostgreSQL and Redis as for make test).
bench: install
	$(PY) scripts/bench_pages.py
	$(PY) scripts/bench_reminders.py
	$(PY) scripts/bench_packs.py

## Run the browser journeys the user guide shows and copy their pictures to docs/images/.
guide-screenshots: install
	scripts/system-packages --tests
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) \
	  $(PY) scripts/user_guide_screenshots.py

## Re-resolve both lock files from pyproject.toml (needs network to PyPI).
lock: $(VENV)/.installed
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --python-version 3.11 \
	  --generate-hashes -o requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 \
	  --generate-hashes -o requirements-dev.lock

## Back up PostgreSQL and the media folder into one timestamped folder (no keys: see README).
##   make backup [BACKUP_DIR=/srv/backups]
backup:
	$(PY) manage.py backup $(if $(BACKUP_DIR),--to "$(BACKUP_DIR)")

## Restore one: make restore BACKUP=<folder> [RESTORE_DATABASE_URL=...] [RESTORE_MEDIA_ROOT=...]
restore:
	@test -n "$(BACKUP)" || { echo "Usage: make restore BACKUP=var/backups/rp_portal-YYYYMMDD-HHMMSS [RESTORE_DATABASE_URL=postgres://...] [RESTORE_MEDIA_ROOT=...] [RESTORE_REPLACE=1]"; exit 2; }
	$(PY) manage.py restore "$(BACKUP)" $(if $(RESTORE_DATABASE_URL),--database-url "$(RESTORE_DATABASE_URL)") \
	  $(if $(RESTORE_MEDIA_ROOT),--media-root "$(RESTORE_MEDIA_ROOT)") $(if $(RESTORE_REPLACE),--replace)

clean:
	rm -rf $(VENV) node_modules staticfiles test-artifacts .pytest_cache .ruff_cache
