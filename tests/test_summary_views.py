"""The summary page, the office's assessment and the documents ZIP, through HTTP."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
import sqlalchemy as sa

from remiss.answers.models import Answer, AnswerVersion, Channel
from remiss.audit.models import AuditEvent
from remiss.auth.models import Role
from remiss.documents import service
from remiss.documents.models import DocumentKind
from remiss.extensions import db
from remiss.rounds.models import Round
from tests import files
from tests.summary_data import correct_answer, load_demo_round, measure_of, recipient_of


@pytest.fixture
def demo(app, runner):
    with app.app_context():
        return load_demo_round(runner)


def section(html: str, element_id: str) -> str:
    match = re.search(rf'<section[^>]* id="{element_id}"(.*?)</section>', html, re.S)
    assert match, element_id
    return match.group(1)


def table_row(html: str, organisation: str) -> list[str]:
    match = re.search(rf"<tr>\s*<th scope=\"row\">{re.escape(organisation)}</th>(.*?)</tr>", html, re.S)
    assert match, organisation
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)
    ]


def test_the_summary_page_shows_the_same_facts(client, login_as, demo, app):
    with app.app_context():
        correct_answer(demo, "Socialnämnden Centrum", "1:1", "=1+1")
    login_as(Role.MANAGER)
    response = client.get(f"/rounds/{demo}/summary")
    assert response.status_code == 200
    html = response.text
    assert "<h1>Sammanställning av remissvar</h1>" in html
    assert "<dt>Inbjudna</dt><dd>16</dd>" in html and "<dt>Svarat</dt><dd>15</dd>" in html
    assert "<dt>Inget svar</dt><dd>1</dd>" in html and "<dt>För sent</dt><dd>1</dd>" in html
    positions = re.search(r'id="positions-table"(.*?)</table>', html, re.S).group(1)
    assert re.search(r"Tillstyrker</th><td class=\"number\">13</td>", positions)
    assert re.search(r"Avstår – tar inte ställning</th><td class=\"number\">2</td>", positions)
    assert re.search(r"Inget svar</th><td class=\"number\">1</td>", positions)
    assert "<svg" in html and "Ställningstaganden till förslaget" in html and "style=" not in html

    recipients = re.search(r'id="recipients-table"(.*?)</table>', html, re.S).group(1)
    assert len(re.findall(r'<th scope="row">', recipients)) == 16
    brg = table_row(recipients, "Business Region Göteborg AB")
    assert brg[1] == "Ej påbörjat" and brg[4] == "Inget svar"
    nordost = table_row(recipients, "Socialnämnden Nordost")
    assert nordost[1] == "Inskickat för sent, 3 dagar" and nordost[2] == "2022-02-03" and nordost[3] == "3"

    # One focus area at a time (the first by default), under the counts of all.
    areas = re.search(r'id="areas-table"(.*?)</table>', html, re.S).group(1)
    row = re.search(r"Fokusområde 2: [^<]*</a></th>(.*?)</tr>", areas, re.S).group(1)
    assert re.findall(r'<td class="number">(\d+)</td>', row) == ["6", "0", "3", "18"]
    assert 'id="insats-2-2"' not in html
    with app.app_context():
        second = measure_of(demo, "2:2").focus_area_id
    assert f'href="/rounds/{demo}/summary?omrade={second}#synpunkter"' in areas
    m22 = section(client.get(f"/rounds/{demo}/summary?omrade={second}").text, "insats-2-2")
    assert "<dt>Tillstyrker</dt><dd>0</dd>" in m22
    assert "<dt>Avstyrker</dt><dd>2</dd>" in m22 and "<dt>Synpunkter</dt><dd>4</dd>" in m22
    assert m22.count("<li>") == 4
    m11 = section(html, "insats-1-1")
    assert "<dt>Synpunkter</dt><dd>6</dd>" in m11 and m11.count("<li>") == 6
    assert "=1+1" in m11
    # Managers read; only officers write the assessment and download all documents.
    assert "Ladda ner som Excel" in html
    assert "Skriv stadsledningskontorets bedömning" not in html and "summary/documents" not in html


@pytest.mark.parametrize("path", ["", "/export", "/assessment", "/documents"])
def test_respondents_are_refused(client, login_as, demo, path):
    login_as(Role.RESPONDENT, organisation="Socialnämnden Centrum")
    response = client.get(f"/rounds/{demo}/summary{path}")
    assert response.status_code == 403
    assert "Du saknar behörighet" in response.text


def test_managers_read_but_do_not_write_the_assessment(client, login_as, demo):
    login_as(Role.MANAGER)
    assert client.get(f"/rounds/{demo}/summary/assessment").status_code == 403
    assert client.post(f"/rounds/{demo}/summary/assessment", data={"assessment": "x"}).status_code == 403
    assert client.get(f"/rounds/{demo}/summary/documents").status_code == 403


def test_unknown_round_is_404(client, login_as):
    login_as(Role.OFFICER)
    for path in ("", "/export", "/assessment", "/documents"):
        assert client.get(f"/rounds/999/summary{path}").status_code == 404


def test_officer_writes_the_assessment_and_it_appears_in_page_and_export(app, client, login_as, demo):
    with app.app_context():
        area_id = db.session.get(Round, demo).focus_areas[1].id
        measure_id = measure_of(demo, "2:2").id
    login_as(Role.OFFICER)
    form = client.get(f"/rounds/{demo}/summary/assessment")
    assert form.status_code == 200
    assert "<legend>Fokusområde 2: Kunskapsbaserat arbete och välgrundad kompetens</legend>" in form.text
    assert (
        f'for="measure_{measure_id}"' in form.text and "Utveckla och förstärka cylindermodellen" in form.text
    )

    response = client.post(
        f"/rounds/{demo}/summary/assessment",
        data={
            "assessment": "Förslaget får brett stöd.\r\nSLK går vidare.",
            "assessment_changes": "Insats 2:2 har omformulerats.",
            f"area_{area_id}": "Området behålls.",
            f"measure_{measure_id}": "=Cylindermodellen utvecklas i samråd med polisen.",
        },
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "Bedömningen är sparad." in page
    assert "Förslaget får brett stöd.\nSLK går vidare." in page
    assert "Insats 2:2 har omformulerats." in page
    with app.app_context():
        second = measure_of(demo, "2:2").focus_area_id
    page_2 = client.get(f"/rounds/{demo}/summary?omrade={second}").text
    assert "=Cylindermodellen utvecklas" in section(page_2, "insats-2-2")
    with app.app_context():
        round_ = db.session.get(Round, demo)
        assert round_.assessment == "Förslaget får brett stöd.\nSLK går vidare."
        assert round_.focus_areas[1].assessment == "Området behålls."
        assert (
            db.session.scalar(
                sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "round.assessment_saved")
            )
            == 1
        )

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(client.get(f"/rounds/{demo}/summary/export").data))
    facts = {r[0]: r[1] for r in wb["Sammanfattning"].iter_rows(values_only=True) if r[0]}
    assert facts["Stadsledningskontorets bedömning"] == "Förslaget får brett stöd.\nSLK går vidare."
    assert facts["Ändringar i förslaget"] == "Insats 2:2 har omformulerats."
    rows = list(wb["Synpunkter per insats"].iter_rows(min_row=2))
    m22 = [r for r in rows if r[1].value == "2:2"]
    assert {r[6].value for r in m22} == {"=Cylindermodellen utvecklas i samråd med polisen."}
    assert all(r[6].data_type == "s" for r in m22)
    area_rows = [r for r in rows if r[1].value == "2" and r[2].value == "Fokusområdet som helhet"]
    assert [r[6].value for r in area_rows] == ["Området behålls."]


def test_a_text_that_was_not_posted_is_left_as_it_was(app, client, login_as, demo):
    with app.app_context():
        round_ = db.session.get(Round, demo)
        round_.assessment_changes = "Tidigare text."
        round_.measures[0].assessment = "Bedömning av 1:1."
        db.session.commit()
    login_as(Role.OFFICER)
    response = client.post(f"/rounds/{demo}/summary/assessment", data={"assessment": "Ny helhetsbedömning."})
    assert response.status_code == 302
    with app.app_context():
        round_ = db.session.get(Round, demo)
        assert round_.assessment == "Ny helhetsbedömning."
        assert round_.assessment_changes == "Tidigare text."
        assert round_.measures[0].assessment == "Bedömning av 1:1."


def test_too_long_assessment_is_refused_and_nothing_saved(app, client, login_as, demo):
    login_as(Role.OFFICER)
    response = client.post(
        f"/rounds/{demo}/summary/assessment",
        data={"assessment": "Kort", "assessment_changes": "x" * 50_001},
    )
    assert response.status_code == 200
    assert "Texten får vara högst 50000 tecken." in response.text
    with app.app_context():
        assert db.session.get(Round, demo).assessment == ""


def test_an_archived_round_keeps_its_assessment(app, client, login_as, demo):
    with app.app_context():
        db.session.get(Round, demo).archive()
        db.session.commit()
    login_as(Role.OFFICER)
    response = client.post(f"/rounds/{demo}/summary/assessment", data={"assessment": "Ny"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).text
    assert "Remissen är avslutad. Bedömningen kan inte längre ändras." in page
    assert "Skriv stadsledningskontorets bedömning" not in page
    with app.app_context():
        assert db.session.get(Round, demo).assessment == ""


def _attach(version: AnswerVersion, name: str, text: str) -> None:
    document = service.store(
        io.BytesIO(files.pdf(text)), name, kind=DocumentKind.DECISION, allowed=service.DECISION_TYPES
    )
    version.documents.append(document)


def test_all_documents_as_one_zip(app, client, login_as, demo):
    with app.app_context():
        round_ = db.session.get(Round, demo)
        draft_doc = service.store(
            io.BytesIO(files.pdf("Förslaget")),
            "Förslag.pdf",
            kind=DocumentKind.DRAFT,
            allowed=service.ROUND_DOCUMENT_TYPES,
        )
        draft_doc.round_id = round_.id
        db.session.add(draft_doc)
        centrum = recipient_of(demo, "Socialnämnden Centrum").answer
        received_on = centrum.latest_submitted.received_on
        # Files come with a version before it is submitted; a correction brings its own.
        for texts in (["Centrum v2"], ["Centrum v3", "Centrum v3 kopia"]):
            centrum.reopen(None, "Rättelse")
            version = centrum.start_draft()
            _attach(version, "Protokollsutdrag.pdf", texts[0])
            if len(texts) > 1:
                _attach(version, "protokollsutdrag.pdf", texts[1])
            centrum.submit(by=None, channel=Channel.EMAIL, received_on=received_on)
            db.session.commit()
        # A draft's file is not a record yet.
        brg = recipient_of(demo, "Business Region Göteborg AB")
        brg.answer = Answer()
        _attach(brg.answer.start_draft(), "Utkast.pdf", "Utkast")
        db.session.commit()

    login_as(Role.OFFICER)
    response = client.get(f"/rounds/{demo}/summary/documents")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "filename*=UTF-8''Remisshandlingar%201668-20%20" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.testzip() is None
    names = archive.namelist()
    assert names == [
        "Förteckning.txt",
        "Remisshandlingar/Förslag.pdf",
        "Socialnämnden Centrum/Protokollsutdrag.pdf",
        "Socialnämnden Centrum/protokollsutdrag (2).pdf",
        "Socialnämnden Centrum/Tidigare versioner/Version 2/Protokollsutdrag.pdf",
    ]
    assert b"Centrum v3" in archive.read("Socialnämnden Centrum/Protokollsutdrag.pdf")
    assert b"Centrum v3 kopia" in archive.read("Socialnämnden Centrum/protokollsutdrag (2).pdf")
    earlier = archive.read("Socialnämnden Centrum/Tidigare versioner/Version 2/Protokollsutdrag.pdf")
    assert b"Centrum v2" in earlier
    manifest = archive.read("Förteckning.txt").decode()
    assert "Socialnämnden Centrum, version 2" in manifest and "Utkast.pdf" not in manifest


def test_files_of_an_earlier_version_are_not_presented_as_current(app, client, login_as, demo):
    with app.app_context():
        centrum = recipient_of(demo, "Socialnämnden Centrum").answer
        received_on = centrum.latest_submitted.received_on
        centrum.reopen(None, "Rättelse")
        _attach(centrum.start_draft(), "Beslut.pdf", "Med fil")
        centrum.submit(by=None, channel=Channel.EMAIL, received_on=received_on)
        db.session.commit()
        centrum.reopen(None, "Rättelse utan ny fil")
        centrum.start_draft()
        centrum.submit(by=None, channel=Channel.EMAIL, received_on=received_on)
        db.session.commit()
    login_as(Role.OFFICER)
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/rounds/{demo}/summary/documents").data))
    assert archive.namelist() == [
        "Förteckning.txt",
        "Socialnämnden Centrum/Tidigare versioner/Version 2/Beslut.pdf",
    ]


def test_the_zip_for_the_record_holds_confidential_files_and_names_their_ground(app, client, login_as, demo):
    """The round's ZIP is for the city's own record-keeping: a file withheld from the public
    register is still a record and goes in, and the listing says on which ground it is withheld."""
    with app.app_context():
        round_ = db.session.get(Round, demo)
        secret = service.store(
            io.BytesIO(files.pdf("Underlag")),
            "Underlag.pdf",
            kind=DocumentKind.APPENDIX,
            allowed=service.ROUND_DOCUMENT_TYPES,
        )
        secret.round_id = round_.id
        secret.secrecy_ground = "OSL 18 kap. 1 §"
        db.session.add(secret)
        centrum = recipient_of(demo, "Socialnämnden Centrum").answer
        received_on = centrum.latest_submitted.received_on
        centrum.reopen(None, "Rättelse")
        _attach(centrum.start_draft(), "Protokollsutdrag.pdf", "Centrum")
        version = centrum.submit(by=None, channel=Channel.EMAIL, received_on=received_on)
        db.session.commit()
        version.secrecy_ground = "OSL 26 kap. 1 §"
        db.session.commit()

    login_as(Role.OFFICER)
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/rounds/{demo}/summary/documents").data))
    assert "Remisshandlingar/Underlag.pdf" in archive.namelist()
    assert "Socialnämnden Centrum/Protokollsutdrag.pdf" in archive.namelist()
    lines = archive.read("Förteckning.txt").decode().splitlines()
    assert lines[2].endswith("\tSekretess")
    underlag = next(line for line in lines if line.startswith("Remisshandlingar/Underlag.pdf"))
    assert underlag.endswith("\tOSL 18 kap. 1 §")
    centrum_line = next(
        line for line in lines if line.startswith("Socialnämnden Centrum/Protokollsutdrag.pdf")
    )
    assert centrum_line.endswith("\tOSL 26 kap. 1 § (hela svaret)")
