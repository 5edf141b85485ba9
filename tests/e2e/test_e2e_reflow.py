"""Reflow (WCAG 1.4.10) and text spacing (1.4.12) on every page of every role, in every state in
``tests/e2e/pages.py`` (errors, the answer page's conflict, empty lists included).

Each page is opened once, as its role, in a 1280 × 800 window; then, without reloading, it is laid
out again in each of ``reflow.WIDTHS``:

- 1280 px and 320 px wide (800 high);
- 320 px with WCAG's text spacing forced on every element (line height 1.5, paragraphs 2 em apart,
  letters 0.12 em, words 0.16 em);
- 200 % and 400 % zoom of a 1280 × 800 screen: 640 × 400 CSS px at two device pixels per CSS px,
  and 320 × 200 at four. That is what the browser's own zoom does to the layout (the media queries
  and ``devicePixelRatio`` see the same), so it is emulated exactly so, through the DevTools
  protocol's device metrics, rather than with CSS ``zoom`` (which leaves the media queries at
  1280 px and so is not what a person who zooms sees).

At each width the page must not scroll sideways (``documentElement.scrollWidth`` ≤ the window),
and no text may be cut or pushed out of view: measured in the page with ``reflow.cut_text``
(scrollWidth/clientWidth of every element with text, where every text node's boxes are). Wide
data tables scroll inside their own labelled, focusable container (``.table-scroll``), never the
page. axe stays at zero at 320 px too.

One browser, one signed-in context per role and one database for the whole module."""

from __future__ import annotations

import pytest

from tests.e2e.axe import axe_violations, format_violations
from tests.e2e.pages import SCREENS
from tests.e2e.reflow import WIDTHS, cut_text, describe, text_spacing

pytestmark = pytest.mark.e2e


_DEVTOOLS: dict = {}  # one DevTools session per page: the device metrics it sets, it clears


def lay_out(page, width) -> None:
    """Lay ``page`` out in ``width`` (a ``reflow.Width``) and check that it took."""
    if page not in _DEVTOOLS:
        _DEVTOOLS[page] = page.context.new_cdp_session(page)
    devtools = _DEVTOOLS[page]
    if width.scale == 1:
        devtools.send("Emulation.clearDeviceMetricsOverride")
        page.set_viewport_size({"width": width.width, "height": width.height})
    else:
        devtools.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width.width, "height": width.height, "deviceScaleFactor": width.scale, "mobile": False},
        )
    got = page.evaluate("() => [innerWidth, innerHeight, devicePixelRatio]")
    assert got == [width.width, width.height, width.scale], f"{width.name}: the window is {got}"


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.id)
def test_every_page_reflows_without_cut_text(on_site, screen):
    page = on_site.open(screen)
    problems = []
    try:
        for width in WIDTHS:
            lay_out(page, width)
            if width.spacing:
                text_spacing(page, True)
            findings = cut_text(page)
            if width.spacing:
                text_spacing(page, False)
            if findings:
                problems.append(f"  at {width.name}:\n{describe(findings)}")
            if width.width == 320 and width.scale == 1 and not width.spacing:
                violations = axe_violations(page)
                if violations:
                    problems.append(f"  axe at 320 px:\n{format_violations(violations)}")
    finally:
        lay_out(page, WIDTHS[0])
    assert not problems, f"{screen.id} ({page.url}):\n" + "\n".join(problems)
