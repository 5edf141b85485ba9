"""What the page-wide reflow test looks for, measured in the page (never by eye): the JavaScript
that finds text cut or pushed out of view, the widths and zoom levels a page is tried at, and WCAG's
text spacing. Used by ``test_e2e_reflow.py``; ``cut_text(page)`` works on any page."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Width:
    """A window the page is laid out in: ``width`` × ``height`` CSS px at ``scale`` device pixels
    per CSS px; ``spacing``: with WCAG 1.4.12's text spacing forced on every element."""

    name: str
    width: int
    height: int
    scale: float = 1
    spacing: bool = False


# A 1280 × 800 screen zoomed to 200 % lays the page out in 640 × 400 CSS px with two device pixels
# to each; at 400 % in 320 × 200 with four (WCAG 1.4.10's 320 CSS px). That is what Chromium's own
# zoom does, so the zoom levels are emulated exactly that way (DevTools' device metrics), and the
# media queries, ``devicePixelRatio`` and the layout see what they would see at that zoom.
WIDTHS = (
    Width("1280 px", 1280, 800),
    Width("320 px", 320, 800),
    Width("320 px with WCAG text spacing", 320, 800, spacing=True),
    Width("200 % zoom (640 × 400 at 2×)", 640, 400, scale=2),
    Width("400 % zoom (320 × 200 at 4×)", 320, 200, scale=4),
)

# WCAG 1.4.12: line height 1.5, paragraphs 2 em apart, letters 0.12 em, words 0.16 em. Added as a
# constructed style sheet, which the page's Content-Security-Policy (no inline style) allows.
_TEXT_SPACING = """(on) => {
  if (on) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(`* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
                           word-spacing: 0.16em !important; }
                       p { margin-bottom: 2em !important; }`);
    window.__textSpacing = sheet;
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  } else {
    document.adoptedStyleSheets = document.adoptedStyleSheets.filter((s) => s !== window.__textSpacing);
  }
}"""


def text_spacing(page, on: bool) -> None:
    page.evaluate(_TEXT_SPACING, on)


# A short CSS selector for an element, to say where a finding is: up to six steps, from the
# nearest ancestor with an id.
SELECTOR = """const selector = (e) => {
    const parts = [];
    for (let n = e; n && n.nodeType === 1 && n !== document.body && parts.length < 6; n = n.parentElement) {
      let part = n.tagName.toLowerCase();
      if (n.id) { parts.unshift(part + "#" + n.id); break; }
      const classes = [...n.classList].slice(0, 2);
      if (classes.length) part += "." + classes.join(".");
      const parent = n.parentElement;
      if (parent) {
        const same = [...parent.children].filter((c) => c.tagName === n.tagName);
        if (same.length > 1) part += `:nth-of-type(${same.indexOf(n) + 1})`;
      }
      parts.unshift(part);
    }
    return parts.join(" > ");
  };"""

