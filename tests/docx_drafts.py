"""Word drafts (.docx) made with python-docx the way officers' documents look: a title, a table
of contents with page numbers, headings, numbered lists, running text; or headings that are only
bold text."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.style import WD_STYLE_TYPE


def _toc_style(document, level: int):
    name = f"toc {level}"
    try:
        return document.styles[name]
    except KeyError:
        return document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)


def _save(document) -> bytes:
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def action_plan() -> bytes:
    """An action plan: focus areas as headings, measures as a numbered list under each."""
    document = Document()
    document.add_paragraph("Handlingsplan mot nyrekrytering till kriminella nätverk", style="Title")
    document.add_paragraph("Innehåll", style="Heading 1")
    toc = [
        (1, "Inledning\t2"),
        (1, "Fokusområde 1: Ett samordnat arbete med helhetsperspektiv\t4"),
        (1, "Fokusområde 2: Kunskapsbaserat arbete och välgrundad kompetens\t6"),
    ]
    for level, text in toc:
        document.add_paragraph(text, style=_toc_style(document, level))
    document.add_paragraph("Inledning", style="Heading 1")
    document.add_paragraph("Göteborgs Stad har under flera år arbetat mot kriminella nätverk.")
    document.add_paragraph("Fokusområde 1: Ett samordnat arbete med helhetsperspektiv", style="Heading 1")
    document.add_paragraph("Arbetet behöver samordnas centralt och lokalt.")
    document.add_paragraph("Stärka samordningen centralt och lokalt", style="List Number")
    document.add_paragraph("Säkerställa att samtliga berörda förvaltningar deltar", style="List Number")
    document.add_paragraph(
        "Fokusområde 2: Kunskapsbaserat arbete och välgrundad kompetens", style="Heading 1"
    )
    document.add_paragraph("Identifiera de egna verktygen", style="List Number")
    return _save(document)


def question_draft() -> bytes:
    """A guideline sent on remiss with questions: headed sections, questions as a numbered list."""
    document = Document()
    document.add_paragraph("Förslag till riktlinje för arbete med avhoppare", style="Title")
    document.add_paragraph("Innehåll", style="Heading 1")
    for text in ("Bakgrund\t2", "Frågor till remissinstanserna\t5"):
        document.add_paragraph(text, style=_toc_style(document, 1))
    document.add_paragraph("Bakgrund", style="Heading 1")
    document.add_paragraph("Riktlinjen ersätter den nuvarande policyn.")
    document.add_paragraph("Ekonomiska och kompetensmässiga förutsättningar", style="Heading 2")
    document.add_paragraph(
        "Vilka ekonomiska förutsättningar har nämnden att följa riktlinjen?", style="List Number"
    )
    document.add_paragraph("Vilka kompetensmässiga förutsättningar har nämnden?", style="List Number")
    document.add_paragraph("Ansvar och ärendehantering", style="Heading 2")
    document.add_paragraph("Hur ser nämnden på ansvarsfördelningen?", style="List Number")
    document.add_paragraph("Är hanteringen av avhopparärenden tydlig?")
    return _save(document)


def bold_headings() -> bytes:
    """Headings written as plain bold text in Normal paragraphs; questions as plain paragraphs."""
    document = Document()
    document.add_paragraph().add_run("Förslag till riktlinje").bold = True
    document.add_paragraph("Stadsledningskontoret föreslår att riktlinjen skickas på remiss.")
    document.add_paragraph().add_run("Förutsättningar").bold = True
    document.add_paragraph("1. Har nämnden de ekonomiska förutsättningarna att följa riktlinjen?")
    document.add_paragraph("2. Har nämnden den kompetens som behövs?")
    document.add_paragraph().add_run("Ansvar").bold = True
    document.add_paragraph("3. Hur ser nämnden på ansvarsfördelningen?")
    return _save(document)


def only_contents() -> bytes:
    """A document whose only outline is its table of contents (with dot leaders)."""
    document = Document()
    for text in (
        "Fokusområde 1: Ett samordnat arbete ........ 4",
        "Insats 1:1 Stärka samordningen ........ 5",
        "Fokusområde 2: Kunskap ........ 7",
        "Insats 2:1 Identifiera verktyg ........ 8",
    ):
        document.add_paragraph(text, style=_toc_style(document, 1))
    document.add_paragraph("Löptext utan rubriker.")
    return _save(document)
