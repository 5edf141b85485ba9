"""Long work as background jobs (issue 18): a large export and a large import run in the worker
process with progress the person can watch and come back to; a failed job says why and leaves
nothing half-made; two workers never run a job twice (SQLite here, PostgreSQL when
``REMISS_TEST_DATABASE_URL`` names one)."""

from __future__ import annotations

import io
import json
import os
import signal
import threading
import time
from datetime import timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from remiss.auth.models import Role
from remiss.core.time import utcnow
from remiss.demo import ORGANISATIONS_CSV, ROUND_FILES
from remiss.extensions import db
from remiss.organisations.service import import_organisations
from remiss.rounds.models import Round
from remiss.tasks import service as tasks
from remiss.tasks.models import BackgroundJob, JobStatus
from tests.servers import flask_command, wait_for
from tests.summary_data import build_round

DEMO = next(f for f in ROUND_FILES if f.name == "handlingsplan-nyrekrytering.json")


@pytest.fixture
def big_round(app):
    """A round of 6 bodies × 2 areas × 3 measures (48 comments), and the threshold lowered so
    that it counts as large."""
    app.config["SUMMARY_EXPORT_JOB_THRESHOLD"] = 10
    with app.app_context():
        return build_round(6, 2, 3)


def job_of(app, job_id: int) -> BackgroundJob:
    with app.app_context():
        job = db.session.get(BackgroundJob, job_id)
        db.session.expunge(job)
        return job


