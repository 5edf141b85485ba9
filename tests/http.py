"""Small helpers for tests that speak HTTP: sign a test client in without the login form, read a
CSRF token from a page as a browser would, and post a file the way a browser's form does, through
the test client or over a real socket."""

from __future__ import annotations

import http.client
import re
import secrets
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit


def signed_in_client(app, user_id: str | None):
    """A test client whose session belongs to ``user_id`` (``User.get_id()``); None: anonymous."""
    client = app.test_client()
    if user_id is not None:
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
    return client


def csrf_token(client, path: str = "/auth/login") -> str:
    """The CSRF token of the first form on ``path`` (after redirects), valid for ``client``'s session."""
    page = client.get(path, follow_redirects=True).text
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', page)
    assert tag, f"no CSRF token on {path}"
    return re.search(r'value="([^"]+)"', tag[0])[1]


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    text: str


def multipart_body(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """A multipart/form-data body as a browser sends it; ``files`` maps a field to
    ``(filename, data, content_type)``. Returns the body and its Content-Type header."""
    boundary = f"----remiss{uuid.uuid4().hex}"
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, data, content_type) in files.items():
        quoted = filename.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{quoted}"\r\n'
                f"Content-Type: {content_type}\r\n\r\n"
            ).encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def post_over_socket(url: str, body: bytes, content_type: str, cookie: str = "") -> RawResponse:
    """POST ``body`` to a live server over a real TCP connection, as a browser would: the whole
    body is sent before the answer is read. A server that hangs up without answering raises."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        headers = {"Content-Type": content_type, "Content-Length": str(len(body))}
        if cookie:
            headers["Cookie"] = cookie
        connection.request("POST", parts.path or "/", body=body, headers=headers)
        response = connection.getresponse()
        return RawResponse(
            response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
        )
    finally:
        connection.close()


def random_name(prefix: str = "test") -> str:
    return f"{prefix}-{secrets.token_hex(4)}"
