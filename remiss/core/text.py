"""Text in and out.

In: text from outside, made safe to store, show, put in XML and e-mail headers – once, where it
enters: every form field and query argument of every request passes ``clean_text``
(``core.web.CleanRequest``). Tabs and line breaks stay (multi-line text keeps its shape); every
other control character goes, and Unicode's line and paragraph separators become line breaks.

Out: the Swedish the pages, e-mails and exports share, so a count, a list or a file size reads
the same everywhere: ``plural`` (``1 remissinstans``, ``2 remissinstanser``), ``join_words``
(``Centrum, Hisingen och Nordost``), ``plural_list`` (``14 och 3 dagar``), ``file_size``
(``13 kB``) and ``without_full_stop`` (a typed text inside a sentence of ours). ``core.web``
registers them as Jinja filters of the same names."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

# C0 controls but tab, line feed and carriage return; DEL; C1 controls; the two noncharacters
# XML refuses.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_SEPARATORS = re.compile("[\u2028\u2029]")


def clean_text(value: str) -> str:
    """``value`` without control characters (tab and line breaks kept)."""
    if not isinstance(value, str):
        return value
    return _CONTROL.sub("", _SEPARATORS.sub("\n", value))


def one_line(value: str | None) -> str:
    """Text for a single line – an e-mail subject or header, a file name: every run of white
    space (line breaks included) becomes one space, control characters go."""
    return " ".join(clean_text(value or "").split())


def plural(count: int, one: str, many: str) -> str:
    """The count and the noun in the right number: ``plural(1, "remissinstans", "remissinstanser")``
    is ``1 remissinstans``, 0 and 2 take the plural. In a template:
    ``{{ n|plural("remissinstans", "remissinstanser") }}``."""
    return f"{count} {one if _is_one(count) else many}"


def plural_list(counts: Iterable, one: str, many: str) -> str:
    """Several counts of one noun, as a sentence says them: ``14 och 3 dagar``, ``1 dag``,
    ``7 dagar``."""
    counts = list(counts)
    if len(counts) == 1:
        return plural(counts[0], one, many)
    return f"{join_words(counts)} {many}"


def _is_one(count) -> bool:
    try:
        return int(count) == 1
    except (TypeError, ValueError):
        return False


def join_words(items: Iterable, last: str = "och") -> str:
    """``14 och 3``, ``Centrum, Hisingen och Nordost``: a list as a sentence says it."""
    words = [str(item) for item in items]
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


def file_size(size: int | None) -> str:
    """A file's size, the same on every page and in every message: whole kilobytes rounded up
    (a file of 13,1 kB is ``14 kB``, a one-byte file ``1 kB``, an empty one ``0 kB``) below
    a megabyte, then megabytes with one decimal, rounded up too (so a file just over the limit
    never reads as the limit: ``20,1 MB``, not ``20,0 MB``). 1 kB is 1 024 bytes."""
    size = max(int(size or 0), 0)
    kilobytes = math.ceil(size / 1024)
    if kilobytes < 1024:
        return f"{kilobytes} kB"
    tenths = math.ceil(size * 10 / (1024 * 1024))
    whole, tenth = divmod(tenths, 10)
    return f"{whole} MB" if not tenth else f"{whole},{tenth} MB"


def without_full_stop(text: str | None) -> str:
    """A text someone typed, to be set inside a sentence of ours that ends with its own full stop:
    ``Fel bilaga (mejl 2026-12-06).`` loses its final full stop so the sentence does not end
    in two; an ellipsis (``…``, three full stops) is kept."""
    text = (text or "").rstrip()
    if text.endswith(".") and not text.endswith("." * 3):
        return text[:-1]
    return text
