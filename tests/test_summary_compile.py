"""compile_summary: what counts, the counts, the order, and a fixed number of queries."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from remiss.extensions import db
from remiss.summary.compile import COMMENTED, NO_ANSWER, compile_summary, swedish_key
from tests.summary_data import build_round, correct_answer, load_demo_round, start_unsubmitted_draft


@pytest.fixture
def demo(app, runner):
    with app.app_context():
        yield load_demo_round(runner)


def by_number(summary, number):
    return next(m for m in summary.measures if m.number == number)


def by_name(summary, organisation):
    return next(r for r in summary.recipients if r.organisation == organisation)


def test_the_demo_round(demo):
    summary = compile_summary(demo)
    assert summary.round.dnr == "1668/20"
    assert summary.round.decision == "Kommunstyrelsen 2021-10-27 § 820"
    assert summary.round.officer == "Hanna Handläggare"
    counts = summary.counts
    assert (counts.invited, counts.answered, counts.on_time, counts.late, counts.no_answer) == (
        16,
        15,
        14,
        1,
        1,
    )
    assert {p.label: p.count for p in counts.positions} == {
        "Tillstyrker": 13,
        "Tillstyrker delvis": 0,
        "Avstyrker": 0,
        "Avstår – tar inte ställning": 2,
        "Inget svar": 1,
    }

    brg = by_name(summary, "Business Region Göteborg AB")
    assert (brg.answered, brg.position, brg.status, brg.received_on, brg.days_late) == (
        False,
        NO_ANSWER,
        "Ej påbörjat",
        None,
        None,
    )
    nordost = by_name(summary, "Socialnämnden Nordost")
    assert nordost.days_late == 3 and nordost.status == "Inskickat för sent, 3 dagar"
    centrum = by_name(summary, "Socialnämnden Centrum")
    assert centrum.decision == "Socialnämnden Centrum 2022-01-25 § 14"
    assert centrum.days_late == 0 and centrum.received_on.isoformat() == "2022-01-27"

    m22 = by_number(summary, "2:2")
    assert (m22.assent, m22.reject, m22.commented) == (0, 2, 4)
    assert [c.organisation for c in m22.comments if c.position == "Avstyrker"] == [
        "Socialnämnden Centrum",
        "Socialnämnden Nordost",
    ]
    assert by_number(summary, "1:1").commented == 6
    assert [m.number for m in summary.measures] == [
        "1:1", "1:2", "2:1", "2:2", "2:3", "2:4", "2:5", "2:6", "3:1", "3:2", "3:3"
    ]  # fmt: skip
    # The matrix: one cell per recipient, in the order of the recipients.
    names = [r.organisation for r in summary.recipients]
    row = dict(zip(names, m22.matrix, strict=True))
    assert row["Socialnämnden Centrum"] == "Avstyrker"
    assert row["Miljö- och klimatnämnden"] == COMMENTED
    assert row["Förskolenämnden"] == ""
    # Committees first, then companies, then authorities; each in Swedish alphabetical order.
    assert names[0] == "Förskolenämnden" and names[-1] == "Statens institutionsstyrelse"
    assert names.index("Utbildningsnämnden") < names.index("Business Region Göteborg AB")
    others = {o.organisation for o in summary.other_comments}
    assert "Socialnämnden Centrum" in others and "Kriminalvården" not in others


def test_only_the_latest_submitted_version_counts_and_drafts_never(demo):
    correct_answer(demo, "Socialnämnden Centrum", "2:2", "Ändrad synpunkt", comment="Rättat svar.")
    start_unsubmitted_draft(demo, "Business Region Göteborg AB", "2:2", "Utkastets synpunkt")
    start_unsubmitted_draft(demo, "Socialnämnden Hisingen", "2:2", "Hisingens utkast")
    summary = compile_summary(demo)

    centrum = by_name(summary, "Socialnämnden Centrum")
    assert centrum.comment == "Rättat svar."
    m22 = by_number(summary, "2:2")
    texts = {c.organisation: c.text for c in m22.comments}
    assert texts["Socialnämnden Centrum"] == "Ändrad synpunkt"
    assert "Business Region Göteborg AB" not in texts and "Socialnämnden Hisingen" not in texts
    assert (m22.reject, m22.commented) == (2, 4)  # the copied position stays; drafts add nothing
    brg = by_name(summary, "Business Region Göteborg AB")
    assert brg.position == NO_ANSWER and brg.status == "Utkast"
    hisingen = by_name(summary, "Socialnämnden Hisingen")
    assert hisingen.position == "Tillstyrker" and hisingen.status == "Öppnat för rättelse"
    assert summary.counts.answered == 15
    assert "Utkast som inte är inskickat" not in {o.text for o in summary.other_comments}


def test_assessment_is_part_of_the_summary(demo):
    from remiss.rounds.models import Round

    round_ = db.session.get(Round, demo)
    round_.assessment = "Förslaget får brett stöd."
    round_.assessment_changes = "Insats 2:2 omformuleras."
    round_.focus_areas[1].assessment = "Området behålls."
    round_.focus_areas[1].measures[1].assessment = "Cylindermodellen utvecklas i samråd."
    db.session.commit()
    summary = compile_summary(round_)
    assert summary.round.assessment == "Förslaget får brett stöd."
    assert summary.round.assessment_changes == "Insats 2:2 omformuleras."
    assert summary.focus_areas[1].assessment == "Området behålls."
    assert by_number(summary, "2:2").assessment == "Cylindermodellen utvecklas i samråd."


def test_unknown_round(ctx):
    with pytest.raises(LookupError):
        compile_summary(12345)


def test_swedish_order():
    names = ["Örgryte", "Ale", "Älvsborg", "Åmål", "Eriksberg", "Zeta"]
    assert sorted(names, key=swedish_key) == ["Ale", "Eriksberg", "Zeta", "Åmål", "Älvsborg", "Örgryte"]


def count_queries(round_id: int) -> tuple[int, object]:
    db.session.remove()  # a fresh session: nothing loaded beforehand
    statements: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        summary = compile_summary(round_id)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements), summary


def test_a_fixed_number_of_queries_however_large_the_round(ctx):
    small = build_round(recipients=2, areas=1, measures_per_area=2)
    large = build_round(recipients=25, areas=4, measures_per_area=6)
    small_count, small_summary = count_queries(small)
    large_count, large_summary = count_queries(large)
    assert len(large_summary.measures) == 24 and large_summary.counts.answered == 25
    assert sum(len(m.comments) for m in large_summary.measures) == 25 * 24
    assert all(len(a.comments) == 25 for a in large_summary.focus_areas)
    assert small_count == large_count
    assert large_count <= 8, large_count


def test_the_stream_gives_the_same_summary_one_measure_at_a_time(demo):
    from remiss.summary.compile import stream_summary

    stream = stream_summary(demo)
    compiled = compile_summary(demo, now=stream.round.compiled_at)
    assert (stream.round, stream.recipients, stream.counts) == (
        compiled.round,
        compiled.recipients,
        compiled.counts,
    )
    sections = list(stream.sections())
    # Each focus area as a whole, then its measures, in the draft's order.
    expected = []
    for area in compiled.focus_areas:
        expected.append((area.number, None, area.comments))
        expected.extend((area.number, m.number, m.comments) for m in area.measures)
    got = [(s.area.number, s.measure.number if s.measure else None, s.comments) for s in sections]
    assert got == expected
    assert [s.measure for s in sections if s.measure] == list(compiled.measures)
    assert stream.collect() == compiled
    assert stream.measure_count == len(compiled.measures) == 11
