"""A real OpenID Connect provider (tests/oidc_provider, panva's oidc-provider) for login tests.

Import the fixture into a test module: `from tests.oidc_fixtures import oidc_provider`.
The provider registers one confidential client whose redirect URI is the django-allauth
callback on pytest-django's live server, so the whole login runs over real HTTP.
"""

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc_provider"
CLIENT_ID = "uptake"
CLIENT_SECRET = "uptake-test-secret"
PROVIDER_ID = "keycloak"
STARTUP_TIMEOUT_SECONDS = 20


class OidcProviderError(RuntimeError):
    pass


@dataclass(frozen=True)
class RunningOidcProvider:
    issuer: str
    client_id: str
    secret: str


@pytest.fixture(scope="session")
def oidc_provider(live_server, tmp_path_factory):
    """Start the provider on a free port; yield its issuer and client credentials."""
    _install_node_packages()
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    callback_url = f"{live_server.url}/accounts/oidc/{PROVIDER_ID}/login/callback/"
    log_path = tmp_path_factory.mktemp("oidc_provider") / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            ["node", "server.mjs", str(port), callback_url],
            cwd=PROVIDER_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_discoverable(issuer, process, log_path)
        yield RunningOidcProvider(issuer=issuer, client_id=CLIENT_ID, secret=CLIENT_SECRET)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _install_node_packages():
    if (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise OidcProviderError(f"npm is needed to install the test provider in {PROVIDER_DIR}")
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=PROVIDER_DIR,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise OidcProviderError(f"npm ci in {PROVIDER_DIR} failed:\n{result.stdout}{result.stderr}")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_discoverable(issuer, process, log_path):
    discovery_url = f"{issuer}/.well-known/openid-configuration"
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise OidcProviderError(
                f"the test OIDC provider exited with code {process.returncode} before answering "
                f"{discovery_url}; its output:\n{log_path.read_text()}"
            )
        try:
            with urllib.request.urlopen(discovery_url, timeout=1):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise OidcProviderError(
        f"the test OIDC provider did not answer {discovery_url} within "
        f"{STARTUP_TIMEOUT_SECONDS} s; its output:\n{log_path.read_text()}"
    )
