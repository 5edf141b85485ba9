"""The public ZIP of all answers of a large round (issue 18): built once by the job worker, not in
the anonymous request; kept under a stamp of what it contains and never served after a
correction; never holding anything confidential; one build however many visitors ask at once.

The thresholds are lowered so that the register's small world (``tests/register_data.py``: a
closed public round with a confidential file, a confidential answer, and an answer reopened for
correction) counts as large."""

from __future__ import annotations

import csv
import io
import threading
import zipfile
from datetime import timedelta

import pytest
import sqlalchemy as sa

from remiss.answers.models import AnswerVersion, Channel
from remiss.auth.models import Role
from remiss.core.time import utcnow
from remiss.documents.models import Document
from remiss.extensions import db
from remiss.public import archive_job
from remiss.public.export import archive_contents
from remiss.public.service import public_answers, public_round_with_files
from remiss.rounds.models import Recipient
from remiss.tasks import service as tasks
from remiss.tasks.models import BackgroundJob, JobStatus
from tests.register_data import CENTRUM, GROUND, KRIMINALVARDEN, POLISEN, build_world

# What the public must never get from the world's public round.
CONFIDENTIAL = ("Centrums hemliga bilaga", "Kriminalvårdens yttrande", "Sekretessbelagt resonemang")
PUBLIC_FILES = [f"{POLISEN}/Polisens yttrande.pdf", f"{CENTRUM}/Protokollsutdrag § 14.pdf", "svar.csv"]


@pytest.fixture
def world(app):
    app.config["PUBLIC_ARCHIVE_JOB_FILES"] = 0  # any public file makes it large
    with app.app_context():
        return build_world()


def archive_jobs(app) -> list[BackgroundJob]:
    with app.app_context():
        jobs = db.session.scalars(
            sa.select(BackgroundJob).where(BackgroundJob.kind == archive_job.KIND).order_by(BackgroundJob.id)
        ).all()
        db.session.expunge_all()
        return list(jobs)


def ask(client, round_id: int) -> int:
    """An anonymous visitor asks for the ZIP while it is not built: the id of the job they are
    sent to follow."""
    response = client.get(f"/register/{round_id}/answers.zip")
    assert response.status_code == 303, (response.status_code, response.mimetype)
    location = response.headers["Location"]
    assert location.startswith(f"/register/{round_id}/answers-archive/")
    return int(location.rsplit("/", 1)[1])


