"""The glossary (issue 16 §6, issue 19 §4): one word for each thing across pages, e-mails and
exports, counts that agree with their nouns, and no variant that was removed coming back.

Every template (pages and e-mails, ``templates/**``), every Python file under ``remiss/`` (flash
messages, audit sentences, the Excel and Word writers) and the scripts under ``static/js`` are
read line by line; a hit names the file, the line and the word to use instead. Tests, demo data
(real documents quoted as they were written) and the docs are not read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from remiss.core.text import file_size, join_words, plural, plural_list, without_full_stop

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern
    use: str
    # Files that may say it: where the word is defined once.
    allowed_in: tuple[str, ...] = ()


# Nouns a count meets; each needs ``plural`` (``{{ n|plural("dag", "dagar") }}``).
_NOUNS = (
    "remissinstanser remisser dagar arbetsdagar påminnelser synpunkter organisationer timmar texter "
    "versioner rapporter"
)
_COUNTED = "(?:" + "|".join(_NOUNS.split()) + ")"

RULES: tuple[Rule, ...] = (
    Rule(re.compile(r"\b[Ll]add(?:a|as|ade) ned\b"), "Ladda ner"),
    Rule(re.compile(r"[Ff]örhandsvis"), "Förhandsgranska / Förhandsgranskning"),
    Rule(re.compile(r"\bSvar senast\b"), "Sista svarsdag (as a label or column)"),
    Rule(re.compile(r"[Kk]vittens"), "Kvitto / Kvittonummer"),
    Rule(re.compile(r"\b1 " + _COUNTED + r"\b"), "the singular after 1 (plural())"),
    # A count in a template or an f-string right before a plural noun: "1 remissinstanser".
    Rule(
        re.compile(r"\{\{(?:(?!\}\}).)*\}\}\s+" + _COUNTED + r"\b"),
        '{{ n|plural("remissinstans", "remissinstanser") }}',
    ),
    Rule(re.compile(r"~\s*'\s+" + _COUNTED + r"\b"), "~ n|plural(…) ~ (a count in a confirm text)"),
    Rule(re.compile(r"(?<!\{)\{[^{}:'\"]+\}\s+" + _COUNTED + r"\b"), "plural(n, one, many) in the f-string"),
    # A count with its noun in number written by hand instead of the one helper:
    # {{ n }} {{ 'dag' if n == 1 else 'dagar' }}, f"{n} {'dag' if n == 1 else 'dagar'}",
    # f"{n} dag" if n == 1 else f"{n} dagar". (Agreement without a count – "den här
    # remissinstansen" / "de här remissinstanserna" – is not a count and passes.)
    Rule(
        re.compile(
            r"""\}\}?\s*\{\{?\s*['"][\wåäöÅÄÖ ]+['"] if [^'"]*?==\s*-?1 else"""
            r"""|f['"]\{[^{}]+\} [\wåäöÅÄÖ ]+['"] if [^'"]*?==\s*-?1 else"""
        ),
        "plural() / the plural filter (core/text.py)",
    ),
    Rule(re.compile(r"(?<!\.)\.\.(?![.\w/])"), "one full stop"),
    Rule(
        re.compile(r"Kommunstyrelsen har skickat|[\"']Kommunstyrelsen beslutade"),
        "the decision as entered on the round (round.decision), never a guessed 'Kommunstyrelsen'",
    ),
    Rule(
        re.compile(r"[Nn]ämndens(?: eller styrelsens|/styrelsens)? beslut"),
        "organisation.decision_label ('Nämndens beslut' only for a committee)",
        allowed_in=("remiss/organisations/models.py",),
    ),
    Rule(re.compile(r"Beslut / yttrande"), "Beslut eller yttrande"),
)


def sources() -> list[Path]:
    files = [
        *ROOT.glob("templates/**/*.html"),
        *ROOT.glob("templates/**/*.txt"),
        *ROOT.glob("remiss/**/*.py"),
        *ROOT.glob("static/js/*.js"),
        # The load test reads the pages' words (a receipt, a refusal): it must use the same ones.
        *ROOT.glob("benchmarks/load/*.py"),
    ]
    return sorted(files)


def hits(path: Path, root: Path = ROOT) -> list[str]:
    """``file:line: ”variant” – use …`` for every forbidden variant in the file."""
    relative = path.relative_to(root).as_posix()
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for rule in RULES:
            if relative in rule.allowed_in:
                continue
            for match in rule.pattern.finditer(line):
                found.append(f"{relative}:{number}: ”{match.group(0)}” – use {rule.use}")
    return found


def test_the_sources_are_read():
    names = {p.relative_to(ROOT).as_posix() for p in sources()}
    for expected in (
        "templates/answers/receipt.html",
        "templates/notifications/email/invitation.html",
        "templates/notifications/email/invitation.txt",
        "templates/notifications/email/receipt.txt",
        "remiss/summary/xlsx.py",
        "remiss/summary/report.py",
        "remiss/answers/views.py",
        "remiss/audit/models.py",
        "static/js/autosave.js",
        "benchmarks/load/locustfile.py",
    ):
        assert expected in names


def test_no_forbidden_variant():
    """Every template, message text and script at once (one test: the whole tree is read in a
    second or two), every hit listed with its file and line."""
    found = [hit for path in sources() for hit in hits(path)]
    assert not found, "Words outside the glossary (SHARED_RULES.md):\n" + "\n".join(found)


@pytest.mark.parametrize(
    "line, rule_use",
    [
        ("<a>Ladda ned som Excel</a>", "Ladda ner"),
        ("<button>Förhandsvisa</button>", "Förhandsgranska"),
        ("<dt>Svar senast</dt>", "Sista svarsdag"),
        ("<dt>Kvittensnummer</dt>", "Kvitto"),
        ("skickades till 1 remissinstanser", "the singular"),
        ("<p>{{ invited }} remissinstanser har svarat</p>", "plural"),
        ("confirm='Skicka till ' ~ n ~ ' remissinstanser?'", "confirm"),
        ('f"{queued} påminnelser skickas"', "f-string"),
        ("{{ n }} {{ 'dag' if n == 1 else 'dagar' }}", "plural() / the plural filter"),
        ("f\"{n} {'dag' if n == 1 else 'dagar'}\"", "plural() / the plural filter"),
        ('f"{days} arbetsdag" if days == 1 else f"{days} arbetsdagar"', "plural() / the plural filter"),
        ("Svaret är öppnat: (mejl 2026-12-06)..", "one full stop"),
        ("Kommunstyrelsen har skickat ett förslag", "round.decision"),
        ('decided = "Kommunstyrelsen beslutade"', "round.decision"),
        ("<h2>Nämndens beslut</h2>", "decision_label"),
        ("Bifoga nämndens eller styrelsens beslut", "decision_label"),
    ],
)
def test_each_rule_catches_its_variant(tmp_path, line, rule_use):
    """Each rule, broken once: the variant is found, with its file and line."""
    sample = tmp_path / "templates" / "sample.html"
    sample.parent.mkdir()
    sample.write_text(f"<p>Rad ett.</p>\n{line}\n", encoding="utf-8")
    found = hits(sample, root=tmp_path)
    assert found and all(h.startswith("templates/sample.html:2: ") for h in found), found
    assert any(rule_use in h for h in found), found


@pytest.mark.parametrize(
    "line",
    [
        "<dt>Sista svarsdag</dt>",
        "{{ invited|plural('remissinstans', 'remissinstanser') }}",
        "Svar / remissinstanser",
        "positions 1..n",
        "Laddar…",
        "Vänta...",
        'plural(count, "öppen remiss", "öppna remisser")',
        "Vi vill ha ert svar senast {{ deadline_long }}.",
        "{count:remissinstans|remissinstanser}",
        "Ingen hos {{ 'den här remissinstansen' if n == 1 else 'de här remissinstanserna' }} har ett konto",
        "``Kommunstyrelsen beslutade den 27 oktober 2021 (§ 820)``, from the decision as entered",
    ],
)
def test_the_words_to_use_pass(tmp_path, line):
    sample = tmp_path / "sample.html"
    sample.write_text(line + "\n", encoding="utf-8")
    assert hits(sample, root=tmp_path) == []


# The helpers every count, list, size and typed text goes through --------------------------------
def test_plural():
    assert plural(1, "remissinstans", "remissinstanser") == "1 remissinstans"
    assert plural(0, "remissinstans", "remissinstanser") == "0 remissinstanser"
    assert plural(2, "remissinstans", "remissinstanser") == "2 remissinstanser"
    assert plural("1", "dag", "dagar") == "1 dag"  # a count stored as text in an audit event


def test_plural_list_and_join_words():
    assert plural_list([14, 3], "dag", "dagar") == "14 och 3 dagar"
    assert plural_list([21, 7, 1], "dag", "dagar") == "21, 7 och 1 dagar"
    assert plural_list([1], "dag", "dagar") == "1 dag"
    assert plural_list([7], "dag", "dagar") == "7 dagar"
    assert join_words(["Centrum", "Hisingen", "Nordost"]) == "Centrum, Hisingen och Nordost"
    assert join_words(["Centrum"]) == "Centrum" and join_words([]) == ""


def test_file_size_is_one_rounding_everywhere():
    """Whole kilobytes rounded up: 13 312 bytes is 13 kB, one byte more is 14 kB – on every page
    (the round's documents, an answer's files, the public register) and in every message."""
    assert file_size(13 * 1024) == "13 kB"
    assert file_size(13 * 1024 + 1) == "14 kB"
    assert file_size(1) == "1 kB" and file_size(0) == "0 kB" and file_size(None) == "0 kB"
    assert file_size(1024 * 1024 - 1) == "1 MB"
    assert file_size(20 * 1024 * 1024) == "20 MB"
    assert file_size(20 * 1024 * 1024 + 1) == "20,1 MB"  # never "20,0 MB" for a file over the limit
    assert file_size(int(1.5 * 1024 * 1024)) == "1,5 MB"


def test_a_typed_text_inside_our_sentence_ends_once():
    assert without_full_stop("Fel bilaga (mejl 2026-12-06).") == "Fel bilaga (mejl 2026-12-06)"
    assert without_full_stop("Fel bilaga") == "Fel bilaga"
    assert without_full_stop("Vänta...") == "Vänta..."
    assert without_full_stop(None) == ""
