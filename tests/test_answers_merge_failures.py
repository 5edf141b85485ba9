"""Nothing typed is lost when a save fails: the session has ended (signed out elsewhere, expired),
the upload folder is unusable, the database is busy, two saves meet at the same moment in a real
threaded server. The text is saved, or shown again with a Swedish message saying what was and was
not saved."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from remiss.answers.models import AnswerVersion
from remiss.auth.models import Role, User
from remiss.extensions import db
from tests import files
from tests.answering import (
    CENTRUM,
    create_open_round,
    edit_url,
    load_form,
    read_form,
    sign_in,
    structure,
    the_draft,
)
from tests.factories import PASSWORD, make_user
from tests.http import signed_in_client
from tests.servers import werkzeug_server
from tests.test_reliability_concurrent_submit import Browser

ORIGIN = {"Origin": "http://localhost"}


def end_session(app, client, user_id: int) -> None:
    """Sign ``user_id`` out everywhere (as «Logga ut» in another tab does)."""
    with app.app_context():
        user = db.session.get(User, user_id)
        user.rotate_session_token()
        db.session.commit()


def sign_in_again(client, user_id: int, app, follow_to: str):
    with app.app_context():
        email = db.session.get(User, user_id).email
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD, "next": follow_to})
    assert response.status_code == 302 and response.headers["Location"] == follow_to
    return client.get(follow_to)


def test_a_save_after_the_session_ended_comes_back_after_signing_in(app):
    round_id = create_open_round(app)
    ids = structure(app, round_id)
    client, user_id = sign_in(app, name="Anna Andersson")
    form = load_form(client, round_id) | {
        "comment": "Lång text skriven under en timme",
        f"m_{ids['1:1']}_comment": "Om 1:1",
    }
    end_session(app, client, user_id)

    response = client.post(edit_url(round_id), data=form, headers=ORIGIN)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")
    with app.app_context():
        assert the_draft(app, round_id) is None  # not saved (no one is signed in) ...
    page = sign_in_again(client, user_id, app, edit_url(round_id))
    assert page.status_code == 200
    assert "Det här är vad du skrev innan sessionen gick ut. Det är inte sparat ännu" in page.text
    shown = read_form(page.text, edit_url(round_id))
    assert shown["comment"] == "Lång text skriven under en timme"  # ... but shown again
    assert shown[f"m_{ids['1:1']}_comment"] == "Om 1:1"
    # Saving it now merges as usual; the stash is used once.
    assert client.post(edit_url(round_id), data=shown).status_code == 302
    with app.app_context():
        assert the_draft(app, round_id).comment == "Lång text skriven under en timme"
    assert "inte sparat ännu" not in client.get(edit_url(round_id)).text


@pytest.mark.csrf
def test_a_form_whose_token_expired_is_kept_too(app):
    """With CSRF on (as in production): the session, and with it the form's token, are gone."""
    round_id = create_open_round(app)
    with app.app_context():
        user = make_user(Role.RESPONDENT, CENTRUM)
        db.session.commit()
        user_id, session_id = user.id, user.get_id()
    client = signed_in_client(app, session_id)
    form = load_form(client, round_id) | {"comment": "Skrivet före utloggningen"}
    client.post("/auth/logout", data={"csrf_token": form["csrf_token"]})
    response = client.post(edit_url(round_id), data=form, headers=ORIGIN)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    login = read_form(client.get(response.headers["Location"]).text, "/auth/login")
    with app.app_context():
        email = db.session.get(User, user_id).email
    signed_in = client.post("/auth/login", data=login | {"email": email, "password": PASSWORD})
    page = client.get(signed_in.headers["Location"])
    assert read_form(page.text, edit_url(round_id))["comment"] == "Skrivet före utloggningen"
    # Another site's form is not kept: the usual expired-form page.
    client.post("/auth/logout", data={"csrf_token": read_form(page.text, edit_url(round_id))["csrf_token"]})
    refused = client.post(edit_url(round_id), data=form, headers={"Origin": "https://elsewhere.example"})
    assert refused.status_code == 400 and "Formuläret har gått ut" in refused.text


def test_the_autosave_says_signed_out_in_json(app):
    round_id = create_open_round(app)
    client, user_id = sign_in(app)
    form = load_form(client, round_id) | {"comment": "Autosparat utloggad"}
    end_session(app, client, user_id)
    response = client.post(
        f"/answers/rounds/{round_id}/autosave", data=form, headers=ORIGIN | {"Accept": "application/json"}
    )
    assert response.status_code == 401 and response.json["status"] == "signed_out"
    assert "logga in igen" in response.json["message"]
    page = sign_in_again(client, user_id, app, edit_url(round_id))
    assert read_form(page.text, edit_url(round_id))["comment"] == "Autosparat utloggad"


def test_an_unusable_upload_folder_saves_the_text_and_says_the_file_was_not(app, tmp_path):
    round_id = create_open_round(app)
    client, _ = sign_in(app)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the upload folder should be")
    app.config["UPLOAD_FOLDER"] = str(blocked)
    form = load_form(client, round_id) | {"comment": "Texten ska sparas"}
    form["decision_file"] = (io.BytesIO(files.pdf()), "Beslut.pdf")
    response = client.post(edit_url(round_id), data=form, follow_redirects=True)
    assert response.status_code == 200
    assert (
        "Beslut.pdf kunde inte sparas: lagringen för filer fungerar inte just nu. Texten är sparad."
        in response.text
    )
    with app.app_context():
        draft = the_draft(app, round_id)
        assert draft.comment == "Texten ska sparas" and draft.documents == []


