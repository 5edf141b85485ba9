"""Choosing a round's recipients in one go (issue 16 §2): every active organisation as a
checkbox, grouped as the register groups them; "Välj hela gruppen" works without JavaScript (the
server ticks the group); saving adds the newly ticked and removes the unticked in one
transaction, with one message; a body that has begun answering cannot be removed, also not by a
forged form; ids of unknown or inactive organisations are refused in Swedish."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from remiss.answers.models import Answer, Position
from remiss.audit.models import AuditEvent
from remiss.auth.models import Role
from remiss.extensions import db
from remiss.notifications.models import Message
from remiss.organisations.models import Organisation, OrganisationKind
from remiss.rounds.forms import CHOSEN_NOT_IN_REGISTER
from remiss.rounds.models import Recipient, Round
from tests.factories import make_organisation, make_round, send

SOCIAL = ["Socialnämnden Centrum", "Socialnämnden Hisingen", "Socialnämnden Nordost", "Socialnämnden Sydväst"]


@pytest.fixture
def officer(login_as):
    return login_as(Role.OFFICER, name="Hanna Handläggare")


@pytest.fixture
def register(ctx):
    """Göteborg's register in small: named groups, bodies without a group, an inactive one."""
    for name in SOCIAL:
        make_organisation(name, short_name="SN " + name.split()[-1], group="Socialnämnderna")
    make_organisation("Kulturnämnden", short_name="KN")
    make_organisation("Idrotts- och föreningsnämnden", short_name="IFN")
    make_organisation("Business Region Göteborg AB", short_name="BRG", kind=OrganisationKind.COMPANY)
    make_organisation(
        "Förvaltnings AB Framtiden", short_name="Framtiden", kind=OrganisationKind.COMPANY, group="Bolag"
    )
    for name in ("Polismyndigheten Storgöteborg", "Kriminalvården"):
        make_organisation(name, kind=OrganisationKind.AUTHORITY, group="Statliga myndigheter")
    make_organisation("Nedlagd nämnd", group="Socialnämnderna", active=False)
    db.session.commit()


def new_round(app, recipients=(), sent=False) -> int:
    with app.app_context():
        round_ = make_round(recipients=list(recipients))
        if sent:
            send(round_)
        db.session.commit()
        return round_.id


def ids(app, *names) -> list[int]:
    with app.app_context():
        return [Organisation.by_name(name).id for name in names]


def recipients_of(app, round_id) -> list[str]:
    with app.app_context():
        return sorted(r.organisation.name for r in db.session.get(Round, round_id).recipients)


def begin_answering(app, round_id, name, submit=False) -> None:
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        recipient = next(r for r in round_.recipients if r.organisation.name == name)
        recipient.answer = Answer()
        recipient.answer.start_draft().position = Position.ASSENT
        if submit:
            recipient.answer.submit(by=None, received_on=date.today())
        db.session.commit()


def fieldsets(page: str) -> dict[str, list[str]]:
    """The page's groups: legend → the organisations' names, in order."""
    groups = {}
    for block in re.findall(r"<fieldset.*?</fieldset>", page, re.S):
        legend = re.search(r"<legend>([^<]+?) <span", block)[1]
        groups[legend] = re.findall(r'data-name="([^"]+)"', block)
    return groups


def checked(page: str) -> set[str]:
    return {
        m[1]
        for m in re.finditer(r'<input type="checkbox"[^>]*data-name="([^"]+)"[^>]*>', page)
        if " checked" in m[0]
    }


def chosen_list(page: str) -> tuple[str, list[str]]:
    section = re.search(r'<section class="recipient-chosen".*?</section>', page, re.S)[0]
    heading = re.sub(r"<[^>]+>", "", re.search(r"<h2[^>]*>(.*?)</h2>", section, re.S)[1])
    return heading, re.findall(r"<li>([^<]+)</li>", section)


