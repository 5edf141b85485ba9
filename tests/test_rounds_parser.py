"""The paste import's parser: a pure function from text to focus areas and problems."""

from remiss.rounds.models import MeasureKind
from remiss.rounds.service import parse_structure

TABLE_OF_CONTENTS = """Fokusområde 1: Ett samordnat arbete med helhetsperspektiv
Insats 1:1 Stärka samordningen centralt och lokalt
Insats 1:2 Säkerställa att samtliga berörda förvaltningar deltar

Fokusområde 2: Kunskapsbaserat arbete och välgrundad kompetens
Insats 2:1 Identifiera de egna verktygen …
"""


def test_reads_focus_areas_and_measures():
    parsed = parse_structure(TABLE_OF_CONTENTS)
    assert parsed.ok and parsed.problems == []
    assert [(a.number, a.title) for a in parsed.areas] == [
        ("1", "Ett samordnat arbete med helhetsperspektiv"),
        ("2", "Kunskapsbaserat arbete och välgrundad kompetens"),
    ]
    assert [(m.number, m.title, m.kind) for m in parsed.areas[0].measures] == [
        ("1:1", "Stärka samordningen centralt och lokalt", MeasureKind.MEASURE),
        ("1:2", "Säkerställa att samtliga berörda förvaltningar deltar", MeasureKind.MEASURE),
    ]
    assert parsed.areas[1].measures[0].title == "Identifiera de egna verktygen …"
    assert parsed.measure_count == 3


def test_questions_and_separator_variants_are_tolerated():
    parsed = parse_structure(
        "  fokusområde 1 – Förutsättningar\n"
        "Fråga 1:1 Ekonomiska förutsättningar\n"
        "FRÅGA 1:2: Kompetensmässiga förutsättningar\n"
        "Remissfråga 1.3 – Ansvarsfördelningen\n"
        "Fokusområde 2. Ansvar\u00a0och ärendehantering\n"
        "Insats 2:1 — Tydligheten\n"
        "Fokusområde 3 Förhållandet till policyn\n"
    )
    assert parsed.problems == []
    assert [(a.number, a.title) for a in parsed.areas] == [
        ("1", "Förutsättningar"),
        ("2", "Ansvar och ärendehantering"),
        ("3", "Förhållandet till policyn"),
    ]
    first = parsed.areas[0].measures
    assert [(m.number, m.title, m.kind) for m in first] == [
        ("1:1", "Ekonomiska förutsättningar", MeasureKind.QUESTION),
        ("1:2", "Kompetensmässiga förutsättningar", MeasureKind.QUESTION),
        ("1:3", "Ansvarsfördelningen", MeasureKind.QUESTION),
    ]
    assert parsed.areas[1].measures[0].title == "Tydligheten"


def test_every_unreadable_line_is_named_by_its_number():
    parsed = parse_structure(
        "Fokusområde 1: Samordning\n"
        "Insats 1:1 Stärka samordningen\n"
        "\n"
        "Det här är en löptext\n"
        "Insats 2:1 Fel fokusområde\n"
        "Insats 1:1 Samma nummer igen\n"
        "Fokusområde 1: Samma fokusområde igen\n"
        "Fokusområde 3:\n"
    )
    assert not parsed.ok
    assert len(parsed.problems) == 5
    assert parsed.problems[0].startswith("Rad 4: ”Det här är en löptext” kan inte läsas.")
    assert parsed.problems[1].startswith("Rad 5: insats 2:1 hör inte till fokusområde 1")
    assert parsed.problems[2] == "Rad 6: insats 1:1 finns redan."
    assert parsed.problems[3] == "Rad 7: fokusområde 1 finns redan."
    assert parsed.problems[4] == "Rad 8: fokusområde 3 saknar rubrik."


def test_a_measure_before_any_focus_area_is_refused():
    parsed = parse_structure("Insats 1:1 Utan fokusområde")
    assert parsed.problems == ["Rad 1: insats 1:1 står inte under något fokusområde."]


def test_focus_areas_already_in_the_round_are_refused():
    parsed = parse_structure("Fokusområde 2: Kunskap\nInsats 2:1 Verktyg", existing_area_numbers=["1", "2"])
    assert parsed.problems == ["Rad 1: fokusområde 2 finns redan."]


def test_blank_text_needs_at_least_one_focus_area():
    parsed = parse_structure("\n  \n")
    assert not parsed.ok
    assert parsed.problems == ["Klistra in minst ett fokusområde."]
