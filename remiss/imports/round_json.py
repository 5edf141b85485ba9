"""Import of a whole round from a JSON file in the format of ``remiss/demo/rounds/*.json``.

The file is checked completely before anything is written; every problem is named with where
in the file it is (``answers[3].measures.2:9``). Then the round is made by the same operations
an officer clicks (``rounds.operations``, ``answers.operations``), each dated when it really
happened, so the round's history reads as if it had been run in the tracker: sent on its
sending date, each answer registered (channel "import") on the day it was received, closed the
day after the deadline. The history ends with "importerade remissen …" at the time of import.

E-mail: importing an OPEN round sends what the clicks send – an invitation to every recipient's
address and a receipt for every answer in the file. A closed or archived round sends nothing:
its messages would only be stale."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from remiss.answers import operations as answers
from remiss.answers.models import Channel, MeasurePosition, Position
from remiss.answers.service import AnswerValues
from remiss.audit.models import AuditEvent, record
from remiss.core.errors import DomainError
from remiss.core.text import clean_text, plural
from remiss.core.time import LOCAL_TZ, local_today, utcnow
from remiss.extensions import db
from remiss.notifications.models import Message
from remiss.organisations.models import Organisation
from remiss.rounds import operations
from remiss.rounds.models import DNR_PATTERN, AreaKind, MeasureKind, Round
from remiss.rounds.operations import RoundFacts
from remiss.rounds.service import ParsedArea, ParsedMeasure, ParsedStructure

_DECISION = re.compile(r"^(?P<by>.*?)\s*(?P<date>\d{4}-\d{2}-\d{2})?\s*(?:§\s*(?P<paragraph>\d+[a-z]?))?\s*$")
# Where the round's life stands in the file: how far the import takes it.
_STAGES = ("draft", "open", "closed", "archived")


class RoundImportError(DomainError):
    def __init__(self, problems: list[str]):
        super().__init__("Filen kunde inte importeras: " + " ".join(problems))
        self.problems = problems


@dataclass
class Decision:
    decided_by: str = ""
    decision_date: date | None = None
    paragraph: str = ""


def parse_decision(text: str) -> Decision:
    """``Socialnämnden Centrum 2022-01-25 § 14`` → who, date, paragraph; parts may be missing."""
    match = _DECISION.match((text or "").strip())
    if not match:
        return Decision(decided_by=text.strip())
    parsed = match.group("date")
    try:
        decided_on = date.fromisoformat(parsed) if parsed else None
    except ValueError:
        decided_on = None
    return Decision(match.group("by").strip(), decided_on, match.group("paragraph") or "")


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}.")

    def text(self, data: dict, key: str, where: str, *, required=True, max_length=None) -> str:
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.fail(f"{where}{key}", "saknas")
            return ""
        if not isinstance(value, str):
            self.fail(f"{where}{key}", "ska vara text")
            return ""
        if max_length and len(value) > max_length:
            self.fail(f"{where}{key}", f"är längre än {max_length} tecken")
        return value

    def date(self, data: dict, key: str, where: str, *, required=True) -> date | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(f"{where}{key}", "saknas")
            return None
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            self.fail(f"{where}{key}", f"”{value}” är inte ett datum (ÅÅÅÅ-MM-DD)")
            return None

    def days(self, data: dict, key: str, where: str) -> int | None:
        value = data.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            self.fail(f"{where}{key}", "ska vara ett heltal, 0 eller större")
            return None
        return value


def _date_or_relative(
    check: _Checker, data: dict, key: str, relative_key: str, sign: int, where: str, today: date
) -> date | None:
    if key in data:
        return check.date(data, key, where)
    if relative_key in data:
        days = check.days(data, relative_key, where)
        if days is None:
            return None
        try:
            return today + timedelta(days=sign * days)
        except OverflowError:
            check.fail(f"{where}{relative_key}", f"ligger för långt bort ({plural(days, 'dag', 'dagar')})")
            return None
    check.fail(f"{where}{key}", f"saknas (eller {relative_key})")
    return None


def _cleaned(value):
    """Every text in the file without control characters, as a form's would be."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    if isinstance(value, dict):
        return {clean_text(key): _cleaned(item) for key, item in value.items()}
    return value


