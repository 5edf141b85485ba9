"""What a screen reader and a keyboard user meet on every page (issue 19, items 2 and 3): forms
that post to an explicit address with the Swedish error summary instead of the browser's bubble,
input purposes (``autocomplete``), error-summary links that reach a control, a menu that marks
the current page by what it is, repeated buttons that name their object, and titles that say
there is an error and name the round or the account.

The pages are rendered from the demo data (the two real rounds) plus a draft round with
documents, recipients and a structure, as each demo account sees them."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from remiss import PROJECT_ROOT
from remiss.auth.models import Role, TokenPurpose, User
from remiss.core.web import NAV_ITEMS
from remiss.demo import ACCOUNTS, load_demo
from remiss.extensions import db
from remiss.notifications.models import Message
from remiss.organisations.models import Organisation
from remiss.rounds.models import Round
from tests import files
from tests.factories import make_round

TEMPLATES = PROJECT_ROOT / "templates"


# Reading pages ------------------------------------------------------------------------------


@dataclass
class Control:
    """A link or a button as assistive technology meets it: its accessible name and where it
    leads (a link's address; a button's form address, method and the values it posts)."""

    tag: str
    name: str
    target: str


@dataclass
class Page(HTMLParser):
    """The parts of a rendered page the tests read."""

    title: str = ""
    forms: list[dict] = field(default_factory=list)
    inputs: list[dict] = field(default_factory=list)
    controls: list[Control] = field(default_factory=list)
    current: list[tuple[str, str]] = field(default_factory=list)  # (label, aria-current)

    def __post_init__(self):
        super().__init__(convert_charrefs=True)
        self._title = self._titled = False
        self._form: dict | None = None
        self._open: list[dict] = []  # links and buttons being read, innermost last
        self._nav = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "title" and not self._titled:  # the page's, not an SVG chart's
            self._title = True
        elif tag == "nav" and a.get("aria-label") == "Huvudmeny":
            self._nav = True
        elif tag == "form":
            self._form = {**a, "hidden": []}
            self.forms.append(self._form)
        elif tag in ("input", "select", "textarea"):
            self.inputs.append({"tag": tag, **a})
            if self._form is not None and a.get("type") == "hidden" and a.get("name") != "csrf_token":
                self._form["hidden"].append(f"{a.get('name')}={a.get('value')}")
        if tag == "a" and "href" in a or tag == "button" and a.get("type", "submit") == "submit":
            self._open.append({"tag": tag, "attrs": a, "text": [], "form": self._form})

    def handle_endtag(self, tag):
        if tag == "title":
            self._title = False
            self._titled = True
        elif tag == "nav":
            self._nav = False
        elif tag == "form":
            self._form = None
        elif tag in ("a", "button") and self._open and self._open[-1]["tag"] == tag:
            item = self._open.pop()
            a = item["attrs"]
            name = a.get("aria-label") or " ".join("".join(item["text"]).split())
            if tag == "a":
                target = a["href"]
                if self._nav and "aria-current" in a:
                    self.current.append((name, a["aria-current"]))
            else:
                form = item["form"] or {}
                pressed = f"{a.get('name')}={a.get('value')}" if a.get("name") else ""
                posted = [form.get("method", "get"), form.get("action", "?"), *form.get("hidden", [])]
                target = " ".join([*posted, pressed])
            self.controls.append(Control(tag, name, target))

    def handle_data(self, data):
        if self._title:
            self.title += data
        for item in self._open:
            item["text"].append(data)


def read(response) -> Page:
    page = Page()
    page.feed(response.get_data(as_text=True))
    return page


# The world: the demo, a draft round with documents, and the demo accounts ------------------


@dataclass
class World:
    closed: int
    open: int
    draft: int
    draft_recipient: int
    closed_recipient: int
    area: int
    user: int
    organisation: int
    mapping_group: str | None
    message: int | None


def build_world(app, client) -> World:
    with app.app_context():
        load_demo()
        officer = User.by_email(_account(Role.OFFICER).email)
        draft = make_round(
            officer=officer,
            title="Riktlinje för trygghet i skolan",
            dnr="77/26",
            recipients=["Socialnämnden Centrum", "Socialnämnden Hisingen", "Kriminalvården"],
            structure={
                "Ett samordnat arbete": ["Stärka samordningen", "Delta i insatser", "Följa upp"],
                "Kunskapsbaserat arbete": ["Identifiera verktyg", "Sprida kunskap"],
            },
        )
        db.session.commit()
        closed = db.session.scalar(sa.select(Round).where(Round.dnr == "1668/20"))
        closed.is_public = True  # in the public register too
        db.session.commit()
        open_ = db.session.scalar(sa.select(Round).where(Round.is_open))
        admin = User.by_email(_account(Role.ADMIN).email)
        message = db.session.scalar(sa.select(Message.id).limit(1))
        world = World(
            closed=closed.id,
            open=open_.id,
            draft=draft.id,
            draft_recipient=draft.recipients[0].id,
            # The body that never answered: the office can register its answer.
            closed_recipient=next(r.id for r in closed.recipients if not r.has_submitted),
            area=draft.focus_areas[0].id,
            user=admin.id,
            organisation=Organisation.by_name("Kriminalvården").id,
            mapping_group=None,
            message=message,
        )
    sign_in(client, Role.OFFICER)
    for name in ("Remissförslag.pdf", "Missiv.pdf"):
        response = client.post(
            f"/rounds/{world.draft}/documents",
            data={"kind": "draft", "file": (io.BytesIO(files.pdf(name)), name)},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302, response.text
    client.post("/auth/logout")
    return world


def _account(role: Role):
    return next(a for a in ACCOUNTS if a.role is role)


def sign_in(client, role: Role):
    account = _account(role)
    response = client.post("/auth/login", data={"email": account.email, "password": account.password})
    assert response.status_code == 302, response.text


def pages_of(role: Role, w: World) -> dict[str, str | None]:
    """Each role's pages, with the menu entry that must be current on it (None: no entry)."""
    common = {
        "/register/": "Remissregister",
        f"/register/{w.closed}": "Remissregister",
        "/accessibility": None,
    }
    if role is Role.OFFICER:
        return common | {
            "/rounds/start": "Start",
            "/rounds/": "Remisser",
            "/rounds/new": "Remisser",
            "/rounds/import": "Remisser",
            f"/rounds/{w.draft}": "Remisser",
            f"/rounds/{w.draft}/edit": "Remisser",
            f"/rounds/{w.draft}/structure": "Remisser",
            f"/rounds/{w.draft}/structure/areas/{w.area}/edit": "Remisser",
            f"/rounds/{w.draft}/recipients": "Remisser",
            f"/rounds/{w.draft}/recipients/{w.draft_recipient}/edit": "Remisser",
            f"/rounds/{w.closed}": "Remisser",
            f"/rounds/{w.open}": "Remisser",
            f"/rounds/{w.closed}/summary": "Remisser",
            f"/rounds/{w.closed}/summary/assessment": "Remisser",
            f"/rounds/{w.closed}/summary/report": "Remisser",
            f"/rounds/{w.closed}/summary/arbeta?del=helhet": "Remisser",
            f"/rounds/{w.closed}/messages": "Remisser",
            f"/rounds/{w.closed}/publicity": "Remisser",
            f"/rounds/{w.closed}/recipients/{w.closed_recipient}/versions": "Remisser",
            f"/rounds/{w.open}/messages/settings": "Remisser",
            "/jobs/": "Remisser",
            "/overview/": "Översikt",
            f"/overview/bodies/{w.organisation}": "Översikt",
        }
    if role is Role.MANAGER:
        return common | {
            "/rounds/": "Remisser",
            f"/rounds/{w.closed}": "Remisser",
            f"/rounds/{w.closed}/summary": "Remisser",
            "/overview/": "Översikt",
        }
    if role is Role.RESPONDENT:
        return common | {
            "/answers/": "Våra remisser",
            f"/answers/rounds/{w.open}": "Våra remisser",
            f"/answers/rounds/{w.open}/edit": "Våra remisser",
            f"/answers/rounds/{w.closed}": "Våra remisser",
        }
    assert role is Role.ADMIN
    return {
        "/accessibility": None,
        "/admin/users/": "Konton",
        "/admin/users/new": "Konton",
        f"/admin/users/{w.user}/edit": "Konton",
        "/admin/groups/": "Konton",
        "/admin/organisations/": "Organisationer",
        "/admin/organisations/new": "Organisationer",
        f"/admin/organisations/{w.organisation}/edit": "Organisationer",
        "/outbox": "Utkorg",
        **({f"/messages/{w.message}": "Utkorg"} if w.message else {}),
        "/admin/accessibility-reports": "Tillgänglighetsrapporter",
    }


