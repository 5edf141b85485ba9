"""An error in the middle of saving an answer with a file: the decision file has been stored on
disk and the draft's row written when the database refuses the next insert (a comment on a
measure). Nothing is half-saved: the draft is as it was before, no document row, no file left in
UPLOAD_FOLDER, and the person sees the Swedish error page, never a traceback."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from remiss.answers.models import Answer, AnswerVersion, MeasureComment
from remiss.documents.models import Document
from remiss.extensions import db
from tests import files
from tests.answering import create_open_round, edit_url, load_form, read_form, sign_in, structure


def stored_files(app) -> set[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return {path for path in folder.rglob("*") if path.is_file()} if folder.exists() else set()


def database_rows() -> dict[str, list]:
    db.session.remove()
    rows = {}
    for model in (Answer, AnswerVersion, MeasureComment, Document):
        table = model.__table__
        rows[table.name] = sorted(map(tuple, db.session.execute(sa.select(table)).all()), key=repr)
    db.session.remove()
    return rows


class DiskFull(Exception):
    pass


FAILURES = {
    # An error of our own making in the middle of the flush.
    "error-in-flush": lambda: DiskFull("no space left on device"),
    # What the database driver raises when it gives up (a lost connection, a full disk).
    "database-error": lambda: sa.exc.OperationalError("INSERT INTO measure_comment", {}, Exception("I/O")),
}


@pytest.fixture
def failing_comment_insert():
    """Make the database refuse the next insert of a comment on a measure."""
    armed = {"failure": None}

    def refuse(mapper, connection, target):
        if armed["failure"] is not None:
            raise armed["failure"]()

    sa.event.listen(MeasureComment, "before_insert", refuse)
    yield armed
    sa.event.remove(MeasureComment, "before_insert", refuse)


@pytest.mark.parametrize("failure", sorted(FAILURES))
@pytest.mark.parametrize("with_draft", [False, True], ids=["first-save", "existing-draft"])
def test_a_failure_mid_save_leaves_nothing_behind(app, failing_comment_insert, failure, with_draft):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error page, not the traceback
    round_id = create_open_round(app)
    ids = structure(app, round_id)
    client, _ = sign_in(app)
    if with_draft:  # an earlier save, with its own file, that must survive unchanged
        form = load_form(client, round_id)
        form |= {"position": "tillstyrker", "comment": "Före felet", f"m_{ids['1:2']}_comment": "Gammal"}
        form["decision_file"] = (io.BytesIO(files.pdf("Första beslutet")), "Första beslutet.pdf")
        assert client.post(edit_url(round_id), data=form).status_code == 302
    with app.app_context():
        before_rows = database_rows()
    before_files = stored_files(app)
    assert len(before_files) == (1 if with_draft else 0)

    form = load_form(client, round_id)
    form |= {
        "position": "avstyrker",
        "comment": "Efter felet",
        f"m_{ids['1:1']}_position": "avstyrker",
        f"m_{ids['1:1']}_comment": "Ny synpunkt som aldrig sparas",
    }
    form["decision_file"] = (io.BytesIO(files.pdf("Nytt beslut")), "Nytt beslut.pdf")
    failing_comment_insert["failure"] = FAILURES[failure]
    response = client.post(edit_url(round_id), data=form)
    failing_comment_insert["failure"] = None

    if failure == "database-error":
        # The database gave up: the person's text is shown again with what was not saved.
        assert response.status_code == 503
        assert "Kunde inte spara just nu" in response.text
        shown = read_form(response.text, edit_url(round_id))
        assert shown["comment"] == "Efter felet"
        assert shown[f"m_{ids['1:1']}_comment"] == "Ny synpunkt som aldrig sparas"
    else:
        assert response.status_code == 500
        assert "Något gick fel" in response.text
    assert "Traceback" not in response.text and "DiskFull" not in response.text
    assert "measure_comment" not in response.text
    with app.app_context():
        assert database_rows() == before_rows
    assert stored_files(app) == before_files  # no orphan file

    # The draft still works: the same save goes through once the database is well again.
    form = load_form(client, round_id)
    form |= {"comment": "Efter felet", f"m_{ids['1:1']}_comment": "Nu sparas den"}
    form["decision_file"] = (io.BytesIO(files.pdf("Nytt beslut")), "Nytt beslut.pdf")
    assert client.post(edit_url(round_id), data=form).status_code == 302
    assert len(stored_files(app)) == len(before_files) + 1
    with app.app_context():
        db.session.remove()
        draft = db.session.scalars(sa.select(AnswerVersion)).one()
        assert draft.comment == "Efter felet"
        assert len(draft.documents) == len(before_files) + 1
