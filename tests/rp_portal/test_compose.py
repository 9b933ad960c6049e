"""The production description (docker-compose.yml and the Dockerfile), read as files.

No Docker engine is needed: these tests check that the services are the ones we run, that each
has a way to say it is healthy, and that every command, module, file and environment variable
the description names exists in this repository.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands
from django.urls import reverse

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
SETTINGS_FILE = REPO / "rp_portal" / "settings.py"
README_FILE = REPO / "README.md"

REQUIRED_SERVICES = {"web", "worker", "beat", "postgres", "redis"}
# Services that are expected to exit (so a healthcheck means nothing) or serve nothing to ask.
NO_HEALTHCHECK = {"beat", "migrate"}
ONE_SHOT = {"migrate"}


def _load_compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


COMPOSE = _load_compose()
SERVICES: dict[str, dict] = COMPOSE["services"]
# The services built from this repository (as opposed to stock postgres and redis images).
APP_SERVICES = sorted(name for name, service in SERVICES.items() if "build" in service)


def _environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # the "NAME=value" list form
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {name: "" if value is None else str(value) for name, value in env.items()}


def _app_environment_names() -> list[str]:
    return sorted({var for name in APP_SERVICES for var in _environment(SERVICES[name])})


def _dockerfile_path(service: dict) -> Path:
    build = service["build"]
    if isinstance(build, str):
        return REPO / build / "Dockerfile"
    return REPO / build.get("context", ".") / build.get("dockerfile", "Dockerfile")


def _dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        full = pending + line
        pending = ""
        keyword, _, args = full.partition(" ")
        instructions.append((keyword.upper(), args.strip()))
    return instructions


def _final_stage(path: Path) -> list[tuple[str, str]]:
    instructions = _dockerfile_instructions(path)
    last_from = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[last_from:]


def _as_argv(command: str | list[str]) -> list[str]:
    return shlex.split(command) if isinstance(command, str) else [str(arg) for arg in command]


def _effective_command(service: dict) -> list[str]:
    """The service's command, or the Dockerfile's CMD when compose does not override it."""
    if "command" in service:
        return _as_argv(service["command"])
    cmds = [args for keyword, args in _final_stage(_dockerfile_path(service)) if keyword == "CMD"]
    assert cmds, "the service has no command and its Dockerfile has no CMD"
    cmd = cmds[-1]
    return json.loads(cmd) if cmd.startswith("[") else shlex.split(cmd)


def _module_defines(path: Path, name: str) -> bool:
    """Whether the module at ``path`` binds ``name`` at its top level."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            if node.name == name:
                return True
            continue
        elif isinstance(node, ast.Import | ast.ImportFrom):
            if any((alias.asname or alias.name) == name for alias in node.names):
                return True
            continue
        else:
            continue
        if any(isinstance(target, ast.Name) and target.id == name for target in targets):
            return True
    return False


def _healthcheck_text(service: dict) -> str:
    test = service["healthcheck"]["test"]
    return test if isinstance(test, str) else " ".join(str(part) for part in test)


def test_compose_defines_the_web_worker_beat_postgres_and_redis_services():
    assert set(SERVICES) >= REQUIRED_SERVICES


def test_every_service_has_a_healthcheck():
    missing = [
        name
        for name, service in SERVICES.items()
        if name not in NO_HEALTHCHECK
        and (
            not service.get("healthcheck", {}).get("test")
            or service["healthcheck"].get("disable")
            or service["healthcheck"]["test"] in (["NONE"], "NONE")
        )
    ]
    assert missing == []


def test_beat_never_runs_more_than_one_replica():
    beat = SERVICES["beat"]
    assert beat.get("deploy", {}).get("replicas", 1) <= 1
    assert beat.get("scale", 1) <= 1


def test_one_shot_services_are_not_restarted():
    for name in ONE_SHOT & set(SERVICES):
        assert SERVICES[name].get("restart", "no") == "no", name


def test_the_web_healthcheck_asks_healthz_as_if_through_the_tls_proxy():
    check = _healthcheck_text(SERVICES["web"])
    assert "127.0.0.1:8000" in check or '"127.0.0.1", 8000' in check
    assert reverse("healthz") in check
    # Production settings redirect plain http; the header is only trusted behind the proxy.
    assert "X-Forwarded-Proto" in check
    assert _environment(SERVICES["web"])["BEHIND_TLS_PROXY"].lower() == "true"


def test_the_worker_healthcheck_pings_its_own_node():
    check = _healthcheck_text(SERVICES["worker"])
    assert "celery -A rp_portal inspect ping" in check
    assert "celery@$$HOSTNAME" in check or "celery@$HOSTNAME" in check


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_app_service_command_refers_to_code_that_exists(name):
    argv = _effective_command(SERVICES[name])
    program = Path(argv[0]).name
    if program == "gunicorn":
        target = next(arg for arg in argv[1:] if re.fullmatch(r"[\w.]+:\w+", arg))
        module, attribute = target.split(":")
        module_file = REPO / (module.replace(".", "/") + ".py")
        assert module_file.is_file(), module_file
        assert _module_defines(module_file, attribute), f"{module_file} has no {attribute}"
    elif program == "celery":
        app_module = argv[argv.index("-A") + 1]
        celery_file = REPO / app_module.replace(".", "/") / "celery.py"
        assert celery_file.is_file(), celery_file
        assert _module_defines(celery_file, "app")
        assert argv[argv.index("-A") + 2] in {"worker", "beat"}
    elif program.startswith("python") and argv[1] == "manage.py":
        assert (REPO / "manage.py").is_file()
        assert argv[2] in get_commands(), f"no management command {argv[2]!r}"
    else:
        pytest.fail(f"{name} runs {argv!r}, which this test does not know how to check")


