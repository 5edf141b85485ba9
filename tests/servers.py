"""Serving the app for real in tests: a threaded werkzeug server in this process, or gunicorn
(the production server) in a child process, each on a free loopback port."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from werkzeug.serving import make_server

from remiss import PROJECT_ROOT

GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def closing_every_response(app):
    """``app`` with every response closed once sent or abandoned. Werkzeug's development server
    skips a response's ``close()`` when the browser drops the connection at the wrong moment (a
    favicon request cut off by the next navigation: the drop is raised while it drains the
    socket, before it closes): the static file left open then fails whichever later test the
    garbage collector runs in, as an unraisable ``ResourceWarning``."""

    def wsgi(environ, start_response):
        response = app(environ, start_response)
        try:
            yield from response
        finally:
            close = getattr(response, "close", None)
            if close is not None:
                close()

    return wsgi


@contextlib.contextmanager
def werkzeug_server(app) -> Iterator[str]:
    """Serve ``app`` (threaded) in a background thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, closing_every_response(app), threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def flask_command(app, instance_path, *args: str, **settings: str) -> subprocess.Popen:
    """Start ``flask --app app ARGS`` in a child process on ``app``'s database, with
    ``settings`` as further REMISS_* variables (``MAIL_PORT="2525"``); its output is captured
    as text. Callers dispose of ``app``'s engine first when the child must have the database
    to itself."""
    env = {
        **os.environ,
        "REMISS_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "REMISS_SECRET_KEY": "test",
        "REMISS_INSTANCE_PATH": str(instance_path),
        **{f"REMISS_{key}": value for key, value in settings.items()},
    }
    return subprocess.Popen(  # noqa: S603 (our own command, fixed arguments)
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(condition, timeout: float = 30.0) -> bool:
    """Whether ``condition()`` became true within ``timeout`` seconds (polled every 0.1 s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def wait_for_port(port: int, process: subprocess.Popen | None = None, timeout: float = 30) -> None:
    """Return once something listens on ``port``; fail at once if ``process`` exits first."""

    def listening() -> bool:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
        return False

    if not wait_for(listening, timeout):
        raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


@contextlib.contextmanager
def gunicorn_server(config: dict[str, str], workers: int = 1, log=None) -> Iterator[str]:
    """Run ``gunicorn app:app`` with ``config`` as REMISS_* environment variables (for example
    ``{"DATABASE_URL": ..., "SECRET_KEY": ...}``); yields the base URL and stops it afterwards."""
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("REMISS_")}
    env.update({f"REMISS_{key}": str(value) for key, value in config.items()})
    env.setdefault("REMISS_SESSION_COOKIE_SECURE", "false")  # plain http on loopback
    env.setdefault("REMISS_REMEMBER_COOKIE_SECURE", "false")
    process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [str(GUNICORN), "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "app:app"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log or subprocess.DEVNULL,
        stderr=log or subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
