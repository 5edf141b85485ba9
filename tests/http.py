"""Small helpers for tests that speak HTTP: sign a test client in without the login form, read a
CSRF token or a whole form from a page as a browser would, and post a file the way a browser's
form does, through the test client or over a real socket. Light on imports: the load test's
locustfile uses it too."""

from __future__ import annotations

import http.client
import re
import secrets
import uuid
from dataclasses import dataclass
from html.parser import HTMLParser
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


class _FormReader(HTMLParser):
    def __init__(self, action: str):
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.values: dict[str, str] = {}
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") == self.action
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in attrs:
                    self.values[name] = attrs.get("value", "on")
            elif kind not in ("file", "submit"):
                self.values[name] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            # A browser drops the one line break right after <textarea>.
            if text.startswith("\r\n"):
                text = text[2:]
            elif text.startswith("\n"):
                text = text[1:]
            self.values[self._textarea] = text
            self._textarea = None
        if tag == "form":
            self.inside = False


def read_form(html: str, action: str) -> dict[str, str]:
    """The fields of the form posting to ``action`` as a browser would send them unchanged."""
    reader = _FormReader(action)
    reader.feed(html)
    assert reader.values, f"no form posting to {action}"
    return reader.values