@pytest.fixture
def world(app, client):
    return build_world(app, client)


def visit(client, role: Role, w: World):
    """(url, expected menu entry, page) for every page of ``role``."""
    sign_in(client, role)
    for url, entry in pages_of(role, w).items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        yield url, entry, read(response)
    client.post("/auth/logout")


# 1. Forms: an explicit address, method and novalidate -----------------------------------------


def _form_tags(source: str) -> list[str]:
    """Each ``<form …>`` start tag of a template, read past ``>`` inside ``{{ }}``/``{% %}``."""
    tags = []
    for match in re.finditer(r"<form\b", source):
        i, depth = match.end(), 0
        while i < len(source):
            if source.startswith(("{{", "{%"), i):
                depth += 1
                i += 2
            elif source.startswith(("}}", "%}"), i):
                depth -= 1
                i += 2
            elif source[i] == ">" and depth == 0:
                break
            else:
                i += 1
        tags.append(source[match.start() : i + 1])
    return tags


def test_every_form_in_the_templates_has_an_address_a_method_and_novalidate():
    checked, missing = 0, []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for tag in _form_tags(path.read_text(encoding="utf-8")):
            checked += 1
            for attribute in ("action=", "method=", "novalidate"):
                if attribute not in tag:
                    missing.append(f"{path.relative_to(TEMPLATES)}: {attribute} missing in {tag[:90]}")
            if re.search(r'action=""|action="#', tag):
                missing.append(f"{path.relative_to(TEMPLATES)}: an empty address in {tag[:90]}")
    assert checked >= 40, checked  # the scan found the forms
    assert not missing, "\n".join(missing)