def start_export(client, round_id: int) -> int:
    page = client.get(f"/rounds/{round_id}/summary/export")
    assert page.status_code == 200
    assert "Starta exporten" in page.text and "48 synpunkter" in page.text
    response = client.post(f"/rounds/{round_id}/summary/export/start")
    assert response.status_code == 302
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def test_a_large_export_runs_as_a_job_and_the_file_is_fetched_from_its_page(
    app, client, runner, login_as, big_round
):
    login_as(Role.MANAGER)
    job_id = start_export(client, big_round)
    page = client.get(f"/jobs/{job_id}").text
    assert '<progress id="job-progress" max="100" value="0">' in page
    assert 'aria-live="polite"' in page
    assert '<noscript><meta http-equiv="refresh"' in page  # without JavaScript it reloads
    assert ">Uppdatera</a>" in page
    assert "/static/js/progress.js" in page and "<script>" not in page
    status = client.get(f"/jobs/{job_id}/status").get_json()
    assert status["status"] == "pending" and status["finished"] is False and status["download_url"] is None
    # Coming back to the export while it waits shows the same job, not a second one.
    assert client.get(f"/rounds/{big_round}/summary/export").headers["Location"].endswith(f"/jobs/{job_id}")

    result = runner.invoke(args=["run-jobs", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 jobb klara, 0 misslyckade" in result.output

    status = client.get(f"/jobs/{job_id}/status").get_json()
    assert status["status"] == "done" and status["percent"] == 100 and status["finished"]
    assert status["progress"] == status["total"] == 2 + 6  # two areas and six measures
    page = client.get(f"/jobs/{job_id}").text
    assert '<progress id="job-progress" max="100" value="100">' in page
    assert "Ladda ner filen" in page and "noscript" not in page
    download = client.get(status["download_url"])
    data = download.get_data()
    download.close()
    assert download.status_code == 200
    assert "Sammanst%C3%A4llning%20remissvar" in download.headers["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    comments = workbook.worksheets[2]
    texts = [cell for row in comments.iter_rows(values_only=True) for cell in row if isinstance(cell, str)]
    assert sum("Synpunkt från" in text for text in texts) == 6 * 6
    assert "Export av sammanställningen" in client.get("/jobs/").text


def test_a_small_round_still_exports_at_once(app, client, login_as):
    with app.app_context():
        round_id = build_round(2, 1, 2)
    login_as(Role.OFFICER)
    response = client.get(f"/rounds/{round_id}/summary/export")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")


def test_a_failed_export_says_why_and_leaves_no_file(app, client, runner, login_as, big_round, monkeypatch):
    from remiss.summary import export_job

    def broken(summary, stream):
        stream.write(b"half a file")
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_job, "write_xlsx", broken)
    login_as(Role.OFFICER)
    job_id = start_export(client, big_round)
    assert runner.invoke(args=["run-jobs", "--once"]).exit_code == 0
    job = job_of(app, job_id)
    assert job.status is JobStatus.FAILED and job.result_path is None
    assert "Ett oväntat fel inträffade och ingenting sparades" in job.message
    with app.app_context():
        assert [p.name for p in tasks.jobs_folder().iterdir()] == []
    page = client.get(f"/jobs/{job_id}").text
    assert "Jobbet misslyckades" in page and "ingenting sparades" in page
    assert client.get(f"/jobs/{job_id}/download").status_code == 302  # back to the page


# The Word report (redovisning av remissvar) -----------------------------------------------------
def start_report(client, round_id: int, **args) -> int:
    page = client.get(f"/rounds/{round_id}/summary/report.docx", query_string=args)
    assert page.status_code == 200, page.headers.get("Location")
    assert "<h1>Exportera redovisningen till Word</h1>" in page.text and "48 synpunkter" in page.text
    action = f"/rounds/{round_id}/summary/report.docx/start" + ("?urval=grupperat" if args else "")
    assert f'action="{action}"' in page.text  # the choice of comments goes with the start
    response = client.post(action)
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def test_a_large_word_report_runs_as_a_job_and_the_file_is_fetched_from_its_page(
    app, client, runner, login_as, big_round
):
    from docx import Document

    app.config["REPORT_EXPORT_JOB_THRESHOLD"] = 10
    login_as(Role.MANAGER)
    job_id = start_report(client, big_round)
    status = client.get(f"/jobs/{job_id}/status").get_json()
    assert status["status"] == "pending" and status["download_url"] is None
    page = client.get(f"/jobs/{job_id}").text
    assert "Export av redovisningen av remissvaren (Word)" in page
    assert '<progress id="job-progress" max="100" value="0">' in page and 'aria-live="polite"' in page
    # Coming back shows the same job; the grouped report is another file, so another job.
    again = client.get(f"/rounds/{big_round}/summary/report.docx")
    assert again.headers["Location"].endswith(f"/jobs/{job_id}")
    grouped_id = start_report(client, big_round, urval="grupperat")
    assert grouped_id != job_id
    again = client.get(f"/rounds/{big_round}/summary/report.docx?urval=grupperat")
    assert again.headers["Location"].endswith(f"/jobs/{grouped_id}")

    result = runner.invoke(args=["run-jobs", "--once"])
    assert result.exit_code == 0, result.output
    assert "2 jobb klara, 0 misslyckade" in result.output

    status = client.get(f"/jobs/{job_id}/status").get_json()
    assert status["status"] == "done" and status["percent"] == 100
    assert status["progress"] == status["total"] == 2 + 6  # two areas and six measures
    assert status["message"] == "Filen är klar att ladda ner."
    assert "Ladda ner filen" in client.get(f"/jobs/{job_id}").text
    download = client.get(status["download_url"])
    data = download.get_data()
    download.close()
    assert download.status_code == 200 and download.mimetype.endswith("wordprocessingml.document")
    assert 'filename="Redovisning av remissvar ' in download.headers["Content-Disposition"]
    texts = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    assert texts[0] == "Redovisning av remissvar"
    assert sum(text.startswith("Nämnd ") and "Synpunkt från" in text for text in texts) == 6 * 6
    # The grouped report is its own file.
    grouped = client.get(client.get(f"/jobs/{grouped_id}/status").get_json()["download_url"])
    assert Document(io.BytesIO(grouped.get_data())).paragraphs[0].text == "Redovisning av remissvar"
    grouped.close()
    with app.app_context():
        assert db.session.get(BackgroundJob, grouped_id).params["grouped"] is True


def test_a_small_round_still_gets_its_word_report_at_once(app, client, login_as, big_round):
    # The Excel threshold (lowered by big_round) is not the report's.
    login_as(Role.OFFICER)
    response = client.get(f"/rounds/{big_round}/summary/report.docx")
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    assert client.get(f"/rounds/{big_round}/summary/export").status_code == 200  # its start page
    # A start posted for a round that is not large (any more) gets the file at once.
    response = client.post(f"/rounds/{big_round}/summary/report.docx/start?urval=grupperat")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/rounds/{big_round}/summary/report.docx?urval=grupperat")


def test_a_failed_word_report_says_why_and_leaves_no_file(
    app, client, runner, login_as, big_round, monkeypatch
):
    from remiss.summary import export_job

    original = export_job.write_report

    def broken(round_id, stream, options, progress):
        original(round_id, io.BytesIO(), options, progress=progress)
        stream.write(b"half a file")
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_job, "write_report", broken)
    app.config["REPORT_EXPORT_JOB_THRESHOLD"] = 10
    login_as(Role.OFFICER)
    job_id = start_report(client, big_round)
    assert runner.invoke(args=["run-jobs", "--once"]).exit_code == 0
    job = job_of(app, job_id)
    assert job.status is JobStatus.FAILED and job.result_path is None
    assert "Ett oväntat fel inträffade och ingenting sparades" in job.message
    with app.app_context():
        assert [p.name for p in tasks.jobs_folder().iterdir()] == []
    page = client.get(f"/jobs/{job_id}").text
    assert "Jobbet misslyckades" in page and "ingenting sparades" in page
    assert client.get(f"/jobs/{job_id}/download").status_code == 302


def _organisations(app):
    with app.app_context():
        import_organisations(ORGANISATIONS_CSV.read_text(encoding="utf-8"))
        db.session.commit()


def post_import(client, data: bytes, name: str = "stor.json"):
    return client.post(
        "/rounds/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_a_large_import_runs_as_a_job_and_links_the_new_round(app, client, runner, login_as):
    _organisations(app)
    app.config["IMPORT_JOB_THRESHOLD"] = 5
    login_as(Role.OFFICER)
    response = post_import(client, DEMO.read_bytes(), DEMO.name)
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Round.id))) == 0
    assert runner.invoke(args=["run-jobs", "--once"]).exit_code == 0
    status = client.get(f"/jobs/{job_id}/status").get_json()
    assert status["status"] == "done", status
    assert status["progress"] == status["total"] > 10
    with app.app_context():
        round_ = db.session.scalars(sa.select(Round)).one()
        assert round_.dnr == "1668/20" and len(round_.recipients) == 16
        assert status["result_url"] == f"/rounds/{round_.id}"
        assert [p.name for p in tasks.jobs_folder().iterdir()] == []  # the uploaded file is gone
    assert "Öppna remissen" in client.get(f"/jobs/{job_id}").text


