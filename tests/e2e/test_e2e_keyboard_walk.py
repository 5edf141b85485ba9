"""The keyboard alone on every page of every role, in every state in ``tests/e2e/pages.py``
(WCAG 2.1.1, 2.1.2, 2.4.1, 2.4.3, 2.4.7): Tab from the top of the page to its end, at 1280 px and
again at 320 px, and

- the focus reaches the end of the page and comes round to the skip link («Hoppa till
  innehållet»), the first stop of every page: no keyboard trap, and the skip link first;
- the focus order follows the page: no stop lies wholly above the one before it in the same column
  (boxes that overlap sideways), so the focus never jumps back up the page. Side by side columns
  (the conflict's two texts, a row's actions) may start higher up again;
- every stop shows a visible focus indicator: its computed outline or box-shadow is there and
  differs from the same element's without focus;
- every stop is shown (it has a size).

The page records each stop itself (a ``focusin`` listener), so a page of 200 stops costs 200 key
presses and a handful of round trips. One browser, one signed-in context per role and one
database for the whole module."""

from __future__ import annotations

import pytest

from tests.e2e.pages import SCREENS
from tests.e2e.reflow import SELECTOR

pytestmark = pytest.mark.e2e

WIDTHS = (1280, 320)
SKIP_LINK = "Hoppa till innehållet"

# What can take focus with Tab, to size the walk (a trap shows as a walk that never ends).
_RECORD = """() => {
  ${SELECTOR}
  const look = (e) => {
    const s = getComputedStyle(e);
    return {outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`, shadow: s.boxShadow,
            outlined: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 1
                      && !/rgba\\(.*, 0\\)$|transparent/.test(s.outlineColor),
            shadowed: s.boxShadow !== "none"};
  };
  const candidates = document.querySelectorAll(
    "a[href], button, input, select, textarea, summary, iframe, [tabindex], [contenteditable]");
  const unfocused = new Map();
  for (const e of candidates) if (e !== document.activeElement) unfocused.set(e, look(e));
  window.__stops = [];
  document.addEventListener("focusin", (event) => {
    const e = event.target;
    const last = window.__stops[window.__stops.length - 1];
    if (last && last.element === e) return;  // inside one control (a date field's parts)
    const now = look(e), before = unfocused.get(e);
    const r = e.getBoundingClientRect();
    window.__stops.push({
      element: e, where: selector(e), tag: e.tagName,
      text: (e.innerText || e.value || e.getAttribute("aria-label") || "")
              .trim().replace(/\\s+/g, " ").slice(0, 50),
      top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left + scrollX, right: r.right + scrollX,
      shown: r.width > 0 && r.height > 0,
      indicator: (now.outlined || now.shadowed)
                 && (!before || before.outline !== now.outline || before.shadow !== now.shadow),
      style: `outline ${now.outline}, box-shadow ${now.shadow}`,
    });
  }, true);
  // Past the last stop the focus leaves the page (to the browser) and the next Tab comes round.
  document.addEventListener("focusout", (event) => {
    if (event.relatedTarget === null) window.__stops.push({end: true});
  }, true);
  return candidates.length;
}""".replace("${SELECTOR}", SELECTOR)

_STOPS = """(from) => window.__stops.slice(from).map(({element, ...stop}) => stop)"""


def walk(page, candidates: int) -> list[dict]:
    """Press Tab until the focus has left the end of the page and come round once; returns the
    stops from here to the end, then ``{"end": True}``, then the first stop after coming round."""
    start = page.evaluate("() => window.__stops.length")
    limit, pressed, stops = 3 * candidates + 20, 0, []
    while pressed < limit:
        for _ in range(min(candidates + 3, 80)):
            page.keyboard.press("Tab")
        pressed += min(candidates + 3, 80)
        stops = page.evaluate(_STOPS, start)
        ends = [i for i, stop in enumerate(stops) if stop.get("end")]
        if ends and len(stops) > ends[0] + 1:
            return stops[: ends[0] + 2]
    raise AssertionError(
        f"after {pressed} presses of Tab the focus never left the end of the page (a keyboard trap?): "
        + " → ".join(stop.get("where", "END") for stop in stops[-12:])
    )


def problems_of(stops: list[dict]) -> list[str]:
    problems = []
    *path, end, again = stops
    assert end.get("end")
    if again.get("text") != SKIP_LINK:
        problems.append(f"the page's first stop is {again['where']} «{again['text']}», not the skip link")
    elif not again["indicator"]:
        problems.append(f"no visible focus indicator on the skip link ({again['style']})")
    previous = None
    for stop in path:
        name = f"{stop['where']} «{stop['text']}»"
        if not stop["shown"]:
            problems.append(f"focus on something not shown: {name}")
        if not stop["indicator"]:
            problems.append(f"no visible focus indicator on {name} ({stop['style']})")
        if previous is not None:
            overlap = min(previous["right"], stop["right"]) - max(previous["left"], stop["left"])
            if overlap > 0 and stop["bottom"] <= previous["top"] + 0.5:
                problems.append(
                    f"focus goes back up the page: {previous['where']} «{previous['text']}» "
                    f"(at {previous['top']:.0f} px) → {name} (at {stop['top']:.0f} px)"
                )
        previous = stop
    return problems


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.id)
def test_tab_through_every_page(on_site, screen):
    page = on_site.open(screen)
    candidates = page.evaluate(_RECORD)
    report = []
    try:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            stops = walk(page, max(candidates, 1))
            problems = problems_of(stops)
            if problems:
                report.append(f"  at {width} px:\n" + "\n".join(f"    {p}" for p in problems[:25]))
            # The next width starts again from the top: from the skip link.
            page.evaluate("() => document.querySelector('.skip-link').focus()")
    finally:
        page.set_viewport_size({"width": 1280, "height": 800})
    heading = f"{screen.id} ({page.url}), {candidates} elements that may take focus:"
    assert not report, heading + "\n" + "\n".join(report)
