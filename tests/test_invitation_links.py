"""Every invited body can answer (issue 16, item 1): the invitation to a body's contact address
carries a personal link, read here from the real local SMTP server. Following it signs in the
address's account or creates one bound to the body, and lands on the round's answer page; the
link works until the round closes. The officer sees the bodies with nobody who can sign in and
sends the invitation again with a fresh link.

The clock is today's: a round is sent now with its deadline three weeks ahead."""

from __future__ import annotations

import io
import logging
import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from remiss.audit.models import AuditEvent
from remiss.auth.models import Role, User, UserToken
from remiss.core.time import format_date, utcnow
from remiss.documents import service as documents
from remiss.documents.models import DocumentKind
from remiss.extensions import db
from remiss.jobs import run_due_jobs
from remiss.notifications import messages
from remiss.notifications.models import Message, MessageKind, MessageStatus
from remiss.organisations.models import Organisation, OrganisationKind
from remiss.rounds import operations
from remiss.rounds.models import AreaKind, InvitationLink, Recipient, Round
from tests import files
from tests.factories import PASSWORD, make_organisation, make_round, make_user
from tests.mail import smtp_fixture  # noqa: F401

POLICE = "Polismyndigheten Storgöteborg"
POLICE_EMAIL = "registrator.vast@example.polisen.se"
CENTRUM = "Socialnämnden Centrum"
OFFICER = "hanna@example.goteborg.se"
TITLE = "Riktlinje för stöd till avhoppare"
NEW_PASSWORD = "polisens långa lösenord 2026"
PERSONAL = "Länken är personlig och gäller tills remissen stängs."

LINK = re.compile(r"http://localhost(/inbjudan/[^\s\"<>]+)")


def send_round(app, recipients=(POLICE, CENTRUM), **values) -> int:
    """An open round sent now to ``recipients``, with its remissförslag; returns its id."""
    with app.app_context():
        officer = User.by_email(OFFICER) or make_user(Role.OFFICER, email=OFFICER, name="Hanna Handläggare")
        make_organisation(POLICE, kind=OrganisationKind.AUTHORITY, email=POLICE_EMAIL)
        round_ = make_round(
            officer=officer,
            recipients=list(recipients),
            title=TITLE,
            dnr="1370/21",
            sent_on=date.today(),
            deadline=date.today() + timedelta(days=21),
            **values,
        )
        document = documents.store(
            io.BytesIO(files.pdf("Förslaget till riktlinje")),
            "Förslag till riktlinje.pdf",
            kind=DocumentKind.DRAFT,
            allowed=documents.ROUND_DOCUMENT_TYPES,
        )
        document.round = round_
        db.session.add(document)
        operations.open_round(round_, by=officer, now=utcnow())
        db.session.commit()
        return round_.id


def deliver(app) -> None:
    with app.app_context():
        run_due_jobs(utcnow())


def link_in(mail) -> str:
    """The personal link of an invitation, as a path on the test client's host."""
    paths = {match[1] for match in LINK.finditer(mail.text)}
    assert len(paths) == 1, mail.text
    [path] = paths
    assert f'href="http://localhost{path}"' in mail.html
    return path


def invitation_link(app, smtp, email=POLICE_EMAIL, round_id=None) -> str:
    if round_id is None:
        round_id = send_round(app)
    deliver(app)
    [mail] = [m for m in smtp.to(email) if m.subject.startswith("Remiss: ")]
    return link_in(mail)


def with_ctx(app, function):
    with app.app_context():
        return function()


def user_count(app, email=POLICE_EMAIL) -> int:
    return with_ctx(
        app, lambda: db.session.scalar(sa.select(sa.func.count(User.id)).where(User.email == email))
    )


def create(client, path, name="Polly Polis", password=NEW_PASSWORD, confirm=None):
    return client.post(path, data={"name": name, "password": password, "confirm": confirm or password})