def test_the_scan_reads_whole_form_tags():
    tags = _form_tags('<form method="post" novalidate data-x="{{ a > b }}">\n<form action="{{ u }}">')
    assert tags == ['<form method="post" novalidate data-x="{{ a > b }}">', '<form action="{{ u }}">']


@pytest.mark.parametrize("role", [Role.OFFICER, Role.RESPONDENT, Role.ADMIN])
def test_every_rendered_form_posts_to_an_explicit_address(client, world, role):
    for url, _, page in visit(client, role, world):
        for form in page.forms:
            assert form.get("action"), (url, form)
            assert "novalidate" in form, (url, form)
            assert form.get("method") in ("get", "post"), (url, form)


# 2. Input purpose (WCAG 1.3.5) ----------------------------------------------------------------

# The fields that collect the person's own data, and the purpose each must say.
OWN_DATA = {
    "/auth/login": {"email": "username", "password": "current-password"},
    "/auth/forgot": {"email": "email"},
    "/accessibility": {"name": "name", "email": "email"},  # the report form: who reports
}
# Fields about someone else (an account, a body's mailbox): no suggestion from the browser.
OTHERS_DATA = {
    "/admin/users/new": {"name": "off", "email": "off"},
    "/admin/organisations/new": {"email": "off"},
    # (Choosing recipients, /rounds/{draft}/recipients, has no address field: a body's contact
    # address is its mailbox until changed on the page below.)
    "/rounds/{draft}/recipients/{draft_recipient}/edit": {"contact_email": "off"},
}


