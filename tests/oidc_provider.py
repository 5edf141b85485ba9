"""A real OpenID provider for the sign-in tests: the npm package ``oidc-provider`` (certified
by the OpenID Foundation), installed from ``tests/oidc/package.json`` and its lock file with
``npm ci`` and run by ``tests/oidc/provider.mjs`` on a free loopback port.

The fixture ``oidc_provider`` (session-scoped) yields an ``OidcProvider``: its issuer, the
tracker's client at the provider, the provider's signing key (so that tests can craft ID tokens
the provider could have issued, or sign them with another key), and ``people(...)`` to rewrite
the provider's test people and their groups between sign-ins. The tests are skipped only when
Node.js is not installed (Debian: ``apt-get install nodejs npm``)."""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from remiss import PROJECT_ROOT

PROVIDER_DIR = PROJECT_ROOT / "tests" / "oidc"
CLIENT_ID = "remisstjansten"
KEY_ID = "remiss-test-key"

# The provider's test people (login name → claims) at the start of every test.
PEOPLE = {
    "anna": {
        "email": "anna.andersson@goteborg.se",
        "name": "Anna Andersson",
        "groups": ["slk-remiss-handlaggare"],
    },
    "sven": {
        "email": "sven.svensson@centrum.goteborg.se",
        "name": "Sven Svensson",
        "groups": ["sn-centrum-remissvar", "alla-anstallda"],
    },
    "nora": {"email": "nora.nilsson@goteborg.se", "name": "Nora Nilsson", "groups": ["alla-anstallda"]},
}


@dataclass
class OidcProvider:
    issuer: str
    client_secret: str
    key: RSAKey  # the provider's signing key (private)
    people_file: Path

    client_id: str = CLIENT_ID

    def people(self, people: dict) -> None:
        """Rewrite the provider's people: read afresh at each sign-in."""
        self.people_file.write_text(json.dumps(people), encoding="utf-8")

    def app_config(self) -> dict:
        """The tracker's ``OIDC_*`` settings for this provider."""
        return {
            "OIDC_ISSUER": self.issuer,
            "OIDC_CLIENT_ID": self.client_id,
            "OIDC_CLIENT_SECRET": self.client_secret,
            "OIDC_SCOPES": "openid email profile groups",
        }

    def id_token(self, claims: dict, key: RSAKey | None = None) -> str:
        """An ID token signed with the provider's key (or ``key``), with the provider's key id."""
        now = int(time.time())
        payload = {"iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 600, **claims}
        return jwt.encode({"alg": "RS256", "kid": KEY_ID}, payload, key or self.key)


def signing_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "alg": "RS256", "use": "sig"}, private=True)


def _install() -> None:
    """``npm ci`` when the installed oidc-provider is missing or not the lock file's version."""
    locked = json.loads((PROVIDER_DIR / "package-lock.json").read_text(encoding="utf-8"))
    wanted = locked["packages"]["node_modules/oidc-provider"]["version"]
    installed = PROVIDER_DIR / "node_modules" / "oidc-provider" / "package.json"
    if installed.exists() and json.loads(installed.read_text(encoding="utf-8"))["version"] == wanted:
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is missing: apt-get install npm (the OpenID provider is installed with `npm ci`)")
    subprocess.run(  # noqa: S603 - npm from PATH, fixed arguments
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=PROVIDER_DIR, check=True
    )


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip(
            "Node.js is not installed (apt-get install nodejs npm): no OpenID provider to test against"
        )
    _install()
    folder = tmp_path_factory.mktemp("oidc-provider")
    key = signing_key()
    client_secret = secrets.token_urlsafe(24)
    people_file = folder / "people.json"
    people_file.write_text(json.dumps(PEOPLE), encoding="utf-8")
    config = {
        "port": 0,
        "people_file": str(people_file),
        "cookie_keys": [secrets.token_hex(16)],
        "jwks": {"keys": [key.as_dict(private=True)]},
        "client": {
            "client_id": CLIENT_ID,
            "client_secret": client_secret,
            "client_name": "Remisstjänsten",
            # A loopback client: any port of 127.0.0.1 (RFC 8252), as the tracker's test server
            # runs on a free port chosen per test.
            "application_type": "native",
            "redirect_uris": ["http://127.0.0.1/auth/oidc/callback"],
            "post_logout_redirect_uris": ["http://127.0.0.1/auth/oidc/signed-out"],
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic",
        },
    }
    config_file = folder / "provider.json"
    config_file.write_text(json.dumps(config), encoding="utf-8")
    log = (folder / "provider.log").open("w", encoding="utf-8")
    process = subprocess.Popen(  # noqa: S603 - node from PATH, our own script
        [node, str(PROVIDER_DIR / "provider.mjs"), str(config_file)],
        cwd=PROVIDER_DIR,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    line = _first_line(process, timeout=30)
    if not line.startswith("listening "):
        process.kill()
        log.close()
        pytest.fail(f"the OpenID provider did not start: {line!r}; see {folder / 'provider.log'}")
    provider = OidcProvider(
        issuer=line.split(" ", 1)[1].strip(), client_secret=client_secret, key=key, people_file=people_file
    )
    try:
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
        log.close()


def _first_line(process: subprocess.Popen, timeout: float) -> str:
    result: list[str] = []
    reader = threading.Thread(target=lambda: result.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return result[0] if result else ""


@pytest.fixture
def provider_people(oidc_provider):
    """The provider's people as in ``PEOPLE`` at the start of a test; the test may rewrite them."""
    oidc_provider.people(PEOPLE)
    yield oidc_provider
    oidc_provider.people(PEOPLE)