def test_a_failed_import_says_why_in_swedish_and_creates_nothing(app, client, runner, login_as):
    _organisations(app)
    app.config["IMPORT_JOB_THRESHOLD"] = 5
    data = json.loads(DEMO.read_text("utf-8"))
    data["recipients"].append("Nämnden som inte finns")
    login_as(Role.OFFICER)
    job_id = int(post_import(client, json.dumps(data).encode()).headers["Location"].split("/")[-1])
    assert runner.invoke(args=["run-jobs", "--once"]).exit_code == 0
    job = job_of(app, job_id)
    assert job.status is JobStatus.FAILED
    assert "Filen kunde inte importeras och ingenting sparades" in job.message
    assert "organisationen ”Nämnden som inte finns” finns inte i registret" in job.message
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Round.id))) == 0


def test_an_import_that_breaks_halfway_leaves_no_round(app, client, runner, login_as, monkeypatch):
    from remiss.imports import round_json

    _organisations(app)
    app.config["IMPORT_JOB_THRESHOLD"] = 5
    original = round_json.answers.register_answer
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise RuntimeError("the database went away")
        return original(*args, **kwargs)

    monkeypatch.setattr(round_json.answers, "register_answer", flaky)
    login_as(Role.OFFICER)
    job_id = int(post_import(client, DEMO.read_bytes()).headers["Location"].split("/")[-1])
    assert runner.invoke(args=["run-jobs", "--once"]).exit_code == 0
    assert len(calls) == 5
    job = job_of(app, job_id)
    assert job.status is JobStatus.FAILED and "ingenting sparades" in job.message
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Round.id))) == 0