def import_round(data, *, officer=None, actor=None, now: datetime | None = None, progress=None) -> Round:
    """Check ``data`` (the parsed JSON) and create the round with its structure, recipients and
    answers. Raises ``RoundImportError`` listing every problem; then nothing is added. The
    caller commits. ``progress(done, total, message)``, when given, is told how far it has come
    (a background job's progress bar)."""
    now = now or utcnow()
    today = local_today(now)
    check = _Checker()
    data = _cleaned(data)
    if not isinstance(data, dict):
        raise RoundImportError(["Filen ska innehålla ett JSON-objekt med remissens uppgifter."])

    title = check.text(data, "title", "", max_length=500)
    dnr = check.text(data, "dnr", "")
    if dnr and not DNR_PATTERN.match(dnr):
        check.fail("dnr", f"”{dnr}” är inte ett diarienummer i formen 1668/20")
    description = check.text(data, "description", "", required=False)
    decision = check.text(data, "decision", "", required=False, max_length=300)
    sent_on = _date_or_relative(check, data, "sent_on", "sent_days_ago", -1, "", today)
    deadline = _date_or_relative(check, data, "deadline", "deadline_in_days", 1, "", today)
    if sent_on and deadline and deadline <= sent_on:
        check.fail("deadline", "sista svarsdag måste vara efter utskicksdagen")
    status = data.get("status", "draft")
    if status not in _STAGES:
        check.fail("status", f"”{data.get('status')}” är okänd (draft, open, closed, archived)")

    # Structure ---------------------------------------------------------------------------------
    areas = data.get("focus_areas")
    measures_by_number: dict[str, dict] = {}
    if not isinstance(areas, list) or not areas:
        check.fail("focus_areas", "saknas eller är tom")
        areas = []
    area_numbers: set[str] = set()
    for i, area in enumerate(areas):
        where = f"focus_areas[{i}]."
        if not isinstance(area, dict):
            check.fail(f"focus_areas[{i}]", "ska vara ett objekt")
            continue
        area_kind = area.get("kind", AreaKind.FOCUS_AREA.value)
        if area_kind not in {k.value for k in AreaKind}:
            check.fail(f"{where}kind", f"”{area_kind}” är okänd (focus_area, section eller questions)")
            area_kind = AreaKind.FOCUS_AREA.value
        number = check.text(area, "number", where, max_length=10)
        check.text(area, "title", where, max_length=500, required=area_kind != AreaKind.QUESTIONS.value)
        if number in area_numbers:
            check.fail(f"{where}number", f"nummer {number} finns två gånger")
        area_numbers.add(number)
        measures = area.get("measures", [])
        if not isinstance(measures, list):
            check.fail(f"{where}measures", "ska vara en lista")
            continue
        for j, measure in enumerate(measures):
            mwhere = f"{where}measures[{j}]."
            if not isinstance(measure, dict):
                check.fail(f"{where}measures[{j}]", "ska vara ett objekt")
                continue
            mnumber = check.text(measure, "number", mwhere, max_length=10)
            check.text(measure, "title", mwhere, max_length=1000)
            expected = "measure" if area_kind == AreaKind.FOCUS_AREA.value else "question"
            kind = measure.get("kind", expected)
            if kind not in ("measure", "question"):
                check.fail(f"{mwhere}kind", f"”{kind}” är okänd (measure eller question)")
            elif kind != expected:
                check.fail(
                    f"{mwhere}kind",
                    "ett fokusområde har insatser (measure), en sektion frågor (question)",
                )
            measure = {**measure, "kind": expected}
            if mnumber in measures_by_number:
                check.fail(f"{mwhere}number", f"{mnumber} finns två gånger")
            measures_by_number[mnumber] = measure

    # Recipients --------------------------------------------------------------------------------
    organisations: dict[str, Organisation] = {}
    names = data.get("recipients", [])
    if not isinstance(names, list):
        check.fail("recipients", "ska vara en lista med organisationernas namn")
        names = []
    for i, name in enumerate(names):
        organisation = Organisation.by_name(name) if isinstance(name, str) else None
        if organisation is None:
            check.fail(f"recipients[{i}]", f"organisationen ”{name}” finns inte i registret")
        elif name in organisations:
            check.fail(f"recipients[{i}]", f"”{name}” finns två gånger")
        else:
            organisations[name] = organisation

    # Answers and drafts ------------------------------------------------------------------------
    def check_measures(entry: dict, where: str) -> None:
        comments = entry.get("measures", {})
        if not isinstance(comments, dict):
            check.fail(f"{where}measures", "ska vara ett objekt med insatsernas nummer")
            return
        for number, comment in comments.items():
            cwhere = f"{where}measures.{number}"
            if number not in measures_by_number:
                check.fail(cwhere, "insatsen finns inte i remissens struktur")
                continue
            if not isinstance(comment, dict):
                check.fail(cwhere, "ska vara ett objekt")
                continue
            position = comment.get("position")
            if position is not None and measures_by_number[number]["kind"] == "question":
                check.fail(f"{cwhere}.position", "en fråga besvaras med text och tar inget ställningstagande")
            elif position is not None and position not in {p.value for p in MeasurePosition}:
                check.fail(f"{cwhere}.position", f"”{position}” är okänd")
            if not isinstance(comment.get("comment", ""), str):
                check.fail(f"{cwhere}.comment", "ska vara text")

    answered: set[str] = set()
    for key in ("answers", "drafts"):
        entries = data.get(key, [])
        if not isinstance(entries, list):
            check.fail(key, "ska vara en lista")
            continue
        for i, entry in enumerate(entries):
            where = f"{key}[{i}]."
            if not isinstance(entry, dict):
                check.fail(f"{key}[{i}]", "ska vara ett objekt")
                continue
            name = entry.get("organisation")
            if name not in organisations:
                check.fail(f"{where}organisation", f"”{name}” är inte remissinstans i filen")
            if key == "answers":
                if name in answered:
                    check.fail(f"{where}organisation", f"”{name}” har två svar")
                answered.add(name)
                position = entry.get("position")
                if position not in {p.value for p in Position}:
                    check.fail(f"{where}position", f"”{position}” är okänt ställningstagande")
                _date_or_relative(check, entry, "received_on", "received_days_ago", -1, where, today)
                check.text(entry, "decision", where, required=False, max_length=300)
            check.text(entry, "comment", where, required=False)
            check.text(entry, "other_comments", where, required=False)
            check_measures(entry, where)
    if answered and status == "draft":
        check.fail("answers", "en remiss som är ett utkast kan inte ha svar")
    if data.get("drafts") and status == "draft":
        check.fail("drafts", "en remiss som är ett utkast kan inte ha påbörjade svar")

    if check.problems:
        raise RoundImportError(check.problems)

    # Everything checked: build the round, as the clicks it stands for -----------------------------
    received = {
        entry["organisation"]: _date_or_relative(
            _Checker(), entry, "received_on", "received_days_ago", -1, "", today
        )
        for entry in data.get("answers", [])
    }
    return _build(
        data,
        RoundFacts(
            description=description,
            officer_id=officer.id if officer is not None else None,
            title=title,
            dnr=dnr,
            decision=decision,
            sent_on=sent_on,
            deadline=deadline,
        ),
        status=status,
        organisations=list(organisations.values()),
        areas=areas,
        received=received,
        actor=actor,
        now=now,
        progress=progress or (lambda done, total, message: None),
    )


