"""The accessibility statement (tillgänglighetsredogörelse) as Digg's template for a website
asks for it (MDFFS 2019:2, 6 §): who is responsible, how accessible the service is (helt, delvis
or inte förenlig), what is not accessible and why, how to report a problem and get content in
another way, supervision by Digg, the technical standard, how and when the service was assessed,
and when it was published and the statement last updated.

``KNOWN_SHORTCOMINGS`` is the one list of what is known not to be accessible: the statement's
short list, its detailed list with the WCAG criterion, and its compliance status all come from
it. Remove an entry when its fix is merged (and set ``STATEMENT_UPDATED_ON``); with the list
empty the statement says "helt förenlig" by itself (``compliance_status``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from remiss.core.text import plural
from remiss.core.types import LabelledEnum

# Digg's form for reporting a public body whose service is not accessible (the statement must
# link to it: MDFFS 2019:2, 6 § 6). It is Digg's address, not an installation's.
DIGG_REPORT_URL = "https://www.digg.se/tdosanmalan"


class ComplianceStatus(LabelledEnum):
    """Digg's three words for how far a service meets the law; the label is the phrase the
    statement uses, exactly as the template words it."""

    FULL = ("full", "helt förenlig")
    PARTIAL = ("partial", "delvis förenlig")
    NOT = ("not", "inte förenlig")


@dataclass(frozen=True)
class Shortcoming:
    """Something known not to be accessible: the WCAG 2.1 success criterion it fails (number and
    Swedish name), one short sentence for the statement's summary, and the full description
    (what fails, where, and what to do meanwhile)."""

    criterion: str
    criterion_name: str
    summary: str
    description: str


# What remains known not to be accessible, at the time of writing (2026-12-06). The issue-19
# entries are findings being fixed in this wave: remove each when its fix is on main (input
# purpose, focus after an action, error links, the menu's current page, repeated buttons and
# page titles are fixed: helper "focus"; one name for each thing and one date format: the
# language pass and tests/test_glossary.py). The last is the office's own documents, which
# nothing in the service checks.
KNOWN_SHORTCOMINGS: tuple[Shortcoming, ...] = (
    # issue 19 §1: what the reflow tests leave (tests/e2e/test_e2e_reflow.py covers every page;
    # the e-mail's own HTML view has no stylesheet of the site)
    Shortcoming(
        "1.4.10",
        "Omflöde",
        "Ett mejl som visas i sin HTML-form kan behöva rullas i sidled på en smal skärm.",
        "Handläggarens vy av ett skickat mejl i HTML-form visar mejlet så som det skickades, utan "
        "tjänstens stilmall. Med WCAG:s textavstånd i ett fönster som är 320 pixlar brett går "
        "faktatabellen i mejlet utanför fönstret. Samma mejl finns som ren text på sidan för "
        "meddelandet, och den sidan går att läsa i alla storlekar.",
    ),
    # The office's own documents: nothing in the service checks them, so this stays.
    Shortcoming(
        "1.3.1",
        "Information och relationer",
        "Remisshandlingar i Word och PDF kan vara svåra att läsa med hjälpmedel.",
        "Remissförslag och andra remisshandlingar som stadsledningskontoret laddar upp som Word- "
        "eller PDF-filer kontrolleras inte av tjänsten. De kan sakna rubrikstruktur, textalternativ "
        "till bilder (1.1.1) eller de taggar som skärmläsare behöver. Be oss om handlingen i ett "
        "annat format, så skickar vi den.",
    ),
)


def compliance_status(shortcomings: Sequence[Shortcoming] = KNOWN_SHORTCOMINGS) -> ComplianceStatus:
    """The status the statement declares: "helt förenlig" when nothing is known not to be
    accessible, "delvis förenlig" otherwise.
    ("inte förenlig" would be for a service that mostly fails the requirements; the list above
    would have to say so, and the tests would find it.)"""
    return ComplianceStatus.PARTIAL if shortcomings else ComplianceStatus.FULL


# Dates and contact details an installation sets (remiss/config.py has the defaults) --------
CONFIGURED_DATES = ("ACCESSIBILITY_ASSESSED_ON", "SERVICE_PUBLISHED_ON", "STATEMENT_UPDATED_ON")


def configured_date(config: Mapping, name: str) -> date:
    """The date setting ``name``: a ``date`` (instance/config.py) or an ISO string (the
    environment). Anything else stops the app with the setting named."""
    value = config.get(name)
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise RuntimeError(f"{name} must be a date written 2026-12-06, not {value!r}") from None


@dataclass(frozen=True)
class Statement:
    """Everything the statement's page shows that is not fixed text."""

    shortcomings: tuple[Shortcoming, ...]
    status: ComplianceStatus
    assessed_on: date
    published_on: date
    updated_on: date
    contact_email: str
    contact_phone: str
    response_working_days: int

    @property
    def has_shortcomings(self) -> bool:
        """Something is known not to be accessible (and the status is not "helt förenlig")."""
        return bool(self.shortcomings)

    @property
    def response_time(self) -> str:
        """The promised response time as the statement writes it: "5 arbetsdagar"."""
        return plural(self.response_working_days, "arbetsdag", "arbetsdagar")


def current_statement(config: Mapping, shortcomings: Sequence[Shortcoming] | None = None) -> Statement:
    shortcomings = tuple(KNOWN_SHORTCOMINGS if shortcomings is None else shortcomings)
    return Statement(
        shortcomings=shortcomings,
        status=compliance_status(shortcomings),
        assessed_on=configured_date(config, "ACCESSIBILITY_ASSESSED_ON"),
        published_on=configured_date(config, "SERVICE_PUBLISHED_ON"),
        updated_on=configured_date(config, "STATEMENT_UPDATED_ON"),
        contact_email=config["ACCESSIBILITY_CONTACT_EMAIL"],
        contact_phone=config.get("ACCESSIBILITY_CONTACT_PHONE") or "",
        response_working_days=int(config["ACCESSIBILITY_RESPONSE_WORKING_DAYS"]),
    )
