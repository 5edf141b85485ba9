"""What every page shares: the signed-in user, error pages, security headers, filters."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, Request, render_template, request
from flask_login import AnonymousUserMixin, current_user
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property

from remiss.core import text, time
from remiss.core.forms import error_target
from remiss.core.text import clean_text
from remiss.extensions import db, login_manager

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


class CleanRequest(Request):
    """A request whose form fields and query arguments carry no control characters
    (``core.text.clean_text``): a NUL byte or U+2028 typed or posted anywhere never reaches the
    database, an XML feed or an e-mail header."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        if form:
            self.__dict__["form"] = _cleaned(form, self.parameter_storage_class)

    @cached_property
    def args(self) -> MultiDict:
        return _cleaned(Request.args.__get__(self, type(self)), self.parameter_storage_class)


def _cleaned(data: MultiDict, storage_class) -> MultiDict:
    return storage_class([(clean_text(key), clean_text(value)) for key, value in data.items(multi=True)])


class IdConverter(IntegerConverter):
    """``<int:…>`` in every URL rule, bounded to what an integer column holds: a larger number
    names nothing (404) instead of failing in the database driver (500)."""

    def __init__(self, map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


# Endpoints of the public register, whose pages hold only public records.
PUBLIC_ENDPOINT_PREFIX = "public."


@dataclass(frozen=True)
class NavItem:
    """An entry of the main menu: where it leads, for whom, and which pages are part of it.
    The menu marks an entry by what the page is, never by the blueprint that serves it: the
    officer's start page is served by ``rounds`` but is "Start", not "Remisser"."""

    endpoint: str
    label: str
    roles: frozenset[str]
    covers: frozenset[str] = frozenset()  # pages within the entry, besides its own
    aliases: frozenset[str] = frozenset()  # other endpoints that show the entry's own page

    def current(self, endpoint: str | None) -> str | None:
        """``page`` on the entry's own page, ``true`` on a page within it, else None."""
        if endpoint == self.endpoint or endpoint in self.aliases:
            return "page"
        return "true" if endpoint in self.covers else None


# The pages of a round as the office works on them (officers and managers).
_ROUND_PAGES = frozenset(
    {
        "rounds.create", "rounds.show", "rounds.edit",
        "rounds.structure", "rounds.edit_focus_area", "rounds.edit_measure",
        "rounds.add_focus_area", "rounds.add_measure", "rounds.paste_structure",
        "rounds.propose_structure", "rounds.recipients",
        "rounds.edit_recipient", "rounds.extension", "rounds.messages",
        "rounds.message_preview", "rounds.reminder_settings", "rounds.open_round",
        "rounds.schedule", "rounds.close", "rounds.reopen", "rounds.archive",
        "rounds.upload_document",
        "imports.round_json",
        "answers.versions", "answers.register",
        "summary.show", "summary.assessment", "summary.report", "summary.work",
        "summary.export", "summary.start_export", "summary.report_download",
        "feedback.show",
        "public.settings", "public.version_secrecy", "public.comment_secrecy",
        "public.document_secrecy",
        "notifications.message",
        "tasks.index", "tasks.show",
    }
)  # fmt: skip

# The main menu. An entry appears once its endpoint is registered.
NAV_ITEMS: list[NavItem] = [
    # "Start" leads to main.index, which sends the officer on to the dashboard: that is the page.
    NavItem("main.index", "Start", frozenset({"officer"}), aliases=frozenset({"rounds.dashboard"})),
    NavItem(
        "answers.index",
        "Våra remisser",
        frozenset({"respondent"}),
        frozenset(
            {
                "answers.round",
                "answers.edit",
                "answers.preview",
                "answers.receipt",
                "answers.upload_template",
                "feedback.show",
            }
        ),  # fmt: skip
    ),
    NavItem("rounds.index", "Remisser", frozenset({"officer", "manager"}), _ROUND_PAGES),
    NavItem("overview.index", "Översikt", frozenset({"officer", "manager"}), frozenset({"overview.body"})),
    NavItem(
        "public.index",
        "Remissregister",
        frozenset({"officer", "manager", "respondent"}),
        frozenset({"public.round", "public.feedback", "public.archive", "public.archive_progress"}),
    ),
    NavItem(
        "users.index",
        "Konton",
        frozenset({"admin"}),
        frozenset(
            {"users.create", "users.edit", "groups.index", "groups.edit", "groups.create", "groups.settings"}
        ),
    ),
    NavItem(
        "organisations.index",
        "Organisationer",
        frozenset({"admin"}),
        frozenset({"organisations.create", "organisations.edit", "organisations.import_csv"}),
    ),
    NavItem("notifications.outbox", "Utkorg", frozenset({"admin"}), frozenset({"notifications.message"})),
    NavItem("main.accessibility_reports", "Tillgänglighetsrapporter", frozenset({"admin"})),
]


@dataclass(frozen=True)
class MenuEntry:
    """A menu entry as the page shows it: ``current`` is the value of its ``aria-current``."""

    endpoint: str
    label: str
    current: str | None


def _drain_request_body(max_content_length: int | None) -> None:
    """Read and discard the body of a refused upload. A browser sends the whole file before it
    reads the answer; a server (gunicorn) that closes the connection with the body unread makes
    it show a reset connection instead of our Swedish page. Bodies far beyond the limit are not
    read: then the connection is cut."""
    remaining = request.content_length or 0
    if not max_content_length or remaining > 5 * max_content_length:
        return
    stream = request.environ.get("wsgi.input")
    try:
        while remaining > 0:
            chunk = stream.read(min(remaining, 256 * 1024))
            if not chunk:
                break
            remaining -= len(chunk)
    except OSError:
        pass  # the client gave up


class Anonymous(AnonymousUserMixin):
    role = None
    is_admin = is_officer = is_manager = is_respondent = is_staff = False


def init_app(app: Flask) -> None:
    app.request_class = CleanRequest
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Logga in för att se sidan."
    login_manager.login_message_category = "info"
    login_manager.anonymous_user = Anonymous
    login_manager.session_protection = "basic"

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        if app.config["BEHIND_TLS"]:
            headers.setdefault(
                "Strict-Transport-Security", f"max-age={app.config['HSTS_SECONDS']}; includeSubDomains"
            )
        endpoint = request.endpoint or ""
        if endpoint == "static":
            return response
        if endpoint.startswith(PUBLIC_ENDPOINT_PREFIX) and not current_user.is_authenticated:
            # The public register: public records, but never kept stale.
            headers.setdefault("Cache-Control", "no-cache")
        else:
            # Anything else may hold what only this user may see – pages, exports, templates and
            # downloads alike: never stored by a browser or a proxy.
            headers["Cache-Control"] = "private, no-store"
            headers.pop("Expires", None)
            headers.pop("ETag", None)
            headers.pop("Last-Modified", None)
        return response

    def error_page(status: int, title: str, text: str):
        def handler(error):
            if status == 500:
                db.session.rollback()
            if status == 413:
                _drain_request_body(app.config["MAX_CONTENT_LENGTH"])
            return render_template("errors/error.html", status=status, title=title, text=text), status

        return handler

    app.register_error_handler(
        403,
        error_page(403, "Du saknar behörighet", "Ditt konto har inte behörighet till den här sidan."),
    )
    app.register_error_handler(
        404,
        error_page(404, "Sidan finns inte", "Sidan du söker finns inte eller har flyttats."),
    )
    app.register_error_handler(
        405,
        error_page(405, "Otillåten åtgärd", "Åtgärden går inte att göra på det här sättet."),
    )
    app.register_error_handler(
        413,
        error_page(
            413,
            "Filen är för stor",
            "Filen är för stor. En fil får vara högst 20 MB. Gå tillbaka och välj en mindre fil.",
        ),
    )
    app.register_error_handler(
        500,
        error_page(
            500,
            "Något gick fel",
            "Ett oväntat fel inträffade och ingenting sparades. Försök igen om en stund.",
        ),
    )
    app.register_error_handler(
        CSRFError,
        error_page(
            400,
            "Formuläret har gått ut",
            "Formuläret kunde inte skickas eftersom säkerhetstoken saknas eller har gått ut. "
            "Ladda om sidan och försök igen.",
        ),
    )

    @app.context_processor
    def navigation():
        def nav_items() -> list[MenuEntry]:
            role = getattr(current_user, "role", None)
            return [
                MenuEntry(item.endpoint, item.label, item.current(request.endpoint))
                for item in NAV_ITEMS
                if role is not None and role.value in item.roles and item.endpoint in app.view_functions
            ]

        return {"nav_items": nav_items}

    app.jinja_env.filters["date"] = time.format_date
    app.jinja_env.filters["datetime"] = time.format_datetime
    app.jinja_env.filters["plural"] = text.plural
    app.jinja_env.filters["join_words"] = text.join_words
    app.jinja_env.filters["plural_list"] = text.plural_list
    app.jinja_env.filters["file_size"] = text.file_size
    app.jinja_env.filters["without_full_stop"] = text.without_full_stop
    app.jinja_env.globals["today"] = time.local_today
    app.jinja_env.globals["error_target"] = error_target
