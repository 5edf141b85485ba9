"""Reading an uploaded answer template is bounded: a 100 KB file that unpacks to a million rows is
refused at once with a Swedish message (before any XML is parsed), and so are a truncated sheet
and one with a DTD – no 500, no busy worker, nothing half-read into the draft."""

from __future__ import annotations

import io
import time

import pytest

from remiss.answers import template
from remiss.core.spreadsheets import ReadLimits, UnreadableSpreadsheet, bounded_rows, open_workbook
from tests import hostile_xlsx
from tests.factories import make_round


@pytest.fixture
def round_and_template(ctx):
    round_ = make_round(recipients=["Socialnämnden Centrum"])
    stream = io.BytesIO()
    template.write_template(round_, "Socialnämnden Centrum", round_.deadline, None, stream)
    return round_, stream.getvalue()


def _read(round_, data: bytes):
    return template.read_template(io.BytesIO(data), round_)


def test_a_million_rows_are_refused_quickly(round_and_template):
    round_, data = round_and_template
    hostile = hostile_xlsx.million_rows(data)
    assert len(hostile) < 2 * 1024 * 1024  # small on the wire
    started = time.perf_counter()
    result = _read(round_, hostile)
    elapsed = time.perf_counter() - started
    assert not result.ok
    assert "för stor för att läsas in" in result.errors[0]
    assert elapsed < 2, f"refusing took {elapsed:.1f} s"


def test_too_many_rows_within_the_size_limit_are_refused_while_reading(round_and_template):
    round_, data = round_and_template
    workbook = open_workbook(hostile_xlsx.million_rows(data, rows=300))
    with pytest.raises(UnreadableSpreadsheet, match="fler än 100 rader"):
        for _ in bounded_rows(workbook.worksheets[0], ReadLimits(rows=100)):
            pass


@pytest.mark.parametrize("attack", [hostile_xlsx.truncated, hostile_xlsx.with_dtd])
def test_a_broken_or_hostile_sheet_is_a_swedish_message(round_and_template, attack):
    round_, data = round_and_template
    result = _read(round_, attack(data))
    assert not result.ok
    assert "kunde inte läsas som en Excel-fil" in result.errors[0]


def test_defusedxml_is_what_openpyxl_parses_with():
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML, "install defusedxml: openpyxl then refuses DTDs and entity bombs"


def test_the_unchanged_template_still_reads(round_and_template):
    round_, data = round_and_template
    result = _read(round_, data)
    assert result.ok, result.errors