def test_a_refused_file_keeps_the_text_on_the_page(app):
    round_id = create_open_round(app)
    client, _ = sign_in(app)
    form = load_form(client, round_id) | {
        "comment": "Min text",
        "decision_file": (io.BytesIO(files.exe()), "b.pdf"),
    }
    response = client.post(edit_url(round_id), data=form, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Ingenting är sparat, varken texten eller filen" in response.text
    assert read_form(response.text, edit_url(round_id))["comment"] == "Min text"


@pytest.fixture
def busy_database():
    """The database gives up (busy, lost connection) on the next write of a draft."""
    armed = {"on": False}

    def refuse(mapper, connection, target):
        if armed["on"]:
            raise sa.exc.OperationalError("UPDATE answer_version", {}, Exception("database is locked"))

    sa.event.listen(AnswerVersion, "before_update", refuse)
    sa.event.listen(AnswerVersion, "before_insert", refuse)
    yield armed
    sa.event.remove(AnswerVersion, "before_update", refuse)
    sa.event.remove(AnswerVersion, "before_insert", refuse)


def test_a_busy_database_keeps_the_text_in_the_form_and_autosave_retries(app, busy_database):
    round_id = create_open_round(app)
    client, _ = sign_in(app)
    form = load_form(client, round_id) | {"comment": "Inte förlorad"}
    busy_database["on"] = True
    response = client.post(edit_url(round_id), data=form)
    assert response.status_code == 503
    assert "Kunde inte spara just nu: databasen svarar inte" in response.text
    assert read_form(response.text, edit_url(round_id))["comment"] == "Inte förlorad"
    autosaved = client.post(
        f"/answers/rounds/{round_id}/autosave", data=form, headers={"Accept": "application/json"}
    )
    assert autosaved.status_code == 503 and autosaved.json["message"] == "Kunde inte spara – försöker igen"
    busy_database["on"] = False
    assert client.post(edit_url(round_id), data=form).status_code == 302
    with app.app_context():
        assert the_draft(app, round_id).comment == "Inte förlorad"


@pytest.mark.csrf
def test_two_saves_at_the_same_moment_in_a_threaded_server_keep_both(app):
    """Anna and Bengt press «Spara utkast» at the same moment on different fields, each from a
    browser of their own; both requests have read the draft before either writes."""
    round_id = create_open_round(app)
    ids = structure(app, round_id)
    with app.app_context():
        make_user(Role.RESPONDENT, CENTRUM, email="anna@example.se", name="Anna Andersson")
        make_user(Role.RESPONDENT, CENTRUM, email="bengt@example.se", name="Bengt Berg")
        db.session.commit()
    edit = edit_url(round_id)
    barrier = threading.Barrier(2, timeout=20)

    def hold(session, flush_context, instances):
        writing = any(isinstance(o, AnswerVersion) for o in [*session.dirty, *session.new])
        if writing and not session.info.get("held"):
            session.info["held"] = True
            barrier.wait()

    with werkzeug_server(app) as base:
        browsers = {email: Browser(base) for email in ("anna@example.se", "bengt@example.se")}
        for email, browser in browsers.items():
            browser.sign_in(email)
        first = read_form(browsers["anna@example.se"].get(edit).text, edit)
        assert browsers["anna@example.se"].post(edit, first | {"comment": "Start"}).status == 200
        forms = {email: read_form(b.get(edit).text, edit) for email, b in browsers.items()}
        forms["anna@example.se"] |= {f"fa_{ids['1']}_comment": "Annas 1"}
        forms["bengt@example.se"] |= {f"m_{ids['2:1']}_comment": "Bengts 2:1"}
        pages = {}
        sa.event.listen(sa.orm.Session, "before_flush", hold)
        try:
            threads = [
                threading.Thread(target=lambda e=email: pages.update({e: browsers[e].post(edit, forms[e])}))
                for email in browsers
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        finally:
            sa.event.remove(sa.orm.Session, "before_flush", hold)
    for email, page in pages.items():
        assert page.status == 200 and "Utkastet är sparat" in page.text, (email, page.text[:500])
    with app.app_context():
        draft = the_draft(app, round_id)
        assert draft.comment == "Start"
        assert draft.comment_on(focus_area_id=ids["1"]).text == "Annas 1"
        assert draft.comment_on(measure_id=ids["2:1"]).text == "Bengts 2:1"


def test_the_stash_is_never_written_for_another_site(app):
    round_id = create_open_round(app)
    client, user_id = sign_in(app)
    form = load_form(client, round_id) | {"comment": "x"}
    end_session(app, client, user_id)
    response = client.post(edit_url(round_id), data=form)  # no Origin: not known to be ours
    assert response.status_code == 302
    assert "remiss_unsaved" not in response.headers.get("Set-Cookie", "")
    assert not list(Path(app.config["UPLOAD_FOLDER"]).parent.glob("unsaved/*.json"))


def test_a_save_after_a_colleague_submitted_shows_the_text_again(app):
    round_id = create_open_round(app)
    anna, _ = sign_in(app, name="Anna Andersson")
    bengt, _ = sign_in(app, name="Bengt Berg")
    anna.post(edit_url(round_id), data=load_form(anna, round_id) | {"position": "tillstyrker"})
    bengt_form = load_form(bengt, round_id) | {"comment": "Bengts text som kom för sent"}
    preview = anna.get(f"/answers/rounds/{round_id}/preview").text
    submit = read_form(preview, f"/answers/rounds/{round_id}/submit")
    assert anna.post(f"/answers/rounds/{round_id}/submit", data=submit).status_code == 302
    response = bengt.post(edit_url(round_id), data=bengt_form)
    assert response.status_code == 409
    assert "Anna Andersson skickade in svaret" in response.text and "medan du arbetade" in response.text
    assert read_form(response.text, edit_url(round_id))["comment"] == "Bengts text som kom för sent"
    assert "Spara utkast" not in response.text
