"""A large export in the browser (issue 18): the manager starts it, watches the progress bar move
without reloading (announced politely to screen readers) while the worker runs it, and
downloads the file from the page."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from remiss.auth.models import Role
from remiss.extensions import db
from remiss.rounds.models import Round
from remiss.tasks import service as tasks
from remiss.tasks import views as task_views
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

CLOSED = (
    "Förslag till Göteborgs Stads handlingsplan för att stoppa nyrekrytering, gängkriminalitet "
    "och utvecklingen av parallella samhällen"
)


def test_a_large_export_with_its_progress_bar_and_download(page, sign_in, live_server, monkeypatch):
    app = live_server.app
    app.config["SUMMARY_EXPORT_JOB_THRESHOLD"] = 0  # every round with a comment counts as large
    monkeypatch.setattr(task_views, "POLL_SECONDS", 0.3)
    # The worker writes the file slowly, so that the bar is seen between 0 and 100.
    original = tasks.Progress.__call__

    def slowly(self, done, total=None, message=None):
        time.sleep(0.15)
        self._written = 0.0  # every step reaches the page
        return original(self, done, total, message)

    monkeypatch.setattr(tasks.Progress, "__call__", slowly)
    go = threading.Event()
    finished = threading.Event()

    def worker():
        go.wait(30)
        with app.app_context():
            tasks.run_pending()
            db.session.remove()
        finished.set()

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    with app.app_context():
        dnr = db.session.scalar(sa.select(Round.dnr).where(Round.title == CLOSED))

    sign_in(page, Role.MANAGER)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Remisser").click()
    page.get_by_role("link", name=CLOSED).click()
    page.get_by_role("link", name="Sammanställning av remissvar").click()
    page.get_by_role("link", name="Ladda ner som Excel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exportera sammanställningen till Excel")
    page.get_by_role("button", name="Starta exporten").click()

    # The progress page: waiting for the worker.
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Export av sammanställningen för {dnr}")
    bar = page.get_by_role("progressbar", name="Förlopp")
    expect(bar).to_have_attribute("value", "0")
    status = page.get_by_role("status").filter(has_text="Väntar på att starta")
    expect(status).to_be_visible()
    expect(page.locator("#job-status")).to_have_attribute("aria-live", "polite")
    assert_accessible(page, "a background job, waiting")
    url = page.url

    # The worker runs; the bar moves without the page being reloaded.
    page.evaluate("window.notReloaded = true")
    go.set()
    seen: set[int] = set()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        seen.add(int(bar.get_attribute("value")))
        if 100 in seen:
            break
        time.sleep(0.05)
    assert 100 in seen and any(0 < value < 100 for value in seen), seen
    assert page.evaluate("window.notReloaded") is True and page.url == url
    expect(page.locator("#job-status")).to_contain_text("Klart")
    download_link = page.get_by_role("link", name="Ladda ner filen")
    expect(download_link).to_be_visible()
    assert_accessible(page, "a background job, done")

    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename.startswith("Sammanställning remissvar ")
    assert download.suggested_filename.endswith(".xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()), read_only=True)
    texts = [
        c for row in workbook.worksheets[0].iter_rows(values_only=True) for c in row if isinstance(c, str)
    ]
    workbook.close()
    assert any(dnr in text for text in texts), texts[:10]
    finished.wait(10)

    # Coming back later: the job is in the person's list, with its file.
    page.goto("/jobs/")
    expect(page.get_by_role("link", name="Hämta resultatet")).to_be_visible()
