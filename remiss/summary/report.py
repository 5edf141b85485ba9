"""The report as Word (redovisning av remissvar): ``write_report(round, stream, options)``.

The section of the office's report to the city executive board that accounts for the answers,
in the shape the office writes it by hand (``data/examples/redovisning-av-remissvar-1668-20.md``):
an opening paragraph from the round's facts (drafted by ``draft_intro``, editable before export
and stored in ``ReportText``), then focus area by focus area and measure by measure the counts,
the themes with how many bodies raised each, every comment with its body and position (or only
the similar-answer groups and single comments, ``ReportOptions.grouped``), and the office's
assessment and the changes made; last the appendix *Sammanställning över remissvaren*: who was
asked, who answered, on time or how late, with what position and decision.

Like ``write_xlsx`` it formats what ``compile_summary`` decided. Real Word heading styles
(Heading 1 the report and the appendix, Heading 2 a focus area, Heading 3 a measure or
question, Heading 4 the office's assessment of it), so the navigation pane, a table of contents
and screen readers follow; the appendix table's header row repeats on every page; the footer
carries the city's name and the page number (a PAGE field); the language is Swedish."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import BinaryIO

import sqlalchemy as sa
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from remiss.answers.models import Position
from remiss.core.text import plural
from remiss.core.time import format_date, to_local
from remiss.extensions import db
from remiss.organisations.models import Organisation, OrganisationKind
from remiss.rounds.models import Recipient, Round
from remiss.summary.compile import Comment, MeasureSummary, Summary, compile_summary, theme_counts
from remiss.summary.models import ReportText
from remiss.summary.similarity import round_groups
from remiss.summary.xlsx import safe_dnr

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CITY = "Göteborgs Stad"
OFFICE = "Stadsledningskontoret"
AUTHOR = f"{OFFICE}, {CITY}"
REPORT_HEADING = "Redovisning av remissvar"
APPENDIX_HEADING = "Bilaga: Sammanställning över remissvaren"
ASSESSMENT_HEADING = "Stadsledningskontorets bedömning"
AREA_ASSESSMENT_HEADING = "Stadsledningskontorets bedömning och genomförda förändringar"
OTHER_HEADING = "Övriga synpunkter"
APPENDIX_HEADERS = ("Remissinstans", "Svar", "Inkom", "I tid", "Ställningstagande", "Beslut")
APPENDIX_WIDTHS = (5.6, 2.4, 2.4, 2.4, 4.0, 7.8)  # cm, landscape A4 within the margins
INTRO_MAX = 20_000

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class ReportOptions:
    intro: str | None = None  # None: the stored text, or the draft from the facts
    grouped: bool = False  # only the grouped points (similar comments once), not every comment


# The opening paragraph ------------------------------------------------------------------------
def _lower_first(text: str) -> str:
    """``Förslag till …`` → ``förslag till …``; ``KS …`` stays."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _join(items: Sequence[str], last: str = " och ") -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + last + items[-1]


def _committee_names(names: Sequence[str]) -> list[str]:
    """Committees as the report names them: lower case, and a run of committees with the same
    first word ("Socialnämnden Centrum", "Socialnämnden Hisingen") said once:
    ``socialnämnderna Centrum och Hisingen``."""
    result: list[str] = []
    i = 0
    while i < len(names):
        first, _, rest = names[i].partition(" ")
        run = [names[i]]
        if first.endswith("nämnden") and rest:
            j = i + 1
            while j < len(names) and names[j].partition(" ")[0] == first and names[j].partition(" ")[2]:
                run.append(names[j])
                j += 1
        if len(run) > 1:
            plural = _lower_first(first[: -len("en")] + "erna")
            result.append(f"{plural} {_join([n.partition(' ')[2] for n in run])}")
        else:
            result.append(_lower_first(names[i]))
        i += len(run)
    return result


def bodies_phrase(bodies: Sequence[tuple[str, OrganisationKind]]) -> str:
    """The bodies in the round's order: the city's committees and companies, ``samt till`` the
    others (the police, the prison service …)."""
    city: list[str] = []
    committees: list[str] = []
    others: list[str] = []
    for name, kind in bodies:
        if kind is OrganisationKind.COMMITTEE:
            committees.append(name)
            continue
        if committees:
            city.extend(_committee_names(committees))
            committees = []
        (others if kind is OrganisationKind.AUTHORITY else city).append(name)
    city.extend(_committee_names(committees))
    if city and others:
        return f"{', '.join(city)} samt till {_join(others)}"
    return _join(city or others)


