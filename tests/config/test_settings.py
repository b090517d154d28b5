import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

REPO = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    environment.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=environment, capture_output=True, text=True)


@pytest.fixture
def production_env(tmp_path):
    key_file = tmp_path / "pseudonym.key"
    key_file.write_text("f" * 64)
    address_key_file = tmp_path / "address.key"
    address_key_file.write_bytes(Fernet.generate_key())
    return {
        "UPTAKE_PRODUCTION": "1",
        "SECRET_KEY": "k3Yq8w-Zr0pLm5vT1xN7cB2hJ9sD4fG6aQ0eR8tY2uI5oP3lK7jH1gF9dS4aZ6xC",
        "ALLOWED_HOSTS": "survey.example.org",
        "UPTAKE_PSEUDONYM_KEY_FILE": str(key_file),
        "UPTAKE_ADDRESS_KEY_FILE": str(address_key_file),
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


def test_a_missing_address_key_file_is_reported_at_start_up(production_env, tmp_path):
    production_env["UPTAKE_ADDRESS_KEY_FILE"] = str(tmp_path / "missing-address.key")

    result = manage("check", **production_env)

    assert result.returncode != 0
    assert "studies.E001" in result.stderr and "missing-address.key does not exist" in result.stderr
