"""Two respondents of the same organisation press «Skicka in» on the same answer at the same
moment, against a real threaded server, each from a browser of their own (cookies, CSRF token,
the preview page's version token). Exactly one submitted version comes of it, with one receipt;
the other person is told, in Swedish, that the answer was already submitted and by whom.

Two ways of «the same moment»: the two requests are released together by a barrier (the server
decides the order), and, to make the race certain, the server itself holds each request just
before it writes until both have read the draft and passed every check (a session event in this
test: the two then meet in the database)."""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from remiss.answers.models import AnswerVersion
from remiss.auth.models import Role
from remiss.extensions import db
from tests.answering import CENTRUM, create_open_round, read_form
from tests.factories import PASSWORD, make_user
from tests.servers import werkzeug_server

pytestmark = pytest.mark.csrf  # real browsers: every form carries its CSRF token

RECEIPT = re.compile(r"Kvittonummer (R-\d{8}-[0-9A-F]{8})")


@dataclass
class Page:
    status: int
    url: str
    text: str


class Browser:
    """A browser of one's own: a cookie jar, redirects followed, forms posted as shown."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def _open(self, request) -> Page:
        try:
            with self.opener.open(request, timeout=60) as response:
                return Page(response.status, response.url, response.read().decode())
        except urllib.error.HTTPError as error:
            with error:
                return Page(error.code, error.url, error.read().decode())

    def get(self, path: str) -> Page:
        return self._open(self.base + path)

    def post(self, path: str, data: dict[str, str]) -> Page:
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base + path, data=body, method="POST")  # noqa: S310 - http://127.0.0.1
        return self._open(request)

    def sign_in(self, email: str) -> None:
        form = read_form(self.get("/auth/login").text, "/auth/login")
        page = self.post("/auth/login", form | {"email": email, "password": PASSWORD})
        assert page.status == 200 and "Logga ut" in page.text, page.text


class HoldBeforeSubmitting:
    """Holds each request that is about to write a submission until ``parties`` of them have got
    that far, so that all of them have read the draft and passed the checks before any writes."""

    def __init__(self, parties: int = 2):
        self.barrier = threading.Barrier(parties, timeout=20)
        self.met = 0

    def __call__(self, session, flush_context, instances):
        submitting = any(
            isinstance(obj, AnswerVersion) and sa.inspect(obj).attrs.submitted_at.history.added
            for obj in session.dirty
        )
        if submitting and not session.info.get("held"):
            session.info["held"] = True
            self.barrier.wait()
            self.met += 1


def preview_url(round_id: int) -> str:
    return f"/answers/rounds/{round_id}/preview"


def submit_url(round_id: int) -> str:
    return f"/answers/rounds/{round_id}/submit"


@pytest.mark.parametrize("held", [False, True], ids=["released-together", "both-past-the-checks"])
def test_two_colleagues_submit_the_same_answer_at_once(app, held):
    round_id = create_open_round(app)
    with app.app_context():
        anna = make_user(Role.RESPONDENT, CENTRUM, email="anna@example.se", name="Anna Andersson")
        bengt = make_user(Role.RESPONDENT, CENTRUM, email="bengt@example.se", name="Bengt Berg")
        db.session.commit()
        names = {"anna@example.se": anna.name, "bengt@example.se": bengt.name}

    hold = HoldBeforeSubmitting()
    if held:
        sa.event.listen(sa.orm.Session, "before_flush", hold)
    try:
        with werkzeug_server(app) as base:
            browsers = {email: Browser(base) for email in names}
            for email, browser in browsers.items():
                browser.sign_in(email)
            # Anna writes the draft; then both open the preview: the same version token.
            anna_browser = browsers["anna@example.se"]
            edit = f"/answers/rounds/{round_id}/edit"
            form = read_form(anna_browser.get(edit).text, edit)
            saved = anna_browser.post(edit, form | {"position": "tillstyrker", "comment": "Vi tillstyrker."})
            assert "Utkastet är sparat" in saved.text
            forms = {
                email: read_form(browser.get(preview_url(round_id)).text, submit_url(round_id))
                for email, browser in browsers.items()
            }
            tokens = {form["version_token"] for form in forms.values()}
            assert len(tokens) == 1 and "new" not in tokens
            assert forms["anna@example.se"]["csrf_token"] != forms["bengt@example.se"]["csrf_token"]

            start = threading.Barrier(len(browsers))
            pages: dict[str, Page] = {}

            def press_submit(email: str) -> None:
                start.wait(timeout=20)
                pages[email] = browsers[email].post(submit_url(round_id), forms[email])

            threads = [threading.Thread(target=press_submit, args=(email,)) for email in browsers]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
    finally:
        if held:
            sa.event.remove(sa.orm.Session, "before_flush", hold)

    assert set(pages) == set(names)
    for email, page in pages.items():
        assert page.status == 200, f"{email}: {page.status} {page.text}"
        assert "Något gick fel" not in page.text and "Traceback" not in page.text
    receipts = {email: RECEIPT.search(page.text) for email, page in pages.items()}
    winners = [email for email, page in pages.items() if "Svaret är inskickat. Kvittonummer" in page.text]
    assert len(winners) == 1, {email: page.text for email, page in pages.items()}
    (winner,) = winners
    (loser,) = set(names) - {winner}
    receipt_number = receipts[winner][1]

    # The other is told: already submitted, by whom, with the receipt number; nothing of theirs
    # claims that the answer is not submitted.
    told = pages[loser].text
    assert f"Svaret är redan inskickat av {names[winner]}" in told, told
    assert receipt_number in told
    assert "Svaret är inte inskickat" not in told

    with app.app_context():
        submitted = db.session.scalars(
            sa.select(AnswerVersion).where(AnswerVersion.submitted_at.is_not(None))
        ).all()
        assert len(submitted) == 1
        assert submitted[0].receipt_number == receipt_number
        assert submitted[0].comment == "Vi tillstyrker."
        assert db.session.scalar(sa.select(sa.func.count(AnswerVersion.id))) == 1  # no stray draft
    if held:
        assert hold.met == 2  # both requests really were past the checks when they wrote