# The link in the invitation ------------------------------------------------------------------
def test_each_invited_body_gets_its_own_link_whose_token_is_stored_only_as_a_hash(app, smtp):
    round_id = send_round(app)
    deliver(app)
    police = link_in(smtp.to(POLICE_EMAIL)[0])
    centrum_email = with_ctx(app, lambda: Organisation.by_name(CENTRUM).email)
    centrum = link_in(smtp.to(centrum_email)[0])
    assert police != centrum
    token = police.rpartition("/")[2]
    assert len(token) >= 40

    mail = smtp.to(POLICE_EMAIL)[0]
    assert PERSONAL in mail.text and PERSONAL in mail.html
    assert "Har ni inget konto? Kontakta handläggaren" not in mail.text

    with app.app_context():
        links = db.session.scalars(sa.select(InvitationLink).order_by(InvitationLink.id)).all()
        assert [(link.round_id, link.email) for link in links] == [
            (round_id, POLICE_EMAIL),
            (round_id, centrum_email),
        ]
        assert links[0].token_hash == UserToken.hash(token) != token
        # Nowhere in the database is the token kept: not in the link, not in the sent e-mail.
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)):
                assert token not in " ".join(str(value) for value in row), table.name
        sent = db.session.scalars(sa.select(Message).where(Message.kind == MessageKind.INVITATION)).all()
        assert all(m.status is MessageStatus.SENT and "/inbjudan/[dold]" in m.body_text for m in sent)


def test_the_invitation_says_what_the_board_decided_and_what_is_asked(app, smtp):
    send_round(app, decision="Kommunstyrelsen 2021-10-27 § 820")
    deliver(app)
    mail = smtp.to(POLICE_EMAIL)[0]
    assert mail.subject == (
        f"Remiss: {TITLE} (dnr 1370/21) – sista svarsdag "
        + format_date(date.today() + timedelta(days=21), "long")
    )
    text = " ".join(mail.text.split())
    assert (
        f"Ni är inbjudna att svara på remissen ”{TITLE}” (dnr 1370/21). Kommunstyrelsen beslutade den "
        "27 oktober 2021 (§ 820) att skicka förslaget på remiss. Vi ber er ta ställning till förslaget "
        "som helhet och gärna lämna synpunkter på fokusområdena och insatserna. Sista svarsdag är "
    ) in text
    assert "har skickat ett förslag på remiss" not in text
    assert ".." not in text.replace("...", "")


@pytest.mark.parametrize(
    "decision, said, not_said",
    [
        ("", None, ("Kommunstyrelsen", "beslutade", "Beslut om remissen")),
        (
            "KS 2022-12-14",
            "Kommunstyrelsen beslutade den 14 december 2022 att skicka förslaget på remiss.",
            (),
        ),
        ("Kommunstyrelsen, 2022-12-14, §212.", "Kommunstyrelsen beslutade den 14 december 2022 (§ 212)", ()),
        (
            "2021-10-27 § 820",
            "Beslutet att skicka förslaget på remiss fattades den 27 oktober 2021 (§ 820).",
            (),
        ),
        ("Enligt delegation.", "Beslut om remissen: Enligt delegation.", ("beslutade",)),
        ("Kommunstyrelsen 2021-02-30", "Beslut om remissen: Kommunstyrelsen 2021-02-30.", ("beslutade",)),
    ],
)
def test_the_decision_is_said_only_as_entered(ctx, decision, said, not_said):
    officer = make_user(Role.OFFICER)
    round_ = make_round(officer=officer, recipients=[POLICE], decision=decision)
    composed = messages.invitation(round_.recipients[0], utcnow(), link="http://localhost/inbjudan/x")
    text = " ".join(composed.text.split())
    if said:
        assert said in text
    for words in not_said:
        assert words not in text
    assert "har skickat" not in text and ".." not in text


def test_a_round_of_questions_asks_for_answers_to_its_questions(ctx):
    round_ = make_round(make_user(Role.OFFICER), recipients=[POLICE], structure={})
    operations.add_focus_area(round_, "1", "", by=None, kind=AreaKind.QUESTIONS)
    operations.add_measure(round_.focus_areas[0], "1", "Vad saknas?", by=None)
    text = " ".join(messages.invitation(round_.recipients[0], utcnow()).text.split())
    assert "Vi ber er ta ställning till förslaget som helhet och svara på remissens frågor." in text
    assert "fokusområden" not in text
    # Without a link (never so when sent): sign in and open the round.
    assert (
        f"Logga in i Remisstjänsten och öppna remissen: http://localhost/answers/rounds/{round_.id}" in text
    )


