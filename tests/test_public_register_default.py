"""The public register by default (issue 16 §5): under the installation's setting
``REGISTER_LISTS_SENT_ROUNDS`` (on by default) every sent round is listed in the register and its
feed unless the officer keeps it out; off, a round is listed only when the officer chooses to.
``Round.is_listed_in_register`` decides, in Python and in SQL alike. The register's empty state
and the header's "Logga in" link for staff and bodies."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade

from remiss.audit.models import AuditEvent
from remiss.auth.models import Role
from remiss.config import Defaults, from_environment
from remiss.core.time import utcnow
from remiss.documents import service as documents
from remiss.documents.models import DocumentKind
from remiss.extensions import db
from remiss.rounds.models import Round
from tests import files
from tests.conftest import empty_schema
from tests.factories import make_round, send

TODAY = date.today()


def _round(title: str, dnr: str, *, sent: bool = True, **kwargs) -> int:
    round_ = make_round(
        recipients=["Socialnämnden Centrum"],
        title=title,
        dnr=dnr,
        sent_on=TODAY - timedelta(days=5),
        deadline=TODAY + timedelta(days=25),
        **kwargs,
    )
    document = documents.store(
        io.BytesIO(files.pdf(f"Förslaget {dnr}")),
        f"Förslag {dnr.replace('/', '-')}.pdf",
        kind=DocumentKind.DRAFT,
        allowed=documents.ROUND_DOCUMENT_TYPES,
    )
    document.round = round_
    db.session.add(document)
    if sent:
        send(round_)
    db.session.flush()
    return round_.id


@pytest.fixture
def rounds(app):
    """A sent round with no choice made, a draft, a sent round the officer kept out and one the
    officer listed."""
    with app.app_context():
        ids = {
            "sent": _round("Riktlinje för stöd till avhoppare", "0912/21"),
            "draft": _round("Plan för parker", "7/22", sent=False),
            "kept_out": _round("Intern riktlinje om informationssäkerhet", "42/21", register_choice=False),
            "listed": _round("Handlingsplan mot nyrekrytering", "1668/20", register_choice=True),
        }
        db.session.commit()
        ids["documents"] = {
            name: db.session.get(Round, round_id).documents[0].id for name, round_id in ids.items()
        }
        return ids


def listed(client) -> set[str]:
    """The case numbers the register's first page lists."""
    page = client.get("/register/").text
    return set(re.findall(r"<td>(\d+/\d\d)</td>", page))


def in_feed(client) -> set[str]:
    return set(re.findall(r"Diarienummer (\d+/\d\d)\.", client.get("/register/feed.atom").text))


def reachable(client, rounds, name) -> bool:
    round_id = rounds[name]
    codes = set()
    for url in (f"/register/{round_id}", f"/register/{round_id}/documents/{rounds['documents'][name]}"):
        response = client.get(url)
        response.close()
        codes.add(response.status_code)
    assert len(codes) == 1, codes  # the page and its documents together
    return codes == {200}


def test_the_setting_is_on_by_default_and_read_from_the_environment():
    assert Defaults.REGISTER_LISTS_SENT_ROUNDS is True
    assert from_environment({"REMISS_REGISTER_LISTS_SENT_ROUNDS": "false"}) == {
        "REGISTER_LISTS_SENT_ROUNDS": False
    }


def test_every_sent_round_is_listed_by_default_but_no_draft(client, rounds):
    assert listed(client) == {"0912/21", "1668/20"}
    assert in_feed(client) == {"0912/21", "1668/20"}
    assert reachable(client, rounds, "sent") and reachable(client, rounds, "listed")
    assert not reachable(client, rounds, "draft")
    assert not reachable(client, rounds, "kept_out")


