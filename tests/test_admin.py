"""Admin pages: organisations (with CSV import) and accounts."""

import io

import pytest
import sqlalchemy as sa

from remiss.auth.models import Role, User, UserToken
from remiss.demo import ORGANISATIONS_CSV
from remiss.extensions import db
from remiss.organisations.models import Organisation, OrganisationKind
from tests.factories import PASSWORD, make_organisation


@pytest.fixture
def admin(login_as):
    return login_as(Role.ADMIN)


def upload(client, text: str, name="register.csv"):
    return client.post(
        "/admin/organisations/import",
        data={"file": (io.BytesIO(text.encode("utf-8")), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_import_the_city_register_twice(app, client, admin):
    text = ORGANISATIONS_CSV.read_text(encoding="utf-8")
    page = upload(client, text)
    assert "Importen är klar: 18 nya, 0 ändrade, 0 oförändrade organisationer." in page.text
    assert "Statens institutionsstyrelse" in page.text
    page = upload(client, text)
    assert "0 nya, 0 ändrade, 18 oförändrade" in page.text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Organisation.id))) == 18
        police = Organisation.by_name("Polismyndigheten Storgöteborg")
        assert police.kind is OrganisationKind.AUTHORITY
        assert police.group == "Statliga myndigheter"
        assert Organisation.by_name("Kulturnämnden").group is None


def test_import_names_bad_rows_by_line_and_imports_nothing(app, client, admin):
    text = (
        "name,short_name,kind,group,email\n"
        "Kulturnämnden,KN,namnd,,kultur@example.goteborg.se\n"
        "Trasig nämnd,TN,kommitté,,trasig@example.goteborg.se\n"
        ",X,bolag,,x@example.goteborg.se\n"
        "Utan adress,UA,bolag,,inte-en-adress\n"
        "Kulturnämnden,KN,namnd,,kultur@example.goteborg.se\n"
    )
    page = upload(client, text).text
    assert "Rad 3: typen ”kommitté” är okänd" in page
    assert "Rad 4: namn saknas." in page
    assert "Rad 5: e-postadressen ”inte-en-adress” är ogiltig." in page
    assert "Rad 6: namnet finns redan på rad 2." in page
    assert "Ingenting importerades." in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Organisation.id))) == 0