def test_the_page_groups_every_active_organisation_as_the_register_does(app, client, officer, register):
    round_id = new_round(app, recipients=["Kriminalvården"])
    response = client.get(f"/rounds/{round_id}/recipients")
    assert response.status_code == 200
    page = response.text
    # Committees first (named groups, then those without a group), then companies, authorities.
    assert fieldsets(page) == {
        "Socialnämnderna": SOCIAL,
        "Nämnder": ["Idrotts- och föreningsnämnden", "Kulturnämnden"],
        "Bolag": ["Business Region Göteborg AB", "Förvaltnings AB Framtiden"],
        "Statliga myndigheter": ["Kriminalvården", "Polismyndigheten Storgöteborg"],
    }
    assert "Nedlagd nämnd" not in page
    assert checked(page) == {"Kriminalvården"}  # already invited: shown as chosen
    assert chosen_list(page) == ("Valda: 1 remissinstans", ["Kriminalvården"])
    # One "Välj hela gruppen" per group, a real submit button naming its group for a screen reader.
    buttons = re.findall(
        r'<button type="submit"[^>]*name="select_group" value="([^"]+)"[^>]*>Välj hela gruppen'
        r'<span class="visually-hidden"> ([^<]+)</span></button>',
        page,
    )
    assert [value for value, _ in buttons] == list(fieldsets(page))
    assert all(value == hidden for value, hidden in buttons)
    # Progressive enhancement: the filter box is hidden until the script shows it; a live region.
    assert re.search(r'<div class="recipient-filter" data-recipient-filter hidden>', page)
    assert 'role="status" id="recipient-announcement"' in page
    assert '<script src="/static/js/recipients.js" defer></script>' in page
    script = client.get("/static/js/recipients.js")
    script.close()
    assert script.status_code == 200


def test_select_a_whole_group_without_javascript(app, client, officer, register):
    round_id = new_round(app)
    url = f"/rounds/{round_id}/recipients"
    kriminalvarden = ids(app, "Kriminalvården")
    response = client.post(url, data={"organisations": kriminalvarden, "select_group": "Socialnämnderna"})
    assert response.status_code == 200
    page = response.text
    assert checked(page) == {"Kriminalvården", *SOCIAL}  # what was ticked stays ticked
    assert chosen_list(page) == ("Valda: 5 remissinstanser", ["Kriminalvården", *SOCIAL])
    assert "Hela gruppen Socialnämnderna är markerad. Spara för att lägga till den." in page
    assert recipients_of(app, round_id) == []  # nothing saved yet
    # The button posts to the group's own place on the page, so the browser returns there.
    assert f'formaction="/rounds/{round_id}/recipients#grupp-1"' in page

    response = client.post(url, data={"organisations": ids(app, "Kriminalvården", *SOCIAL)})
    assert response.status_code == 302
    assert recipients_of(app, round_id) == sorted(["Kriminalvården", *SOCIAL])


def test_adding_and_removing_several_at_once_is_one_commit_with_one_message(app, client, officer, register):
    round_id = new_round(app, recipients=["Kulturnämnden", "Kriminalvården"], sent=True)
    url = f"/rounds/{round_id}/recipients"

    def commits(data) -> tuple[int, object]:
        counted = []
        with app.app_context():
            engine = db.engine

        def listener(connection):
            counted.append(1)

        sa.event.listen(engine, "commit", listener)
        try:
            response = client.post(url, data=data)
        finally:
            sa.event.remove(engine, "commit", listener)
        return len(counted), response

    # What a request commits when the choice is unchanged, against the save of several changes.
    baseline, _ = commits({"organisations": ids(app, "Kulturnämnden", "Kriminalvården")})
    count, response = commits(
        {"organisations": ids(app, "Kriminalvården", "Socialnämnden Centrum", "Socialnämnden Hisingen")}
    )
    assert response.status_code == 302
    assert count == baseline + 1
    page = client.get(response.location).text
    message = (
        "2 remissinstanser lades till, 1 togs bort. Remissen är öppen, så de som lades till är inbjudna nu."
    )
    assert page.count(message) == 1
    assert recipients_of(app, round_id) == [
        "Kriminalvården",
        "Socialnämnden Centrum",
        "Socialnämnden Hisingen",
    ]
    assert chosen_list(page) == (
        "Valda: 3 remissinstanser",
        ["Kriminalvården", "Socialnämnden Centrum", "Socialnämnden Hisingen"],
    )
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.round_id == round_id).order_by(AuditEvent.id)
        ).all()
        invitations = db.session.scalars(sa.select(Message).where(Message.round_id == round_id)).all()
        invited = {m.recipient.organisation.name for m in invitations if m.kind.value == "invitation"}
    assert actions[-3:] == ["recipient.removed", "recipient.added", "recipient.added"]
    assert {"Socialnämnden Centrum", "Socialnämnden Hisingen"} <= invited

    # Only removals, only one, and nothing at all.
    page = client.post(
        f"/rounds/{round_id}/recipients",
        data={"organisations": ids(app, "Kriminalvården", "Socialnämnden Centrum")},
        follow_redirects=True,
    ).text
    assert "1 remissinstans togs bort." in page
    page = client.post(
        f"/rounds/{round_id}/recipients",
        data={"organisations": ids(app, "Kriminalvården", "Socialnämnden Centrum")},
        follow_redirects=True,
    ).text
    assert "Inget ändrades: samma remissinstanser som förut." in page