def _pending_jobs(app, count: int) -> list[int]:
    from tests.factories import make_user

    with app.app_context():
        user = make_user(Role.OFFICER)
        jobs = [
            BackgroundJob(kind="summary.export", title=f"Jobb {i}", created_by_id=user.id)
            for i in range(count)
        ]
        db.session.add_all(jobs)
        db.session.commit()
        return [job.id for job in jobs]


def test_two_workers_never_claim_the_same_job(app):
    ids = _pending_jobs(app, 30)
    claimed: dict[str, list[int]] = {"a": [], "b": [], "c": []}
    barrier = threading.Barrier(len(claimed))
    errors = []

    def worker(name: str) -> None:
        try:
            with app.app_context():
                barrier.wait()
                while (job_id := tasks.claim_next(utcnow(), worker=name)) is not None:
                    claimed[name].append(job_id)
                db.session.remove()
        except Exception as error:  # pragma: no cover - shown by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(name,)) for name in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    everything = [job_id for taken in claimed.values() for job_id in taken]
    assert sorted(everything) == sorted(ids)  # every job once, none twice
    with app.app_context():
        rows = db.session.execute(sa.select(BackgroundJob.id, BackgroundJob.claimed_by)).all()
        assert all(claimed_by in claimed and job_id in claimed[claimed_by] for job_id, claimed_by in rows)


def test_a_job_whose_worker_died_is_failed_after_its_lease(app):
    [job_id] = _pending_jobs(app, 1)
    with app.app_context():
        assert tasks.claim_next(utcnow() - tasks.LEASE - timedelta(minutes=1)) == job_id
        assert tasks.claim_next(utcnow()) is None
        report = tasks.run_pending()
        assert report.abandoned == 1
        job = db.session.get(BackgroundJob, job_id)
        assert job.status is JobStatus.FAILED and "avbröts" in job.message


def test_a_worker_asked_to_stop_finishes_its_job_and_claims_no_more(app):
    """``flask run-jobs`` and the scheduler stop between jobs on SIGTERM: with a long queue the
    worker must not run all of it first (a restart would wait for every waiting export)."""
    ids = _pending_jobs(app, 5)
    asked: list[int] = []

    def should_stop() -> bool:
        with app.app_context():
            finished = db.session.scalar(
                sa.select(sa.func.count()).select_from(BackgroundJob).where(BackgroundJob.is_finished)
            )
        asked.append(finished)
        return finished >= 2

    with app.app_context():
        report = tasks.run_pending(should_stop=should_stop)
        assert report.done + report.failed == 2
        statuses = db.session.scalars(sa.select(BackgroundJob.status).order_by(BackgroundJob.id)).all()
    assert statuses.count(JobStatus.PENDING) == len(ids) - 2
    assert asked == [0, 1, 2]  # asked before each claim, not only once


