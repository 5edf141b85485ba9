"""The report as Word (redovisning av remissvar, issue 15 item 4), read back with python-docx:
the demo round 1668/20's bodies, positions and decisions, measure 2:2, the office's assessment
under the measures where written, the themes with their counts, heading levels, the opening
drafted from the facts and edited, and LibreOffice printing the .docx and the .xlsx to PDF."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
import sqlalchemy as sa
from docx import Document
from docx.oxml.ns import qn

from remiss.audit.models import AuditEvent
from remiss.auth.models import Role
from remiss.extensions import db
from remiss.rounds.models import Round
from remiss.summary.compile import compile_summary
from remiss.summary.models import ReportText
from remiss.summary.report import APPENDIX_HEADERS, AUTHOR, draft_intro, round_bodies
from remiss.summary.service import add_theme, save_assessment, tag_comments
from tests.factories import make_user
from tests.summary_data import load_demo_round, measure_of

REGISTER_ORDER = (
    "förskolenämnden, grundskolenämnden, idrotts- och föreningsnämnden, nämnden för demokrati och "
    "medborgarservice, miljö- och klimatnämnden, socialnämnderna Centrum, Hisingen, Nordost och Sydväst, "
    "utbildningsnämnden, Förvaltnings AB Framtiden, Business Region Göteborg AB, Göteborg & Co "
    "Träffpunkt AB samt till Polismyndigheten Storgöteborg, Kriminalvården och Statens "
    "institutionsstyrelse"
)


@pytest.fixture
def demo(app, runner):
    with app.app_context():
        return load_demo_round(runner)


def download(client, login_as, round_id, role=Role.MANAGER, **params):
    login_as(role)
    response = client.get(f"/rounds/{round_id}/summary/report.docx", query_string=params)
    assert response.status_code == 200, response.text
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "Redovisning av remissvar 1668-20" in response.headers["Content-Disposition"]
    return response.data


def paragraphs(data: bytes) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in Document(io.BytesIO(data)).paragraphs]


def under(paras, heading: str) -> list[tuple[str, str]]:
    """The paragraphs after ``heading`` up to the next heading of the same or a higher level."""
    start = next(i for i, (s, t) in enumerate(paras) if t == heading and s.startswith("Heading"))
    level = int(paras[start][0].split()[-1])
    result = []
    for style, text in paras[start + 1 :]:
        if style.startswith("Heading") and int(style.split()[-1]) <= level:
            break
        result.append((style, text))
    return result


def tag_demo(round_id: int) -> None:
    """Themes on the demo round: Sekretess on the two comments on 2:2 that raise it and on
    Socialnämnden Centrum's on 1:2; Resursbehov on Idrotts- och föreningsnämnden's on 2:2."""
    officer = make_user(Role.OFFICER)
    round_ = db.session.get(Round, round_id)
    secrecy = add_theme(round_, "Sekretess och informationsdelning", actor=officer)
    resources = add_theme(round_, "Resursbehov", actor=officer)
    add_theme(round_, "Otydlig ansvarsfördelning", actor=officer)
    summary = compile_summary(round_)
    m22 = next(m for m in summary.measures if m.number == "2:2")
    m12 = next(m for m in summary.measures if m.number == "1:2")
    centrum = next(c for c in m22.comments if c.organisation == "Socialnämnden Centrum")
    nordost = next(c for c in m22.comments if c.organisation == "Socialnämnden Nordost")
    ifn = next(c for c in m22.comments if c.organisation == "Idrotts- och föreningsnämnden")
    tag_comments(round_, [centrum.id, nordost.id], [secrecy.id], actor=officer)
    tag_comments(round_, [ifn.id], [resources.id], actor=officer)
    centrum12 = next(c for c in m12.comments if c.organisation == "Socialnämnden Centrum")
    tag_comments(round_, [centrum12.id], [secrecy.id], actor=officer)
    db.session.commit()


def test_the_demo_round_as_word(app, client, login_as, demo):
    with app.app_context():
        round_ = db.session.get(Round, demo)
        m22, m11 = measure_of(demo, "2:2"), measure_of(demo, "1:1")
        save_assessment(
            round_,
            overall="Planen har förtydligats.",
            changes="Insats 2:5 har tagits bort.",
            areas={m22.focus_area_id: "Övriga insatser har förtydligats."},
            measures={m22.id: "Cylindermodellen används redan av polisen.", m11.id: "Samverkan beskrivs."},
        )
        db.session.commit()
        tag_demo(demo)
        summary = compile_summary(demo)
    data = download(client, login_as, demo)
    paras = paragraphs(data)
    document = Document(io.BytesIO(data))

    # Heading levels: the report (1), focus areas (2), measures (3), the assessment of one (4).
    assert paras[0] == ("Heading 1", "Redovisning av remissvar")
    areas = [t for s, t in paras if s == "Heading 2" and t.startswith("Fokusområde")]
    assert areas == [f"Fokusområde {a.number}: {a.title}" for a in summary.focus_areas]
    for area in summary.focus_areas:
        inside = under(paras, f"Fokusområde {area.number}: {area.title}")
        measures = [t for s, t in inside if s == "Heading 3" and t.startswith("Insats")]
        assert measures == [f"Insats {m.number} {m.title}" for m in area.measures]

    # Measure 2:2: its counts, two Avstyrker, four comments, themes, the office's assessment.
    m22 = under(paras, "Insats 2:2 Utveckla och förstärka cylindermodellen")
    texts = [t for _s, t in m22]
    assert "Tillstyrker: 0. Avstyrker: 2. Synpunkter: 4 remissinstanser." in texts
    comments = [
        t for t in texts if t.split(":")[0].split(" (")[0] in {r.organisation for r in summary.recipients}
    ]
    assert len(comments) == 4
    assert sum("(Avstyrker)" in t for t in comments) == 2
    assert any(t.startswith("Socialnämnden Centrum (Avstyrker): Modellen är inte gjord") for t in comments)
    assert (
        "Teman: Sekretess och informationsdelning (2 remissinstanser); Resursbehov (1 remissinstans)" in texts
    )
    assert ("Heading 4", "Stadsledningskontorets bedömning") in m22
    assert (
        texts[texts.index("Stadsledningskontorets bedömning") + 1]
        == "Cylindermodellen används redan av polisen."
    )
    # Under 1:1 too; not under a measure without one.
    assert "Samverkan beskrivs." in [
        t for _s, t in under(paras, "Insats 1:1 Stärka samordningen centralt och lokalt")
    ]
    m23 = under(paras, "Insats 2:3 Upprätta rutiner och metodstöd för Trygg i-arbetet")
    assert all(s != "Heading 4" for s, _t in m23)
    # The focus area's assessment after its measures; the round's at the end; round-wide themes.
    area2 = under(paras, f"Fokusområde 2: {summary.focus_areas[1].title}")
    assert ("Heading 3", "Stadsledningskontorets bedömning och genomförda förändringar") in area2
    assert "Övriga insatser har förtydligats." in [t for _s, t in area2]
    flat = [t for _s, t in paras]
    assert "Planen har förtydligats." in flat and "Insats 2:5 har tagits bort." in flat
    assert (
        "Teman: Sekretess och informationsdelning (1 remissinstans); Resursbehov (1 remissinstans)"
        not in flat
    )
    assert (
        "Teman: Sekretess och informationsdelning (2 remissinstanser); Resursbehov (1 remissinstans)" in flat
    )

    # The opening, drafted from the facts.
    intro = "\n".join(flat[:15])
    assert (
        "Kommunstyrelsen beslutade 2021-10-27 § 820 att med begäran om yttrande remittera förslag till "
        f"Göteborgs Stads handlingsplan för att stoppa nyrekrytering, gängkriminalitet och utvecklingen av "
        f"parallella samhällen till {REGISTER_ORDER}." in intro
    )
    assert "Remissvaret skulle vara stadsledningskontoret tillhanda senast 31 januari 2022." in intro
    assert "Sammanlagt har 15 remissvar inkommit, varav 1 efter sista svarsdag." in intro
    assert "Samtliga remissinstanser tillstyrker förslaget eller tar inte ställning." in intro
    assert re.search(r"Sammanställd: \d{4}-\d{2}-\d{2}\b", intro)  # a facts list: ISO, as Skickad

    # The appendix: all 16 bodies with their answer, position and decision; the header repeats.
    assert ("Heading 1", "Bilaga: Sammanställning över remissvaren") in paras
    (table,) = document.tables
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert tuple(rows[0]) == APPENDIX_HEADERS
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert len(rows) == 1 + 16
    by_body = {row[0]: row for row in rows[1:]}
    for r in summary.recipients:
        row = by_body[r.organisation]
        assert row[4] == r.position
        assert row[5] == (r.decision or "–")
    assert by_body["Socialnämnden Nordost"][3] == "3 dagar sent"
    assert by_body["Socialnämnden Centrum"][1:5] == ["Svar inkom", "2022-01-27", "I tid", "Tillstyrker"]
    assert by_body["Socialnämnden Centrum"][5] == "Socialnämnden Centrum 2022-01-25 § 14"
    assert by_body["Business Region Göteborg AB"][1:5] == ["Inget svar", "", "–", "Inget svar"]

    # The city's name and a page number (a PAGE field) in the footer; the office as author.
    footer = document.sections[0].footer._element.xml
    assert "Göteborgs Stad" in footer and " PAGE " in footer
    assert document.core_properties.author == AUTHOR
    assert document.core_properties.language == "sv-SE"


def test_the_office_edits_the_opening_before_export(app, client, login_as, demo):
    login_as(Role.OFFICER)
    page = client.get(f"/rounds/{demo}/summary/report")
    assert page.status_code == 200
    assert "Samtliga remissinstanser tillstyrker förslaget eller tar inte ställning." in page.text
    assert "Ladda ner redovisningen (Word)" in page.text
    edited = "Kommunstyrelsen beslutade att remittera förslaget.\n\nEgen mening från handläggaren."
    response = client.post(f"/rounds/{demo}/summary/report", data={"intro": edited})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(ReportText, demo).intro == edited
        assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "report.intro_saved"))
    flat = [t for _s, t in paragraphs(client.get(f"/rounds/{demo}/summary/report.docx").data)]
    assert "Egen mening från handläggaren." in flat
    assert not any("Remissvaret skulle vara" in t for t in flat)
    assert "Egen mening från handläggaren." in client.get(f"/rounds/{demo}/summary/report").text
    # Back to the draft, which follows the facts again.
    client.post(f"/rounds/{demo}/summary/report", data={"intro": edited, "reset": "1"})
    flat = [t for _s, t in paragraphs(client.get(f"/rounds/{demo}/summary/report.docx").data)]
    assert any("Remissvaret skulle vara" in t for t in flat)


def test_the_summary_page_links_the_word_report(client, login_as, demo):
    login_as(Role.MANAGER)
    page = client.get(f"/rounds/{demo}/summary").text
    assert f'href="/rounds/{demo}/summary/report.docx"' in page
    assert "Ladda ner redovisningen (Word)" in page


def test_only_the_grouped_points(app, client, login_as, demo):
    flat = [t for _s, t in paragraphs(download(client, login_as, demo, urval="grupperat"))]
    grouped = [t for t in flat if t.startswith("Socialnämnden Centrum, Socialnämnden Hisingen")]
    # 1:1 and 1:2: the four social committees sent the same text; it is shown once.
    assert grouped and "4 remissinstanser, 100 % lika" in grouped[0]
    assert grouped[0].startswith(
        "Socialnämnden Centrum, Socialnämnden Hisingen, Socialnämnden Nordost och Socialnämnden Sydväst"
    )
    assert not any(t.startswith("Socialnämnden Hisingen: Vi vill att handlingsplanen") for t in flat)


def test_positions_sentence_and_bodies(app, demo):
    with app.app_context():
        summary = compile_summary(demo)
        intro = draft_intro(summary, round_bodies(demo))
        assert REGISTER_ORDER in intro


def test_export_report_command(app, runner, demo, tmp_path):
    output = tmp_path / "redovisning.docx"
    result = runner.invoke(args=["export-report", str(demo), "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert "1668/20" in result.output
    assert ("Heading 1", "Redovisning av remissvar") in paragraphs(output.read_bytes())
    result = runner.invoke(args=["export-report", "9999", "-o", str(output)])
    assert result.exit_code != 0 and "ingen remiss med id 9999" in result.output


def test_control_characters_and_long_text_do_not_damage_the_file(app, client, login_as, demo):
    with app.app_context():
        round_ = db.session.get(Round, demo)
        m22 = measure_of(demo, "2:2")
        save_assessment(
            round_,
            overall=None,
            changes=None,
            areas={},
            measures={m22.id: "Rad ett\x0b\nRad två\x01" + "x" * 40_000},
        )
        db.session.commit()
    paras = paragraphs(download(client, login_as, demo))
    assert any(t.startswith("Rad ett\nRad två") for _s, t in paras)


SOFFICE, PDFTOTEXT = shutil.which("soffice"), shutil.which("pdftotext")


def to_pdf_text(source, tmp_path) -> str:
    subprocess.run(  # noqa: S603 (a fixed program, our own file)
        [
            SOFFICE,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = source.with_suffix(".pdf")
    assert pdf.exists() and pdf.stat().st_size > 10_000
    text = subprocess.run(  # noqa: S603
        [PDFTOTEXT, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    return " ".join(text.split())


@pytest.mark.skipif(
    not (SOFFICE and PDFTOTEXT),
    reason="LibreOffice (soffice) or pdftotext is not installed, so the .docx and .xlsx are not printed "
    "to PDF here: apt-get install --no-install-recommends libreoffice-writer-nogui libreoffice-calc-nogui "
    "poppler-utils",
)
def test_libreoffice_prints_the_report_and_the_excel_file(app, client, login_as, demo, tmp_path):
    with app.app_context():
        tag_demo(demo)
    report = tmp_path / "redovisning.docx"
    report.write_bytes(download(client, login_as, demo))
    flat = to_pdf_text(report, tmp_path)
    for fact in (
        "Redovisning av remissvar",
        "Kommunstyrelsen beslutade 2021-10-27 § 820",
        "Samtliga remissinstanser tillstyrker förslaget eller tar inte ställning.",
        "Insats 2:2 Utveckla och förstärka cylindermodellen",
        "Tillstyrker: 0. Avstyrker: 2. Synpunkter: 4 remissinstanser.",
        "Sekretess och informationsdelning (2 remissinstanser)",
        "Bilaga: Sammanställning över remissvaren",
        "Socialnämnden Centrum 2022-01-25 § 14",
        "3 dagar sent",
        "Business Region Göteborg AB",
        "Göteborgs Stad",
    ):
        assert fact in flat, fact
    assert "Sida 1 (" in flat  # the PAGE field, filled in
    workbook = tmp_path / "sammanstallning.xlsx"
    workbook.write_bytes(client.get(f"/rounds/{demo}/summary/export").data)
    flat = to_pdf_text(workbook, tmp_path)
    for fact in (
        "1668/20",
        "Socialnämnden Nordost",
        "cylindermodellen",
        "Avstyrker",
        "Sekretess och informationsdelning",
    ):
        assert fact in flat, fact
