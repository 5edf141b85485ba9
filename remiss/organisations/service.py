"""The register of organisations: import from the city's CSV file."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

from remiss.core.spreadsheets import csv_dialect
from remiss.core.text import clean_text
from remiss.extensions import db
from remiss.organisations.models import Organisation, OrganisationKind

CSV_COLUMNS = ("name", "short_name", "kind", "group", "email")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# The columns' sizes in the database: a longer value is named, never cut or refused by the driver.
MAX_LENGTHS = {"name": 200, "short_name": 60, "group": 100, "email": 254}


def import_organisations(text: str) -> ImportReport:
    """Create or update organisations from CSV text shaped like ``organisations.csv``.

    Every row is checked first; if any row is bad nothing is imported and each bad row is named
    by its line number. An organisation is matched by name, so importing twice changes nothing.
    The caller commits."""
    report = ImportReport()
    text = clean_text(text.lstrip("\ufeff"))
    reader = csv.DictReader(io.StringIO(text), dialect=csv_dialect(text))
    try:
        return _import(reader, report)
    except csv.Error:
        report.errors.append(
            f"Rad {reader.line_num + 1}: raden kan inte läsas som CSV (ett fält är för långt eller "
            "ett citattecken saknas). Ingenting importerades."
        )
        return report


def _import(reader: csv.DictReader, report: ImportReport) -> ImportReport:
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        report.errors.append(
            "Rad 1: kolumnerna "
            + ", ".join(missing)
            + " saknas. Första raden ska vara "
            + ",".join(CSV_COLUMNS)
            + "."
        )
        return report

    rows: list[dict] = []
    seen: dict[str, int] = {}
    kinds = {k.value for k in OrganisationKind}
    for row in reader:
        line = reader.line_num
        values = {c: (row.get(c) or "").strip() for c in CSV_COLUMNS}
        problems = []
        if not values["name"]:
            problems.append("namn saknas")
        if not values["short_name"]:
            problems.append("kortnamn saknas")
        if values["kind"] not in kinds:
            problems.append(f"typen ”{values['kind']}” är okänd (ska vara namnd, bolag eller myndighet)")
        try:
            values["email"] = validate_email(values["email"], check_deliverability=False).normalized
        except EmailNotValidError:
            problems.append(f"e-postadressen ”{values['email']}” är ogiltig")
        for column, limit in MAX_LENGTHS.items():
            if len(values[column]) > limit:
                problems.append(f"{column} är längre än {limit} tecken")
        if values["name"] in seen:
            problems.append(f"namnet finns redan på rad {seen[values['name']]}")
        if problems:
            report.errors.append(f"Rad {line}: " + "; ".join(problems) + ".")
            continue
        seen[values["name"]] = line
        rows.append(values)
    if report.errors:
        return report
    if not rows:
        report.errors.append("Filen innehåller inga organisationer.")
        return report

    for values in rows:
        organisation = Organisation.by_name(values["name"])
        attributes = {
            "short_name": values["short_name"],
            "kind": OrganisationKind(values["kind"]),
            "group": values["group"] or None,
            "email": values["email"],
        }
        if organisation is None:
            db.session.add(Organisation(name=values["name"], **attributes))
            report.created += 1
        elif any(getattr(organisation, k) != v for k, v in attributes.items()):
            for key, value in attributes.items():
                setattr(organisation, key, value)
            report.updated += 1
        else:
            report.unchanged += 1
    db.session.flush()
    return report
