import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    environment.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=environment, capture_output=True, text=True)


@pytest.fixture
def production_env(tmp_path):
    key_file = tmp_path / "pseudonym.key"
    key_file.write_text("f" * 64)
    key_file.chmod(0o600)
    return {
        "UPTAKE_PRODUCTION": "1",
        "SECRET_KEY": "k3Yq8w-Zr0pLm5vT1xN7cB2hJ9sD4fG6aQ0eR8tY2uI5oP3lK7jH1gF9dS4aZ6xC",
        "ALLOWED_HOSTS": "survey.example.org",
        "UPTAKE_PSEUDONYM_KEY_FILE": str(key_file),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }


def test_production_settings_pass_the_deployment_checks_without_warnings(production_env):
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production_env)

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(production_env):
    production_env.pop("SECRET_KEY")

    result = manage("check", **production_env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_missing_pseudonym_key_file_is_reported_at_start_up(production_env, tmp_path):
    production_env["UPTAKE_PSEUDONYM_KEY_FILE"] = str(tmp_path / "missing.key")

    result = manage("check", **production_env)

    assert result.returncode != 0
    assert "surveys.E002" in result.stderr and "missing.key does not exist" in result.stderr


def test_gunicorn_fails_at_start_up_not_at_the_first_respondent_when_the_key_is_missing(production_env, tmp_path):
    production_env["UPTAKE_PSEUDONYM_KEY_FILE"] = str(tmp_path / "missing.key")
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"} | production_env

    loading = subprocess.run([sys.executable, "-c", "import config.wsgi"], cwd=REPO, env=environment,
                             capture_output=True, text=True)

    assert loading.returncode != 0
    assert "PseudonymKeyError" in loading.stderr and "missing.key does not exist" in loading.stderr


def test_production_refuses_a_key_file_others_can_read(production_env):
    os.chmod(production_env["UPTAKE_PSEUDONYM_KEY_FILE"], 0o644)

    result = manage("check", "--deploy", **production_env)

    assert result.returncode != 0
    assert "surveys.E002" in result.stderr and "readable by group or others" in result.stderr


def test_production_refuses_the_console_mail_backend(production_env):
    result = manage("check", EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend", **production_env)

    assert result.returncode != 0
    assert "EMAIL_BACKEND must not be the console backend" in result.stderr


def test_production_sends_mail_over_smtp_configured_from_the_environment(production_env):
    env = {**production_env, "EMAIL_HOST": "mail.example.org", "EMAIL_PORT": "587", "EMAIL_USE_TLS": "1",
           "EMAIL_HOST_USER": "uptake"}

    result = manage("shell", "-c", "from django.conf import settings as s; "
                    "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_HOST_USER)", **env)

    assert result.stdout.splitlines()[-1].split() == ["django.core.mail.backends.smtp.EmailBackend", "mail.example.org", "587", "True",
                                     "uptake"]