# A body without an account -------------------------------------------------------------------
def test_a_body_without_an_account_creates_one_bound_to_it_and_answers(app, client, smtp):
    round_id = send_round(app)
    path = invitation_link(app, smtp, round_id=round_id)

    page = client.get(path)
    assert page.status_code == 200
    assert f"Skapa konto för {POLICE}" in page.text
    assert POLICE_EMAIL in page.text and 'autocomplete="new-password"' in page.text
    assert with_ctx(app, lambda: not Organisation.by_name(POLICE).has_active_account)

    # Bad input: told why, nothing saved.
    refused = create(client, path, name="", password="kort", confirm="annat")
    assert refused.status_code == 422
    for message in ("Ange ditt namn.", "Lösenordet måste ha minst 12 tecken.", "Lösenorden är inte lika."):
        assert message in refused.text
    assert user_count(app) == 0

    created = create(client, path)
    assert created.status_code == 302
    assert created.headers["Location"].endswith(f"/answers/rounds/{round_id}")
    with app.app_context():
        user = User.by_email(POLICE_EMAIL)
        police = Organisation.by_name(POLICE)
        assert (user.name, user.role, user.organisation_id, user.active) == (
            "Polly Polis",
            Role.RESPONDENT,
            police.id,
            True,
        )
        assert user.check_password(NEW_PASSWORD)
        assert police.has_active_account
        link = db.session.scalar(sa.select(InvitationLink).where(InvitationLink.email == POLICE_EMAIL))
        assert link.account_id == user.id and link.used_at is not None
        event = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "user.created_through_invitation")
        )
        assert event.round_id == round_id and event.actor_id == user.id
        assert event.sentence == (
            f"skapade kontot {POLICE_EMAIL} för {POLICE} med den personliga länken i inbjudan till remissen"
        )
        document_id = db.session.get(Round, round_id).documents[0].id

    # Signed in, on the answer page; the round's documents open; the answer form works.
    answer_page = client.get(created.headers["Location"])
    assert answer_page.status_code == 200
    assert f"Ditt konto för {POLICE} är skapat och du är inloggad." in answer_page.text
    assert TITLE in answer_page.text
    with client.get(f"/documents/{document_id}") as download:
        assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert client.get(f"/answers/rounds/{round_id}/edit").status_code == 200

    # The link still leads there while the round is open.
    again = client.get(path)
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/answers/rounds/{round_id}")


def test_a_second_account_for_the_address_is_refused(app, client, smtp):
    path = invitation_link(app, smtp)
    assert create(client, path).status_code == 302
    other = app.test_client()
    second = create(other, path, name="Någon Annan")
    assert second.status_code == 302
    assert "/auth/login?email=" in second.headers["Location"]
    assert (
        "Det finns redan ett konto för registrator.vast@example.polisen.se."
        in other.get(second.headers["Location"]).text
    )
    assert user_count(app) == 1
    assert with_ctx(app, lambda: User.by_email(POLICE_EMAIL).name) == "Polly Polis"


def test_two_requests_at_once_make_one_account(app, client, smtp, monkeypatch):
    """The second request passed every check before the first one saved: the unique address
    refuses it, and the person is sent to sign in."""
    path = invitation_link(app, smtp)
    assert create(client, path).status_code == 302
    real = User.by_email.__func__
    calls = []

    def not_yet(cls, email):
        calls.append(email)
        return None if len(calls) <= 2 else real(cls, email)

    monkeypatch.setattr(User, "by_email", classmethod(not_yet))
    other = app.test_client()
    raced = create(other, path, name="Samtidig Person")
    assert raced.status_code == 302 and "/auth/login?email=" in raced.headers["Location"]
    monkeypatch.undo()
    assert user_count(app) == 1


# An address with an account ------------------------------------------------------------------
def test_an_address_with_an_account_signs_in_and_lands_on_the_answer_page(app, client, smtp):
    with app.app_context():
        police = make_organisation(POLICE, kind=OrganisationKind.AUTHORITY, email=POLICE_EMAIL)
        make_user(Role.RESPONDENT, police, email=POLICE_EMAIL, name="Petra Polis")
        db.session.commit()
    round_id = send_round(app)
    path = invitation_link(app, smtp, round_id=round_id)

    to_login = client.get(path)
    assert to_login.status_code == 302
    location = to_login.headers["Location"]
    target = urlsplit(location)
    assert target.path == "/auth/login"
    assert parse_qs(target.query) == {"email": [POLICE_EMAIL], "next": [f"/answers/rounds/{round_id}"]}
    login_page = client.get(location)
    assert "Det finns redan ett konto för registrator.vast@example.polisen.se." in login_page.text
    assert f'value="/answers/rounds/{round_id}"' in login_page.text

    signed_in = client.post(
        "/auth/login",
        data={"email": POLICE_EMAIL, "password": PASSWORD, "next": f"/answers/rounds/{round_id}"},
    )
    assert signed_in.headers["Location"].endswith(f"/answers/rounds/{round_id}")
    # Posting the account form anyway makes no second account.
    client.post("/auth/logout")
    assert create(client, path).status_code == 302
    assert user_count(app) == 1


