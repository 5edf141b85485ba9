"""Every cell the app writes to a spreadsheet or CSV file is formula-safe, whoever typed the text
and whatever column it lands in (issue 14).

One round in which every text a person types begins with a formula-like payload: the round's
title, KS decision and assessment, the focus areas' and measures' titles and assessments, the
organisations' names, short names and contact addresses, the officer's name, the answers'
comments, other comments, who decided and the paragraph, per-measure comments, secrecy grounds
and document names (the dnr is pattern-bound and stays a dnr). Then every file the app writes is
fetched through its route as a user would – the answer template, the summary export, the
round's archive with its listing, the public answers ZIP with ``svar.csv`` – and read back:
no Excel cell is a formula, and no CSV or listing field begins with = + - @ (or tab / CR) unless
neutralised with a leading apostrophe. And the answer template makes the round trip: downloaded
with such comments and uploaded unchanged, the draft is unchanged."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, timedelta

import openpyxl
import pytest

from remiss.answers.models import Answer, MeasurePosition, Position
from remiss.answers.service import set_item
from remiss.auth.models import Role
from remiss.core.spreadsheets import FORMULA_START, csv_safe
from remiss.documents import service as documents
from remiss.documents.models import DocumentKind
from remiss.extensions import db
from remiss.public.export import LISTING_NAME
from remiss.rounds.models import Round
from remiss.summary.archive import MANIFEST
from tests import files
from tests.answering import the_draft
from tests.factories import PASSWORD, make_organisation, make_round, make_user

PAYLOADS = (
    '=HYPERLINK("http://x","y")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
)


def typed(n: int, label: str = "") -> str:
    """The ``n``-th payload, with ``label`` after it where a text must be unique."""
    return PAYLOADS[n % len(PAYLOADS)] + (f" {label}" if label else "")


def _store(name: str, kind: DocumentKind, by=None):
    return documents.store(
        io.BytesIO(files.pdf(name)), name, kind=kind, allowed=documents.ROUND_DOCUMENT_TYPES, uploaded_by=by
    )


def _snapshot(version) -> dict:
    return {
        "position": version.position,
        "comment": version.comment,
        "other_comments": version.other_comments,
        "decided_by": version.decided_by,
        "decision_paragraph": version.decision_paragraph,
        "comments": sorted(
            (c.focus_area_id or 0, c.measure_id or 0, c.position.value if c.position else "", c.text)
            for c in version.comments
        ),
    }


@pytest.fixture
def world(app):
    """The round (open), its people and their answers; returns ids and e-mail addresses."""
    with app.app_context():
        officer = make_user(Role.OFFICER, email="officer@example.goteborg.se", name=typed(0, "Hanna"))
        make_user(Role.MANAGER, email="manager@example.goteborg.se", name=typed(1, "Chef"))
        organisations = [
            make_organisation(typed(i, f"nämnd {i}"), short_name=typed(i + 1, f"kort {i}")) for i in range(4)
        ]
        for i, organisation in enumerate(organisations):
            organisation.email = f"{PAYLOADS[i % 5][:1]}org{i}@example.goteborg.se"
        round_ = make_round(
            officer=officer,
            recipients=organisations,
            title=typed(2, "handlingsplan"),
            decision=typed(3, "KS § 820"),
            description=typed(4, "beskrivning"),
            structure={
                typed(0, "fokusområde 1"): [typed(1, "insats 1:1"), typed(2, "insats 1:2")],
                typed(3, "fokusområde 2"): [typed(4, "insats 2:1")],
            },
            sent_on=date.today() - timedelta(days=20),
            deadline=date.today() + timedelta(days=10),
            register_choice=True,
        )
        round_.assessment = typed(0, "bedömning")
        round_.assessment_changes = typed(1, "ändringar")
        for n, area in enumerate(round_.focus_areas):
            area.assessment = typed(n + 2, "områdets bedömning")
        for n, measure in enumerate(round_.measures):
            measure.assessment = typed(n + 3, "insatsens bedömning")
        for recipient in round_.recipients:
            recipient.contact_email = "=" + recipient.organisation.email
        document = _store(typed(1, "remissförslag.pdf"), DocumentKind.DRAFT, officer)
        document.round_id = round_.id
        appendix = _store(typed(2, "bilaga.pdf"), DocumentKind.APPENDIX, officer)
        appendix.round_id = round_.id
        appendix.secrecy_ground = typed(3, "OSL")
        db.session.add_all([document, appendix])
        round_.open()
        db.session.flush()

        respondents = {}
        for n, recipient in enumerate(round_.recipients):
            respondent = make_user(
                Role.RESPONDENT, recipient.organisation, email=f"respondent{n}@example.se", name=typed(n)
            )
            respondents[n] = respondent.email
            recipient.answer = Answer()
            version = recipient.answer.start_draft(by=respondent)
            version.position = list(Position)[n % len(Position)]
            version.comment = typed(n, "helhet")
            version.other_comments = typed(n + 1, "övrigt")
            version.decided_by = typed(n + 2, "nämnden")
            version.decision_paragraph = typed(n + 3)
            version.decision_date = date.today() - timedelta(days=3)
            for m, area in enumerate(round_.focus_areas):
                set_item(version, None, typed(n + m, "om området"), focus_area_id=area.id)
            for m, measure in enumerate(round_.measures):
                position = (MeasurePosition.ASSENT, MeasurePosition.REJECT, None)[(n + m) % 3]
                set_item(
                    version,
                    position.value if position else None,
                    typed(n + m + 1, "om insatsen"),
                    measure_id=measure.id,
                )
            version.documents.append(_store(typed(n + 4, "beslut.pdf"), DocumentKind.DECISION, respondent))
            if n == 3:
                continue  # the last body keeps a draft: the template's round trip
            recipient.answer.submit(by=respondent)
            db.session.flush()
            if n == 1:  # a whole answer withheld from the public register
                version.secrecy_ground = typed(4, "OSL 26 kap.")
            if n == 2:  # one comment and one file withheld
                version.comments[0].secrecy_ground = typed(0, "OSL 18 kap.")
                version.documents[0].secrecy_ground = typed(1, "OSL 21 kap.")
        db.session.commit()
        return {
            "round_id": round_.id,
            "officer": "officer@example.goteborg.se",
            "manager": "manager@example.goteborg.se",
            "respondents": respondents,
        }


def _client(app, email: str):
    client = app.test_client()
    response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.text
    return client


def _download(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    data = response.get_data()
    response.close()
    return data


def assert_no_formula(name: str, data: bytes) -> list[str]:
    """No cell of the workbook ``data`` is a formula; returns every text in it."""
    texts = []
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                where = f"{name} {sheet.title}!{cell.coordinate}"
                assert cell.data_type != "f", f"{where} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", f"{where} holds text typed as {cell.data_type}"
                    texts.append(cell.value)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for part in archive.namelist():
            if part.startswith("xl/worksheets/"):
                assert "<f>" not in archive.read(part).decode(), f"{name} {part} holds a formula"
    return texts


def assert_neutralised(name: str, rows: list[list[str]]) -> list[str]:
    """No field of ``rows`` begins with a formula character; returns every field."""
    fields = []
    for number, row in enumerate(rows, start=1):
        for field in row:
            assert not field.startswith(FORMULA_START), f"{name} row {number}: {field!r} is not neutralised"
            fields.append(field)
    return fields


def assert_found(name: str, haystack: list[str], texts) -> None:
    """Each of ``texts`` is in ``haystack`` (as a cell, or inside one): the check saw them."""
    joined = "\n".join(haystack)
    missing = [text for text in texts if text not in joined]
    assert not missing, f"{name} does not hold {missing}"


def test_every_spreadsheet_and_csv_the_app_writes_is_formula_safe(app, world):
    round_id = world["round_id"]
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        names = [r.organisation.name for r in round_.recipients]
        area_titles = [a.title for a in round_.focus_areas]
        measure_titles = [m.title for m in round_.measures]
        round_title = round_.title
        draft = the_draft(app, round_id, names[3])
        draft_comments = [draft.comment, draft.other_comments] + [c.text for c in draft.comments]

    # The answer template, as the body with a draft downloads it.
    respondent = _client(app, world["respondents"][3])
    data = _download(respondent, f"/answers/rounds/{round_id}/template")
    texts = assert_no_formula("Svarsmall", data)
    assert_found("Svarsmall", texts, [*area_titles, *measure_titles, *draft_comments, names[3], round_title])
    for title in [*area_titles, *measure_titles, *draft_comments]:
        assert title in texts, f"the template does not hold «{title}» as typed"

    # Then the round closes, and the office and the public fetch the rest.
    with app.app_context():
        db.session.get(Round, round_id).close()
        db.session.commit()

    # The summary export, as a manager (and an officer) downloads it.
    for email in (world["manager"], world["officer"]):
        data = _download(_client(app, email), f"/rounds/{round_id}/summary/export")
        texts = assert_no_formula("Sammanställning", data)
        assert_found("Sammanställning", texts, [*names[:3], *area_titles, *measure_titles, round_title])
        with app.app_context():
            round_ = db.session.get(Round, round_id)
            officer_name = round_.officer.name
            assessments = [round_.assessment, round_.assessment_changes]
            assessments += [a.assessment for a in round_.focus_areas] + [
                m.assessment for m in round_.measures
            ]
        assert_found("Sammanställning", texts, [officer_name, *assessments])

    # Every document of the round for diarieföring, with its tab-separated listing.
    data = _download(_client(app, world["officer"]), f"/rounds/{round_id}/summary/documents")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        lines = archive.read(MANIFEST).decode().splitlines()
    rows = [line.split("\t") for line in lines[3:]]
    fields = assert_neutralised(MANIFEST, rows)
    assert_found(MANIFEST, fields, [csv_safe(name) for name in names[:3]])

    # The public register's ZIP of all answers, as an anonymous visitor downloads it.
    data = _download(app.test_client(), f"/register/{round_id}/answers.zip")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        text = archive.read(LISTING_NAME).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(rows) == 4, rows  # the header and the three submitted answers
    fields = assert_neutralised(LISTING_NAME, rows)
    # Every submitted body's row, the confidential one too, names it neutralised.
    assert_found(LISTING_NAME, fields, [csv_safe(name) for name in names[:3]])
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        centrum = round_.recipients[0].answer.versions[-1]
        shown = [centrum.comment, centrum.other_comments, centrum.decision_text]
    assert_found(LISTING_NAME, fields, [csv_safe(text) for text in shown])


def test_an_unchanged_template_uploaded_back_changes_nothing(app, world):
    round_id = world["round_id"]
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        name = round_.recipients[3].organisation.name
        before = _snapshot(the_draft(app, round_id, name))
    assert before["comment"].startswith(PAYLOADS[3])
    respondent = _client(app, world["respondents"][3])
    data = _download(respondent, f"/answers/rounds/{round_id}/template")
    response = respondent.post(
        f"/answers/rounds/{round_id}/template/upload",
        data={"file": (io.BytesIO(data), "Svarsmall.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Svarsmallen är inläst i utkastet" in response.text, response.text
    with app.app_context():
        after = _snapshot(the_draft(app, round_id, name))
    assert after == before


@pytest.mark.parametrize("text", [*PAYLOADS, "\tflik", "\rvagnretur", "vanlig text", ""])
def test_csv_safe_neutralises_what_a_spreadsheet_would_run(text):
    safe = csv_safe(text)
    assert not safe.startswith(FORMULA_START)
    assert safe in (text, "'" + text)
