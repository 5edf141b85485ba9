"""The receipt of an answer that came by post or e-mail and was registered by the officer: it goes
to the body's mailbox like any receipt, but it must say when the answer arrived and through which
channel, and that the office registered it (not that the officer "submitted" it)."""

from __future__ import annotations

from datetime import date, timedelta

from remiss.auth.models import Role
from remiss.core.time import utcnow
from remiss.extensions import db
from remiss.jobs import run_due_jobs
from remiss.rounds.models import Round
from tests.answering import NORDOST, create_open_round, sign_in, structure
from tests.mail import smtp_fixture  # noqa: F401
from tests.summary_data import recipient_of

NORDOST_MAILBOX = "socialn.mnden.nordost@example.goteborg.se"


def test_the_receipt_of_a_registered_answer_names_its_arrival_channel_and_registrar(app, smtp):
    round_id = create_open_round(app, deadline=date.today() - timedelta(days=5))
    ids = structure(app, round_id)
    with app.app_context():
        db.session.get(Round, round_id).close()
        db.session.commit()
        recipient_id = recipient_of(round_id, NORDOST).id
    officer, _ = sign_in(app, Role.OFFICER, name="Olle Officer")
    received = date.today() - timedelta(days=3)
    response = officer.post(
        f"/rounds/{round_id}/recipients/{recipient_id}/register",
        data={
            "received_on": received.isoformat(),
            "channel": "post",
            "position": "avstyrker",
            f"m_{ids['1:1']}_position": "avstyrker",
            "decided_by": "Socialnämnden Nordost",
        },
    )
    assert response.status_code == 302, response.text

    with app.app_context():
        run_due_jobs(utcnow())
    [receipt] = [r for r in smtp.received if r.subject.startswith("Kvitto ")]
    assert receipt.rcpt_tos[0] == NORDOST_MAILBOX
    text, html = receipt.text, receipt.html
    assert "Ert remissvar har kommit in till stadsledningskontoret med post" in text
    assert f"Mottaget:        {received.isoformat()} (2 dagar efter sista svarsdag)" in text
    assert "Registrerat av:  Olle Officer" in text
    # Not the moment of registration as the moment of arrival, nor the officer as its sender.
    assert "Inkommet:" not in text and "Inskickat av" not in text
    assert f'<th scope="row">Mottaget</th><td>{received.isoformat()}' in html
    assert '<th scope="row">Registrerat av</th><td>Olle Officer</td>' in html
    assert "Inskickat av" not in html
