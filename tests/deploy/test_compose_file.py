"""deploy/compose.yaml is a valid Compose file that runs the whole production layout.

Docker cannot run here, so the file is checked instead: after interpolation with the values of
deploy/.env.example, against a JSON Schema written from the Compose specification for the part
of it the file uses (unknown keys are errors, as they are for `docker compose config`), then for
what the schema cannot say: references between services, build paths, health checks, and the
processes each service runs."""

import re
from pathlib import Path

import jsonschema
import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ROOT = DEPLOY.parent

DURATION = {"type": "string", "pattern": r"^(\d+(\.\d+)?(us|ms|s|m|h))+$"}
STRINGS = {"type": "array", "items": {"type": "string"}}
COMMAND = {"oneOf": [{"type": "string"}, STRINGS]}
MAPPING = {
    "type": "object",
    "additionalProperties": {"type": ["string", "number", "boolean", "null"]},
}
SERVICE = {
    "type": "object",
    "additionalProperties": False,
    "patternProperties": {"^x-": {}},
    "properties": {
        "image": {"type": "string"},
        "build": {
            "oneOf": [
                {"type": "string"},
                {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "context": {"type": "string"},
                        "dockerfile": {"type": "string"},
                        "args": MAPPING,
                        "target": {"type": "string"},
                    },
                },
            ]
        },
        "command": COMMAND,
        "entrypoint": COMMAND,
        "environment": {"oneOf": [MAPPING, STRINGS]},
        "env_file": {
            "oneOf": [
                {"type": "string"},
                {
                    "type": "array",
                    "items": {
                        "oneOf": [
                            {"type": "string"},
                            {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["path"],
                                "properties": {
                                    "path": {"type": "string"},
                                    "required": {"type": "boolean"},
                                },
                            },
                        ]
                    },
                },
            ]
        },
        "ports": {"type": "array", "items": {"type": ["string", "integer"]}},
        "expose": {"type": "array", "items": {"type": ["string", "integer"]}},
        "volumes": STRINGS,
        "restart": {"enum": ["no", "always", "on-failure", "unless-stopped"]},
        "depends_on": {
            "oneOf": [
                STRINGS,
                {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["condition"],
                        "properties": {
                            "condition": {
                                "enum": [
                                    "service_started",
                                    "service_healthy",
                                    "service_completed_successfully",
                                ]
                            },
                            "restart": {"type": "boolean"},
                            "required": {"type": "boolean"},
                        },
                    },
                },
            ]
        },
        "healthcheck": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "test": {"oneOf": [{"type": "string"}, STRINGS]},
                "interval": DURATION,
                "timeout": DURATION,
                "start_period": DURATION,
                "start_interval": DURATION,
                "retries": {"type": "integer", "minimum": 0},
                "disable": {"type": "boolean"},
            },
        },
        "deploy": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "replicas": {
                    "oneOf": [{"type": "integer"}, {"type": "string", "pattern": r"^\d+$"}]
                }
            },
        },
        "user": {"type": "string"},
        "working_dir": {"type": "string"},
        "stop_grace_period": DURATION,
    },
}
COMPOSE_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "patternProperties": {"^x-": {}},
    "required": ["services"],
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$"},
        "services": {
            "type": "object",
            "propertyNames": {"pattern": "^[a-zA-Z0-9._-]+$"},
            "additionalProperties": SERVICE,
        },
        "volumes": {"type": "object", "additionalProperties": {"type": ["object", "null"]}},
        "networks": {"type": "object", "additionalProperties": {"type": ["object", "null"]}},
    },
}

VARIABLE = re.compile(r"\$(?:\$|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?])?(?P<arg>[^}]*)\})")


def env_example():
    values = {}
    for line in (DEPLOY / ".env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def interpolate(value, env, missing):
    """Compose's ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, $$."""
    if isinstance(value, dict):
        return {k: interpolate(v, env, missing) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env, missing) for v in value]
    if not isinstance(value, str):
        return value

    def replace(match):
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name", "op", "arg")
        if name in env and (env[name] != "" or op not in (":-", ":?")):
            return env[name]
        if op in (":-", "-"):
            return arg
        missing.add(name)
        return ""

    return VARIABLE.sub(replace, value)


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


