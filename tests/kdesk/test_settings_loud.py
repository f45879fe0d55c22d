import os
import subprocess
import sys

import pytest

BASE = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "kdesk.settings"}


def load(**env):
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**BASE, **env},
        capture_output=True,
        text=True,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
        timeout=60,
    )


def test_it_starts_with_a_secret_key():
    assert load(SECRET_KEY="x" * 50).returncode == 0


def test_missing_secret_key_outside_debug_fails_naming_it():
    result = load()
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_debug_runs_without_a_secret_key():
    assert load(DEBUG="true").returncode == 0


@pytest.mark.parametrize(
    "name,value",
    [
        ("DEBUG", "maybe"),
        ("API_RATE_LIMIT_PER_MINUTE", "lots"),
        ("DATABASE_URL", "nosuchdb://x"),
        ("REDIS_URL", "http://localhost"),
        ("TASK_BACKEND", "carrier-pigeon"),
        ("AXES_ENABLED", "sometimes"),
        ("AXES_FAILURE_LIMIT", "0"),
        ("AXES_COOLOFF_MINUTES", "soon"),
        ("TRUSTED_PROXY_COUNT", "-1"),
    ],
)
def test_malformed_values_fail_naming_the_variable(name, value):
    result = load(SECRET_KEY="x" * 50, **{name: value})
    assert result.returncode != 0
    assert name in result.stderr


def test_check_deploy_passes_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**BASE, "SECRET_KEY": "k" * 20 + "Z9!q" * 10, "ALLOWED_HOSTS": "desk.example.com"},
        capture_output=True,
        text=True,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr + result.stdout