def positions_sentence(summary: Summary) -> str:
    """``Samtliga remissinstanser tillstyrker förslaget eller tar inte ställning.``, from the
    positions of the answers that count."""
    counts = {p.label: p.count for p in summary.counts.positions}
    answered = summary.counts.answered
    if not answered:
        return "Inga remissvar har inkommit."
    assent = counts.get(Position.ASSENT.label, 0)
    partial = counts.get(Position.PARTIAL_ASSENT.label, 0)
    reject = counts.get(Position.REJECT.label, 0)
    none = counts.get(Position.NO_POSITION.label, 0)
    if assent == answered:
        return "Samtliga remissinstanser tillstyrker förslaget."
    if none == answered:
        return "Ingen remissinstans tar ställning till förslaget."
    if assent + none == answered:
        return "Samtliga remissinstanser tillstyrker förslaget eller tar inte ställning."
    said = [
        (n, verb)
        for n, verb in (
            (assent, "tillstyrker förslaget"),
            (partial, "tillstyrker förslaget delvis"),
            (reject, "avstyrker förslaget"),
            (none, "tar inte ställning"),
        )
        if n
    ]
    first, *rest = said
    parts = [f"{plural(first[0], 'remissinstans', 'remissinstanser')} {first[1]}"]
    parts += [f"{n} {verb}" for n, verb in rest]
    return _join(parts) + "."


_DECISION = re.compile(r"^(?P<who>.*?)\s*(?P<when>\d{4}-\d{2}-\d{2}.*)$")


def draft_intro(summary: Summary, bodies: Sequence[tuple[str, OrganisationKind]]) -> str:
    """The opening of the report, drafted from the round's facts (paragraphs split by a blank
    line), as the office writes it: the decision and the bodies, the deadline and the answers,
    the positions, and what follows."""
    facts, counts = summary.round, summary.counts
    match = _DECISION.match(facts.decision.strip())
    subject = _lower_first(facts.title.strip())
    if match and match.group("who"):
        decided = f"{match.group('who')} beslutade {match.group('when')}"
    else:
        decided = f"{facts.decision.strip()} beslutade"
    if facts.decision.strip():
        first = f"{decided} att med begäran om yttrande remittera {subject}"
    else:
        # No decision was entered: say what happened, not who we guess decided it.
        first = f"{facts.title.strip()} har med begäran om yttrande skickats på remiss"
    if bodies:
        first += f" till {bodies_phrase(bodies)}"
    late = f", varav {counts.late} efter sista svarsdag" if counts.late else ""
    second = (
        "Remissvaret skulle vara stadsledningskontoret tillhanda senast "
        f"{format_date(facts.deadline, 'long')}. "
        f"Sammanlagt har {counts.answered} remissvar inkommit{late}. I bilagan redovisas en "
        "sammanställning över remissvaren där även varje remissinstans beslut eller yttrande framgår. "
        f"{positions_sentence(summary)} Remissvaren i sin helhet finns i ärendet dnr {facts.dnr}."
    )
    third = (
        "Nedan följer en sammanställning av remissvaren indelad utifrån synpunkter på föreslagna "
        "fokusområden och insatser samt synpunkter på förslaget som helhet. Fokus ligger på de förslag "
        "på förbättringar samt oklarheter som remissinstanserna framfört. Genomförda förändringar i "
        "förslaget framgår också."
    )
    return f"{first}.\n\n{second}\n\n{third}"


def round_bodies(round_id: int) -> list[tuple[str, OrganisationKind]]:
    """The invited bodies in the round's order (the order they were added to the round)."""
    return [
        (name, kind)
        for name, kind in db.session.execute(
            sa.select(Organisation.name, Organisation.kind)
            .join(Recipient, Recipient.organisation_id == Organisation.id)
            .where(Recipient.round_id == round_id)
            .order_by(Recipient.id)
        )
    ]


def stored_intro(round_id: int) -> str | None:
    text = db.session.get(ReportText, round_id)
    return text.intro if text is not None and text.intro.strip() else None


def intro_for(round_: Round, summary: Summary | None = None) -> str:
    """The opening as the office edited it, or else the draft."""
    stored = stored_intro(round_.id)
    if stored is not None:
        return stored
    return draft_intro(summary or compile_summary(round_), round_bodies(round_.id))


# The Word file ----------------------------------------------------------------------------------
def _clean(text: str) -> str:
    return _CONTROL.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n"))


def _text_paragraphs(doc, text: str, style: str | None = None) -> None:
    """Text with blank lines as paragraphs and single line breaks kept."""
    for block in re.split(r"\n\s*\n", _clean(text).strip()):
        if not block.strip():
            continue
        paragraph = doc.add_paragraph(style=style)
        for k, line in enumerate(block.split("\n")):
            if k:
                paragraph.add_run().add_break()
            paragraph.add_run(line)


