"""Commands through ``runner``."""

import json

import sqlalchemy as sa

from remiss.answers.models import AnswerVersion
from remiss.auth.models import Role, User
from remiss.demo import ORGANISATIONS_CSV, ROUND_FILES
from remiss.extensions import db
from remiss.organisations.models import Organisation
from remiss.rounds.models import Round


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_load_demo_twice_leaves_18_organisations_and_2_rounds(app, runner):
    result = runner.invoke(args=["load-demo"])
    assert result.exit_code == 0, result.output
    assert "18 nya organisationer, 5 nya konton, 2 nya remisser" in result.output
    result = runner.invoke(args=["load-demo"])
    assert "0 nya organisationer, 0 nya konton, 0 nya remisser" in result.output
    with app.app_context():
        assert count(Organisation) == 18
        assert count(Round) == 2
        assert count(User) == 5
        rounds = {r.dnr: r for r in db.session.scalars(sa.select(Round))}
        plan = rounds["1668/20"]
        assert plan.is_closed and len(plan.recipients) == 16
        answered = [r for r in plan.recipients if r.answer is not None]
        assert len(answered) == 15
        nordost = next(r for r in answered if r.organisation.name == "Socialnämnden Nordost")
        assert nordost.answer.latest_submitted.days_late == 3
        centrum = next(r for r in answered if r.organisation.name == "Socialnämnden Centrum")
        version = centrum.answer.latest_submitted
        assert version.decision_text == "Socialnämnden Centrum 2022-01-25 § 14"
        assert version.comment_on(measure_id=plan.measures[0].id).text.startswith("Vi vill")
        guideline = rounds["1370/21"]
        assert guideline.is_open
        assert guideline.deadline > guideline.sent_on
        drafts = db.session.scalars(
            sa.select(AnswerVersion).where(AnswerVersion.submitted_at.is_(None))
        ).all()
        assert len(drafts) == 1


def test_demo_accounts_can_sign_in(app, runner, client):
    from remiss.demo import ACCOUNTS

    runner.invoke(args=["load-demo"])
    for account in ACCOUNTS:
        response = client.post("/auth/login", data={"email": account.email, "password": account.password})
        assert response.status_code == 302, account.email
        client.post("/auth/logout")
    output = runner.invoke(args=["demo-accounts"]).output
    assert all(a.email in output and a.password in output for a in ACCOUNTS)


def test_create_user(app, runner):
    runner.invoke(args=["import-organisations", str(ORGANISATIONS_CSV)])
    result = runner.invoke(
        args=[
            "create-user",
            "Kim@Example.se",
            "--role",
            "respondent",
            "--organisation",
            "Kriminalvården",
            "--password",
            "ett långt lösenord",
        ]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["create-user", "ny@example.se", "--role", "officer"])
    assert "Inbjudningslänk: http://localhost/auth/password/" in result.output
    with app.app_context():
        kim = User.by_email("kim@example.se")
        assert kim.role is Role.RESPONDENT and kim.organisation.name == "Kriminalvården"
        assert kim.check_password("ett långt lösenord")


def test_create_user_refuses_bad_input(app, runner):
    result = runner.invoke(args=["create-user", "x@example.se", "--role", "respondent"])
    assert result.exit_code != 0 and "--organisation" in result.output
    result = runner.invoke(
        args=["create-user", "x@example.se", "--role", "respondent", "--organisation", "Finns ej"]
    )
    assert "finns inte" in result.output
    result = runner.invoke(args=["create-user", "inte en adress", "--role", "officer"])
    assert "Ogiltig e-postadress" in result.output
    runner.invoke(args=["create-user", "x@example.se", "--role", "officer", "--password", "p" * 12])
    result = runner.invoke(args=["create-user", "x@example.se", "--role", "manager"])
    assert "Det finns redan ett konto" in result.output