@pytest.fixture(scope="module")
def compose(raw):
    missing = set()
    out = interpolate(raw, env_example(), missing)
    assert not missing, f"deploy/.env.example does not set {sorted(missing)}"
    return out


def test_it_matches_the_compose_schema(compose):
    jsonschema.Draft202012Validator.check_schema(COMPOSE_SCHEMA)
    errors = sorted(jsonschema.Draft202012Validator(COMPOSE_SCHEMA).iter_errors(compose), key=str)
    assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


def test_the_schema_refuses_what_compose_refuses(compose):
    """The schema is strict enough to catch a typo or a wrong shape."""
    import copy

    validator = jsonschema.Draft202012Validator(COMPOSE_SCHEMA)
    for path, value in (
        (("services", "web", "helthcheck"), {}),
        (("services", "web", "restart"), "sometimes"),
        (("services", "web", "depends_on", "db", "condition"), "service_ready"),
        (("services", "db", "healthcheck", "interval"), "5 seconds"),
    ):
        broken = copy.deepcopy(compose)
        node = broken
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        assert not validator.is_valid(broken), path


def test_every_reference_resolves(compose):
    services = compose["services"]
    volumes = set(compose.get("volumes") or {})
    for name, service in services.items():
        for dependency in service.get("depends_on") or {}:
            assert dependency in services, (name, dependency)
            assert dependency != name
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).exists(), (name, source)
            else:
                assert source in volumes, (name, source)
        build = service.get("build")
        if build:
            context = (DEPLOY / build["context"]).resolve()
            assert context == ROOT
            assert (context / build["dockerfile"]).is_file()
        for env_file in service.get("env_file", []):
            # deploy/.env is the operator's copy of deploy/.env.example
            assert env_file["path"] == ".env" and (DEPLOY / ".env.example").is_file()


def test_it_runs_the_production_layout(compose):
    services = compose["services"]
    assert {"db", "redis", "migrate", "web", "ws", "worker", "nginx"} <= set(services)
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert services["web"]["command"][:1] == ["gunicorn"]
    assert "kdesk.wsgi:application" in services["web"]["command"]
    assert services["ws"]["command"][:3] == ["python", "-m", "kdesk.serving.asgi_server"]
    assert "kdesk.asgi:application" in services["ws"]["command"]
    assert services["worker"]["command"] == ["python", "manage.py", "db_worker"]
    migrate = " ".join(services["migrate"]["command"])
    assert "manage.py migrate --noinput" in migrate
    assert "manage.py collectstatic --noinput" in migrate
    for name in ("web", "ws", "worker"):
        service = services[name]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
        assert service["environment"]["DATABASE_URL"].startswith("postgres://kdesk:")
        assert service["environment"]["DATABASE_URL"].endswith("@db:5432/kdesk")
        assert service["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert service["environment"]["TRUSTED_PROXY_COUNT"] == "1"  # nginx in front
    assert services["nginx"]["depends_on"] == {
        "web": {"condition": "service_healthy"},
        "ws": {"condition": "service_healthy"},
    }
    # only nginx is published
    assert [name for name, s in services.items() if s.get("ports")] == ["nginx"]


def test_the_health_checks_ask_healthz_and_readyz(compose):
    services = compose["services"]
    web = " ".join(services["web"]["healthcheck"]["test"])
    ws = " ".join(services["ws"]["healthcheck"]["test"])
    assert "127.0.0.1:8000/readyz" in web
    assert "127.0.0.1:8001/healthz" in ws
    assert "/healthz" in " ".join(services["nginx"]["healthcheck"]["test"])
    for name in ("db", "redis", "web", "ws", "nginx"):
        assert services[name]["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name


def test_the_env_example_sets_what_the_app_requires():
    values = env_example()
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "POSTGRES_PASSWORD"):
        assert values.get(name), name
    # every setting it names is one kdesk/settings.py or gunicorn's config reads
    read = (ROOT / "kdesk" / "settings.py").read_text() + (DEPLOY / "gunicorn.conf.py").read_text()
    compose_text = (DEPLOY / "compose.yaml").read_text()
    for name in values:
        assert f'"{name}"' in read or "${" + name in compose_text, name
