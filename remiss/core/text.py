"""Text from outside, made safe to store, show, put in XML and e-mail headers – once, where it
enters: every form field and query argument of every request passes ``clean_text``
(``core.web.CleanRequest``). Tabs and line breaks stay (multi-line text keeps its shape); every
other control character goes, and Unicode's line and paragraph separators become line breaks."""

from __future__ import annotations

import re

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
