"""Fixtures after the Flask tutorial: ``app``, ``client``, ``runner``, plus ``login_as`` and small
factories. Every test gets a fresh, empty database: a new SQLite file, or, when
``REMISS_TEST_DATABASE_URL`` names a PostgreSQL database, that database emptied."""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from remiss import create_app
from remiss.auth.models import Role, User
from remiss.extensions import db
from tests.factories import PASSWORD, make_organisation, make_round, make_user

TEST_DATABASE_URL = os.environ.get("REMISS_TEST_DATABASE_URL", "")


@pytest.fixture
def app(tmp_path):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test",
        "PASSWORD_HASH_PROFILE": "CHEAPEST",  # the production profile is slow on purpose
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'test.sqlite'}",
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "BASE_URL": "http://localhost",
        "SERVER_NAME": "localhost",
    }
    app = create_app(config)
    with app.app_context():
        empty_schema()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def empty_schema() -> None:
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    else:
        db.drop_all()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An application context for tests that work with models directly."""
    with app.app_context():
        yield


@pytest.fixture
def factories(ctx):
    class Factories:
        organisation = staticmethod(make_organisation)
        user = staticmethod(make_user)
        round = staticmethod(make_round)

    return Factories


@pytest.fixture
def login_as(app, client):
    """``login_as(role, organisation=None)`` creates a user, signs in through the login form
    and returns the user (detached: read ids and names, not relationships)."""

    def login(role: Role | str = Role.OFFICER, organisation=None, **kwargs) -> User:
        with app.app_context():
            user = make_user(role, organisation, **kwargs)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        response = client.post(
            "/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": ""}
        )
        assert response.status_code == 302, response.text
        return user

    return login


@pytest.fixture(autouse=True)
def _no_csrf_in_unit_tests(app, request):
    """Forms are posted without CSRF tokens in route tests; tests marked ``csrf`` keep it on."""
    if "csrf" not in request.keywords:
        app.config["WTF_CSRF_ENABLED"] = False
