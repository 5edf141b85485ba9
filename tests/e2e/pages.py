"""What a person does in the browser, as small helpers the browser tests share, and every page
of every role in each of its states (``SCREENS``), which the page-wide tests run through."""

from __future__ import annotations

import re
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


# Every page of every role, in each state worth seeing ---------------------------------------------
#
# The page-wide browser tests (test_e2e_reflow.py: 320 px to 1280 px, zoom and text spacing, axe;
# test_e2e_keyboard_walk.py: Tab through the whole page) run every ``Screen`` below. A screen is
# a page as one role sees it, in one state: ``path`` is opened (its ``{names}`` are filled in from
# what ``prepare_screens`` finds or makes in the database), then ``act`` does what brings the state
# about (submitting a form empty, searching for nothing …). Acts end in a refusal, an empty result
# or a conflict; the only thing one saves is the open round's draft text (the conflict, last of the
# respondent's screens), so the screens share one database.


@dataclass(frozen=True)
class Screen:
    """A page as ``role`` sees it (``None``: not signed in), in the state ``act`` brings about."""

    role: Role | None
    name: str
    path: str
    act: Callable | None = None
    status: int = 200

    @property
    def id(self) -> str:
        return f"{self.role.value if self.role else 'anonymous'}: {self.name}"


# What shows that a submitted form was refused.
ERRORS = ".error-summary, .error-message, .flash--error, .notice--error, .conflict, [role=alert]"


def submit(
    button: str | re.Pattern,
    *,
    clear: bool = True,
    fill: dict[str, str] | None = None,
    files: dict[str, tuple[str, bytes]] | None = None,
    shows: str = ERRORS,
) -> Callable:
    """An act: empty the form's text fields (``clear``), type ``fill`` ({css selector: text}),
    choose ``files`` ({css selector: (file name, content)}), press
    ``button`` (its accessible name; a question it asks is answered yes) and wait for what shows
    the refusal."""

    def act(page) -> None:
        page.once("dialog", lambda dialog: dialog.accept())  # "Are you sure?" – yes
        button_ = page.locator("main").get_by_role("button", name=button).first
        form = button_.locator("xpath=ancestor::form[1]")
        if clear:
            for field in form.locator(
                "input[type=text]:visible, input[type=email]:visible, input[type=password]:visible,"
                " input[type=number]:visible, textarea:visible"
            ).all():
                field.fill("")
        for selector, text in (fill or {}).items():
            page.locator(selector).fill(text)
        for selector, (name, content) in (files or {}).items():
            page.locator(selector).set_input_files(
                files=[{"name": name, "mimeType": "application/octet-stream", "buffer": content}]
            )
        with page.expect_navigation():
            button_.click()
        page.locator(shows).filter(visible=True).first.wait_for()

    act.__qualname__ = f"submit({button!r})"
    return act


