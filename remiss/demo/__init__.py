"""Demo data shipped with the app: Göteborg's register of bodies, two real rounds and accounts
for trying the tracker (``flask --app app load-demo``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from remiss.auth.models import Role, User
from remiss.extensions import db
from remiss.imports.round_json import import_round
from remiss.organisations.models import Organisation
from remiss.organisations.service import import_organisations
from remiss.rounds.models import Round

DATA = Path(__file__).parent
ORGANISATIONS_CSV = DATA / "organisations.csv"
ROUND_FILES = sorted((DATA / "rounds").glob("*.json"))


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: Role
    password: str
    organisation: str | None = None


# Demo-only passwords, printed by `make run`; a production database never loads them.
ACCOUNTS = (
    DemoAccount("admin@example.goteborg.se", "Alva Admin", Role.ADMIN, "demo-admin-2026"),
    DemoAccount(
        "handlaggare@example.goteborg.se", "Hanna Handläggare", Role.OFFICER, "demo-handlaggare-2026"
    ),
    DemoAccount("chef@example.goteborg.se", "Charlotte Chef", Role.MANAGER, "demo-chef-2026"),
    DemoAccount(
        "centrum@example.goteborg.se",
        "Sara Centrum",
        Role.RESPONDENT,
        "demo-centrum-2026",
        "Socialnämnden Centrum",
    ),
    DemoAccount(
        "kriminalvarden@example.kriminalvarden.se",
        "Kim Kriminalvården",
        Role.RESPONDENT,
        "demo-kriminalvarden-2026",
        "Kriminalvården",
    ),
)


@dataclass
class DemoReport:
    organisations_created: int = 0
    accounts_created: int = 0
    rounds_created: int = 0


def load_demo() -> DemoReport:
    """Load the register, the demo accounts and the demo rounds. Running it again adds nothing:
    organisations are matched by name, accounts by e-mail, rounds by case number and title.
    The caller commits."""
    report = DemoReport()
    organisations = import_organisations(ORGANISATIONS_CSV.read_text(encoding="utf-8"))
    if not organisations.ok:  # the shipped file is checked by the tests; this guards edits
        raise RuntimeError("; ".join(organisations.errors))
    report.organisations_created = organisations.created

    officer = None
    for account in ACCOUNTS:
        user = User.by_email(account.email)
        if user is None:
            organisation = Organisation.by_name(account.organisation) if account.organisation else None
            user = User(email=account.email, name=account.name, role=account.role, organisation=organisation)
            user.set_password(account.password)
            db.session.add(user)
            report.accounts_created += 1
        if account.role is Role.OFFICER:
            officer = user
    db.session.flush()

    for path in ROUND_FILES:
        data = json.loads(path.read_text(encoding="utf-8"))
        exists = db.session.scalar(
            sa.select(Round.id).where(Round.dnr == data["dnr"], Round.title == data["title"])
        )
        if exists is None:
            import_round(data, officer=officer)
            report.rounds_created += 1
    return report
