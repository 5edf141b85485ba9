"""What a person does in the browser, as small helpers the browser tests share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from remiss.auth.models import Role
from remiss.demo import ACCOUNTS, DemoAccount


def demo_account(who: str | Role) -> DemoAccount:
    """A demo account by e-mail address or role (the first account with that role)."""
    for account in ACCOUNTS:
        if account.email == who or account.role == who:
            return account
    raise LookupError(f"No demo account {who!r}")


def sign_in(page, who: str | Role, password: str | None = None):
    """Sign in through the login form as a demo account (by e-mail or role), or as any account
    given its e-mail and password. Returns the demo account, or None for other accounts."""
    try:
        account = demo_account(who)
    except LookupError:
        if password is None:
            raise
        account = None
    page.goto("/auth/login")
    page.get_by_label("E-postadress").fill(account.email if account else str(who))
    page.get_by_label("Lösenord", exact=True).fill(password or account.password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()
    return account


def password_link(app, email: str, purpose=None) -> str:
    """A fresh one-time link (invitation or reset) for ``email``, pointing at the live server."""
    from remiss.auth.models import TokenPurpose, User
    from remiss.auth.service import issue_password_link
    from remiss.extensions import db

    with app.test_request_context(base_url=app.config["BASE_URL"]):
        link = issue_password_link(User.by_email(email), purpose or TokenPurpose.INVITATION)
        db.session.commit()
    return link


def sign_out(page) -> None:
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_load_state()


@dataclass(frozen=True)
class Focus:
    """The element that has keyboard focus, and how its focus indicator looks."""

    tag: str
    id: str
    text: str
    classes: str
    outline_style: str
    outline_width: float
    outline_color: str
    box_shadow: str
    in_viewport: bool

    @property
    def indicator_visible(self) -> bool:
        return (self.outline_style != "none" and self.outline_width >= 2) or self.box_shadow != "none"


_FOCUSED = """() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  const r = e.getBoundingClientRect();
  return {
    tag: e.tagName, id: e.id || "", text: (e.innerText || e.value || "").trim(),
    classes: e.className || "", outline_style: s.outlineStyle,
    outline_width: parseFloat(s.outlineWidth) || 0, outline_color: s.outlineColor,
    box_shadow: s.boxShadow,
    in_viewport: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0
      && r.left < innerWidth && r.top < innerHeight,
  };
}"""


def focused(page) -> Focus:
    return Focus(**page.evaluate(_FOCUSED))


def tab_to(page, wanted: Callable[[Focus], bool], limit: int = 40) -> Focus:
    """Press Tab until ``wanted(focus)``; every element passed on the way must show a visible
    focus indicator (the keyboard user's only way to know where they are)."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = focused(page)
        seen.append(f"{focus.tag}#{focus.id} {focus.text[:40]!r}")
        assert focus.tag != "BODY", f"focus left the page after: {seen}"
        assert focus.indicator_visible, f"no visible focus indicator on {focus}"
        if wanted(focus):
            return focus
    raise AssertionError(f"not reached with Tab; focus went: {seen}")


# Issue 19 §6 (helper "statement"): the accessibility statement with its form for reporting
# problems, and the admin's list of the reports. (who, path, what): who is a role of the demo
# accounts, or None for a visitor who is not signed in. tests/e2e/test_e2e_statement.py walks
# their states (errors, refused, confirmed, empty, handled).
STATEMENT_PAGES: list[tuple[Role | None, str, str]] = [
    (None, "/accessibility", "tillgänglighetsredogörelse"),
    (Role.RESPONDENT, "/accessibility", "tillgänglighetsredogörelse, inloggad"),
    (Role.ADMIN, "/admin/accessibility-reports", "tillgänglighetsrapporter"),
]

# Issue 16 §4 (the manager's overview): its pages, for officers and managers; respondents and
# admins get 403. ``{organisation}`` is any body's id (the demo's Kriminalvården, say).
OVERVIEW_PAGES = {
    "manager": ["/overview/", "/overview/?kind=myndighet&q=kriminal", "/overview/bodies/{organisation}"],
    "officer": ["/overview/", "/overview/bodies/{organisation}"],
}
