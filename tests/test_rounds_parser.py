"""The paste import's parser: a pure function from text to focus areas and problems."""

import pytest

from remiss.rounds.models import AreaKind, MeasureKind
from remiss.rounds.service import ReadAs, parse_structure

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
    assert [(a.kind, a.number, a.title) for a in parsed.areas] == [
        # A focus area heading over questions only is a section: its rows are questions.
        (AreaKind.SECTION, "1", "Förutsättningar"),
        (AreaKind.FOCUS_AREA, "2", "Ansvar och ärendehantering"),
        (AreaKind.FOCUS_AREA, "3", "Förhållandet till policyn"),
    ]
    first = parsed.areas[0].measures
    assert [(m.number, m.title, m.kind) for m in first] == [
        ("1", "Ekonomiska förutsättningar", MeasureKind.QUESTION),
        ("2", "Kompetensmässiga förutsättningar", MeasureKind.QUESTION),
        ("3", "Ansvarsfördelningen", MeasureKind.QUESTION),
    ]
    assert parsed.areas[1].measures[0].title == "Tydligheten"
    assert parsed.lines[1].note == "numrerad 1:1 i texten"


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
    assert parsed.problems == ["Klistra in minst ett fokusområde, en insats eller en fråga."]


# Every line form officers really have, one a row: (pasted line, how it is read, note) --------------
# Each line is pasted under the heading it needs: a measure under its focus area, a question alone.
A = "Fokusområde 1: Samordning\n"
LINE_FORMS = [
    # focus areas
    ("Fokusområde 1: Ett samordnat arbete", "Fokusområde 1: Ett samordnat arbete", ""),
    ("Fokusområde 1 – Ett samordnat arbete", "Fokusområde 1: Ett samordnat arbete", ""),
    ("fokusområde 1. Ett samordnat arbete", "Fokusområde 1: Ett samordnat arbete", ""),
    (
        "Fokusområde 1: Ett samordnat arbete ........ 6",
        "Fokusområde 1: Ett samordnat arbete",
        "sidnummer 6 borttaget",
    ),
    (
        "Fokusområde 1: Ett samordnat arbete\t6",
        "Fokusområde 1: Ett samordnat arbete",
        "sidnummer 6 borttaget",
    ),
    ("Fokusområde 1: Ett samordnat arbete 6", "Fokusområde 1: Ett samordnat arbete", "sidnummer 6 borttaget"),
    # measures, after their focus area
    (A + "Insats 1:1 Stärka samordningen", "Insats 1:1: Stärka samordningen", ""),
    (A + "Insats 1.1 Stärka samordningen", "Insats 1:1: Stärka samordningen", ""),
    (A + "Insats 1:1: Stärka samordningen", "Insats 1:1: Stärka samordningen", ""),
    (A + "1.1 Stärka samordningen", "Insats 1:1: Stärka samordningen", ""),
    (A + "1:1 Stärka samordningen", "Insats 1:1: Stärka samordningen", ""),
    (A + "1.1. Stärka samordningen", "Insats 1:1: Stärka samordningen", ""),
    (A + "1.1) Stärka samordningen", "Insats 1:1: Stärka samordningen", ""),
    (A + "1.1\tStärka samordningen\t7", "Insats 1:1: Stärka samordningen", "sidnummer 7 borttaget"),
    (
        A + "Insats 1:1 Stärka samordningen . . . . . 7",
        "Insats 1:1: Stärka samordningen",
        "sidnummer 7 borttaget",
    ),
    (A + "Insats 1:1 Tidiga insatser 6", "Insats 1:1: Tidiga insatser", "sidnummer 6 borttaget"),
    (A + "Insats 1:1 Identifiera de egna verktygen …", "Insats 1:1: Identifiera de egna verktygen …", ""),
    (A + "Insats 1:1 Genomföra Agenda 2030", "Insats 1:1: Genomföra Agenda 2030", ""),
    (A + "• Insats 1:1 Stärka samordningen", "Insats 1:1: Stärka samordningen", ""),
    (A + "– 1.1 Stärka samordningen", "Insats 1:1: Stärka samordningen", ""),
    # questions
    ("Fråga 3 Har nämnden förutsättningar?", "Fråga 3: Har nämnden förutsättningar?", ""),
    ("Fråga 3: Har nämnden förutsättningar?", "Fråga 3: Har nämnden förutsättningar?", ""),
    ("Remissfråga 3 – Ekonomiska förutsättningar", "Fråga 3: Ekonomiska förutsättningar", ""),
    ("3. Har nämnden förutsättningar?", "Fråga 3: Har nämnden förutsättningar?", ""),
    ("3) Har nämnden förutsättningar?", "Fråga 3: Har nämnden förutsättningar?", ""),
    ("3 Har nämnden förutsättningar?", "Fråga 3: Har nämnden förutsättningar?", ""),
    ("3. Har nämnden förutsättningar? 12", "Fråga 3: Har nämnden förutsättningar?", "sidnummer 12 borttaget"),
    ("3.\tHar nämnden förutsättningar?", "Fråga 3: Har nämnden förutsättningar?", ""),
    ("Har nämnden förutsättningar?", "Fråga 1: Har nämnden förutsättningar?", ""),
    ("• Har nämnden förutsättningar?", "Fråga 1: Har nämnden förutsättningar?", ""),
    ("* Har nämnden förutsättningar?", "Fråga 1: Har nämnden förutsättningar?", ""),
    ("- Har nämnden förutsättningar?", "Fråga 1: Har nämnden förutsättningar?", ""),
    ("\u00a0 3. Har  nämnden\u00a0förutsättningar?  ", "Fråga 3: Har nämnden förutsättningar?", ""),
]