def run_jobs(runner) -> str:
    result = runner.invoke(args=["run-jobs", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def download(client, round_id: int) -> zipfile.ZipFile:
    response = client.get(f"/register/{round_id}/answers.zip")
    data = response.get_data()
    response.close()
    assert response.status_code == 200, response.headers.get("Location")
    assert response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(data))


def everything_in(archive: zipfile.ZipFile) -> str:
    return b"".join(archive.read(name) for name in archive.namelist()).decode("utf-8", "replace")


def cached_files(app) -> list[str]:
    with app.app_context():
        return sorted(p.name for p in tasks.jobs_folder().glob(f"{archive_job.PREFIX}-*"))


def test_a_large_archive_is_built_once_by_the_worker_and_then_sent_to_everyone(app, client, runner, world):
    job_id = ask(client, world.public_id)
    page = client.get(f"/register/{world.public_id}/answers-archive/{job_id}")
    assert page.status_code == 200
    text = page.text
    assert "<h1>Ladda ner alla svar</h1>" in text and "Arkivet förbereds" in text
    assert 'role="status" aria-live="polite"' in text
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in text  # without JavaScript
    assert f'data-status-url="/register/{world.public_id}/answers-archive/{job_id}/status"' in text
    assert "/static/js/progress.js" in text
    status = client.get(f"/register/{world.public_id}/answers-archive/{job_id}/status").get_json()
    assert status["status"] == "pending" and status["status_text"] == "Arkivet förbereds"
    assert status["download_url"] is None and not status["finished"]

    # Another visitor, and the first again: the same build, not a second one.
    assert ask(app.test_client(), world.public_id) == job_id
    assert ask(client, world.public_id) == job_id
    [job] = archive_jobs(app)
    assert job.created_by_id is None  # a system job: no one's
    assert cached_files(app) == []

    assert "1 jobb klara, 0 misslyckade" in run_jobs(runner)
    status = client.get(f"/register/{world.public_id}/answers-archive/{job_id}/status").get_json()
    assert status["finished"] and status["percent"] == 100
    assert status["progress"] == status["total"] == 3  # three submitted answers
    assert status["download_url"] == f"/register/{world.public_id}/answers.zip"
    page = client.get(f"/register/{world.public_id}/answers-archive/{job_id}").text
    assert "Ladda ner alla svar (ZIP)" in page and "noscript" not in page

    [cached] = cached_files(app)
    assert cached.startswith(f"{archive_job.PREFIX}-{world.public_id}-")
    for visitor in (client, app.test_client()):
        archive = download(visitor, world.public_id)
        assert sorted(archive.namelist()) == sorted(PUBLIC_FILES)
    assert len(archive_jobs(app)) == 1  # sent from the file, nothing built again

    # The same ZIP as a small round gets in the request.
    app.config["PUBLIC_ARCHIVE_JOB_FILES"] = 100
    small = download(client, world.public_id)
    assert sorted(small.namelist()) == sorted(archive.namelist())
    assert small.read("svar.csv") == archive.read("svar.csv")


def test_nothing_confidential_enters_the_kept_archive(app, client, runner, world):
    ask(client, world.public_id)
    run_jobs(runner)
    archive = download(client, world.public_id)
    everything = everything_in(archive)
    for secret in CONFIDENTIAL:
        assert secret not in everything
    assert "Bilaga om enskild.pdf" not in " ".join(archive.namelist())
    listing = list(csv.reader(io.StringIO(archive.read("svar.csv").decode("utf-8-sig")), delimiter=";"))
    rows = {row[0]: row for row in listing[1:]}
    assert rows[KRIMINALVARDEN][2] == "Uppgiften omfattas av sekretess enligt OSL 35 kap. 1 §"
    # The file on disk is that ZIP, nothing more.
    with app.app_context():
        [path] = tasks.jobs_folder().glob(f"{archive_job.PREFIX}-*.zip")
        kept = zipfile.ZipFile(path)
        assert sorted(kept.namelist()) == sorted(PUBLIC_FILES)
        assert all(secret not in everything_in(kept) for secret in CONFIDENTIAL)


def test_a_file_marked_confidential_after_the_build_is_never_served_from_it(
    app, client, runner, login_as, world
):
    ask(client, world.public_id)
    run_jobs(runner)
    assert "Polisens yttrande" in everything_in(download(client, world.public_id))
    [before] = cached_files(app)

    login_as(Role.OFFICER)  # the client is now the office's: it marks the police's file
    response = client.post(
        f"/rounds/{world.public_id}/publicity/documents/{world.police_doc}",
        data={"ground": GROUND, "mark": "y"},
    )
    assert response.status_code == 302

    visitor = app.test_client()
    job_id = ask(visitor, world.public_id)  # the kept file is stale: a new build, not the old file
    assert len(archive_jobs(app)) == 2
    run_jobs(runner)
    archive = download(visitor, world.public_id)
    assert f"{POLISEN}/Polisens yttrande.pdf" not in archive.namelist()
    assert "Polisens yttrande" not in everything_in(archive)
    assert before not in cached_files(app) and len(cached_files(app)) == 1  # the stale one is gone
    assert visitor.get(f"/register/{world.public_id}/answers-archive/{job_id}").status_code == 200

    # Lifting the marking: the file comes back, in a new build again.
    client.post(f"/rounds/{world.public_id}/publicity/documents/{world.police_doc}", data={"lift": "y"})
    ask(visitor, world.public_id)
    run_jobs(runner)
    assert f"{POLISEN}/Polisens yttrande.pdf" in download(visitor, world.public_id).namelist()


def test_a_corrected_answer_submitted_again_is_not_served_from_the_old_archive(app, client, runner, world):
    ask(client, world.public_id)
    run_jobs(runner)
    assert f"{POLISEN}/Polisens yttrande.pdf" in download(client, world.public_id).namelist()

    # The police's answer, reopened for correction, is submitted again with its new file.
    with app.app_context():
        recipient = db.session.get(Recipient, world.polisen_recipient)
        recipient.answer.submit(by=None, channel=Channel.EMAIL, received_on=utcnow().date())
        db.session.commit()
    ask(client, world.public_id)
    run_jobs(runner)
    archive = download(client, world.public_id)
    assert f"{POLISEN}/Rättad bilaga.pdf" in archive.namelist()
    assert f"{POLISEN}/Polisens yttrande.pdf" not in archive.namelist()
    assert "RÄTTELSE under arbete" in archive.read("svar.csv").decode("utf-8-sig")


def test_the_stamp_follows_every_marking_and_version(app, world):
    def stamp() -> str:
        db.session.expire_all()
        return archive_contents(public_answers(public_round_with_files(world.public_id))).stamp

    with app.app_context():
        first = stamp()
        assert stamp() == first  # the same contents, the same stamp
        contents = archive_contents(public_answers(public_round_with_files(world.public_id)))
        assert (contents.files, contents.bytes > 0) == (2, True)
        seen = {first}
        secret = db.session.get(Document, world.secret_file)
        secret.secrecy_ground = None  # a confidential file made public
        db.session.commit()
        seen.add(stamp())
        secret.secrecy_ground = GROUND
        db.session.commit()
        assert stamp() == first  # back as it was
        version = db.session.get(AnswerVersion, world.centrum_version)
        version.secrecy_ground = GROUND  # a whole answer marked
        db.session.commit()
        seen.add(stamp())
        version.secrecy_ground = None
        recipient = db.session.get(Recipient, world.centrum_recipient)
        recipient.organisation.name = "Socialnämnden Centrum (ny)"  # the folder's name
        db.session.commit()
        seen.add(stamp())
        assert len(seen) == 4


def test_a_hundred_visitors_at_once_start_one_build(app, world):
    visitors = 100 if db_is_sqlite(app) else 40
    barrier = threading.Barrier(visitors)
    jobs: list[int] = []
    errors: list[BaseException] = []

    def visit() -> None:
        try:
            client = app.test_client()
            barrier.wait(30)
            jobs.append(ask(client, world.public_id))
        except BaseException as error:  # pragma: no cover - shown by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=visit) for _ in range(visitors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors[:3]
    assert len(jobs) == visitors and len(set(jobs)) == 1
    assert len(archive_jobs(app)) == 1


def db_is_sqlite(app) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "sqlite"


def test_a_failed_build_says_so_in_swedish_keeps_nothing_and_is_tried_again_later(
    app, client, runner, world, monkeypatch
):
    def broken(round_, now, out, **kwargs):
        out.write(b"half an archive")
        raise OSError("disk full")

    monkeypatch.setattr(archive_job, "write_zip", broken)
    job_id = ask(client, world.public_id)
    run_jobs(runner)
    with app.app_context():
        assert [p.name for p in tasks.jobs_folder().iterdir()] == []  # no half-made file
    page = client.get(f"/register/{world.public_id}/answers-archive/{job_id}")
    assert page.status_code == 200
    assert "Arkivet kunde inte skapas" in page.text and 'role="alert"' in page.text
    assert "Försök igen om ett par minuter" in page.text
    assert "systemförvaltaren" not in page.text  # the office's words are not the public's
    # Right after, visitors are shown the failure rather than starting build after build.
    assert ask(app.test_client(), world.public_id) == job_id
    # A while later the next visitor starts it again, and it works.
    monkeypatch.undo()
    with app.app_context():
        job = db.session.get(BackgroundJob, job_id)
        assert job.status is JobStatus.FAILED
        job.finished_at = utcnow() - archive_job.RETRY_AFTER - timedelta(seconds=1)
        db.session.commit()
    again = ask(client, world.public_id)
    assert again != job_id
    run_jobs(runner)
    assert sorted(download(client, world.public_id).namelist()) == sorted(PUBLIC_FILES)


def test_only_a_public_rounds_own_archive_jobs_can_be_followed(app, client, login_as, world):
    job_id = ask(client, world.public_id)
    with app.app_context():
        officer_job = BackgroundJob(
            kind="summary.export", title="Export", round_id=world.public_id, created_by_id=world.officer_id
        )
        hidden_job = BackgroundJob(kind=archive_job.KIND, title="Arkiv", round_id=world.hidden_id)
        db.session.add_all([officer_job, hidden_job])
        db.session.commit()
        others = (officer_job.id, hidden_job.id)
    for round_id, other in (
        (world.public_id, others[0]),
        (world.hidden_id, others[1]),
        (world.open_id, job_id),
    ):
        assert client.get(f"/register/{round_id}/answers-archive/{other}").status_code == 404
        assert client.get(f"/register/{round_id}/answers-archive/{other}/status").status_code == 404
    assert client.get(f"/register/{world.public_id}/answers-archive/{others[0]}/status").status_code == 404
