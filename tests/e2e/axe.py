"""Accessibility checks with axe-core (vendored in tests/e2e/vendor/axe-core): WCAG 2.1 A and AA.

``assert_accessible(page, "login, with errors")`` runs axe on the page as it is now and fails with
a readable list of the violations. Call it in every state a test visits: empty form, form with
errors, lists with data.

axe is evaluated through the DevTools protocol (``page.evaluate``), which the page's
Content-Security-Policy does not govern, so the browser keeps enforcing the real CSP (no
``bypass_csp``): a page that needs inline script or style fails the ``page`` fixture.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_RUN = """async (tags) => {
  const results = await window.axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html, summary: n.failureSummary})),
  }));
}"""


@cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    page.wait_for_load_state()
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    return page.evaluate(_RUN, WCAG_21_AA)


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    at {node['target']}: {node['html'][:200]}")
            for detail in (node["summary"] or "").splitlines()[1:3]:
                lines.append(f"      {detail.strip()}")
    return "\n".join(lines)


def assert_accessible(page, state: str) -> None:
    """Fail when axe finds WCAG 2.1 A/AA violations on ``page``; ``state`` names what is shown."""
    violations = axe_violations(page)
    if violations:
        raise AssertionError(
            f"{len(violations)} accessibility violation(s) on {state} ({page.url}):\n"
            + format_violations(violations)
        )
