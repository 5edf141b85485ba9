"""Hostile spreadsheets, made here: a tiny file that unpacks to a million rows, a truncated sheet,
one with a DTD and an entity bomb. Built from a real template so that only the attack differs."""

from __future__ import annotations

import io
import re
import zipfile

SHEET = "xl/worksheets/sheet1.xml"


def _rewrite(data: bytes, replace: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item.filename, replace.get(item.filename, source.read(item.filename)))
    return out.getvalue()


def _sheet(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(SHEET)


def million_rows(template: bytes, rows: int = 1_000_000) -> bytes:
    """The template with its first sheet grown to ``rows`` identical rows and no declared
    dimension (compresses to some 100 KB)."""
    head, _, _ = _sheet(template).partition(b"<sheetData>")
    head = re.sub(rb"<dimension [^>]*/>", b"", head)
    body = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * rows
    return _rewrite(template, {SHEET: head + b"<sheetData>" + body + b"</sheetData></worksheet>"})


def truncated(template: bytes) -> bytes:
    xml = _sheet(template)
    return _rewrite(template, {SHEET: xml[: len(xml) // 2]})


def with_dtd(template: bytes) -> bytes:
    xml = _sheet(template)
    declaration, _, rest = xml.partition(b"?>")
    bomb = (
        b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )
    return _rewrite(template, {SHEET: declaration + b"?>" + bomb + rest.replace(b"<t>", b"<t>&c;", 1)})
