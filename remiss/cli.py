"""Commands: ``flask --app app <command>``."""

from __future__ import annotations

import json
from pathlib import Path

import click
from email_validator import EmailNotValidError, validate_email
from flask import Flask
from flask.cli import with_appcontext

from remiss.auth.models import Role, User, normalise_email
from remiss.core.errors import DomainError
from remiss.core.text import file_size
from remiss.extensions import db
from remiss.organisations.models import Organisation


def init_app(app: Flask) -> None:
    for command in (
        create_user,
        import_organisations_command,
        load_demo_command,
        demo_accounts_command,
        import_round_command,
        backup_command,
    ):
        app.cli.add_command(command)


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--organisation", help="The organisation's name (respondents only).")
@click.option("--name", help="Full name; defaults to the e-mail address.")
@click.option("--password", help="Set a password now instead of printing an invitation link.")
def create_user(
    email: str, role: str, organisation: str | None, name: str | None, password: str | None
) -> None:
    """Create an account."""
    from remiss.auth.models import TokenPurpose
    from remiss.auth.service import issue_password_link

    try:
        email = normalise_email(validate_email(email, check_deliverability=False).normalized)
    except EmailNotValidError as error:
        raise click.UsageError(f"Ogiltig e-postadress: {error}") from None
    if User.by_email(email) is not None:
        raise click.UsageError(f"Det finns redan ett konto för {email}.")
    role_ = Role(role)
    org = None
    if role_ is Role.RESPONDENT:
        if not organisation:
            raise click.UsageError("En remissinstans behöver --organisation.")
        org = Organisation.by_name(organisation)
        if org is None:
            raise click.UsageError(f"Organisationen ”{organisation}” finns inte.")
    elif organisation:
        raise click.UsageError("Bara remissinstanser hör till en organisation.")
    user = User(email=email, name=name or email, role=role_, organisation=org)
    db.session.add(user)
    if password:
        user.set_password(password)
        db.session.commit()
        click.echo(f"Kontot {email} ({role_.label}) är skapat.")
    else:
        db.session.flush()
        link = issue_password_link(user, TokenPurpose.INVITATION)
        db.session.commit()
        click.echo(f"Kontot {email} ({role_.label}) är skapat. Inbjudningslänk: {link}")


@click.command("import-organisations")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_organisations_command(file: Path) -> None:
    """Create or update organisations from a CSV file like organisations.csv."""
    from remiss.organisations.service import import_organisations

    report = import_organisations(file.read_text(encoding="utf-8-sig"))
    if not report.ok:
        db.session.rollback()
        for error in report.errors:
            click.echo(error, err=True)
        raise click.ClickException("Ingenting importerades.")
    db.session.commit()
    click.echo(f"{report.created} nya, {report.updated} ändrade, {report.unchanged} oförändrade.")


@click.command("import-round")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--officer", "officer_email", help="E-mail of the responsible officer.")
def import_round_command(file: Path, officer_email: str | None) -> None:
    """Import a whole round from a JSON file; prints the new round's id."""
    from remiss.imports.round_json import import_round

    officer = None
    if officer_email:
        officer = User.by_email(officer_email)
        if officer is None or not officer.is_officer:
            raise click.UsageError(f"Det finns ingen handläggare med adressen {officer_email}.")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise click.ClickException(f"Filen är inte giltig JSON: {error}") from None
    try:
        round_ = import_round(data, officer=officer)
    except DomainError as error:
        db.session.rollback()
        for problem in getattr(error, "problems", [error.message]):
            click.echo(problem, err=True)
        raise click.ClickException("Ingenting importerades.") from None
    db.session.commit()
    click.echo(round_.id)


@click.command("load-demo")
@with_appcontext
def load_demo_command() -> None:
    """Load the register of organisations, demo accounts and the two demo rounds (idempotent)."""
    from remiss.demo import load_demo

    report = load_demo()
    db.session.commit()
    click.echo(
        f"Demodata: {report.organisations_created} nya organisationer, "
        f"{report.accounts_created} nya konton, {report.rounds_created} nya remisser."
    )


@click.command("demo-accounts")
@with_appcontext
def demo_accounts_command() -> None:
    """Print the demo accounts and their passwords."""
    from remiss.demo import ACCOUNTS

    click.echo("Demokonton (e-post / lösenord):")
    for account in ACCOUNTS:
        where = f", {account.organisation}" if account.organisation else ""
        click.echo(f"  {account.role.label + where:<38} {account.email:<42} {account.password}")


@click.command("backup")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    """Write a consistent copy of the database to FILE while the app runs (SQLite; for
    PostgreSQL it explains pg_dump)."""
    from flask import current_app

    from remiss.core.backup import BackupError, backup

    try:
        report = backup(db.engine, file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    rows = sum(report.tables.values())
    click.echo(
        f"Säkerhetskopian är sparad i {report.path} ({file_size(report.size)}, "
        f"{rows} rader i {len(report.tables)} tabeller). Integritetskontrollen gav ok."
    )
    click.echo(f"Kopiera också mappen med uppladdade filer: {current_app.config['UPLOAD_FOLDER']}")