def test_a_deactivated_account_is_not_made_anew_through_the_link(app, client, smtp):
    with app.app_context():
        police = make_organisation(POLICE, kind=OrganisationKind.AUTHORITY, email=POLICE_EMAIL)
        make_user(Role.RESPONDENT, police, email=POLICE_EMAIL, name="Slutat Polis", active=False)
        db.session.commit()
    path = invitation_link(app, smtp)
    for response in (client.get(path), create(client, path)):
        assert response.status_code == 403
        assert "Kontot är avstängt" in response.text
        assert "Ett avstängt konto kan inte skapas på nytt med inbjudningslänken." in response.text
    with app.app_context():
        [user] = db.session.scalars(sa.select(User).where(User.email == POLICE_EMAIL)).all()
        assert user.active is False and user.name == "Slutat Polis"
        assert not Organisation.by_name(POLICE).has_active_account


def test_someone_else_signed_in_is_told_or_let_through(app, client, smtp, login_as):
    round_id = send_round(app)
    path = invitation_link(app, smtp, round_id=round_id)
    login_as(Role.OFFICER)
    page = client.get(path)
    assert page.status_code == 409 and "Du är inloggad som någon annan" in page.text
    assert create(client, path).status_code == 409
    client.post("/auth/logout")
    login_as(Role.RESPONDENT, POLICE)  # a colleague at the same body
    through = client.get(path)
    assert through.headers["Location"].endswith(f"/answers/rounds/{round_id}")
    assert user_count(app) == 0


def test_a_city_address_that_must_use_the_provider_gets_no_password_account(app, client, smtp, monkeypatch):
    path = invitation_link(app, smtp)
    from remiss.auth import oidc

    monkeypatch.setattr(oidc, "provider_required_for", lambda email: True)
    for response in (client.get(path), create(client, path)):
        assert response.status_code == 403
        assert "Logga in med Göteborgs Stads konto" in response.text
    assert user_count(app) == 0


# When the link stops working -----------------------------------------------------------------
def _do(app, round_id, move):
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        move(round_, User.by_email(OFFICER))
        db.session.commit()


def test_the_link_works_until_the_round_closes(app, client, smtp):
    round_id = send_round(app)
    path = invitation_link(app, smtp, round_id=round_id)
    _do(app, round_id, lambda r, by: operations.close_round(r, by=by, confirmed=True))
    for response in (client.get(path), create(client, path)):
        assert response.status_code == 410
        assert "Länken gäller inte längre" in response.text
        assert f"Remissen ”{TITLE}” är stängd och tar inte emot svar" in response.text
        assert "Hanna Handläggare" in response.text  # whom to ask
    assert user_count(app) == 0

    _do(app, round_id, lambda r, by: operations.reopen_round(r, by=by))
    assert client.get(path).status_code == 200

    _do(app, round_id, lambda r, by: operations.close_round(r, by=by, confirmed=True))
    _do(app, round_id, lambda r, by: operations.archive_round(r, by=by))
    archived = client.get(path)
    assert archived.status_code == 410 and "är avslutad och tar inte emot svar" in archived.text


