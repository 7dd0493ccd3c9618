"""The `oidc_provider` fixture: the test provider (serve.py) as a subprocess on loopback."""

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.oidc_provider.serve import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    password: str = PASSWORD

    @property
    def url(self) -> str:
        return self.issuer.removesuffix("/o")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def oidc_provider():
    port = free_port()
    client_id, secret = "coursesite-tests", "client-secret-for-tests-0123456789"
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.serve", str(port), client_id, secret],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    issuer = f"http://127.0.0.1:{port}/o"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(f"The test provider stopped (exit {process.returncode})")
            try:
                requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    pytest.fail("The test provider did not start within 90 s")
                time.sleep(0.2)
        yield Provider(issuer=issuer, client_id=client_id, client_secret=secret)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def sso_settings(settings, oidc_provider):
    """The course site configured for the test provider."""
    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_RP_CLIENT_ID = oidc_provider.client_id
    settings.OIDC_RP_CLIENT_SECRET = oidc_provider.client_secret
    settings.OIDC_BUTTON_NAME = "Log in with Test University"
    return settings
