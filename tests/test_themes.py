"""Themes (kodning, issue 15 item 2): officers define themes for a round and tag comments; each
measure and the round count the BODIES that raised each theme; tags follow a correction by
target; themes appear on the summary page, in Excel (a column and a sheet per theme) and are
audited."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
import sqlalchemy as sa

from remiss.audit.models import AuditEvent
from remiss.auth.models import Role
from remiss.core.errors import DomainError
from remiss.extensions import db
from remiss.rounds.models import Round
from remiss.summary.compile import compile_summary
from remiss.summary.models import CommentTheme, Theme
from remiss.summary.service import add_theme, remove_theme, tag_comments
from remiss.summary.xlsx import theme_sheet_names
from tests.factories import make_user
from tests.summary_data import correct_answer, load_demo_round


@pytest.fixture
def demo(app, runner):
    with app.app_context():
        return load_demo_round(runner)


def comment_of(summary, number: str, organisation: str):
    measure = next(m for m in summary.measures if m.number == number)
    return next(c for c in measure.comments if c.organisation == organisation)


def measure_of(summary, number: str):
    return next(m for m in summary.measures if m.number == number)


def themes_of(round_id: int) -> dict[str, int]:
    return {t.name: t.id for t in db.session.scalars(sa.select(Theme).where(Theme.round_id == round_id))}


def test_officer_defines_themes_and_tags_comments_through_the_pages(app, client, login_as, demo):
    login_as(Role.OFFICER)
    for name in ("Resursbehov", "Sekretess och informationsdelning"):
        response = client.post(f"/rounds/{demo}/summary/teman", data={"name": name, "part": "helhet"})
        assert response.status_code == 302
    # The same name again (any case) is refused with a message.
    response = client.post(
        f"/rounds/{demo}/summary/teman", data={"name": "resursbehov", "part": "helhet"}, follow_redirects=True
    )
    assert "finns redan" in response.text
    with app.app_context():
        themes = themes_of(demo)
        summary = compile_summary(demo)
        centrum = comment_of(summary, "2:2", "Socialnämnden Centrum")
        nordost = comment_of(summary, "2:2", "Socialnämnden Nordost")
        centrum_12 = comment_of(summary, "1:2", "Socialnämnden Centrum")
        area_id = summary.focus_areas[1].id
    secrecy = themes["Sekretess och informationsdelning"]
    response = client.post(
        f"/rounds/{demo}/summary/teman/markera",
        data={
            "comments": f"{centrum.id},{nordost.id}",
            "themes": [secrecy],
            "part": str(area_id),
            "anchor": "insats-1",
        },
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/rounds/{demo}/summary/arbeta?del={area_id}#insats-1")
    client.post(
        f"/rounds/{demo}/summary/teman/markera",
        data={"comments": str(centrum_12.id), "themes": [secrecy, themes["Resursbehov"]], "part": "helhet"},
    )
    with app.app_context():
        summary = compile_summary(demo)
        m22 = measure_of(summary, "2:2")
        assert [(t.name, t.bodies) for t in m22.themes] == [("Sekretess och informationsdelning", 2)]
        assert comment_of(summary, "2:2", "Socialnämnden Centrum").themes == (
            "Sekretess och informationsdelning",
        )
        assert comment_of(summary, "2:2", "Miljö- och klimatnämnden").themes == ()
        # The round: Centrum raised Sekretess on two measures – one body, counted once.
        assert [(t.name, t.bodies) for t in summary.themes] == [
            ("Resursbehov", 1),
            ("Sekretess och informationsdelning", 2),
        ]
        actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions.count("theme.added") == 2 and actions.count("theme.tagged") == 2
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "theme.tagged"))
        assert (
            event.sentence == "satte temana Sekretess och informationsdelning på 2 synpunkter på insats 2:2"
        )

    # The summary page: the round's counts, per measure, and the comments one click away.
    page = client.get(f"/rounds/{demo}/summary").text
    table = re.search(r'<table[^>]*id="themes-table".*?</table>', page, re.S).group(0)
    assert 'Sekretess och informationsdelning</a></th><td class="number">2</td>' in table
    assert f"/rounds/{demo}/summary/arbeta?tema={secrecy}" in table
    assert (
        "Sekretess och informationsdelning (2)" in client.get(f"/rounds/{demo}/summary?omrade={area_id}").text
    )
    assert client.get(f"/rounds/{demo}/summary?omrade=123456").status_code == 404
    filtered = client.get(f"/rounds/{demo}/summary/arbeta?del={area_id}&tema={secrecy}").text
    assert "Modellen är inte gjord för att ge underlag" in filtered  # Centrum's on 2:2
    assert "Modellen bör utvidgas" not in filtered  # Miljö- och klimatnämnden's, untagged


def test_untagging_and_removing_a_theme(app, client, login_as, demo):
    with app.app_context():
        round_ = db.session.get(Round, demo)
        theme = add_theme(round_, "  Resursbehov   i  staden ")
        assert theme.name == "Resursbehov i staden"
        comment = comment_of(compile_summary(demo), "2:1", "Förskolenämnden")
        tag_comments(round_, [comment.id], [theme.id])
        assert comment_of(compile_summary(demo), "2:1", "Förskolenämnden").themes == ("Resursbehov i staden",)
        tag_comments(round_, [comment.id], [])
        assert comment_of(compile_summary(demo), "2:1", "Förskolenämnden").themes == ()
        tag_comments(round_, [comment.id], [theme.id])
        db.session.commit()
        theme_id = theme.id
    login_as(Role.OFFICER)
    response = client.post(
        f"/rounds/{demo}/summary/teman/ta-bort", data={"theme": theme_id, "part": "helhet"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Theme, theme_id) is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CommentTheme)) == 0
        assert compile_summary(demo).themes == ()


def test_tags_follow_a_correction_by_target_until_the_new_comment_is_tagged(app, demo):
    with app.app_context():
        round_ = db.session.get(Round, demo)
        theme = add_theme(round_, "Sekretess")
        other = add_theme(round_, "Cylindermodellen")
        old = comment_of(compile_summary(demo), "2:2", "Socialnämnden Centrum")
        tag_comments(round_, [old.id], [theme.id])
        db.session.commit()
        correct_answer(demo, "Socialnämnden Centrum", "2:2", "Rättad text om sekretess.")
        summary = compile_summary(demo)
        new = comment_of(summary, "2:2", "Socialnämnden Centrum")
        assert new.id != old.id and new.text == "Rättad text om sekretess."
        # The corrected comment carries the tag (and says so) ...
        assert new.themes == ("Sekretess",) and new.themes_carried
        assert [(t.name, t.bodies) for t in measure_of(summary, "2:2").themes] == [("Sekretess", 1)]
        # ... the superseded one can no longer be tagged ...
        with pytest.raises(DomainError):
            tag_comments(round_, [old.id], [other.id])
        # ... and tagging the new one replaces what was carried.
        tag_comments(round_, [new.id], [other.id])
        db.session.commit()
        new = comment_of(compile_summary(demo), "2:2", "Socialnämnden Centrum")
        assert new.themes == ("Cylindermodellen",) and not new.themes_carried


def test_a_theme_of_another_round_or_a_comment_of_another_round_is_refused(app, demo):
    with app.app_context():
        rounds = db.session.scalars(sa.select(Round).order_by(Round.id)).all()
        round_ = db.session.get(Round, demo)
        other = next(r for r in rounds if r.id != demo)
        foreign = Theme(round_id=other.id, name="Annan remiss")
        db.session.add(foreign)
        db.session.flush()
        comment = comment_of(compile_summary(demo), "2:2", "Socialnämnden Centrum")
        with pytest.raises(DomainError):
            tag_comments(round_, [comment.id], [foreign.id])
        with pytest.raises(DomainError):
            tag_comments(round_, [10**9], [])
        with pytest.raises(DomainError):
            remove_theme(round_, foreign)


def test_themes_in_the_excel_file(app, client, login_as, demo):
    with app.app_context():
        round_ = db.session.get(Round, demo)
        summary = compile_summary(demo)
        formula = add_theme(round_, '=HYPERLINK("http://x")')
        secrecy = add_theme(round_, "Sekretess: OSL/[25 kap.]")
        add_theme(round_, "Oanvänt tema")
        centrum = comment_of(summary, "2:2", "Socialnämnden Centrum")
        nordost = comment_of(summary, "2:2", "Socialnämnden Nordost")
        tag_comments(round_, [centrum.id, nordost.id], [secrecy.id, formula.id])
        db.session.commit()
    login_as(Role.MANAGER)
    wb = openpyxl.load_workbook(io.BytesIO(client.get(f"/rounds/{demo}/summary/export").data))
    rows = list(wb["Synpunkter per insats"].iter_rows(values_only=True))
    assert rows[0][6] == "Teman"
    tagged = {row[3]: row[6] for row in rows[1:] if row[1] == "2:2"}
    assert tagged["Socialnämnden Centrum"] == '=HYPERLINK("http://x"), Sekretess: OSL/[25 kap.]'
    assert tagged["Miljö- och klimatnämnden"] is None
    names = wb.sheetnames
    sheet_names = theme_sheet_names(['=HYPERLINK("http://x")', "Sekretess: OSL/[25 kap.]", "Oanvänt tema"])
    assert names[-3:] == sheet_names
    ws = wb[sheet_names[1]]
    theme_rows = list(ws.iter_rows(values_only=True))
    assert theme_rows[0] == (
        "Fokusområde",
        "Nr",
        "Insats",
        "Remissinstanser med temat",
        "Remissinstans",
        "Ställningstagande",
        "Synpunkt",
    )
    assert [(r[1], r[3], r[4], r[5]) for r in theme_rows[1:]] == [
        ("2:2", 2, "Socialnämnden Centrum", "Avstyrker"),
        ("2:2", 2, "Socialnämnden Nordost", "Avstyrker"),
    ]
    # The formula-like theme stays text wherever it is written.
    assert all(
        c.data_type == "s" for row in wb["Synpunkter per insats"].iter_rows(min_row=2) for c in row if c.value
    )
    summary_sheet = {r[0]: r[1] for r in wb["Sammanfattning"].iter_rows(values_only=True) if r[0]}
    assert summary_sheet["Sekretess: OSL/[25 kap.]"] == 2
    assert summary_sheet["Oanvänt tema"] == 0
    assert wb[sheet_names[2]].max_row == 1  # the header only


def test_theme_sheet_names_are_valid_and_unique():
    names = theme_sheet_names(["A" * 40, "A" * 40, "a" * 40, "x/y", "Synpunkter per insats", "'quoted'"])
    assert len(set(n.casefold() for n in names)) == len(names)
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    assert not names[-1].endswith("'")


def test_themes_wait_for_the_round_to_be_sent(app, ctx):
    from tests.factories import make_round

    round_ = make_round()
    db.session.flush()
    with pytest.raises(DomainError):
        add_theme(round_, "Resursbehov", actor=make_user(Role.OFFICER))