def test_a_body_that_has_begun_answering_is_shown_disabled_and_cannot_be_removed(
    app, client, officer, register
):
    round_id = new_round(
        app, recipients=["Kulturnämnden", "Kriminalvården", "Socialnämnden Centrum"], sent=True
    )
    begin_answering(app, round_id, "Kriminalvården")
    begin_answering(app, round_id, "Socialnämnden Centrum", submit=True)
    url = f"/rounds/{round_id}/recipients"
    page = client.get(url).text
    [kv, centrum] = ids(app, "Kriminalvården", "Socialnämnden Centrum")
    box = re.search(rf'<input type="checkbox"[^>]*value="{kv}"[^>]*>', page)[0]
    assert " checked" in box and " disabled" in box and f'aria-describedby="organisation-{kv}-reason"' in box
    reason = f'<p class="hint recipient-list__reason" id="organisation-{kv}-reason">'
    assert reason + "Har börjat svara och kan inte tas bort.</p>" in page
    assert f'id="organisation-{centrum}-reason">Har svarat och kan inte tas bort.</p>' in page
    # A disabled box is not posted; its hidden twin keeps the body chosen when the page is saved.
    assert f'<input type="hidden" name="organisations" value="{kv}">' in page
    # "Välj hela gruppen" never unticks or posts a locked body away either.
    statliga = re.search(r'data-group-name="Statliga myndigheter".*?</fieldset>', page, re.S)[0]
    assert "Välj hela gruppen" in statliga  # the police can still be chosen

    # A forged form that leaves out the bodies that have begun answering is refused, whole.
    response = client.post(url, data={"organisations": ids(app, "Polismyndigheten Storgöteborg")})
    assert response.status_code == 422
    assert "har redan börjat svara eller svarat och kan inte tas bort." in response.text
    assert recipients_of(app, round_id) == ["Kriminalvården", "Kulturnämnden", "Socialnämnden Centrum"]
    assert checked(response.text) >= {
        "Polismyndigheten Storgöteborg",
        "Kriminalvården",
        "Socialnämnden Centrum",
    }
    with app.app_context():
        # Nothing half-saved: the police was not added, nor invited.
        queued = sa.select(sa.func.count(Message.id)).where(Message.round_id == round_id)
        assert db.session.scalar(queued) == 0

    # The page as posted by a browser: the hidden twins keep them, Kulturnämnden goes.
    response = client.post(url, data={"organisations": [kv, centrum]}, follow_redirects=True)
    assert "1 remissinstans togs bort." in response.text
    assert recipients_of(app, round_id) == ["Kriminalvården", "Socialnämnden Centrum"]