def _labelled(doc, label: str, text: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(_clean(text))


def _field(paragraph, instruction: str) -> None:
    """A field (PAGE, NUMPAGES) that Word and LibreOffice fill in when they lay out the page."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    shown = OxmlElement("w:t")
    shown.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instr, separate, shown, end):
        run._r.append(element)


def _set_language(doc, language: str = "sv-SE") -> None:
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), language)
    lang.set(qn("w:eastAsia"), language)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _comment_paragraph(doc, organisations: str, comment: Comment, note: str = "") -> None:
    paragraph = doc.add_paragraph()
    paragraph.add_run(organisations).bold = True
    if comment.position:
        paragraph.add_run(f" ({comment.position})")
    if note:
        paragraph.add_run(f" – {note}").italic = True
    if comment.text:
        paragraph.add_run(": " + _clean(comment.text))
    if comment.themes:
        paragraph.add_run(f" [Teman: {', '.join(comment.themes)}]").italic = True


def _comments(doc, comments: Sequence[Comment], groups, grouped: bool) -> None:
    if not grouped or not groups:
        for comment in comments:
            _comment_paragraph(doc, comment.organisation, comment)
        return
    done: set[int] = set()
    for comment in comments:
        if comment.id in done:
            continue
        group = next((g for g in groups if comment.id in g.comment_ids), None)
        if group is None:
            _comment_paragraph(doc, comment.organisation, comment)
            continue
        ids = set(group.comment_ids)
        members = [c for c in comments if c.id in ids]
        done.update(c.id for c in members)
        names = _join([c.organisation for c in members])
        note = f"{plural(len(members), 'remissinstans', 'remissinstanser')}, {group.similarity} % lika"
        _comment_paragraph(doc, names, members[0], note)


def _themes_paragraph(doc, themes) -> None:
    if not themes:
        return
    paragraph = doc.add_paragraph()
    paragraph.add_run("Teman: ").bold = True
    paragraph.add_run(
        "; ".join(f"{t.name} ({plural(t.bodies, 'remissinstans', 'remissinstanser')})" for t in themes)
    )


def _question(doc, question: MeasureSummary, invited: int, groups, grouped: bool) -> None:
    """A question: how many bodies answered it and every answer (organisation, text); a
    question takes no position, so there are no counts of positions."""
    doc.add_heading(f"{question.kind} {question.number}: {_clean(question.title)}", level=3)
    doc.add_paragraph(
        f"Besvarad av {question.answered} av {plural(invited, 'remissinstans', 'remissinstanser')}."
    )
    _themes_paragraph(doc, question.themes)
    answers = tuple(c for c in question.comments if c.text)
    if answers:
        _comments(doc, answers, groups, grouped)
    else:
        doc.add_paragraph("Inga svar.")
    if question.assessment:
        doc.add_heading(ASSESSMENT_HEADING, level=4)
        _text_paragraphs(doc, question.assessment)


def _measure(doc, measure: MeasureSummary, groups, grouped: bool) -> None:
    doc.add_heading(f"{measure.kind} {measure.number} {_clean(measure.title)}", level=3)
    doc.add_paragraph().add_run(
        f"Tillstyrker: {measure.assent}. Avstyrker: {measure.reject}. "
        f"Synpunkter: {plural(measure.commented, 'remissinstans', 'remissinstanser')}."
    )
    _themes_paragraph(doc, measure.themes)
    if measure.comments:
        _comments(doc, measure.comments, groups, grouped)
    else:
        doc.add_paragraph("Inga synpunkter.")
    if measure.assessment:
        doc.add_heading(ASSESSMENT_HEADING, level=4)
        _text_paragraphs(doc, measure.assessment)


def write_report(
    round_or_id: Round | int,
    stream: BinaryIO,
    options: ReportOptions | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Write the report of one round as a .docx to ``stream``; returns the summary it shows.
    ``progress(done, total)`` is called as each focus area and measure is written (the
    background job's progress bar). Raises ``LookupError`` when there is no such round."""
    options = options or ReportOptions()
    round_id = round_or_id.id if isinstance(round_or_id, Round) else int(round_or_id)
    summary = compile_summary(round_id)
    facts = summary.round
    intro = options.intro
    if intro is None:
        intro = stored_intro(round_id) or draft_intro(summary, round_bodies(round_id))
    groups: dict = {}
    if options.grouped:
        groups = round_groups(round_id)

    doc = Document()
    _set_language(doc)
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    core = doc.core_properties
    core.author = AUTHOR
    core.last_modified_by = AUTHOR
    core.title = f"{REPORT_HEADING} – {facts.dnr} {facts.title}"[:255]
    core.subject = facts.title[:255]
    core.language = "sv-SE"
    core.keywords = f"remiss; dnr {facts.dnr}"
    core.created = facts.compiled_at.replace(tzinfo=None)

    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
    section.left_margin = section.right_margin = Cm(2.5)
    footer = section.footer.paragraphs[0]
    footer.add_run(f"{CITY} {OFFICE}, redovisning av remissvar dnr {facts.dnr}    Sida ")
    _field(footer, "PAGE")
    footer.add_run(" (")
    _field(footer, "NUMPAGES")
    footer.add_run(")")
    header = section.header.paragraphs[0]
    header.add_run(f"{CITY} – {OFFICE}")

    total = len(summary.focus_areas) + len(summary.measures)
    done = 0
    if progress is not None:
        progress(done, total)

    doc.add_heading(REPORT_HEADING, level=1)
    _labelled(doc, "Ärende", facts.title)
    _labelled(doc, "Diarienummer", facts.dnr)
    if facts.decision:
        _labelled(doc, "Beslut", facts.decision)
    _labelled(doc, "Skickad", format_date(facts.sent_on))
    _labelled(doc, "Sista svarsdag", format_date(facts.deadline))
    _labelled(doc, "Sammanställd", format_date(facts.compiled_at))
    _text_paragraphs(doc, intro)

    for area in summary.focus_areas:
        if area.kind == "questions":
            doc.add_heading("Frågor", level=2)  # questions under no heading of their own
        elif area.kind == "section":
            doc.add_heading(_clean(area.title) or f"Del {area.number}", level=2)
        else:
            doc.add_heading(f"Fokusområde {area.number}: {_clean(area.title)}", level=2)
        area_groups = groups.get(f"a{area.id}", [])
        if area.comments:
            doc.add_paragraph().add_run("Synpunkter på fokusområdet som helhet").bold = True
            _themes_paragraph(doc, theme_counts(tuple((t.id, t.name) for t in summary.themes), area.comments))
            _comments(doc, area.comments, area_groups, options.grouped)
        for measure in area.measures:
            if measure.is_question:
                _question(
                    doc, measure, summary.counts.invited, groups.get(f"m{measure.id}", []), options.grouped
                )
            else:
                _measure(doc, measure, groups.get(f"m{measure.id}", []), options.grouped)
            done += 1
            if progress is not None:
                progress(done, total)
        if area.assessment:
            doc.add_heading(AREA_ASSESSMENT_HEADING, level=3)
            _text_paragraphs(doc, area.assessment)
        done += 1
        if progress is not None:
            progress(done, total)

    doc.add_heading(OTHER_HEADING, level=2)
    if summary.other_comments:
        for other in summary.other_comments:
            paragraph = doc.add_paragraph()
            paragraph.add_run(other.organisation).bold = True
            paragraph.add_run(": " + _clean(other.text))
    else:
        doc.add_paragraph("Inga övriga synpunkter.")
    raised = [t for t in summary.themes if t.bodies]
    if raised:
        doc.add_heading("Teman i remissvaren", level=2)
        _themes_paragraph(doc, raised)
    if facts.assessment or facts.assessment_changes:
        doc.add_heading(AREA_ASSESSMENT_HEADING + " i förslaget", level=2)
        if facts.assessment:
            _text_paragraphs(doc, facts.assessment)
        if facts.assessment_changes:
            doc.add_heading("Genomförda förändringar", level=3)
            _text_paragraphs(doc, facts.assessment_changes)

    # The appendix, on landscape pages: every body's answer and decision, the header row on
    # every page.
    appendix = doc.add_section(WD_SECTION.NEW_PAGE)
    appendix.orientation = WD_ORIENT.LANDSCAPE
    appendix.page_width, appendix.page_height = Cm(29.7), Cm(21)
    doc.add_heading(APPENDIX_HEADING, level=1)
    doc.add_paragraph(f"{facts.dnr} {_clean(facts.title)}")
    table = doc.add_table(rows=1, cols=len(APPENDIX_HEADERS))
    table.style = "Table Grid"
    head = table.rows[0]
    _repeat_header(head)
    for cell, text in zip(head.cells, APPENDIX_HEADERS, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    for r in summary.recipients:
        if not r.answered:
            timely = "–"
        elif r.is_late:
            timely = plural(r.days_late, "dag sent", "dagar sent")
        else:
            timely = "I tid"
        values = (
            r.organisation,
            "Svar inkom" if r.answered else "Inget svar",
            format_date(r.received_on),
            timely,
            r.position,
            r.decision or "–",
        )
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.paragraphs[0].add_run(_clean(text))
    table.autofit = False
    for column, width in zip(table.columns, APPENDIX_WIDTHS, strict=True):
        column.width = Cm(width)  # the grid, which LibreOffice lays out by
    for row in table.rows:
        for cell, width in zip(row.cells, APPENDIX_WIDTHS, strict=True):
            cell.width = Cm(width)
    doc.save(stream)
    return summary


def report_filename(summary: Summary) -> str:
    """``Redovisning av remissvar 1668-20 2022-02-14.docx``."""
    return (
        f"Redovisning av remissvar {safe_dnr(summary.round.dnr)} "
        f"{to_local(summary.round.compiled_at):%Y-%m-%d}.docx"
    )