def upload_csv(page) -> None:
    """The register's CSV import with a bad row: refused, nothing imported."""
    csv = "name,short_name,kind,group,email\nNy nämnd,NN,okänd,,inte-en-adress\n"
    page.locator("main input[type=file]").set_input_files(
        files=[{"name": "register.csv", "mimeType": "text/csv", "buffer": csv.encode()}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Importera").click()
    page.locator(ERRORS).filter(visible=True).first.wait_for()


def paste_preview(page) -> None:
    """A pasted table of contents, read back line by line before anything is saved."""
    page.locator("main textarea").fill(
        "Fokusområde 1: Samverkan mellan förvaltningarna och civilsamhällesorganisationerna\n"
        "Insats 1:1 Utveckla verksamhetsöverskridande samordningsfunktioner\t3\n"
        "2. Hur ser nämnden på ansvarsfördelningen?\n"
    )
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^Förhandsvisa|^Förhandsgranska")).first.click()
    page.locator("table, " + ERRORS).filter(visible=True).first.wait_for()


def answer_conflict(page) -> None:
    """The answer page's conflict: the same person saves the overall comment in another tab after
    this page was loaded; saving this page then meets that change and offers both side by side."""
    comment = page.locator("#comment")
    other = page.context.new_page()
    try:
        other.goto(page.url)
        other.locator("#comment").fill("Ändrat i en annan flik: nämnden tillstyrker med förbehåll.")
        with other.expect_navigation():
            other.locator("main form.answer-form button[type=submit]").first.click()
    finally:
        other.close()
    comment.fill("Ändrat här: nämnden avstyrker förslaget i dess nuvarande form.")
    with page.expect_navigation():
        page.locator("main form.answer-form button[type=submit]").first.click()
    page.locator("#conflicts").wait_for()


ANYONE, ADMIN, OFFICER, MANAGER, RESPONDENT = None, Role.ADMIN, Role.OFFICER, Role.MANAGER, Role.RESPONDENT
NOT_A_DOCUMENT = ("beslut.txt", b"Protokoll, paragraf 12")  # a decision must be PDF, DOCX or ODT

# Functions that add what a page needs beyond the demo data (and beyond ``_prepare_demo`` below):
# each takes the app, runs in its context after the demo data is loaded and returns the names its
# paths use ({"name": id}); the caller commits.
PREPARE: list[Callable] = []

SCREENS: list[Screen] = [
    # Not signed in -------------------------------------------------------------------------------
    Screen(ANYONE, "login", "/auth/login"),
    Screen(ANYONE, "login, submitted empty", "/auth/login", submit("Logga in")),
    Screen(
        ANYONE,
        "login, wrong password",
        "/auth/login",
        submit("Logga in", fill={"#email": "handlaggare@example.goteborg.se", "#password": "fel"}),
    ),
    Screen(ANYONE, "forgotten password", "/auth/forgot"),
    Screen(ANYONE, "forgotten password, submitted empty", "/auth/forgot", submit("Skicka länk")),
    Screen(ANYONE, "set a password", "{reset_link}"),
    Screen(ANYONE, "set a password, submitted empty", "{reset_link}", submit("Spara lösenordet")),
    Screen(ANYONE, "set a password, invalid link", "/auth/password/not-a-token", status=410),
    Screen(ANYONE, "accessibility statement", "/accessibility"),
    Screen(ANYONE, "public register", "/register/"),
    Screen(ANYONE, "public register, nothing found", "/register/?q=finns+inte+alls"),
    Screen(ANYONE, "public register, closed round", "/register/{closed}"),
    Screen(ANYONE, "public register, open round", "/register/{open}"),
    Screen(ANYONE, "public register, the office's feedback", "/register/{closed}/feedback"),
    Screen(ANYONE, "page not found", "/finns-inte", status=404),
    # The admin -----------------------------------------------------------------------------------
    Screen(ADMIN, "accounts", "/admin/users/"),
    Screen(ADMIN, "new account", "/admin/users/new"),
    Screen(
        ADMIN, "new account, submitted empty", "/admin/users/new", submit("Skapa konto och inbjudningslänk")
    ),
    Screen(ADMIN, "edit an account", "/admin/users/{manager_user}/edit"),
    Screen(ADMIN, "organisations", "/admin/organisations/"),
    Screen(ADMIN, "organisations, a refused CSV import", "/admin/organisations/", upload_csv),
    Screen(ADMIN, "new organisation", "/admin/organisations/new"),
    Screen(ADMIN, "new organisation, submitted empty", "/admin/organisations/new", submit("Spara")),
    Screen(ADMIN, "edit an organisation", "/admin/organisations/{kriminalvarden}/edit"),
    Screen(ADMIN, "groups", "/admin/groups/"),
    Screen(ADMIN, "groups, a new group submitted empty", "/admin/groups/", submit("Lägg till gruppen")),
    Screen(ADMIN, "edit a group", "/admin/groups/{group}/edit"),
    Screen(ADMIN, "outbox", "/outbox"),
    Screen(ADMIN, "an e-mail in the outbox", "/messages/{invitation}"),
    # The officer ---------------------------------------------------------------------------------
    Screen(OFFICER, "start page", "/rounds/start"),
    Screen(OFFICER, "rounds", "/rounds/"),
    Screen(OFFICER, "rounds, nothing found", "/rounds/?q=finns+inte+alls"),
    Screen(OFFICER, "new round", "/rounds/new"),
    Screen(OFFICER, "new round, submitted empty", "/rounds/new", submit("Skapa utkast")),
    Screen(OFFICER, "import a round", "/rounds/import"),
    Screen(OFFICER, "import a round, submitted empty", "/rounds/import", submit("Importera")),
    Screen(OFFICER, "round page, closed round", "/rounds/{closed}"),
    Screen(OFFICER, "round page, open round", "/rounds/{open}"),
    Screen(OFFICER, "round page, a draft with no recipients", "/rounds/{draft}"),
    Screen(
        OFFICER,
        "round page, sending a draft with no recipients refused",
        "/rounds/{draft}",
        submit("Skicka remissen", clear=False),
    ),
    Screen(
        OFFICER,
        "closing an open round early, asked to confirm",
        "/rounds/{open}",
        submit("Stäng remissen", clear=False),
    ),
    Screen(OFFICER, "edit a draft round", "/rounds/{draft}/edit"),
    Screen(OFFICER, "edit a draft round, submitted empty", "/rounds/{draft}/edit", submit("Spara")),
    Screen(OFFICER, "correct a sent round", "/rounds/{closed}/edit"),
    Screen(OFFICER, "choose recipients", "/rounds/{draft}/recipients"),
    Screen(OFFICER, "a recipient's address", "/rounds/{open}/recipients/{open_hisingen}/edit"),
    Screen(OFFICER, "an extension", "/rounds/{open}/recipients/{open_hisingen}/extension"),
    Screen(
        OFFICER,
        "an extension, submitted empty",
        "/rounds/{open}/recipients/{open_hisingen}/extension",
        submit("Ge anstånd"),
    ),
    Screen(OFFICER, "register an answer", "/rounds/{open}/recipients/{open_centrum}/register"),
    Screen(
        OFFICER,
        "register an answer, submitted empty",
        "/rounds/{open}/recipients/{open_centrum}/register",
        submit("Registrera svaret"),
    ),
    Screen(OFFICER, "an answer's versions", "/rounds/{closed}/recipients/{closed_kriminalvarden}/versions"),
    Screen(
        OFFICER,
        "an answer's versions, reopening without a reason",
        "/rounds/{closed}/recipients/{closed_kriminalvarden}/versions",
        submit("Öppna svaret för rättelse"),
    ),
    Screen(OFFICER, "structure of a draft", "/rounds/{draft}/structure"),
    Screen(
        OFFICER,
        "structure, a new area submitted empty",
        "/rounds/{draft}/structure",
        submit(re.compile("^Lägg till$")),
    ),
    Screen(OFFICER, "paste a structure", "/rounds/{draft}/structure/paste"),
    Screen(
        OFFICER,
        "paste a structure, submitted empty",
        "/rounds/{draft}/structure/paste",
        submit(re.compile("^Förhandsvisa|^Förhandsgranska")),
    ),
    Screen(OFFICER, "paste a structure, read back", "/rounds/{draft}/structure/paste", paste_preview),
    Screen(OFFICER, "edit a focus area", "/rounds/{draft}/structure/areas/{draft_area}/edit"),
    Screen(
        OFFICER,
        "edit a focus area, submitted empty",
        "/rounds/{draft}/structure/areas/{draft_area}/edit",
        submit("Spara"),
    ),
    Screen(OFFICER, "edit a measure", "/rounds/{draft}/structure/measures/{draft_measure}/edit"),
    Screen(
        OFFICER,
        "edit a measure, submitted empty",
        "/rounds/{draft}/structure/measures/{draft_measure}/edit",
        submit("Spara"),
    ),
    Screen(OFFICER, "e-mail of a closed round", "/rounds/{closed}/messages"),
    Screen(OFFICER, "e-mail of an open round", "/rounds/{open}/messages"),
    Screen(OFFICER, "e-mail of a draft (none yet)", "/rounds/{draft}/messages"),
    # (Not the e-mail's HTML version, /messages/<id>/html: the message itself as a mail client gets
    # it, with no stylesheet and no skip link; its text and facts are on this page.)
    Screen(OFFICER, "an e-mail", "/messages/{invitation}"),
    Screen(OFFICER, "message preview", "/rounds/{open}/messages/preview"),
    Screen(OFFICER, "reminder settings", "/rounds/{open}/messages/settings"),
    Screen(
        OFFICER,
        "reminder settings, refused",
        "/rounds/{open}/messages/settings",
        submit("Spara", fill={"main input[type=text]": "fjorton"}),
    ),
    Screen(OFFICER, "publicity and secrecy", "/rounds/{closed}/publicity"),
    Screen(
        OFFICER,
        "publicity and secrecy, a marking without its ground",
        "/rounds/{closed}/publicity",
        submit("Sekretessmarkera", clear=False),
    ),
    Screen(OFFICER, "summary of a closed round", "/rounds/{closed}/summary"),
    Screen(OFFICER, "summary of an open round", "/rounds/{open}/summary"),
    Screen(OFFICER, "the page beside the comments", "/rounds/{closed}/summary/arbeta"),
    Screen(OFFICER, "the office's assessment", "/rounds/{closed}/summary/assessment"),
    Screen(OFFICER, "the report's introduction", "/rounds/{closed}/summary/report"),
    Screen(OFFICER, "feedback to the bodies", "/rounds/{closed}/feedback"),
    Screen(OFFICER, "background jobs", "/jobs/"),
    Screen(OFFICER, "a background job, waiting", "/jobs/{job}"),
    Screen(OFFICER, "no access (403)", "/admin/users/", status=403),
    Screen(OFFICER, "page not found, signed in", "/rounds/999999", status=404),
    # The manager ---------------------------------------------------------------------------------
    Screen(MANAGER, "rounds", "/rounds/"),
    Screen(MANAGER, "round page, closed round", "/rounds/{closed}"),
    Screen(MANAGER, "summary of a closed round", "/rounds/{closed}/summary"),
    # The respondent (Sara, Socialnämnden Centrum) ------------------------------------------------
    Screen(RESPONDENT, "our rounds", "/answers/"),
    Screen(RESPONDENT, "an open round", "/answers/rounds/{open}"),
    Screen(RESPONDENT, "a closed round", "/answers/rounds/{closed}"),
    Screen(RESPONDENT, "the answer form, a draft", "/answers/rounds/{open}/edit"),
    Screen(
        RESPONDENT,
        "the answer form, a decision that is not a document",
        "/answers/rounds/{open}/edit",
        submit("Spara utkast", clear=False, files={"#decision_file": NOT_A_DOCUMENT}),
    ),
    Screen(RESPONDENT, "the answer preview, no position yet", "/answers/rounds/{open}/preview"),
    Screen(RESPONDENT, "a receipt", "/answers/rounds/{closed}/receipt"),
    Screen(RESPONDENT, "the office's feedback", "/rounds/{closed}/feedback"),
    Screen(RESPONDENT, "no access (403)", "/rounds/", status=403),
    Screen(
        RESPONDENT,
        "the answer form, a conflict with another save",
        "/answers/rounds/{open}/edit",
        answer_conflict,
    ),
]

# ---- pages added by other issues -----------------------------------------------------------------
# Append your pages here, one small block per issue with a comment naming it, e.g.
#   # issue 16: the statement's feedback form
#   SCREENS += [Screen(ANYONE, "accessibility feedback, submitted empty", "/accessibility/feedback",
#                      submit("Skicka"))]
# and, when a page needs data the demo does not have, a function to PREPARE (see above).


# Issue 19 §6 (helper "statement"): the accessibility statement with its form for reporting
# problems, and the admin's list of the reports. (who, path, what): who is a role of the demo
# accounts, or None for a visitor who is not signed in. tests/e2e/test_e2e_statement.py walks
# their states (errors, refused, confirmed, empty, handled).
STATEMENT_PAGES: list[tuple[Role | None, str, str]] = [
    (None, "/accessibility", "tillgänglighetsredogörelse"),
    (Role.RESPONDENT, "/accessibility", "tillgänglighetsredogörelse, inloggad"),
    (Role.ADMIN, "/admin/accessibility-reports", "tillgänglighetsrapporter"),
]
SCREENS += [
    Screen(who, what, path)
    for who, path, what in STATEMENT_PAGES
    if not any(known.role == who and known.path == path and known.act is None for known in SCREENS)
]
SCREENS += [
    Screen(
        ANYONE,
        "accessibility statement, a report submitted empty",
        "/accessibility",
        submit("Skicka rapporten"),
    ),
]


def _a_report(app) -> dict[str, object]:
    """A report in the admin's list, so that it is seen with a row rather than empty."""
    from remiss.accessibility.operations import report_problem

    report_problem(
        problem="Tabellen med remissinstanser går inte att rulla i sidled med tangentbordet.",
        page="Sammanställning av remissvar",
        email="eva.exempelsson@example.goteborg.se",
    )
    return {}


PREPARE.append(_a_report)

# Issue 16 §4 (the manager's overview): for officers and managers; respondents and admins get 403.
SCREENS += [
    Screen(MANAGER, "overview", "/overview/"),
    Screen(MANAGER, "overview, filtered", "/overview/?kind=myndighet&q=kriminal"),
    Screen(MANAGER, "overview, a bad date in the filter", "/overview/?sent_from=31+februari"),
    Screen(MANAGER, "a body's history of answering", "/overview/bodies/{kriminalvarden}"),
    Screen(OFFICER, "overview", "/overview/"),
]

# Issue 16 §2 (helper "picker"): choosing a round's recipients in one go – the list filtered and a
# whole group ticked in the page, and an open round's bodies that cannot be removed. (The
# register's "Logga in" link and its default listing, §5, are on the public register's screens
# above.) tests/e2e/test_e2e_recipients.py walks the rest (keyboard, save, no JavaScript).


def choose_a_group_filtered(page) -> None:
    """The filter narrowed to the social committees and their group ticked, nothing saved."""
    page.get_by_label("Filtrera organisationerna").fill("social")
    page.locator("main").get_by_role("button", name="Välj hela gruppen Socialnämnderna").click()
    page.get_by_text(re.compile("^Hela gruppen Socialnämnderna är markerad")).wait_for(state="attached")


SCREENS += [
    Screen(
        OFFICER,
        "choose recipients, filtered and a group ticked",
        "/rounds/{draft}/recipients",
        choose_a_group_filtered,
    ),
    Screen(
        OFFICER, "choose recipients of an open round, some cannot be removed", "/rounds/{open}/recipients"
    ),
]


# Issue 18 (helper "scale"): the Word report's start page when the round counts as large, and
# the public's page while a large round's ZIP of all answers is being built.
def _large_exports(app) -> dict[str, object]:
    """The Word report counts as large for every round with a comment; a build of the closed
    round's archive is waiting for the worker."""
    import sqlalchemy as sa

    from remiss.extensions import db
    from remiss.public import archive_job
    from remiss.rounds.models import Round

    app.config["REPORT_EXPORT_JOB_THRESHOLD"] = 0
    closed = next(r for r in db.session.scalars(sa.select(Round).order_by(Round.id)) if r.is_closed)
    return {"archive_job": archive_job.request_archive(closed, "e2e").id}


PREPARE.append(_large_exports)
SCREENS += [
    Screen(MANAGER, "the Word report of a large round, to start", "/rounds/{closed}/summary/report.docx"),
    Screen(
        ANYONE, "all answers as a ZIP, being prepared", "/register/{closed}/answers-archive/{archive_job}"
    ),
]

# Issue 16 §1 (helper "invite"): the personal link of an invitation, as the contact of a body
# without an account sees it (tests/e2e/test_e2e_invitation.py walks it to a submitted answer);
# the officer's round page with "Inget konto än" is the open round's page above.
SCREENS += [
    Screen(ANYONE, "invitation, create an account", "{invitation_link}"),
    Screen(
        ANYONE,
        "invitation, create an account, submitted empty",
        "{invitation_link}",
        submit("Skapa konto och öppna remissen"),
    ),
    Screen(ANYONE, "invitation, a link that is not one", "/inbjudan/not-a-token", status=404),
    Screen(ANYONE, "invitation, the round is closed", "{closed_invitation_link}", status=410),
]


def _invitation_links(app) -> dict[str, object]:
    """A personal link for a body of the open round with nobody who can sign in (the police),
    and one for a body of the closed round."""
    import sqlalchemy as sa

    from remiss.extensions import db
    from remiss.rounds.models import InvitationLink, Round

    rounds = list(db.session.scalars(sa.select(Round).order_by(Round.id)))
    open_ = next(r for r in rounds if r.is_open)
    closed = next(r for r in rounds if r.is_closed)
    without_account = next(r for r in open_.recipients if not r.organisation.has_active_account)
    _, token = InvitationLink.issue(without_account)
    _, closed_token = InvitationLink.issue(closed.recipients[0])
    return {"invitation_link": f"/inbjudan/{token}", "closed_invitation_link": f"/inbjudan/{closed_token}"}


PREPARE.append(_invitation_links)

# ---- end of pages added by other issues ----------------------------------------------------------


def _prepare_demo(app) -> dict[str, object]:
    """What the screens need beyond the demo data, made through the operations, and the ids of
    what they open: the closed round public with its feedback final, the open round public, a
    draft round with structure and no recipients, a group, a waiting background job."""
    import sqlalchemy as sa

    from remiss.auth.models import GroupMapping, TokenPurpose, User
    from remiss.extensions import db
    from remiss.feedback import service as feedback
    from remiss.notifications.models import Message
    from remiss.organisations.models import Organisation
    from remiss.public import service as public
    from remiss.rounds.models import Round
    from remiss.summary.export_job import KIND as EXPORT
    from remiss.tasks import service as tasks
    from tests.factories import make_round

    officer = User.by_email(demo_account(Role.OFFICER).email)
    rounds = list(db.session.scalars(sa.select(Round).order_by(Round.id)))
    closed = next(r for r in rounds if r.is_closed)
    open_ = next(r for r in rounds if r.is_open)
    for round_ in (closed, open_):
        public.set_public(round_, True, actor=officer)
    closed.assessment = "Handlingsplanen får brett stöd; insatserna om samverkan prioriteras om."
    feedback.finalise(closed, actor=officer)
    draft = make_round(
        officer,
        title="Tillgänglighetsredogörelse för stadsledningskontorets kvalitetssäkringsarbete",
        dnr="0123/27",
        decision="Kommunstyrelsens arbetsutskott 2027-01-05 § 12",
        structure={
            "Verksamhetsöverskridande samordningsfunktioner": [
                "Kompetensutvecklingsinsatser för socialförvaltningarnas medarbetare",
            ],
        },
    )
    group = GroupMapping(
        group="7f3c2a9e-1b4d-4c8e-9f2a-5d6e7b8c9a0f-remisstjansten-handlaggare",
        role=Role.OFFICER,
        description="Stadsledningskontorets handläggare",
    )
    db.session.add(group)
    job = tasks.start(EXPORT, by=officer, title=f"Sammanställning av {closed.title}", round_id=closed.id)
    db.session.flush()

    def recipient(round_, name):
        return next(r.id for r in round_.recipients if r.organisation.name == name)

    link = password_link(app, demo_account(Role.MANAGER).email, TokenPurpose.RESET)
    return {
        "closed": closed.id,
        "open": open_.id,
        "draft": draft.id,
        "draft_area": draft.focus_areas[0].id,
        "draft_measure": draft.focus_areas[0].measures[0].id,
        "closed_kriminalvarden": recipient(closed, "Kriminalvården"),
        "open_centrum": recipient(open_, "Socialnämnden Centrum"),
        "open_hisingen": recipient(open_, "Socialnämnden Hisingen"),
        "kriminalvarden": Organisation.by_name("Kriminalvården").id,
        "manager_user": User.by_email(demo_account(Role.MANAGER).email).id,
        "group": group.id,
        "invitation": db.session.scalar(
            sa.select(Message.id).where(Message.round_id == open_.id).order_by(Message.id).limit(1)
        ),
        "job": job.id,
        "reset_link": "/" + link.split("/", 3)[3],
    }


def prepare_screens(app) -> dict[str, object]:
    """Prepare the database for the screens (``_prepare_demo``, then every function in ``PREPARE``)
    and return the names their paths use."""
    from remiss.extensions import db

    names: dict[str, object] = {}
    for prepare in [_prepare_demo, *PREPARE]:
        with app.app_context():
            names.update(prepare(app))
            db.session.commit()
    return names
