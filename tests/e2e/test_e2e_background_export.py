"""A large export in the browser (issue 18): the manager starts it – the Excel summary or the Word
report – watches the progress bar move without reloading (announced politely to screen readers)
while the worker runs it, and downloads the file from the page."""

from __future__ import annotations

import io
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from docx import Document
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


@dataclass
class Worker:
    """The job worker in a thread of the test, held back until ``go()``; it writes progress
    slowly, so that the bar is seen between 0 and 100."""

    start: threading.Event
    finished: threading.Event

    def go(self) -> None:
        self.start.set()


@pytest.fixture
def worker(live_server, monkeypatch):
    app = live_server.app
    monkeypatch.setattr(task_views, "POLL_SECONDS", 0.3)
    original = tasks.Progress.__call__

    def slowly(self, done, total=None, message=None):
        time.sleep(0.15)
        self._written = 0.0  # every step reaches the page
        return original(self, done, total, message)

    monkeypatch.setattr(tasks.Progress, "__call__", slowly)
    held = Worker(threading.Event(), threading.Event())

    def work():
        held.start.wait(30)
        with app.app_context():
            tasks.run_pending()
            db.session.remove()
        held.finished.set()

    threading.Thread(target=work, daemon=True).start()
    yield held
    held.start.set()
    held.finished.wait(10)


def watch_the_bar(page, worker: Worker) -> None:
    """Let the worker run and see the bar move from 0 to 100 without the page being reloaded,
    until the file can be downloaded."""
    bar = page.get_by_role("progressbar", name="Förlopp")
    expect(bar).to_have_attribute("value", "0")
    expect(page.get_by_role("status").filter(has_text="Väntar på att starta")).to_be_visible()
    expect(page.locator("#job-status")).to_have_attribute("aria-live", "polite")
    assert_accessible(page, "a background job, waiting")
    url = page.url
    page.evaluate("window.notReloaded = true")
    worker.go()
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
    expect(page.get_by_role("link", name="Ladda ner filen")).to_be_visible()
    assert_accessible(page, "a background job, done")


def open_the_summary(page) -> None:
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Remisser").click()
    page.get_by_role("link", name=CLOSED).click()
    page.get_by_role("link", name="Sammanställning av remissvar").click()


def test_a_large_export_with_its_progress_bar_and_download(page, sign_in, live_server, worker):
    app = live_server.app
    app.config["SUMMARY_EXPORT_JOB_THRESHOLD"] = 0  # every round with a comment counts as large
    with app.app_context():
        dnr = db.session.scalar(sa.select(Round.dnr).where(Round.title == CLOSED))

    sign_in(page, Role.MANAGER)
    open_the_summary(page)
    page.get_by_role("link", name="Ladda ner som Excel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exportera sammanställningen till Excel")
    page.get_by_role("button", name="Starta exporten").click()

    # The progress page: waiting for the worker, then the bar moves without the page reloading.
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Export av sammanställningen för {dnr}")
    watch_the_bar(page, worker)
    download_link = page.get_by_role("link", name="Ladda ner filen")

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
    worker.finished.wait(10)

    # Coming back later: the job is in the person's list, with its file.
    page.goto("/jobs/")
    expect(page.get_by_role("link", name="Hämta resultatet")).to_be_visible()


def test_a_large_word_report_with_its_progress_bar_and_download(page, sign_in, live_server, worker):
    app = live_server.app
    app.config["REPORT_EXPORT_JOB_THRESHOLD"] = 0  # every round with a comment counts as large
    with app.app_context():
        dnr = db.session.scalar(sa.select(Round.dnr).where(Round.title == CLOSED))

    sign_in(page, Role.MANAGER)
    open_the_summary(page)
    page.get_by_role("link", name="Ladda ner redovisningen (Word)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Exportera redovisningen till Word")
    assert_accessible(page, "starting a large Word report")
    page.get_by_role("button", name="Starta exporten").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"Export av redovisningen av remissvaren (Word) för {dnr}"
    )
    watch_the_bar(page, worker)
    with page.expect_download() as info:
        page.get_by_role("link", name="Ladda ner filen").click()
    download = info.value
    assert download.suggested_filename.startswith("Redovisning av remissvar ")
    assert download.suggested_filename.endswith(".docx")
    document = Document(io.BytesIO(Path(download.path()).read_bytes()))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert texts[0] == "Redovisning av remissvar"
    assert f"Diarienummer: {dnr}" in texts
    worker.finished.wait(10)

    # Coming back later: the report is in the person's list, with its file.
    page.goto("/jobs/")
    expect(page.get_by_role("link", name="Hämta resultatet")).to_be_visible()


def test_an_anonymous_visitor_waits_for_a_large_archive_and_downloads_it(
    page, live_server, worker, monkeypatch
):
    """The register's ZIP of all answers of a large round: «Arkivet förbereds» while the worker
    builds it once, then the download, without signing in."""
    from remiss.public import views as public_views

    app = live_server.app
    app.config["PUBLIC_ARCHIVE_JOB_FILES"] = -1  # every closed round counts as large
    monkeypatch.setattr(public_views, "ARCHIVE_POLL_SECONDS", 0.3)
    with app.app_context():
        round_ = db.session.scalar(sa.select(Round).where(Round.title == CLOSED))
        round_.is_public = True
        round_id, dnr = round_.id, round_.dnr
        db.session.commit()

    page.goto(f"/register/{round_id}")
    page.get_by_role("link", name="Ladda ner alla svar (ZIP)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ladda ner alla svar")
    status = page.get_by_role("status")
    expect(status).to_contain_text("Arkivet förbereds")
    assert_accessible(page, "the public archive, being prepared")
    bar = page.get_by_role("progressbar", name="Förlopp")
    page.evaluate("window.notReloaded = true")
    worker.go()
    expect(bar).to_have_attribute("value", "100", timeout=30_000)
    assert page.evaluate("window.notReloaded") is True
    expect(status).to_contain_text("Klart")
    link = page.get_by_role("link", name="Ladda ner alla svar (ZIP)")
    expect(link).to_be_visible()
    assert_accessible(page, "the public archive, ready")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith(f"Remissvar {dnr.replace('/', '-')}")
    with zipfile.ZipFile(Path(download.path())) as archive:
        assert "svar.csv" in archive.namelist()
    worker.finished.wait(10)