@pytest.mark.parametrize("value", ["inactive", "unknown", "abc", "²", "٣", "-1", str(2**70), ""])
def test_ids_of_inactive_or_unknown_organisations_are_refused_in_swedish(
    app, client, officer, register, value
):
    round_id = new_round(app, recipients=["Kulturnämnden"])
    forged = {"inactive": str(ids(app, "Nedlagd nämnd")[0]), "unknown": "99999"}.get(value, value)
    data = {"organisations": [str(ids(app, "Kriminalvården")[0]), forged]}
    response = client.post(f"/rounds/{round_id}/recipients", data=data)
    assert response.status_code == 422
    assert CHOSEN_NOT_IN_REGISTER in response.text
    assert CHOSEN_NOT_IN_REGISTER.startswith("Välj remissinstanser i listan. En av de valda organisationerna")
    assert "Not a valid choice" not in response.text and "is not a valid" not in response.text
    assert recipients_of(app, round_id) == ["Kulturnämnden"]
    assert checked(response.text) == {"Kriminalvården"}  # what was valid stays ticked, nothing saved


def test_an_invited_body_deactivated_since_is_listed_and_can_be_removed(app, client, officer, register):
    round_id = new_round(app, recipients=["Kulturnämnden", "Kriminalvården"])
    with app.app_context():
        Organisation.by_name("Kulturnämnden").active = False
        db.session.commit()
    page = client.get(f"/rounds/{round_id}/recipients").text
    assert 'Kulturnämnden <span class="muted">(inte längre aktiv i registret)</span>' in page
    assert "Kulturnämnden" in checked(page)
    client.post(f"/rounds/{round_id}/recipients", data={"organisations": ids(app, "Kriminalvården")})
    assert recipients_of(app, round_id) == ["Kriminalvården"]
    # … and once removed it cannot be chosen again.
    response = client.post(
        f"/rounds/{round_id}/recipients", data={"organisations": ids(app, "Kulturnämnden")}
    )
    assert response.status_code == 422 and "är inte aktiv" in response.text


def test_the_rounds_named_checks_decide_whether_the_page_opens(app, client, officer, register):
    round_id = new_round(app, recipients=["Kulturnämnden"], sent=True)
    with app.app_context():
        db.session.get(Round, round_id).close()
        db.session.commit()
    for response in (
        client.get(f"/rounds/{round_id}/recipients"),
        client.post(f"/rounds/{round_id}/recipients", data={"organisations": ids(app, "Kriminalvården")}),
    ):
        assert response.status_code == 302 and response.location.endswith(
            f"/rounds/{round_id}#remissinstanser"
        )
    page = client.get(f"/rounds/{round_id}").text
    assert "Remissinstanser kan bara väljas medan remissen är ett utkast eller öppen." in page
    assert "Välj remissinstanser</a>" not in page
    assert recipients_of(app, round_id) == ["Kulturnämnden"]


def test_an_unknown_group_is_refused_and_a_group_already_chosen_changes_nothing(
    app, client, officer, register
):
    round_id = new_round(app, recipients=SOCIAL)
    url = f"/rounds/{round_id}/recipients"
    response = client.post(
        url, data={"organisations": ids(app, *SOCIAL), "select_group": "Påhittade nämnder"}
    )
    assert response.status_code == 422 and "Välj en grupp i listan." in response.text
    assert '<a href="#organisations">Välj en grupp i listan.</a>' in response.text  # the error summary
    response = client.post(url, data={"organisations": ids(app, *SOCIAL), "select_group": "Socialnämnderna"})
    assert response.status_code == 200 and checked(response.text) == set(SOCIAL)


def test_only_officers_choose(app, client, login_as, register):
    round_id = new_round(app, recipients=["Kulturnämnden"])
    login_as(Role.MANAGER)
    assert client.get(f"/rounds/{round_id}/recipients").status_code == 403
    data = {"organisations": ids(app, "Kriminalvården")}
    assert client.post(f"/rounds/{round_id}/recipients", data=data).status_code == 403
    assert recipients_of(app, round_id) == ["Kulturnämnden"]


def test_the_operation_refuses_an_inactive_organisation(app, register):
    from remiss.core.errors import DomainError
    from remiss.rounds import operations

    with app.app_context():
        round_ = make_round()
        inactive = Organisation.by_name("Nedlagd nämnd")
        with pytest.raises(DomainError, match="Nedlagd nämnd är inte aktiv i registret"):
            operations.choose_recipients(round_, [inactive], by=None)
        assert db.session.scalars(sa.select(Recipient)).all() == []