def test_a_job_worker_runs_below_the_web_workers_and_stops_on_sigterm(app, tmp_path):
    """``flask run-jobs`` as a process: it runs what is waiting at a lower CPU priority than the
    web workers (``BACKGROUND_NICENESS``) and stops at once on SIGTERM."""
    [job_id] = _pending_jobs(app, 1)
    with app.app_context():
        db.engine.dispose()
    process = flask_command(app, tmp_path, "run-jobs", "--poll", "0.2", BACKGROUND_NICENESS="7")

    def finished() -> bool:
        with app.app_context():
            db.session.remove()
            return db.session.get(BackgroundJob, job_id).is_finished

    try:
        assert wait_for(finished, timeout=60)
        assert os.getpriority(os.PRIO_PROCESS, process.pid) == min(19, os.getpriority(os.PRIO_PROCESS, 0) + 7)
    finally:
        stopped_at = time.monotonic()
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0]
    assert process.returncode == 0, output
    assert time.monotonic() - stopped_at < 5, output
    assert "Kör bakgrundsjobb" in output


def test_a_person_has_at_most_three_jobs_under_way(app, client, login_as):
    with app.app_context():
        round_ids = [build_round(2, 1, 2) for _ in range(4)]
    app.config["SUMMARY_EXPORT_JOB_THRESHOLD"] = 1
    login_as(Role.OFFICER)
    for round_id in round_ids[:3]:
        assert "/jobs/" in client.post(f"/rounds/{round_id}/summary/export/start").headers["Location"]
    response = client.post(f"/rounds/{round_ids[3]}/summary/export/start", follow_redirects=True)
    assert "Du har redan 3 jobb som väntar eller pågår" in response.text
    page = client.get("/jobs/1").text
    assert "Mina pågående jobb" in page and page.count("Följ förloppet") == 2


def test_only_waiting_and_running_jobs_are_under_way(app):
    """A job that is done or failed is finished: it neither counts against the three under
    way nor is offered to follow, and the person's list shows the unfinished ones first."""
    ids = _pending_jobs(app, 4)
    with app.app_context():
        statuses = (JobStatus.DONE, JobStatus.FAILED, JobStatus.RUNNING, JobStatus.PENDING)
        for job_id, status in zip(ids, statuses, strict=True):
            db.session.get(BackgroundJob, job_id).status = status
        db.session.commit()
        user_id = db.session.get(BackgroundJob, ids[0]).created_by_id
        assert sorted(job.id for job in tasks.unfinished_of(user_id)) == ids[2:]
        assert [job.id for job in tasks.recent_of(user_id)][:2] == [ids[3], ids[2]]
        finished = db.session.scalars(sa.select(BackgroundJob.id).where(BackgroundJob.is_finished)).all()
        assert sorted(finished) == ids[:2]


def test_progress_written_while_running_is_what_the_page_reads(app):
    [job_id] = _pending_jobs(app, 1)
    with app.app_context():
        tasks.claim_next(utcnow())
        job = db.session.get(BackgroundJob, job_id)
        progress = tasks.Progress(job)
        progress(3, 10, "Läser in svaren …")
        assert tasks.read_progress(job) == (3, 10, "Läser in svaren …")
        from remiss.tasks.views import state

        with app.test_request_context():
            shown = state(job)
        assert shown["percent"] == 30 and shown["status"] == "running" and not shown["finished"]


def test_the_scheduler_process_runs_the_background_jobs_beside_the_e_mail(app, client, login_as, big_round):
    from remiss import jobs

    app.config["JOBS_POLL_SECONDS"] = 0.2
    login_as(Role.OFFICER)
    job_id = start_export(client, big_round)
    scheduler = jobs.make_scheduler(app, interval_seconds=60)
    jobs.add_background_jobs(scheduler, app)
    expected = {"send-due-messages", "remove-orphan-files", "run-background-jobs"}
    assert {job.id for job in scheduler.get_jobs()} == expected
    thread = threading.Thread(target=scheduler.start, daemon=True)
    thread.start()
    try:
        wait_for(lambda: client.get(f"/jobs/{job_id}/status").get_json()["finished"], timeout=20)
    finally:
        scheduler.shutdown(wait=True)
        thread.join(10)
    assert client.get(f"/jobs/{job_id}/status").get_json()["status"] == "done"