# Each finding: what is wrong, a CSS selector of the element, and the text or sizes concerned.
# - the page itself scrolls sideways (the root is wider than the window);
# - an element whose own text is cut: overflow hidden/clip or text-overflow: ellipsis while its
#   content is wider or taller than its box;
# - an element whose own text sticks out of its box sideways (it overlaps what is beside it);
# - a text node that runs past the window's left or right edge, or past an ancestor that clips,
#   outside a ``.table-scroll`` (inside one it is reached by scrolling the container);
# - a form control, image or table that runs past the window's edge outside a ``.table-scroll``;
# - a ``.table-scroll`` wider than the window, or without its name, role or tab stop;
# - a data table (``table.table``) that is not in a ``.table-scroll``.
CUT_TEXT = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  ${SELECTOR}
  const words = (text) => text.trim().replace(/\\s+/g, " ").slice(0, 60);
  const add = (what, element, detail) => found.push({what, where: selector(element), detail});
  const skipped = (e) => e.closest(
    ".visually-hidden, .skip-link, script, style, noscript, template, select, option, textarea, [hidden]");
  const clips = (s) => ["hidden", "clip"].includes(s.overflowX) || ["hidden", "clip"].includes(s.overflowY);
  const shown = (s) => s.display !== "none" && s.visibility === "visible";
  window.scrollTo(0, window.scrollY);

  const root = document.documentElement.scrollWidth;
  if (root > window.innerWidth) {
    found.push({what: "the page scrolls sideways", where: "html",
                detail: `${root} px wide in a ${window.innerWidth} px window`});
  }

  const clippers = [];
  for (const e of document.body.querySelectorAll("*")) {
    if (skipped(e)) continue;
    const s = getComputedStyle(e);
    if (!shown(s)) continue;
    if (clips(s)) clippers.push(e);
    const own = [...e.childNodes].some((n) => n.nodeType === 3 && n.data.trim());
    // (SVG text has no CSS box to measure: the text node check below holds it to its <svg>.)
    if (!own || s.display === "inline" || s.display === "contents" || e.closest("svg")) continue;
    const wider = e.scrollWidth - e.clientWidth, taller = e.scrollHeight - e.clientHeight;
    if ((clips(s) || s.textOverflow === "ellipsis") && (wider > 1 || taller > 1)) {
      add("text cut by its box", e, `«${words(e.textContent)}»: ${e.scrollWidth}×${e.scrollHeight} px `
          + `of text in ${e.clientWidth}×${e.clientHeight} px (overflow ${s.overflowX}/${s.overflowY}, `
          + `text-overflow ${s.textOverflow})`);
    } else if (wider > 1 && s.overflowX === "visible") {
      add("text sticks out of its box", e,
          `«${words(e.textContent)}»: ${e.scrollWidth} px of text in ${e.clientWidth} px`);
    }
  }

  const range = document.createRange();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const e = node.parentElement;
    if (!node.data.trim() || !e || skipped(e) || e.closest(".table-scroll")) continue;
    range.selectNodeContents(node);
    const clipper = clippers.findLast((c) => c.contains(e));
    const box = clipper ? clipper.getBoundingClientRect() : null;
    for (const r of range.getClientRects()) {
      if (r.width < 1 || r.height < 1) continue;
      if (r.right > width + 1 || r.left < -1) {
        add("text runs past the window's edge", e,
            `«${words(node.data)}» at ${Math.round(r.left)}–${Math.round(r.right)} px in ${width} px`);
        break;
      }
      if (box && (r.right > box.right + 1 || r.left < box.left - 1 || r.bottom > box.bottom + 1)) {
        add("text cut by an ancestor", e, `«${words(node.data)}» outside ${selector(clipper)}`);
        break;
      }
    }
  }

  for (const e of document.body.querySelectorAll(
      "input, select, textarea, button, img, svg, video, canvas, iframe, table, pre, progress")) {
    if (e.closest(".table-scroll, .visually-hidden, .skip-link") || !shown(getComputedStyle(e))) continue;
    const r = e.getBoundingClientRect();
    if (r.width > 0 && (r.right > width + 1 || r.left < -1)) {
      add("runs past the window's edge", e, `${Math.round(r.left)}–${Math.round(r.right)} px in ${width} px`);
    }
  }

  // Whatever else makes the page wider than the window: the innermost boxes past its edge.
  const wide = [...document.body.querySelectorAll("*")].filter((e) => {
    if (e.closest(".table-scroll, .skip-link")) return false;
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.right > width + 1;
  });
  for (const e of wide.filter((e) => !wide.some((d) => d !== e && e.contains(d))).slice(0, 5)) {
    const r = e.getBoundingClientRect();
    add("a box runs past the window's edge", e,
        `${Math.round(r.left)}–${Math.round(r.right)} px in ${width} px`);
  }

  for (const c of document.querySelectorAll(".table-scroll")) {
    const r = c.getBoundingClientRect();
    if (r.right > width + 1) add("a scroll container wider than the window", c, `${Math.round(r.right)} px`);
    if (c.getAttribute("role") !== "region" || c.getAttribute("tabindex") !== "0"
        || !(c.getAttribute("aria-label") || c.getAttribute("aria-labelledby"))) {
      add("a scroll container without role=region, a name and tabindex=0", c, c.outerHTML.slice(0, 120));
    }
  }
  for (const t of document.querySelectorAll("table.table")) {
    if (!t.closest(".table-scroll")) add("a data table outside a scroll container", t, words(t.textContent));
  }

  const seen = new Set();
  return found.filter((f) => {
    const key = f.what + f.where;
    return !seen.has(key) && seen.add(key);
  }).slice(0, 40);
}"""

CUT_TEXT = CUT_TEXT.replace("${SELECTOR}", SELECTOR)


def cut_text(page) -> list[dict]:
    """What is cut or pushed out of view on ``page`` as it is laid out now (see ``CUT_TEXT``)."""
    return page.evaluate(CUT_TEXT)


def describe(findings: list[dict]) -> str:
    return "\n".join(f"    {f['what']}: {f['where']} – {f['detail']}" for f in findings)