def test_import_refuses_wrong_columns_and_reads_non_utf8_as_windows_1252(client, admin):
    page = upload(client, "namn;epost\nA;b\n").text
    assert "Rad 1: kolumnerna name, short_name, kind, group, email saknas." in page
    response = client.post(
        "/admin/organisations/import",
        data={"file": (io.BytesIO("name\nKulturnämnden".encode("latin-1")), "x.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    # Not UTF-8: read as Windows-1252, as Swedish Excel saves it, and its rows checked.
    assert "Rad 1: kolumnerna short_name, kind, group, email saknas." in response.text
    response = client.post("/admin/organisations/import", data={}, follow_redirects=True)
    assert "Välj en CSV-fil." in response.text


def test_create_and_edit_organisation(app, client, admin):
    form = {
        "name": "Kulturnämnden",
        "short_name": "KN",
        "kind": "namnd",
        "group": "",
        "email": "Kultur@Example.goteborg.se",
        "active": "y",
    }
    response = client.post("/admin/organisations/new", data=form, follow_redirects=True)
    assert "Organisationen Kulturnämnden är skapad." in response.text
    response = client.post("/admin/organisations/new", data=form)
    assert "Det finns redan en organisation med det namnet." in response.text
    response = client.post("/admin/organisations/new", data={**form, "name": "", "email": "x"})
    assert "Ange namnet." in response.text and "Ange en giltig e-postadress." in response.text
    with app.app_context():
        organisation = Organisation.by_name("Kulturnämnden")
        assert organisation.email == "kultur@example.goteborg.se"
        organisation_id = organisation.id
    edit = client.get(f"/admin/organisations/{organisation_id}/edit")
    assert 'value="Kulturnämnden"' in edit.text
    client.post(
        f"/admin/organisations/{organisation_id}/edit", data={**form, "group": "Kultur", "active": ""}
    )
    with app.app_context():
        organisation = db.session.get(Organisation, organisation_id)
        assert organisation.group == "Kultur" and not organisation.active
    assert client.get("/admin/organisations/9999/edit").status_code == 404


def test_invite_user_shows_one_time_link(app, client, admin, caplog):
    caplog.set_level("INFO")
    with app.app_context():
        organisation_id = make_organisation("Kriminalvården").id
        db.session.commit()
    form = {
        "name": "Kim K",
        "email": "kim@example.se",
        "role": "respondent",
        "organisation_id": organisation_id,
        "active": "y",
    }
    page = client.post("/admin/users/new", data=form, follow_redirects=True).text
    assert "Kontot för Kim K är skapat." in page
    assert "http://localhost/auth/password/" in page
    assert "/auth/password/" not in caplog.text  # on the admin's screen, never in a log
    with app.app_context():
        user = User.by_email("kim@example.se")
        assert user.organisation.name == "Kriminalvården" and user.password_hash is None
        assert db.session.scalar(sa.select(sa.func.count(UserToken.id))) == 1
    page = client.post("/admin/users/new", data=form).text
    assert "Det finns redan ett konto med den e-postadressen." in page


def test_user_form_checks_role_and_organisation(client, admin):
    page = client.post(
        "/admin/users/new",
        data={"name": "X", "email": "x@example.se", "role": "respondent", "organisation_id": 0},
    ).text
    assert "En remissinstans måste höra till en organisation." in page


def test_deactivate_user_ends_their_session(app, client, admin):
    with app.app_context():
        from tests.factories import make_user

        user = make_user(Role.OFFICER, email="o@example.se")
        db.session.commit()
        user_id = user.id
    other = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    other.post("/auth/login", data={"email": "o@example.se", "password": PASSWORD})
    assert other.get("/rounds/start").status_code == 200
    page = client.post(f"/admin/users/{user_id}/deactivate", follow_redirects=True).text
    assert "är inaktiverat" in page
    assert other.get("/rounds/start").status_code == 302
    with app.app_context():
        assert not db.session.get(User, user_id).active


def test_admin_cannot_deactivate_themself(client, admin):
    page = client.post(f"/admin/users/{admin.id}/deactivate", follow_redirects=True).text
    assert "Du kan inte inaktivera ditt eget konto." in page


def test_admin_can_issue_new_link(app, client, admin):
    page = client.post(f"/admin/users/{admin.id}/invite", follow_redirects=True).text
    assert "/auth/password/" in page


def test_officer_gets_swedish_403_on_admin_pages(client, login_as):
    login_as(Role.RESPONDENT)
    response = client.get("/admin/users/")
    assert response.status_code == 403
    assert "Du saknar behörighet" in response.text
    assert client.post("/admin/organisations/new", data={}).status_code == 403


def test_inviting_a_user_selects_no_role_until_one_is_chosen(app, client, admin):
    page = client.get("/admin/users/new").text
    role_select = page[
        page.index('<select id="role"') : page.index("</select>", page.index('<select id="role"'))
    ]
    first = role_select[role_select.index("<option") : role_select.index("</option>")]
    assert 'value=""' in first and "Välj roll" in first
    assert "selected" not in role_select.replace(first, "")
    assert '<option selected value="admin">' not in page

    form = {"name": "Nina Ny", "email": "nina@example.se", "organisation_id": 0, "active": "y"}
    for missing in ({}, {"role": ""}):
        response = client.post("/admin/users/new", data=form | missing)
        assert response.status_code == 200
        assert "Välj en roll för kontot." in response.text
    with app.app_context():
        assert User.by_email("nina@example.se") is None
    page = client.post("/admin/users/new", data=form | {"role": "officer"}, follow_redirects=True).text
    assert "Kontot för Nina Ny är skapat." in page
    with app.app_context():
        assert User.by_email("nina@example.se").role is Role.OFFICER
