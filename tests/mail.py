"""A real SMTP server on localhost for the e-mail tests (aiosmtpd), and a clock to pass as
``now``. Import the fixture into a test module: ``from tests.mail import smtp_fixture  # noqa: F401``
(its name in tests is ``smtp``)."""

from __future__ import annotations

import email
import socket
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from remiss.core.time import LOCAL_TZ


def at(day: date, hour: int = 8, minute: int = 0) -> datetime:
    """A moment on ``day`` in Göteborg: the clock the tests hand to the code as ``now``."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TZ)


@dataclass
class Received:
    sender: str
    rcpt_tos: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return self.message["Subject"]

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content()

    def attachment(self, filename: str) -> bytes | None:
        for part in self.message.iter_attachments():
            if part.get_filename() == filename:
                return part.get_payload(decode=True)
        return None


class _Collector:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SMTPServer:
    """A local SMTP server that can be stopped and started again on the same port."""

    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        self.port = free_port()
        self.collector = _Collector()
        self.credentials = credentials
        self.logins: list[str] = []
        self._controller: Controller | None = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (
            self.credentials is not None
            and (
                auth_data.login.decode(),
                auth_data.password.decode(),
            )
            == self.credentials
        )
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok)

    def start(self) -> None:
        options = {}
        if self.credentials is not None:
            options = {"authenticator": self._authenticate, "auth_require_tls": False}
        self._controller = Controller(
            self.collector, hostname="127.0.0.1", port=self.port, ready_timeout=10, **options
        )
        for _ in range(50):  # the port may linger for a moment after a stop
            try:
                self._controller.start()
                return
            except (OSError, RuntimeError):
                time.sleep(0.1)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def received(self) -> list[Received]:
        with self.collector.lock:
            return list(self.collector.received)

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]

    def clear(self) -> None:
        with self.collector.lock:
            self.collector.received.clear()


@pytest.fixture(name="smtp")
def smtp_fixture(app):
    """A running SMTP server, and the app configured to deliver to it."""
    server = SMTPServer()
    server.start()
    app.config.update(MAIL_HOST="127.0.0.1", MAIL_PORT=server.port, MAIL_SECURITY="none", MAIL_TIMEOUT=3)
    yield server
    server.stop()