@pytest.mark.parametrize(("text", "reading", "note"), LINE_FORMS, ids=[row[0] for row in LINE_FORMS])
def test_every_line_form_is_read_with_its_title_kept_exactly(text, reading, note):
    parsed = parse_structure(text)
    assert parsed.problems == []
    last = parsed.lines[-1]
    assert (last.reading, last.note) == (reading, note)


UNREADABLE = [
    ("Det här är en löptext", "”Det här är en löptext” kan inte läsas."),
    ("Bilaga 2 Tidsplan", "”Bilaga 2 Tidsplan” kan inte läsas."),
    ("1.2.3 En tredje nivå", "en tredje nivå (t.ex. 1.2.3) läses inte."),
    ("Insats 1:1 Utan fokusområde", "insats 1:1 står inte under något fokusområde."),
    ("2.1 Utan rubrik ovanför", "2.1 står inte under någon rubrik med nummer 2."),
    ("Fråga 2", "fråga 2 saknar rubrik."),
]


@pytest.mark.parametrize(("text", "problem"), UNREADABLE, ids=[row[0] for row in UNREADABLE])
def test_every_line_that_cannot_be_read_is_named(text, problem):
    parsed = parse_structure("3. Har nämnden förutsättningar?\n" + text)
    assert not parsed.ok
    assert parsed.problems[0].startswith(f"Rad 2: {problem}")
    assert parsed.lines[1].problem.startswith(problem)


def test_a_question_round_with_headed_sections():
    parsed = parse_structure(
        "Innehåll\n"
        "Ekonomiska och kompetensmässiga förutsättningar\n"
        "1. Har nämnden de ekonomiska förutsättningarna att följa riktlinjen?\n"
        "2. Har nämnden den kompetens som behövs?\n"
        "\n"
        "Ansvar och ärendehantering\n"
        "Fråga 3 Hur ser nämnden på ansvarsfördelningen?\n"
        "• Är hanteringen av avhopparärenden tydlig?\n"
    )
    assert parsed.ok, parsed.problems
    assert [(a.kind, a.number, a.title) for a in parsed.areas] == [
        (AreaKind.SECTION, "1", "Ekonomiska och kompetensmässiga förutsättningar"),
        (AreaKind.SECTION, "2", "Ansvar och ärendehantering"),
    ]
    assert [m.number for a in parsed.areas for m in a.measures] == ["1", "2", "3", "4"]
    assert {m.kind for a in parsed.areas for m in a.measures} == {MeasureKind.QUESTION}
    assert parsed.lines[0].note == "innehållsförteckningens rubrik"
    assert parsed.summary == "2 sektioner och 4 frågor"