def test_the_officer_keeps_a_round_out_and_puts_it_back(app, client, login_as, rounds):
    login_as(Role.OFFICER)
    url = f"/rounds/{rounds['sent']}/publicity"
    page = client.get(url).text
    assert "Remissen visas i" in page
    assert re.search(r'<input[^>]*checked[^>]*name="is_public"|<input[^>]*name="is_public"[^>]*checked', page)
    assert "Alla skickade remisser visas i registret, om du inte tar bort markeringen" in page
    # Saving the box as it stands stores no choice: the round keeps following the setting.
    client.post(url, data={"is_public": "y"})
    with app.app_context():
        assert db.session.get(Round, rounds["sent"]).register_choice is None

    page = client.post(url, data={}, follow_redirects=True).text
    assert "Remissen visas inte längre i det offentliga remissregistret." in page
    client.post("/auth/logout")
    assert "0912/21" not in listed(client) and "0912/21" not in in_feed(client)
    assert not reachable(client, rounds, "sent")
    assert client.get(f"/register/{rounds['sent']}/answers.zip").status_code == 404

    login_as(Role.OFFICER, email="annan@example.goteborg.se")
    client.post(url, data={"is_public": "y"})
    client.post("/auth/logout")
    assert "0912/21" in listed(client) and reachable(client, rounds, "sent")
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.round_id == rounds["sent"]).order_by(AuditEvent.id)
        ).all()
    assert [a for a in actions if a.startswith("round.made")] == [
        "round.made_not_public",
        "round.made_public",
    ]


def test_with_the_setting_off_a_round_is_listed_only_by_choice(app, client, login_as, rounds):
    app.config["REGISTER_LISTS_SENT_ROUNDS"] = False
    assert listed(client) == {"1668/20"}  # the officer's explicit choice stays
    assert in_feed(client) == {"1668/20"}
    assert not reachable(client, rounds, "sent") and reachable(client, rounds, "listed")

    login_as(Role.OFFICER)
    page = client.get(f"/rounds/{rounds['sent']}/publicity").text
    assert "Remissen visas inte i det offentliga remissregistret." in page
    assert "En remiss visas i registret bara om du markerar rutan." in page
    page = client.post(f"/rounds/{rounds['sent']}/publicity", data={"is_public": "y"}, follow_redirects=True)
    assert "Remissen visas nu i det offentliga remissregistret." in page.text
    page = client.post(f"/rounds/{rounds['draft']}/publicity", data={"is_public": "y"}, follow_redirects=True)
    assert "Remissen visas i det offentliga remissregistret när den har skickats." in page.text
    client.post("/auth/logout")
    assert listed(client) == {"0912/21", "1668/20"}
    assert in_feed(client) == {"0912/21", "1668/20"}


def test_the_check_is_the_same_in_python_and_in_sql(app, rounds):
    for setting in (True, False):
        app.config["REGISTER_LISTS_SENT_ROUNDS"] = setting
        with app.app_context():
            in_sql = set(db.session.scalars(sa.select(Round.id).where(Round.is_listed_in_register)))
            in_python = {r.id for r in db.session.scalars(sa.select(Round)) if r.is_listed_in_register}
            assert in_sql == in_python
            expected = {rounds["sent"], rounds["listed"]} if setting else {rounds["listed"]}
            assert in_sql == expected


def test_the_feedback_page_links_to_the_register_only_when_listed(app, client, login_as, rounds):
    with app.app_context():
        for name in ("sent", "kept_out"):
            round_ = db.session.get(Round, rounds[name])
            round_.close()
            round_.assessment_final_at = utcnow()
        db.session.commit()
    login_as(Role.OFFICER)
    assert "i det offentliga remissregistret" in client.get(f"/rounds/{rounds['sent']}/feedback").text
    assert "i det offentliga remissregistret" not in client.get(f"/rounds/{rounds['kept_out']}/feedback").text


