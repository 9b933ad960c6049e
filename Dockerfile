# syntax=docker/dockerfile:1
# rp_portal's production image: gunicorn (the default command), the Celery worker and beat all
# run from it (see docker-compose.yml). Configuration comes from the environment only; see
# rp_portal/settings.py and the configuration table in README.md.

# --- Stage 1: front-end packages from the npm registry (Bootstrap, served as our own static) ---
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

# --- Stage 2: the application ------------------------------------------------------------------
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app

# WeasyPrint's libraries (pango, harfbuzz) and a font for the PDFs; pg_dump and pg_restore
# (PostgreSQL 15, as the compose database) for `manage.py backup` and `restore`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
        postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*

# The processes run as this user; the code and collected static files stay owned by root.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app \
        --shell /usr/sbin/nologin app

WORKDIR /app

# Python dependencies first (their own layer, rebuilt only when the lock changes), every one
# checked against the hashes in requirements.lock.
COPY requirements.lock ./
RUN python -m venv /opt/venv \
    && pip install --require-hashes -r requirements.lock

COPY . .
# settings.STATICFILES_DIRS reads Bootstrap from BASE_DIR/node_modules/bootstrap/dist.
COPY --from=assets /build/node_modules/bootstrap/dist node_modules/bootstrap/dist

# collectstatic only imports settings, which in "served" mode insist on these variables; the
# dummy values exist for this one command and are not part of the image's environment.
RUN DATABASE_URL=postgres://build@localhost/build \
    SECRET_KEY=build-only \
    ALLOWED_HOSTS=build \
    REDIS_URL=redis://localhost \
    EMAIL_HOST=localhost \
    JOURNAL_KEYS=YnVpbGQtb25seS1ub3QtYS1yZWFsLWtleS0zMmJ5dGU= \
    PSEUDONYM_KEY=build-only-not-a-secret-0123456789abcdef \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/var /app/media \
    && chown app:app /app/var /app/media

# /app/var holds Celery beat's schedule, /app/media the uploads (MEDIA_ROOT in compose). Named
# volumes mounted there start with this ownership.
USER app

EXPOSE 8000

# Workers, timeout and logs: gunicorn.conf.py (2 x cores + 1 workers unless WEB_CONCURRENCY).
CMD ["gunicorn", "rp_portal.wsgi:application"]