def test_questions_under_no_heading():
    parsed = parse_structure("1. Ekonomiska förutsättningar?\n2. Kompetens?\n")
    assert [(a.kind, a.label) for a in parsed.areas] == [(AreaKind.QUESTIONS, "Frågor")]
    assert parsed.summary == "2 frågor"


def test_a_numbered_table_of_contents_is_read_as_focus_areas_and_measures():
    parsed = parse_structure("1. Samordning\t3\n1.1 Stärka samordningen\t4\n2. Kunskap 5\n2.1 Verktyg 6\n")
    assert parsed.ok, parsed.problems
    assert [(a.kind, a.heading) for a in parsed.areas] == [
        (AreaKind.FOCUS_AREA, "Fokusområde 1: Samordning"),
        (AreaKind.FOCUS_AREA, "Fokusområde 2: Kunskap"),
    ]
    assert [m.label for a in parsed.areas for m in a.measures] == ["Insats 1:1", "Insats 2:1"]


def test_the_officer_says_how_numbered_lines_are_read():
    text = (
        "1. Förutsättningar\n1.1 Ekonomiska förutsättningar\n1.2 Kompetens\n2. Ansvar\n"
        "2.1 Ansvarsfördelningen\n"
    )
    as_questions = parse_structure(text, read_as=ReadAs.QUESTIONS)
    assert [(a.kind, a.title) for a in as_questions.areas] == [
        (AreaKind.SECTION, "Förutsättningar"),
        (AreaKind.SECTION, "Ansvar"),
    ]
    assert [m.label for a in as_questions.areas for m in a.measures] == ["Fråga 1", "Fråga 2", "Fråga 3"]
    assert as_questions.lines[1].note == "numrerad 1.1 i texten"
    as_measures = parse_structure(text, read_as="measures")
    assert [m.label for a in as_measures.areas for m in a.measures] == [
        "Insats 1:1",
        "Insats 1:2",
        "Insats 2:1",
    ]
    # A flat numbered list without question marks: questions, unless said otherwise.
    flat = "1. Ekonomiska förutsättningar\n2. Kompetensmässiga förutsättningar\n"
    assert [m.label for a in parse_structure(flat).areas for m in a.measures] == ["Fråga 1", "Fråga 2"]
    assert [a.label for a in parse_structure(flat, read_as="measures").areas] == [
        "Fokusområde 1",
        "Fokusområde 2",
    ]


def test_a_mixed_round_keeps_each_as_what_it_is():
    parsed = parse_structure(
        "Fokusområde 1: Samordning\n"
        "Insats 1:1 Stärka samordningen\n"
        "Frågor till remissinstanserna\n"
        "Fråga 1 Hur ser ni på samordningen?\n"
        "Fråga 2 Vad saknas?\n"
    )
    assert parsed.ok, parsed.problems
    assert [(a.kind, a.number, a.heading) for a in parsed.areas] == [
        (AreaKind.FOCUS_AREA, "1", "Fokusområde 1: Samordning"),
        (AreaKind.SECTION, "2", "Frågor till remissinstanserna"),
    ]
    assert parsed.summary == "1 fokusområde, 1 sektion, 1 insats och 2 frågor"


def test_questions_already_in_the_round_are_numbered_on_and_refused_twice():
    parsed = parse_structure(
        "Har ni synpunkter?\nFråga 2 Igen", existing_area_numbers=["1"], existing_question_numbers=["1", "2"]
    )
    assert parsed.areas[0].number == "2"
    assert parsed.areas[0].measures[0].number == "3"
    assert parsed.problems == ["Rad 2: fråga 2 finns redan."]