def test_import_organisations_reports_bad_rows(app, runner, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,short_name,kind,group,email\nA,A,namnd,,a@example.se\nB,B,x,,b@example.se\n")
    result = runner.invoke(args=["import-organisations", str(bad)])
    assert result.exit_code == 1
    assert "Rad 3: typen ”x” är okänd" in result.output
    with app.app_context():
        assert count(Organisation) == 0


def test_import_round_twice_with_the_same_case_number_gives_two_rounds(app, runner):
    runner.invoke(args=["import-organisations", str(ORGANISATIONS_CSV)])
    path = next(p for p in ROUND_FILES if "nyrekrytering" in p.name)
    first = runner.invoke(args=["import-round", str(path)])
    second = runner.invoke(args=["import-round", str(path)])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert first.output.strip().isdigit() and second.output.strip().isdigit()
    assert first.output != second.output
    with app.app_context():
        assert db.session.scalars(sa.select(Round.dnr)).all() == ["1668/20", "1668/20"]


def test_import_round_names_what_is_wrong_and_imports_nothing(app, runner, tmp_path):
    runner.invoke(args=["import-organisations", str(ORGANISATIONS_CSV)])
    path = next(p for p in ROUND_FILES if "nyrekrytering" in p.name)
    data = json.loads(path.read_text())
    data["dnr"] = "1668-20"
    data["recipients"].append("Okänd nämnd")
    data["answers"][2]["measures"]["9:9"] = {"comment": "x"}
    data["answers"][0]["received_on"] = "2022-13-01"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    result = runner.invoke(args=["import-round", str(bad)])
    assert result.exit_code == 1
    assert "dnr: ”1668-20” är inte ett diarienummer i formen 1668/20." in result.output
    assert "recipients[16]: organisationen ”Okänd nämnd” finns inte i registret." in result.output
    assert "answers[2].measures.9:9: insatsen finns inte i remissens struktur." in result.output
    assert "answers[0].received_on: ”2022-13-01” är inte ett datum" in result.output
    assert "Ingenting importerades." in result.output
    with app.app_context():
        assert count(Round) == 0
    bad.write_text("{not json")
    result = runner.invoke(args=["import-round", str(bad)])
    assert "Filen är inte giltig JSON" in result.output


def test_send_due_messages_sends_a_round_scheduled_for_today(app, runner):
    """The job sends a scheduled round on its sending date, as the officer who scheduled it,
    and its invitations go out in the same run (kept in the outbox without a mail server)."""
    from datetime import date, timedelta

    from remiss.audit.models import AuditEvent
    from remiss.notifications.models import Message, MessageKind, MessageStatus
    from remiss.rounds import operations
    from tests.factories import make_round, make_user

    sending_day = date.today() + timedelta(days=3)
    with app.app_context():
        officer = make_user(Role.OFFICER, email="hanna@example.goteborg.se", name="Hanna Handläggare")
        round_ = make_round(
            officer=officer,
            recipients=["Socialnämnden Centrum", "Kriminalvården"],
            sent_on=sending_day,
            deadline=sending_day + timedelta(days=30),
        )
        operations.schedule_round(round_, by=officer, confirmed=True)
        db.session.commit()
        round_id, officer_id = round_.id, officer.id

    result = runner.invoke(args=["send-due-messages", "--now", f"{sending_day - timedelta(days=1)}T07:00"])
    assert result.exit_code == 0, result.output
    assert "schemalagda" not in result.output
    with app.app_context():
        assert db.session.get(Round, round_id).is_draft

    result = runner.invoke(args=["send-due-messages", "--now", f"{sending_day}T07:00"])
    assert result.exit_code == 0, result.output
    assert "1 schemalagda remisser skickade" in result.output
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        assert round_.is_open and round_.sent_on == sending_day
        invitations = db.session.scalars(
            sa.select(Message).where(Message.kind == MessageKind.INVITATION)
        ).all()
        assert len(invitations) == 2 and {m.status for m in invitations} == {MessageStatus.KEPT}
        opened = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "round.opened"))
        assert opened.actor_id == officer_id

    result = runner.invoke(args=["send-due-messages", "--now", f"{sending_day}T07:05"])
    assert "schemalagda" not in result.output  # sent once


def test_importing_a_round_runs_the_clicked_operations(app, runner, tmp_path):
    """An archived round from a file: its history has the sentences of the clicks, dated when
    they happened, and importing it sends nothing."""
    from remiss.audit.models import AuditEvent
    from remiss.core.time import local_today
    from remiss.notifications.models import Message

    assert runner.invoke(args=["import-organisations", str(ORGANISATIONS_CSV)]).exit_code == 0
    data = json.loads(ROUND_FILES[0].read_text(encoding="utf-8"))
    assert data["dnr"] == "1668/20"
    data["status"] = "archived"
    path = tmp_path / "round.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(args=["import-round", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        round_ = db.session.get(Round, int(result.output.strip()))
        assert round_.is_archived and local_today(round_.closed_at).isoformat() == "2022-02-01"
        events = db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.round_id == round_.id)
            .order_by(AuditEvent.at, AuditEvent.id)
        ).all()
        assert [e.action for e in events][:2] == ["round.created", "recipient.added"]
        actions = [e.action for e in events]
        assert actions[-2:] == ["round.archived", "round.imported"]
        assert actions.index("round.closed") < actions.index("round.archived")
        assert all(e.sentence != e.action for e in events)
        assert "registrerade svaret från Socialnämnden Centrum (importerat, mottaget 2022-01-27" in (
            " ".join(e.sentence for e in events)
        )
        assert db.session.scalar(sa.select(sa.func.count(Message.id))) == 0

    data["status"] = "draft"
    data["answers"] = []
    data["drafts"] = [{"organisation": "Socialnämnden Centrum", "comment": "Påbörjat."}]
    path.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(args=["import-round", str(path)])
    assert result.exit_code != 0
    assert "drafts: en remiss som är ett utkast kan inte ha påbörjade svar." in result.output