def test_an_empty_register_says_so_and_a_search_says_nothing_matched(app, client):
    page = client.get("/register/").text
    assert "Inga remisser har publicerats i registret ännu." in page
    assert "En remiss visas här när stadsledningskontoret har skickat ut den." in page
    assert "matchar sökningen" not in page and "0 remisser" not in page

    for query in ({"q": "parker"}, {"status": "open"}, {"q": "x" * 201}):
        page = client.get("/register/", query_string=query).text
        assert "Inga remisser matchar sökningen." in page, query
        assert "har publicerats" not in page

    app.config["REGISTER_LISTS_SENT_ROUNDS"] = False
    page = client.get("/register/").text
    assert "Inga remisser har publicerats i registret ännu." in page
    assert "när stadsledningskontoret har skickat ut den" not in page


def test_a_page_past_the_end_is_the_last_page_not_an_empty_search(client, rounds):
    page = client.get("/register/", query_string={"page": 5}).text
    assert "matchar sökningen" not in page and "har publicerats" not in page
    assert "0912/21" in page


def test_the_register_header_has_a_sign_in_link_for_staff_and_bodies(client, login_as, rounds):
    for url in ("/register/", f"/register/{rounds['sent']}"):
        page = client.get(url).text
        header = page.split("<header")[1].split("</header>")[0]
        assert re.search(
            r'<a href="/auth/login">Logga in</a> <span[^>]*>för handläggare och remissinstanser', header
        )
    login_page = client.get("/auth/login").text
    assert "Logga in" not in login_page.split("<header")[1].split("</header>")[0]  # the register's only
    login_as(Role.RESPONDENT, "Socialnämnden Centrum")
    header = client.get("/register/").text.split("<header")[1].split("</header>")[0]
    assert "Logga in" not in header and "Logga ut" in header


# Migration 0010 ---------------------------------------------------------------------------------


def _before() -> str:
    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_revision("0010").down_revision


def _insert_round(connection, round_id: int, status: str, is_public: bool) -> None:
    connection.execute(
        sa.text(
            "INSERT INTO round (id, title, dnr, description, decision, sent_on, deadline, status, "
            "reminder_days, assessment, assessment_changes, is_public, created_at, updated_at) VALUES "
            "(:id, 'Riktlinje', '1370/21', '', '', '2022-12-14', '2023-02-14', :status, '14,3', '', '', "
            ":public, '2022-12-14 08:00:00', '2022-12-14 08:00:00')"
        ),
        {"id": round_id, "status": status, "public": is_public},
    )


def test_migration_keeps_every_existing_rounds_choice_and_back(app):
    with app.app_context():
        before = _before()
        empty_schema()
        upgrade(revision=before)
        with db.engine.begin() as connection:
            _insert_round(connection, 1, "closed", True)
            _insert_round(connection, 2, "closed", False)
            _insert_round(connection, 3, "draft", False)
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text("SELECT setval(pg_get_serial_sequence('round', 'id'), 100)"))
        upgrade(revision="0010")
        with db.engine.begin() as connection:
            choices = connection.execute(sa.text("SELECT id, register_choice FROM round ORDER BY id")).all()
            assert [(i, None if c is None else bool(c)) for i, c in choices] == [
                (1, True),
                (2, False),  # was not public: stays out, although the setting now lists sent rounds
                (3, False),
            ]
            connection.execute(
                sa.text(
                    "INSERT INTO round (id, title, dnr, description, decision, sent_on, deadline, status, "
                    "reminder_days, assessment, assessment_changes, created_at, updated_at) VALUES "
                    "(4, 'Ny', '1/23', '', '', '2023-01-01', '2023-02-01', 'open', '14,3', '', '', "
                    "'2023-01-01 08:00:00', '2023-01-01 08:00:00')"
                )
            )
        downgrade(revision=before)
        with db.engine.connect() as connection:
            public = connection.execute(sa.text("SELECT id, is_public FROM round ORDER BY id")).all()
            # A round that followed the setting (on) keeps what the register showed of it.
            assert [(i, bool(p)) for i, p in public] == [(1, True), (2, False), (3, False), (4, True)]
        upgrade()
