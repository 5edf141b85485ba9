"""Recipients, sending, closing, extensions and the round page, as the officer runs a round."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from remiss.answers.models import Answer, Position
from remiss.audit.models import AuditEvent
from remiss.auth.models import Role
from remiss.core.time import format_date
from remiss.extensions import db
from remiss.notifications.models import Message
from remiss.organisations.models import Organisation
from remiss.rounds.models import Recipient, Round, RoundStatus
from tests.factories import make_organisation, make_round, send


@pytest.fixture
def officer(login_as):
    return login_as(Role.OFFICER, name="Hanna Handläggare")


@pytest.fixture
def register(ctx):
    make_organisation(
        "Socialnämnden Centrum",
        group="Socialnämnderna",
        email="socialnamnden.centrum@example.goteborg.se",
    )
    make_organisation(
        "Socialnämnden Hisingen",
        group="Socialnämnderna",
        email="socialnamnden.hisingen@example.goteborg.se",
    )
    make_organisation(
        "Socialnämnden Nordost",
        group="Socialnämnderna",
        email="socialnamnden.nordost@example.goteborg.se",
    )
    make_organisation(
        "Polismyndigheten", group="Statliga myndigheter", email="registrator@polisen.example.se"
    )
    make_organisation("Nedlagd nämnd", group="Socialnämnderna", active=False)
    db.session.commit()


def queued(app, round_id):
    """The e-mail queued for the round: (kind, recipient id), oldest first."""
    with app.app_context():
        return [
            (m.kind.value, m.recipient_id)
            for m in db.session.scalars(
                sa.select(Message).where(Message.round_id == round_id).order_by(Message.id)
            )
        ]


def recipients_of(app, round_id):
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        return sorted(
            (r.organisation.name, r.contact_email, r.invited_at is not None) for r in round_.recipients
        )


def org_id(app, name):
    with app.app_context():
        return Organisation.by_name(name).id


def new_round(app, **kwargs):
    with app.app_context():
        round_ = make_round(**kwargs)
        db.session.commit()
        return round_.id


def submit_answer(recipient: Recipient, submitted=True):
    answer = Answer()
    recipient.answer = answer
    draft = answer.start_draft()
    draft.position = Position.ASSENT
    if submitted:
        answer.submit(by=None, received_on=date.today())
    return answer


def test_contact_address_can_be_changed(app, client, officer, register):
    round_id = new_round(app, recipients=["Socialnämnden Centrum"])
    with app.app_context():
        recipient_id = db.session.scalars(sa.select(Recipient.id)).one()
    url = f"/rounds/{round_id}/recipients/{recipient_id}/edit"
    assert "socialnamnden.centrum@example.goteborg.se" in client.get(url).text
    assert "Ange en giltig e-postadress." in client.post(url, data={"contact_email": "inte en adress"}).text
    client.post(url, data={"contact_email": "sara.centrum@example.goteborg.se"})
    assert recipients_of(app, round_id) == [
        ("Socialnämnden Centrum", "sara.centrum@example.goteborg.se", False)
    ]


def test_opening_an_empty_round_is_refused(app, client, officer):
    round_id = new_round(app, structure={})
    page = client.post(f"/rounds/{round_id}/open", follow_redirects=True).text
    assert "Remissen har inga remissinstanser. Remissen har inga fokusområden eller frågor." in page
    with app.app_context():
        assert db.session.get(Round, round_id).status is RoundStatus.DRAFT


def test_open_invites_everyone_and_a_late_addition_is_invited_at_once(app, client, officer, register):
    round_id = new_round(app, recipients=["Socialnämnden Centrum", "Socialnämnden Hisingen"])
    page = client.get(f"/rounds/{round_id}").text
    assert "data-confirm=" in page and "Skicka remissen" in page
    # No remissförslag among the documents: sending asks first, and sends nothing yet.
    page = client.post(f"/rounds/{round_id}/open").text
    assert "Remissen har inget remissförslag bland dokumenten." in page and "Skicka ändå" in page
    assert queued(app, round_id) == []
    page = client.post(f"/rounds/{round_id}/open", data={"confirm": "1"}, follow_redirects=True).text
    assert "Remissen är skickad. Remissinstanserna är inbjudna." in page
    assert "Öppen" in page
    assert recipients_of(app, round_id) == [
        ("Socialnämnden Centrum", "socialnamnden.centrum@example.goteborg.se", True),
        ("Socialnämnden Hisingen", "socialnamnden.hisingen@example.goteborg.se", True),
    ]
    assert [kind for kind, _ in queued(app, round_id)] == ["invitation", "invitation"]
    with app.app_context():
        assert db.session.get(Round, round_id).sent_on == date.today()  # the real sending date

    names = ("Socialnämnden Centrum", "Socialnämnden Hisingen", "Polismyndigheten")
    chosen = [org_id(app, name) for name in names]
    page = client.post(
        f"/rounds/{round_id}/recipients", data={"organisations": chosen}, follow_redirects=True
    ).text
    assert "1 remissinstans lades till. Remissen är öppen, så den som lades till är inbjuden nu." in page
    assert ("Polismyndigheten", "registrator@polisen.example.se", True) in recipients_of(app, round_id)
    with app.app_context():
        police = db.session.scalars(
            sa.select(Recipient).join(Organisation).where(Organisation.name == "Polismyndigheten")
        ).one()
        assert police.invited_at is not None
    assert queued(app, round_id)[-1] == ("invitation", police.id)


def test_close_reopen_archive(app, client, officer):
    with app.app_context():
        round_ = make_round(recipients=["Socialnämnden Centrum"])
        send(round_)
        db.session.commit()
        round_id = round_.id

    def status():
        with app.app_context():
            return db.session.get(Round, round_id).status

    page = client.post(f"/rounds/{round_id}/archive", follow_redirects=True).text
    assert "Bara en stängd remiss kan avslutas." in page and status() is RoundStatus.OPEN
    # Before the deadline: a confirmation first, then closed.
    assert "Stäng ändå" in client.post(f"/rounds/{round_id}/close").text
    assert status() is RoundStatus.OPEN
    page = client.post(f"/rounds/{round_id}/close", data={"confirm": "1"}, follow_redirects=True).text
    assert "Remissen är stängd" in page
    assert status() is RoundStatus.CLOSED
    assert "Remissen är öppen igen." in client.post(f"/rounds/{round_id}/reopen", follow_redirects=True).text
    client.post(f"/rounds/{round_id}/close", data={"confirm": "1"})
    page = client.post(f"/rounds/{round_id}/archive", follow_redirects=True).text
    assert "Remissen är avslutad." in page and status() is RoundStatus.ARCHIVED
    assert "Stäng remissen" not in page and "Ladda upp" not in page
    page = client.post(f"/rounds/{round_id}/open", follow_redirects=True).text
    assert "Bara en remiss som är ett utkast kan skickas." in page


def test_a_recipient_who_has_answered_cannot_be_removed(app, client, officer):
    with app.app_context():
        round_ = make_round(recipients=["Socialnämnden Centrum", "Socialnämnden Hisingen", "Kriminalvården"])
        send(round_)
        by_name = {r.organisation.name: r for r in round_.recipients}
        submit_answer(by_name["Socialnämnden Centrum"])
        submit_answer(by_name["Socialnämnden Hisingen"], submitted=False)
        db.session.commit()
        round_id = round_.id
        ids = {name: r.id for name, r in by_name.items()}
    page = client.get(f"/rounds/{round_id}").text
    assert page.count(">Ta bort<span") == 1  # only the one that has not begun

    for name, message in (
        (
            "Socialnämnden Centrum",
            "Socialnämnden Centrum har redan börjat svara eller svarat och kan inte tas bort.",
        ),
        ("Socialnämnden Hisingen", "Socialnämnden Hisingen har redan börjat svara"),
    ):
        page = client.post(f"/rounds/{round_id}/recipients/{ids[name]}/remove", follow_redirects=True).text
        assert message in page
    page = client.post(
        f"/rounds/{round_id}/recipients/{ids['Kriminalvården']}/remove", follow_redirects=True
    ).text
    assert "Kriminalvården är borttagen som remissinstans." in page
    assert [name for name, *_ in recipients_of(app, round_id)] == [
        "Socialnämnden Centrum",
        "Socialnämnden Hisingen",
    ]


def test_extension_gives_one_recipient_a_new_deadline(app, client, officer):
    with app.app_context():
        round_ = make_round(recipients=["Socialnämnden Centrum"])
        send(round_)
        db.session.commit()
        round_id, recipient_id, deadline = round_.id, round_.recipients[0].id, round_.deadline
    url = f"/rounds/{round_id}/recipients/{recipient_id}/extension"
    page = client.post(url, data={"extended_deadline": deadline.isoformat(), "reason": "Nämndmöte"}).text
    assert "Anståndet måste gå ut efter remissens sista svarsdag." in page
    assert "Ange skälet till anståndet." in client.post(url, data={"extended_deadline": "2099-01-01"}).text
    new = deadline + timedelta(days=14)
    page = client.post(
        url,
        data={"extended_deadline": new.isoformat(), "reason": "Nämnden sammanträder senare"},
        follow_redirects=True,
    ).text
    assert f"Socialnämnden Centrum har anstånd till {format_date(new, 'long')}." in page
    assert f"Ej påbörjat – anstånd till {new.isoformat()}" in page
    assert "Nämnden sammanträder senare" in page
    assert ("extension", recipient_id) in queued(app, round_id)
    with app.app_context():
        recipient = db.session.get(Recipient, recipient_id)
        assert (
            recipient.effective_deadline == new
            and recipient.extension_reason == "Nämnden sammanträder senare"
        )


def test_round_page_shows_progress_status_and_trail(app, client, officer):
    with app.app_context():
        round_ = make_round(
            recipients=["Socialnämnden Centrum", "Socialnämnden Hisingen", "Kriminalvården"],
            deadline=date.today() + timedelta(days=10),
        )
        send(round_)
        submit_answer(next(r for r in round_.recipients if r.organisation.name == "Kriminalvården"))
        db.session.commit()
        round_id = round_.id
    client.post(f"/rounds/{round_id}/close", data={"confirm": "1"})
    page = client.get(f"/rounds/{round_id}").text
    assert '<progress id="progress" max="3" value="1">' in page
    assert "Svar från 1 av 3 remissinstanser" in page
    assert "Inskickat" in page and "Tillstyrker" in page and "Ej påbörjat" in page
    assert date.today().isoformat() in page
    trail = page.split("Historik", 1)[1]
    assert "Hanna Handläggare" in trail and "stängde remissen i förtid" in trail
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.round_id == round_id)
        ).all()
        assert "round.closed" in actions


def test_mark_an_answer_read(app, client, officer):
    with app.app_context():
        round_ = make_round(recipients=["Socialnämnden Centrum"])
        send(round_)
        answer = submit_answer(round_.recipients[0])
        db.session.commit()
        round_id, recipient_id, answer_id = round_.id, round_.recipients[0].id, answer.id
    assert "Oläst" in client.get(f"/rounds/{round_id}").text
    page = client.post(f"/rounds/{round_id}/recipients/{recipient_id}/read", follow_redirects=True).text
    assert "Svaret från Socialnämnden Centrum är markerat som läst." in page
    assert "Oläst" not in page
    with app.app_context():
        assert db.session.get(Answer, answer_id).read_at is not None


def test_an_answer_not_yet_submitted_cannot_be_marked_read(app, client, officer):
    with app.app_context():
        round_ = make_round(recipients=["Socialnämnden Centrum"])
        send(round_)
        db.session.commit()
        round_id, recipient_id = round_.id, round_.recipients[0].id
    page = client.post(f"/rounds/{round_id}/recipients/{recipient_id}/read", follow_redirects=True).text
    assert "Socialnämnden Centrum har inget inskickat svar att markera som läst." in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0


def test_managers_read_but_do_not_act(app, client, login_as):
    with app.app_context():
        round_ = make_round(recipients=["Socialnämnden Centrum"])
        db.session.commit()
        round_id, recipient_id = round_.id, round_.recipients[0].id
    login_as(Role.MANAGER)
    page = client.get(f"/rounds/{round_id}").text
    assert "Förslag till handlingsplan" in page and "Socialnämnden Centrum" in page
    for action in ("Skicka remissen", "Ta bort", "Ladda upp", "Anstånd", "Ändra uppgifter"):
        assert action not in page
    for url in (
        f"/rounds/{round_id}/open",
        f"/rounds/{round_id}/recipients/{recipient_id}/remove",
        f"/rounds/{round_id}/recipients/{recipient_id}/extension",
    ):
        assert client.post(url).status_code == 403
    with app.app_context():
        assert db.session.get(Round, round_id).status is RoundStatus.DRAFT
        assert len(db.session.get(Round, round_id).recipients) == 1


def test_a_respondent_cannot_act_on_a_round_it_is_invited_to(app, client, login_as):
    with app.app_context():
        round_ = make_round(recipients=["Socialnämnden Centrum"])
        send(round_)
        db.session.commit()
        round_id, recipient_id = round_.id, round_.recipients[0].id
    login_as(Role.RESPONDENT, "Socialnämnden Centrum")
    assert client.get(f"/rounds/{round_id}").status_code == 403
    response = client.post(
        f"/rounds/{round_id}/recipients/{recipient_id}/extension",
        data={"extended_deadline": "2099-01-01", "reason": "Vi vill ha mer tid"},
    )
    assert response.status_code == 403
    assert client.post(f"/rounds/{round_id}/close").status_code == 403
    with app.app_context():
        assert db.session.get(Recipient, recipient_id).extended_deadline is None
        assert db.session.get(Round, round_id).status is RoundStatus.OPEN


@pytest.mark.csrf
def test_a_post_button_without_its_token_is_refused(app, client):
    from tests.factories import make_user

    with app.app_context():
        round_ = make_round(recipients=["Socialnämnden Centrum"])
        user_id = make_user(Role.OFFICER).get_id()
        db.session.commit()
        round_id = round_.id
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
    assert 'name="csrf_token"' in client.get(f"/rounds/{round_id}").text
    response = client.post(f"/rounds/{round_id}/open")
    assert response.status_code == 400 and "Formuläret har gått ut" in response.text
    with app.app_context():
        assert db.session.get(Round, round_id).status is RoundStatus.DRAFT