def test_the_programs_the_services_run_are_locked_requirements():
    lock = (REPO / "requirements.lock").read_text().lower()
    programs = {Path(_effective_command(SERVICES[name])[0]).name for name in APP_SERVICES}
    for program in programs - {"python"}:
        assert re.search(rf"^{program}==", lock, re.MULTILINE), program


def test_web_starts_only_after_migrations_have_run():
    web = SERVICES["web"]
    depends_on = web.get("depends_on", {})
    if "migrate" in SERVICES:
        assert depends_on["migrate"]["condition"] == "service_completed_successfully"
        assert _effective_command(SERVICES["migrate"])[1:3] == ["manage.py", "migrate"]
    else:
        assert "manage.py migrate" in " ".join(_effective_command(web))


def test_services_wait_for_postgres_and_redis_to_be_healthy():
    for name in APP_SERVICES:
        for dependency, condition in (SERVICES[name].get("depends_on") or {}).items():
            if dependency in {"postgres", "redis"}:
                assert condition["condition"] == "service_healthy", (name, dependency)
    for name in ("web", "worker"):
        assert {"postgres", "redis"} <= set(SERVICES[name]["depends_on"]), name


def test_every_app_service_is_built_from_a_dockerfile_that_installs_locked_hashes():
    assert APP_SERVICES, "no service is built from this repository"
    for name in APP_SERVICES:
        dockerfile = _dockerfile_path(SERVICES[name])
        assert dockerfile.is_file(), f"{name} builds from {dockerfile}, which does not exist"
        pip_lines = [
            args
            for keyword, args in _dockerfile_instructions(dockerfile)
            if keyword == "RUN" and "pip install" in args
        ]
        assert pip_lines, f"{dockerfile} installs no Python packages"
        for args in pip_lines:
            assert "--require-hashes" in args
            assert re.search(r"-r\s+requirements\.lock\b", args)
    assert (REPO / "requirements.lock").is_file()


def test_the_image_puts_bootstrap_where_staticfiles_dirs_expects_it():
    bootstrap = Path(settings.BASE_DIR) / "node_modules" / "bootstrap" / "dist"
    dirs = [Path(d[-1] if isinstance(d, tuple) else d) for d in settings.STATICFILES_DIRS]
    assert bootstrap in dirs
    dockerfile = _dockerfile_path(SERVICES["web"])
    copies = [args for keyword, args in _final_stage(dockerfile) if keyword == "COPY"]
    assert any(
        args.startswith("--from=") and args.split()[-1].rstrip("/") == "node_modules/bootstrap/dist"
        for args in copies
    )
    runs = [args for keyword, args in _final_stage(dockerfile) if keyword == "RUN"]
    assert any("manage.py collectstatic --noinput" in args for args in runs)


def test_the_image_runs_as_a_non_root_user():
    users = [
        args
        for keyword, args in _final_stage(_dockerfile_path(SERVICES["web"]))
        if keyword == "USER"
    ]
    assert users
    assert users[-1].split(":")[0] not in {"root", "0"}


def test_the_secret_key_has_no_default_and_must_be_supplied():
    for name in APP_SERVICES:
        value = _environment(SERVICES[name]).get("SECRET_KEY", "")
        assert value.startswith("${SECRET_KEY:?"), value


def test_media_is_a_named_volume_shared_by_web_and_worker():
    media_root = _environment(SERVICES["web"])["MEDIA_ROOT"]
    mounts = {}
    for name in ("web", "worker"):
        volumes = [v for v in SERVICES[name].get("volumes", []) if isinstance(v, str)]
        mounts[name] = {v.split(":")[0] for v in volumes if v.split(":")[1] == media_root}
    shared = mounts["web"] & mounts["worker"]
    assert shared, "web and worker do not mount the same volume at MEDIA_ROOT"
    assert shared <= set(COMPOSE.get("volumes") or {}), "the media volume is not a named volume"


def test_postgres_keeps_its_data_in_a_named_volume():
    volumes = SERVICES["postgres"].get("volumes", [])
    sources = {v.split(":")[0] for v in volumes if v.split(":")[1] == "/var/lib/postgresql/data"}
    assert sources
    assert sources <= set(COMPOSE.get("volumes") or {})


@pytest.mark.parametrize("name", _app_environment_names())
def test_every_app_environment_variable_is_read_by_settings(name):
    source = SETTINGS_FILE.read_text()
    # rp_portal.env also accepts NAME_FILE (a Docker secret) for any NAME that settings read.
    read_as = name.removesuffix("_FILE") if name.endswith("_FILE") else name
    assert f'"{read_as}"' in source, f"rp_portal/settings.py never reads {read_as}"


@pytest.mark.parametrize("name", _app_environment_names())
def test_every_app_environment_variable_is_documented_in_the_readme(name):
    assert README_FILE.is_file(), "README.md is missing"
    assert re.search(rf"\b{re.escape(name)}\b", README_FILE.read_text()), (
        f"README.md does not mention {name}"
    )