def comment_count(data) -> int:
    """How many comments a parsed file holds (answers and drafts, each with its measures): the
    size of its import, read without checking the file."""
    if not isinstance(data, dict):
        return 0
    count = 0
    for key in ("answers", "drafts"):
        entries = data.get(key)
        if isinstance(entries, list):
            for entry in entries:
                measures = entry.get("measures") if isinstance(entry, dict) else None
                count += 1 + (len(measures) if isinstance(measures, dict) else 0)
    return count


def _answer_values(entry: dict, measure_ids: dict[str, int]) -> AnswerValues:
    """An answer from the file, as the operations read an answer form."""
    decided = parse_decision(entry.get("decision", ""))
    return AnswerValues(
        position=entry.get("position"),
        comment=entry.get("comment", ""),
        other_comments=entry.get("other_comments", ""),
        decided_by=decided.decided_by,
        decision_date=decided.decision_date,
        decision_paragraph=decided.paragraph,
        items={
            ("m", measure_ids[number]): (comment.get("position"), comment.get("comment", ""))
            for number, comment in entry.get("measures", {}).items()
        },
    )


def _at(day: date, hour: int, now: datetime) -> datetime:
    """``hour`` o'clock in Göteborg on ``day``, never later than ``now``."""
    return min(datetime.combine(day, time(hour), LOCAL_TZ), now)