def test_a_removed_body_or_a_new_contact_address_makes_the_link_say_so(app, client, smtp):
    round_id = send_round(app)
    deliver(app)
    police = link_in(smtp.to(POLICE_EMAIL)[0])
    centrum_email = with_ctx(app, lambda: Organisation.by_name(CENTRUM).email)
    centrum = link_in(smtp.to(centrum_email)[0])

    def recipient(round_, name):
        return round_.recipient_for(Organisation.by_name(name).id)

    _do(app, round_id, lambda r, by: operations.remove_recipient(recipient(r, POLICE), by=by))
    removed = client.get(police)
    assert removed.status_code == 410
    assert f"{POLICE} är inte längre remissinstans för remissen ”{TITLE}”" in removed.text

    _do(app, round_id, lambda r, by: operations.change_contact(recipient(r, CENTRUM), "ny@example.se", by=by))
    moved = client.get(centrum)
    assert moved.status_code == 410
    assert f"Kontaktadressen för {CENTRUM} har ändrats sedan länken skickades" in moved.text
    assert create(client, centrum).status_code == 410
    assert user_count(app, centrum_email) == user_count(app, "ny@example.se") == 0


@pytest.mark.parametrize(
    "token",
    ["x", "A" * 43, "WRONG_ONE_CHARACTER", "A" * 500, "%00", "%C3%A5%C3%A4%C3%B6", "..", "a b"],
)
def test_a_wrong_or_garbled_token_is_refused_in_swedish(app, client, smtp, token):
    path = invitation_link(app, smtp)
    if token == "WRONG_ONE_CHARACTER":
        real = path.rpartition("/")[2]
        token = ("B" if real[0] != "B" else "C") + real[1:]
    for response in (client.get(f"/inbjudan/{token}"), create(client, f"/inbjudan/{token}")):
        assert response.status_code == 404
        assert "Länken gäller inte" in response.text
        assert "Kontrollera att hela länken från e-postmeddelandet kom med" in response.text
    assert user_count(app) == 0


def test_hostile_input_to_the_account_form_saves_nothing_half(app, client, smtp):
    path = invitation_link(app, smtp)
    for data in (
        {"name": "A" * 200_000, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        {"name": "\x00", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        {"name": "Polly", "password": "x" * 300, "confirm": "x" * 300},
        {"name": "Polly", "email": "angripare@example.se", "password": NEW_PASSWORD},
    ):
        response = client.post(path, data=data)
        assert response.status_code == 422, data
    assert user_count(app) == 0 and user_count(app, "angripare@example.se") == 0


# The officer's side ----------------------------------------------------------------------------
def test_the_round_page_shows_the_bodies_without_an_account_and_resends_with_a_new_link(
    app, client, smtp, login_as
):
    with app.app_context():
        make_user(Role.RESPONDENT, CENTRUM, email="sara@example.goteborg.se")
        db.session.commit()
    round_id = send_round(app)
    first = invitation_link(app, smtp, round_id=round_id)

    login_as(Role.MANAGER)
    page = client.get(f"/rounds/{round_id}").text
    assert page.count("Inget konto än") == 1 and "1 remissinstans utan konto" in page
    assert "Skicka inbjudan igen" not in page  # managers follow, officers act
    client.post("/auth/logout")

    login_as(Role.OFFICER)
    page = client.get(f"/rounds/{round_id}").text
    police_row = re.search(rf"<tr>\s*<th scope=\"row\">{POLICE}.*?</tr>", page, re.S)[0]
    centrum_row = re.search(rf"<tr>\s*<th scope=\"row\">{CENTRUM}.*?</tr>", page, re.S)[0]
    assert "Inget konto än" in police_row and "Inget konto än" not in centrum_row
    assert f'Skicka inbjudan igen<span class="visually-hidden"> till {POLICE}</span></button>' in police_row
    assert "Skicka inbjudan igen" not in centrum_row
    section = page[page.index('id="utan-konto"') :]
    assert f"<li>{POLICE} <span" in section and CENTRUM not in section.split("</ul>")[0]

    recipient_id = with_ctx(
        app,
        lambda: db.session.scalar(
            sa.select(Recipient.id).join(Organisation).where(Organisation.name == POLICE)
        ),
    )
    resent = client.post(f"/rounds/{round_id}/recipients/{recipient_id}/invite")
    assert resent.status_code == 302
    flash = client.get(resent.headers["Location"]).text
    assert f"Inbjudan till {POLICE} skickas igen till {POLICE_EMAIL}, med en ny personlig länk." in flash
    assert f"skickade inbjudan till {POLICE} igen, med en ny personlig länk till {POLICE_EMAIL}" in flash

    smtp.clear()
    deliver(app)
    [mail] = smtp.to(POLICE_EMAIL)
    assert mail.subject.startswith(f"Inbjudan igen – remiss: {TITLE}")
    assert "Vi skickar inbjudan till remissen igen, med en ny personlig länk." in mail.text
    second = link_in(mail)
    assert second != first
    client.post("/auth/logout")
    assert client.get(first).status_code == 200  # the earlier link still works
    assert create(client, second).status_code == 302  # the new one makes the account
    client.post("/auth/logout")

    login_as(Role.OFFICER)
    page = client.get(f"/rounds/{round_id}").text
    assert "Inget konto än" not in page and "utan konto" not in page
    assert "skapade kontot registrator.vast@example.polisen.se" in page


def test_the_invitation_is_sent_again_only_while_the_round_takes_answers(app, client, smtp, login_as):
    round_id = send_round(app)
    _do(app, round_id, lambda r, by: operations.close_round(r, by=by, confirmed=True))
    with app.app_context():
        recipient_id = db.session.get(Round, round_id).recipients[0].id
        before = db.session.scalar(sa.select(sa.func.count(Message.id)))
    login_as(Role.OFFICER)
    page = client.get(f"/rounds/{round_id}").text
    assert "Skicka inbjudan igen" not in page and "Inget konto än" not in page
    refused = client.post(f"/rounds/{round_id}/recipients/{recipient_id}/invite", follow_redirects=True)
    assert "Inbjudan kan bara skickas igen medan remissen är öppen." in refused.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Message.id))) == before
        assert db.session.scalar(sa.select(sa.func.count(InvitationLink.id))) == 2