def test_sign_in_and_forgotten_password_say_what_they_collect(client):
    for url, wanted in OWN_DATA.items():
        page = read(client.get(url))
        found = {i["name"]: i.get("autocomplete") for i in page.inputs if i.get("name") in wanted}
        assert found == wanted, url


def test_setting_a_password_says_new_password_and_names_the_account(app, client):
    from remiss.auth.service import issue_password_link

    with app.test_request_context():
        load_demo()
        user = User.by_email(_account(Role.MANAGER).email)
        link = issue_password_link(user, TokenPurpose.RESET)
        db.session.commit()
    path = link[link.index("/auth/password/") :]
    page = read(client.get(path))
    purposes = {i.get("name") or i.get("type"): i.get("autocomplete") for i in page.inputs}
    assert purposes["password"] == purposes["confirm"] == "new-password"
    username = next(i for i in page.inputs if i.get("autocomplete") == "username")
    assert username["value"] == _account(Role.MANAGER).email and "hidden" in username
    # The form posts to the link it came from.
    assert page.forms[0]["action"] == path


@pytest.mark.parametrize("role", [Role.OFFICER, Role.RESPONDENT, Role.ADMIN])
def test_every_address_and_password_field_says_its_purpose(client, world, role):
    """An e-mail, telephone or password field without ``autocomplete`` is either the person's
    own (then it must say so) or someone else's (then ``off``): none is left to guess."""
    others = {url.format(**vars(world)): wanted for url, wanted in OTHERS_DATA.items()}
    checked = 0
    for url, _, page in visit(client, role, world):
        for i in page.inputs:
            if i.get("type") in ("email", "tel", "password"):
                assert i.get("autocomplete"), (url, i)
        if url in others:
            checked += 1
            found = {i["name"]: i.get("autocomplete") for i in page.inputs if i.get("name") in others[url]}
            assert found == others[url], url
    assert checked == sum(url in pages_of(role, world) for url in others)


# 3. Error summaries: focusable, next to the field, links that reach a control -----------------


def _summary_links(text: str) -> list[str]:
    block = re.search(r'<div class="error-summary".*?</div>', text, re.S)
    assert block, "no error summary"
    return re.findall(r'href="#([^"]*)"', block.group(0))


def test_a_refused_sign_in_is_an_error_summary_linking_to_the_first_field(client):
    with client.application.app_context():
        load_demo()
        db.session.commit()
    response = client.post("/auth/login", data={"email": _account(Role.OFFICER).email, "password": "fel"})
    assert response.status_code == 401
    assert _summary_links(response.text) == ["email"]
    assert read(response).title.startswith("Fel: Logga in")


def test_error_summary_links_to_a_radio_group_reach_its_first_choice(client, world):
    sign_in(client, Role.OFFICER)
    response = client.post(f"/rounds/{world.closed}/recipients/{world.closed_recipient}/register", data={})
    # The round is closed: an officer may register a late answer; the channel and position
    # are missing.
    assert response.status_code == 200, response.status_code
    links = _summary_links(response.text)
    assert "channel-0" in links  # E-post, the first choice (a fieldset takes no focus)
    assert "position-1" in links  # Tillstyrker: "Inte angivet" is not shown on this form
    for target in links:
        assert re.search(rf'<input [^>]*\bid="{target}"', response.text), target

    response = client.post(f"/rounds/{world.draft}/structure/areas", data={"kind": "nonsense", "number": ""})
    assert response.status_code == 422
    assert _summary_links(response.text)[0] == "kind-0"


def test_a_secrecy_marking_without_its_ground_shows_the_summary_beside_the_field(client, world):
    with client.application.app_context():
        closed = db.session.get(Round, world.closed)
        version = next(r.latest_submitted for r in closed.recipients if r.latest_submitted)
        comment = next(c for c in version.comments if not c.is_empty)
        comment_id = comment.id
    sign_in(client, Role.OFFICER)
    response = client.post(
        f"/rounds/{world.closed}/publicity/comments/{comment_id}", data={"mark": "y", "ground": ""}
    )
    assert response.status_code == 400
    control = re.search(
        rf'<div class="secrecy-control" id="comment-{comment_id}">.*?</form>', response.text, re.S
    )
    assert control and 'class="error-summary" role="alert" tabindex="-1"' in control.group(0)
    assert _summary_links(control.group(0)) == [f"comment-{comment_id}-ground"]
    assert response.text.count('class="error-summary"') == 1
    assert read(response).title.startswith("Fel: Offentlighet och sekretess")