def _build(
    data: dict,
    facts: RoundFacts,
    *,
    status: str,
    organisations: list[Organisation],
    areas: list[dict],
    received: dict[str, date],
    actor,
    now: datetime,
    progress,
) -> Round:
    """The round made by the operations an officer would have clicked, each at the moment it
    really happened: sent on its sending date at 09:00, each answer registered at noon on the
    day it was received, closed the morning after the deadline, archived after the last answer
    (late ones are registered after closing). The preparation
    (created, recipients added, structure pasted) is dated the moment it was sent."""
    drafts, registered = data.get("drafts", []), data.get("answers", [])
    total = 2 + len(drafts) + len(registered)
    progress(0, total, "Skapar remissen och dess struktur …")
    round_ = operations.create_round(facts, by=actor)
    operations.add_recipients(round_, organisations, by=actor, now=now)
    structure = ParsedStructure(
        areas=[
            ParsedArea(
                line=0,
                number=area["number"],
                title=area.get("title", ""),
                kind=AreaKind(area.get("kind", AreaKind.FOCUS_AREA.value)),
                measures=[
                    ParsedMeasure(
                        line=0,
                        number=measure["number"],
                        title=measure["title"],
                        kind=(
                            MeasureKind.MEASURE
                            if area.get("kind", "focus_area") == AreaKind.FOCUS_AREA.value
                            else MeasureKind.QUESTION
                        ),
                    )
                    for measure in area.get("measures", [])
                ],
            )
            for area in areas
        ]
    )
    operations.paste_structure(round_, structure, by=actor)
    progress(1, total, "Skapar remissen och dess struktur …")
    if status == "draft":
        return round_

    opened = _at(facts.sent_on, 9, now)
    db.session.flush()
    db.session.execute(
        sa.update(AuditEvent)
        .where(AuditEvent.round_id == round_.id)
        .values(at=opened)
        .execution_options(synchronize_session=False)
    )
    operations.open_round(round_, by=actor, now=opened, confirmed=True)

    measure_ids = {measure.number: measure.id for measure in round_.measures}
    by_name = {recipient.organisation.name: recipient for recipient in round_.recipients}
    done = 1
    for entry in drafts:
        answers.save_draft(
            by_name[entry["organisation"]], _answer_values(entry, measure_ids), by=actor, now=opened
        )
        done += 1
        progress(done, total, "Läser in utkasten …")

    steps: list[tuple[datetime, int, object]] = []
    for order, entry in enumerate(registered):
        steps.append((max(_at(received[entry["organisation"]], 12, now), opened), order, entry))
    ends_closed = status in ("closed", "archived")
    if ends_closed:
        closed = max(_at(facts.deadline + timedelta(days=1), 9, now), opened)
        steps.append((closed, len(steps), None))
    for moment, _, entry in sorted(steps, key=lambda step: step[:2]):
        if entry is None:
            operations.close_round(round_, by=actor, now=moment, confirmed=True)
            continue
        answers.register_answer(
            by_name[entry["organisation"]],
            _answer_values(entry, measure_ids),
            by=actor,
            channel=Channel.IMPORT,
            received_on=received[entry["organisation"]],
            now=moment,
        )
        done += 1
        progress(done, total, "Läser in svaren …")
    if status == "archived":  # once the last late answer is in
        operations.archive_round(round_, by=actor, now=max(moment for moment, _, _ in steps))
    if ends_closed:
        # What an officer's clicks sent years ago is not sent again now: a closed round's
        # invitations and receipts would only be stale.
        db.session.execute(sa.delete(Message).where(Message.round_id == round_.id))
    record("round.imported", round_, actor=actor, at=now, dnr=round_.dnr, title=round_.title)
    db.session.flush()
    progress(total, total, "Remissen är importerad.")
    return round_