def test_the_office_reads_an_invitation_without_its_personal_link(app, client, login_as):
    """No mail server: the messages are kept for the admin, who sees the link; an officer never."""
    send_round(app)
    deliver(app)
    with app.app_context():
        message = db.session.scalar(sa.select(Message).where(Message.to_address == POLICE_EMAIL))
        assert message.status is MessageStatus.KEPT
        token = LINK.search(message.body_text)[1].rpartition("/")[2]
    login_as(Role.OFFICER)
    for url in (f"/messages/{message.id}", f"/messages/{message.id}/html"):
        shown = client.get(url).text
        assert "/inbjudan/[dold]" in shown and token not in shown
    client.post("/auth/logout")
    login_as(Role.ADMIN)
    assert token in client.get(f"/messages/{message.id}").text


def test_the_preview_shows_a_sample_link_and_makes_none(app, client, login_as):
    with app.app_context():
        round_ = make_round(
            make_user(Role.OFFICER), recipients=[POLICE], deadline=date.today() + timedelta(days=9)
        )
        db.session.commit()
        round_id = round_.id
    login_as(Role.OFFICER)
    page = client.get(f"/rounds/{round_id}/messages/preview").text
    assert "http://localhost/inbjudan/exempel-personlig-lank" in page and PERSONAL in page
    assert with_ctx(app, lambda: db.session.scalar(sa.select(sa.func.count(InvitationLink.id)))) == 0


# The model and the logs ---------------------------------------------------------------------
def test_has_active_account_is_the_same_in_python_and_sql(ctx):
    nobody = make_organisation("Kulturnämnden")
    left = make_organisation("Kriminalvården", kind=OrganisationKind.AUTHORITY)
    active = make_organisation(CENTRUM)
    make_user(Role.RESPONDENT, left, active=False)
    make_user(Role.RESPONDENT, active)
    make_user(Role.RESPONDENT, active, active=False)
    db.session.flush()
    expected = {nobody.name: False, left.name: False, active.name: True}
    assert {o.name: o.has_active_account for o in (nobody, left, active)} == expected
    with_account = set(
        db.session.scalars(sa.select(Organisation.name).where(Organisation.has_active_account))
    )
    without = set(db.session.scalars(sa.select(Organisation.name).where(~Organisation.has_active_account)))
    assert with_account == {CENTRUM} and without == {nobody.name, left.name}


@pytest.mark.parametrize("logger", ["werkzeug", "gunicorn.access", "remiss"])
def test_the_personal_link_is_kept_out_of_the_logs(app, caplog, logger):
    token = "Zq3-secret_Invitation42"
    caplog.set_level(logging.INFO, logger=logger)
    logging.getLogger(logger).info('%s "%s" %s', "127.0.0.1", f"GET /inbjudan/{token} HTTP/1.1", 200)
    assert token not in caplog.text
    assert "/inbjudan/[dold]" in caplog.text
