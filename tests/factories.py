"""Small factories for tests: an organisation, a user, a round with structure and recipients."""

from __future__ import annotations

import re
from datetime import date, timedelta

import sqlalchemy as sa

from remiss.auth.models import Role, User
from remiss.extensions import db
from remiss.organisations.models import Organisation, OrganisationKind

PASSWORD = "correct horse battery staple"


def make_organisation(name="Socialnämnden Centrum", **kwargs) -> Organisation:
    existing = Organisation.by_name(name)
    if existing is not None:
        return existing
    slug = re.sub(r"[^a-z]+", ".", name.lower()).strip(".")
    values = {
        "short_name": name[:20],
        "kind": OrganisationKind.COMMITTEE,
        "group": None,
        "email": f"{slug}@example.goteborg.se",
    }
    values.update(kwargs)
    organisation = Organisation(name=name, **values)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def make_user(
    role: Role | str = Role.OFFICER,
    organisation: Organisation | str | None = None,
    email: str | None = None,
    name: str | None = None,
    password: str = PASSWORD,
    **kwargs,
) -> User:
    role = Role(role)
    if role is Role.RESPONDENT and organisation is None:
        organisation = "Socialnämnden Centrum"
    if isinstance(organisation, str):
        organisation = make_organisation(organisation)
    count = db.session.scalar(sa.select(sa.func.count(User.id))) + 1
    user = User(
        role=role,
        organisation=organisation,
        email=email or f"{role.value}{count}@example.goteborg.se",
        name=name or f"{role.label} {count}",
        **kwargs,
    )
    if password:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def make_round(officer: User | None = None, recipients=(), structure: dict | None = None, **kwargs):
    """A draft round; ``structure`` maps focus area titles to lists of measure titles."""
    from remiss.rounds.models import FocusArea, Measure, Recipient, Round

    today = date.today()
    values = {
        "title": "Förslag till handlingsplan",
        "dnr": "1668/20",
        "description": "Synpunkter önskas.",
        "decision": "Kommunstyrelsen 2021-10-27 § 820",
        "sent_on": today - timedelta(days=7),
        "deadline": today + timedelta(days=30),
    }
    values.update(kwargs)
    round_ = Round(officer=officer, **values)
    structure = (
        structure
        if structure is not None
        else {
            "Ett samordnat arbete": ["Stärka samordningen", "Delta i insatser"],
            "Kunskapsbaserat arbete": ["Identifiera verktyg"],
        }
    )
    for i, (area_title, measures) in enumerate(structure.items(), start=1):
        area = FocusArea(number=str(i), title=area_title, position=i)
        for j, measure_title in enumerate(measures, start=1):
            area.measures.append(Measure(number=f"{i}:{j}", title=measure_title, position=j))
        round_.focus_areas.append(area)
    for organisation in recipients:
        if isinstance(organisation, str):
            organisation = make_organisation(organisation)
        round_.recipients.append(Recipient(organisation=organisation, contact_email=organisation.email))
    db.session.add(round_)
    db.session.flush()
    return round_


def send(round_, hour: int = 9):
    """Send ``round_`` as it was sent on its planned sending date (``Round.open`` records the
    day it really went out), so that a round with a deadline already past can still be sent
    in a test."""
    from datetime import datetime, time

    from remiss.core.time import LOCAL_TZ

    round_.open(now=datetime.combine(round_.sent_on, time(hour), LOCAL_TZ))
    return round_


# For the core tests (tests/test_core_*.py): rounds and answers in every state, built through
# the operations, and a stand-in for the answer form. -----------------------------------------

ROUND_STATES = ("draft", "scheduled", "open", "closed", "archived")
ANSWER_STATES = ("not_started", "draft", "submitted", "reopened", "reopened_draft")


def AnswerFormData(position: str | None = "tillstyrker", comment: str = "Vi tillstyrker."):  # noqa: N802
    """What the answer form gives the operations, without a request."""
    from remiss.answers.service import AnswerValues

    return AnswerValues(position=position, comment=comment, decided_by="Nämnden", decision_paragraph="§ 12")


def upload(data: bytes | None = None, filename: str = "Remissförslag.pdf"):
    """A posted file, as ``add_document`` and ``store_decision`` take it."""
    import io

    from werkzeug.datastructures import FileStorage

    from tests import files

    return FileStorage(io.BytesIO(data if data is not None else files.pdf()), filename)


def round_in_state(state: str, officer, organisations=("Socialnämnden Centrum", "Kulturnämnden"), now=None):
    """A round with structure, a remissförslag and ``organisations`` as recipients, brought to
    ``state`` (one of ``ROUND_STATES``) through the operations; its deadline is 30 days ahead."""
    from remiss.core.time import local_today, utcnow
    from remiss.documents.models import DocumentKind
    from remiss.rounds import operations

    now = now or utcnow()
    today = local_today(now)
    round_ = make_round(
        officer,
        recipients=organisations,
        sent_on=today + timedelta(days=3),
        deadline=today + timedelta(days=30),
    )
    operations.add_document(round_, upload(), DocumentKind.DRAFT, by=officer)
    if state == "scheduled":
        operations.schedule_round(round_, by=officer, now=now)
    elif state in ("open", "closed", "archived"):
        operations.open_round(round_, by=officer, now=now)
    if state in ("closed", "archived"):
        operations.close_round(round_, by=officer, now=now, confirmed=True)
    if state == "archived":
        operations.archive_round(round_, by=officer, now=now)
    db.session.flush()
    return round_


def answer_in_state(recipient, state: str, *, respondent, officer, now=None):
    """Bring ``recipient``'s answer (in an open round) to ``state`` (one of ``ANSWER_STATES``)."""
    from remiss.answers import operations

    if state == "not_started":
        return recipient
    operations.save_draft(recipient, AnswerFormData(), by=respondent, now=now)
    if state == "draft":
        return recipient
    operations.submit_answer(recipient.answer, by=respondent, now=now)
    if state == "submitted":
        return recipient
    operations.reopen_answer(recipient, "Fel beslutsdatum", by=officer, now=now)
    if state == "reopened_draft":
        operations.save_draft(recipient, AnswerFormData(comment="Rättat."), by=respondent, now=now)
    db.session.flush()
    return recipient