def test_the_csv_import_with_no_file_shows_the_summary_beside_the_form(client, world):
    sign_in(client, Role.ADMIN)
    response = client.post("/admin/organisations/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert _summary_links(response.text) == ["file"]
    assert "Välj en CSV-fil." in response.text
    text = response.text
    assert text.index('class="error-summary"') > text.index("Importera från CSV")  # beside the form
    assert read(response).title.startswith("Fel: Organisationer")


# 4. Confirmations ------------------------------------------------------------------------------


def test_moving_a_structure_item_always_confirms(client, world):
    sign_in(client, Role.OFFICER)
    with client.application.app_context():
        round_ = db.session.get(Round, world.draft)
        first, second = round_.focus_areas
        measure = second.measures[1]
        ids = first.id, measure.id

    response = client.post(f"/rounds/{world.draft}/structure/areas/{ids[0]}/move/down")
    assert response.headers["Location"].endswith(f"/rounds/{world.draft}/structure#area-{ids[0]}")
    page = client.get(f"/rounds/{world.draft}/structure").text
    assert (
        '<div class="flash flash--success" role="status" tabindex="-1">'
        "Fokusområde 1 flyttades nedåt och heter nu Fokusområde 2.</div>"
    ) in page

    client.post(f"/rounds/{world.draft}/structure/measures/{ids[1]}/move/up")
    page = client.get(f"/rounds/{world.draft}/structure").text
    assert "Insats 1:2 flyttades uppåt och heter nu Insats 1:1." in page
    client.post(f"/rounds/{world.draft}/structure/measures/{ids[1]}/move/up")  # already first
    page = client.get(f"/rounds/{world.draft}/structure").text
    assert 'role="status" tabindex="-1">Insats 1:1 står redan först och flyttades inte.</div>' in page


# 5. The menu marks the page by what it is -----------------------------------------------------


def test_the_menu_names_only_real_pages(app):
    endpoints = set(app.view_functions)
    for item in NAV_ITEMS:
        named = {item.endpoint, *item.covers, *item.aliases}
        assert named <= endpoints, named - endpoints


# The entries' own pages: "page"; elsewhere within an entry: "true".
OWN_PAGES = {
    "/rounds/start",
    "/rounds/",
    "/answers/",
    "/register/",
    "/admin/users/",
    "/admin/organisations/",
    "/outbox",
    "/admin/accessibility-reports",
    "/overview/",
}


@pytest.mark.parametrize("role", [Role.OFFICER, Role.MANAGER, Role.RESPONDENT, Role.ADMIN])
def test_exactly_the_right_menu_entry_is_current(client, world, role):
    seen = 0
    for url, entry, page in visit(client, role, world):
        seen += 1
        labels = [label for label, _ in page.current]
        assert labels == ([entry] if entry else []), (url, page.current)
        if entry:
            # "page" on the entry's own page (the officer's start page is "Start"), "true" within.
            own = url in OWN_PAGES
            assert page.current[0][1] == ("page" if own else "true"), (url, page.current)
    assert seen == len(pages_of(role, world))


# 6. Repeated buttons and links name their object ----------------------------------------------


def ambiguous(page: Page) -> dict[str, set[str]]:
    """Names that lead to more than one place: a screen reader's list of links or buttons
    shows "Ta bort", "Ta bort", "Ta bort" with nothing to tell them apart."""
    targets = defaultdict(set)
    for control in page.controls:
        targets[(control.tag, control.name)].add(control.target)
    return {f"{tag} {name!r}": t for (tag, name), t in targets.items() if len(t) > 1}


def test_the_check_finds_repeated_names():
    page = Page()
    page.feed(
        '<form method="post" action="/a/1/remove"><button>Ta bort</button></form>'
        '<form method="post" action="/a/2/remove"><button>Ta bort</button></form>'
        '<form method="post" action="/a/3/remove">'
        '<button>Ta bort<span class="visually-hidden"> insats 1:3</span></button></form>'
        '<a href="/x">Ändra</a><a href="/x">Ändra</a>'
    )
    assert list(ambiguous(page)) == ["button 'Ta bort'"]


@pytest.mark.parametrize("role", [Role.OFFICER, Role.MANAGER, Role.RESPONDENT, Role.ADMIN])
def test_no_two_controls_share_a_name_but_not_a_target(client, world, role):
    problems = {}
    for url, _, page in visit(client, role, world):
        if found := ambiguous(page):
            problems[url] = found
    assert not problems, problems


def test_the_structure_page_names_what_each_button_moves_or_removes(client, world):
    sign_in(client, Role.OFFICER)
    names = {c.name for c in read(client.get(f"/rounds/{world.draft}/structure")).controls}
    assert {
        "Flytta ned fokusområde 1",
        "Flytta upp fokusområde 2",
        "Ta bort fokusområde 2",
        "Flytta upp insats 1:2",
        "Flytta ned insats 1:2",
        "Ta bort insats 1:3",
        "Ändra insats 2:1",
        "Lägg till insats i fokusområde 2",
    } <= names
    names = {c.name for c in read(client.get(f"/rounds/{world.draft}")).controls}
    assert {
        "Ta bort dokumentet Remissförslag.pdf",
        "Ta bort dokumentet Missiv.pdf",
        "Ta bort remissinstansen Kriminalvården",
    } <= names


# 7. Titles --------------------------------------------------------------------------------------


def test_titles_say_there_is_an_error_and_name_what_is_edited(client, world):
    suffix = " – Remisstjänsten, Göteborgs Stad"
    sign_in(client, Role.OFFICER)
    assert read(client.get("/rounds/new")).title == "Ny remiss" + suffix
    page = read(client.post("/rounds/new", data={}))
    assert page.title == "Fel: Ny remiss" + suffix
    page = read(client.post("/rounds/new", data={"title": "X", "dnr": "1/26", "sent_on": "2026-13-45"}))
    assert page.title == "Fel: Ny remiss" + suffix
    assert read(client.get(f"/rounds/{world.draft}/edit")).title == (
        "Ändra remiss: Riktlinje för trygghet i skolan" + suffix
    )
    assert read(client.get(f"/rounds/{world.draft}/structure")).title == (
        "Struktur – Riktlinje för trygghet i skolan" + suffix
    )
    page = read(client.get(f"/rounds/{world.closed}/summary"))
    assert (
        page.title == "Sammanställning – Förslag till Göteborgs Stads handlingsplan för att stoppa "
        "nyrekrytering, gängkriminalitet och utvecklingen av parallella samhällen" + suffix
    )
    client.post("/auth/logout")

    sign_in(client, Role.ADMIN)
    with client.application.app_context():
        name = db.session.get(User, world.user).name
    assert read(client.get(f"/admin/users/{world.user}/edit")).title == f"Ändra konto: {name}" + suffix
    page = read(client.post(f"/admin/users/{world.user}/edit", data={"name": "", "email": "x"}))
    assert page.title == f"Fel: Ändra konto: {name}" + suffix
    assert read(client.get(f"/admin/organisations/{world.organisation}/edit")).title == (
        "Ändra organisation: Kriminalvården" + suffix
    )


def test_a_refusal_after_a_redirect_is_an_error_in_the_title(client, world):
    sign_in(client, Role.OFFICER)
    response = client.post(f"/rounds/{world.closed}/open", follow_redirects=True)  # closed: refused
    assert 'class="flash flash--error" role="alert" tabindex="-1"' in response.text
    assert read(response).title.startswith("Fel: "), read(response).title
    assert not read(client.get(f"/rounds/{world.closed}")).title.startswith("Fel: ")
