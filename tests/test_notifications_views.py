"""The officer's pages: the log of a round's messages, the preview, the reminder days, "send a
reminder now"; the admin's outbox; who may do what."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from remiss.auth.models import Role
from remiss.extensions import db
from remiss.jobs import run_due_jobs
from remiss.notifications.models import Message, MessageKind, MessageStatus
from remiss.rounds.models import Round, RoundStatus
from tests.factories import make_round, make_user
from tests.mail import smtp_fixture  # noqa: F401
from tests.test_notifications_flow import CENTRUM, OPENED, open_round, submit


def draft_round(app) -> int:
    with app.app_context():
        officer = make_user(Role.OFFICER, email="ansvarig@example.se", name="Ansvarig Handläggare")
        round_ = make_round(
            officer=officer,
            recipients=["Socialnämnden Centrum", "Kriminalvården"],
            title="Handlingsplan mot nyrekrytering",
            deadline=date.today() + timedelta(days=40),
        )
        db.session.commit()
        return round_.id


def messages_in_db(**filters) -> list[Message]:
    query = sa.select(Message)
    for name, value in filters.items():
        query = query.where(getattr(Message, name) == value)
    return list(db.session.scalars(query))


def test_the_log_shows_each_message_with_status_attempts_and_error(app, client, login_as, smtp):
    round_id = open_round(app, recipients=["Socialnämnden Centrum", "Socialnämnden Nordost"])
    smtp.stop()
    with app.app_context():
        run_due_jobs(OPENED)
    login_as(Role.OFFICER)
    page = client.get(f"/rounds/{round_id}/messages")
    assert page.status_code == 200
    assert "E-post för Riktlinje för stöd till avhoppare" in page.text
    assert page.text.count("Misslyckades") == 2
    assert "Kunde inte ansluta till e-postservern" in page.text
    assert "Nytt försök 2031-02-03 08:05." in page.text
    assert "Socialnämnden Nordost" in page.text and "Inbjudan" in page.text
    assert "Påminnelser skickas 14 och 3 dagar före" in page.text

    smtp.start()
    with app.app_context():
        run_due_jobs(OPENED + timedelta(minutes=5))
    page = client.get(f"/rounds/{round_id}/messages")
    assert page.text.count("Skickat") >= 2 and "Misslyckades" not in page.text


def test_the_preview_shows_every_kind_before_the_round_opens_and_saves_nothing(app, client, login_as):
    round_id = draft_round(app)
    login_as(Role.MANAGER)
    page = client.get(f"/rounds/{round_id}/messages/preview")
    assert page.status_code == 200
    text = page.text
    for heading in (
        "Inbjudan",
        "Påminnelse 14 dagar före",
        "Påminnelse 3 dagar före",
        "Försenat svar",
        "Bekräftelse av anstånd",
        "Kvitto",
        "Veckosammanfattning",
    ):
        assert f"<h2>{heading}</h2>" in text, heading
    assert "Så här ser meddelandena ut för Kriminalvården." in text
    assert "Remiss: Handlingsplan mot nyrekrytering (dnr 1668/20) – sista svarsdag" in text
    assert "om 14 dagar" in text and "om 3 dagar" in text
    assert "R-" in text and "EXEMPEL" in text
    assert "BEGIN:VCALENDAR" in text
    with app.app_context():
        assert messages_in_db() == []
        assert db.session.get(Round, round_id).status is RoundStatus.DRAFT
        assert all(r.extended_deadline is None for r in db.session.get(Round, round_id).recipients)


def test_send_a_reminder_now_twice_sends_one_to_each_who_has_not_answered(app, client, login_as, smtp):
    round_id = open_round(
        app, recipients=["Socialnämnden Centrum", "Socialnämnden Nordost", "Kriminalvården"]
    )
    submit(app, round_id, CENTRUM, OPENED + timedelta(days=3))
    login_as(Role.OFFICER)
    page = client.get(f"/rounds/{round_id}/messages")
    assert "2 av 3 remissinstanser har inte svarat." in page.text
    assert 'data-confirm="Skicka en påminnelse nu till 2 remissinstanser som inte har svarat?"' in page.text

    response = client.post(f"/rounds/{round_id}/messages/remind", follow_redirects=True)
    assert "2 påminnelser skickas inom några minuter." in response.text
    response = client.post(f"/rounds/{round_id}/messages/remind", follow_redirects=True)  # double click
    assert "Alla som inte har svarat har redan fått en påminnelse i dag." in response.text
    with app.app_context():
        reminders = messages_in_db(kind=MessageKind.REMINDER)
        assert sorted(m.to_address for m in reminders) == sorted(
            ["socialn.mnden.nordost@example.goteborg.se", "kriminalv.rden@example.goteborg.se"]
        )
        run_due_jobs()
    assert len([r for r in smtp.received if r.subject.startswith("Påminnelse")]) == 2


def test_send_a_reminder_now_is_refused_for_a_round_that_is_not_open(app, client, login_as):
    round_id = draft_round(app)
    login_as(Role.OFFICER)
    response = client.post(f"/rounds/{round_id}/messages/remind", follow_redirects=True)
    assert "Påminnelser kan bara skickas medan remissen är öppen." in response.text
    with app.app_context():
        assert messages_in_db() == []


def test_the_officer_changes_the_reminder_days(app, client, login_as):
    round_id = draft_round(app)
    login_as(Role.OFFICER)
    page = client.get(f"/rounds/{round_id}/messages/settings")
    assert 'value="14, 3"' in page.text
    assert "Påminnelser, antal dagar före sista svarsdag" in page.text

    response = client.post(f"/rounds/{round_id}/messages/settings", data={"reminder_days": "två veckor"})
    assert response.status_code == 200
    assert "”två” är inte ett antal dagar." in response.text
    response = client.post(f"/rounds/{round_id}/messages/settings", data={"reminder_days": "0"})
    assert "Påminnelsedagar måste vara mellan 1 och 180 dagar" in response.text
    with app.app_context():
        assert db.session.get(Round, round_id).reminder_days == "14,3"

    response = client.post(
        f"/rounds/{round_id}/messages/settings", data={"reminder_days": "7, 21;7 1"}, follow_redirects=True
    )
    assert "Påminnelser skickas 21, 7 och 1 dagar före sista svarsdagen." in response.text
    with app.app_context():
        assert db.session.get(Round, round_id).reminder_days == "21,7,1"

    response = client.post(
        f"/rounds/{round_id}/messages/settings", data={"reminder_days": ""}, follow_redirects=True
    )
    assert "Inga påminnelser skickas för remissen." in response.text


def test_reminder_days_cannot_change_once_the_round_is_closed(app, client, login_as):
    round_id = open_round(app, recipients=["Kriminalvården"])
    with app.app_context():
        db.session.get(Round, round_id).close()
        db.session.commit()
    login_as(Role.OFFICER)
    response = client.post(
        f"/rounds/{round_id}/messages/settings", data={"reminder_days": "5"}, follow_redirects=True
    )
    assert "Påminnelserna kan bara ändras medan remissen är ett utkast eller öppen." in response.text
    with app.app_context():
        assert db.session.get(Round, round_id).reminder_days == "14,3"


def test_managers_read_but_do_not_act(app, client, login_as):
    round_id = open_round(app, recipients=["Kriminalvården"])
    login_as(Role.MANAGER)
    page = client.get(f"/rounds/{round_id}/messages")
    assert page.status_code == 200
    assert "Skicka påminnelse nu" not in page.text and "Ändra påminnelsedagar" not in page.text
    assert client.post(f"/rounds/{round_id}/messages/remind").status_code == 403
    assert (
        client.post(f"/rounds/{round_id}/messages/settings", data={"reminder_days": "1"}).status_code == 403
    )
    with app.app_context():
        invitation = messages_in_db(kind=MessageKind.INVITATION)[0]
    page = client.get(f"/messages/{invitation.id}")
    assert page.status_code == 200 and "Till Kriminalvården" in page.text
    html = client.get(f"/messages/{invitation.id}/html")
    assert html.status_code == 200 and html.mimetype == "text/html"
    assert "<h1>Remiss: Riktlinje för stöd till avhoppare</h1>" in html.text


def test_respondents_see_nothing_of_the_mail(app, client, login_as):
    round_id = open_round(app, recipients=["Socialnämnden Centrum"])
    with app.app_context():
        invitation = messages_in_db(kind=MessageKind.INVITATION)[0]
    login_as(Role.RESPONDENT, "Socialnämnden Centrum")
    for url in (
        f"/rounds/{round_id}/messages",
        f"/rounds/{round_id}/messages/preview",
        f"/messages/{invitation.id}",
        f"/messages/{invitation.id}/html",
        "/outbox",
    ):
        assert client.get(url).status_code == 403, url


def test_account_messages_are_the_admins_only(app, client, login_as):
    with app.app_context():
        make_user(Role.RESPONDENT, email="ny@example.se")
        db.session.commit()
    client.post("/auth/forgot", data={"email": "ny@example.se"})
    with app.app_context():
        run_due_jobs()  # no mail server: kept
        [account] = messages_in_db(kind=MessageKind.ACCOUNT)
        assert account.status is MessageStatus.KEPT
    login_as(Role.OFFICER)
    assert client.get(f"/messages/{account.id}").status_code == 404
    client.post("/auth/logout")
    login_as(Role.ADMIN)
    page = client.get("/outbox")
    assert "Nytt lösenord till Remisstjänsten" in page.text
    assert "Utkorg" in page.text  # in the menu too
    page = client.get(f"/messages/{account.id}")
    assert "http://localhost/auth/password/" in page.text  # readable while kept
    assert client.get("/outbox?status=sent").text.count("Nytt lösenord till Remisstjänsten") == 0
    assert "Nytt lösenord till Remisstjänsten" in client.get("/outbox?status=").text


def test_the_preview_and_log_of_a_round_that_does_not_exist_is_404(app, client, login_as):
    login_as(Role.OFFICER)
    assert client.get("/rounds/999/messages").status_code == 404
    assert client.get("/rounds/999/messages/preview").status_code == 404
    assert client.get("/messages/999").status_code == 404
