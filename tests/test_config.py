import pytest

from remiss import create_app
from remiss.config import from_environment


def test_refuses_to_start_without_secret_key_outside_debug(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("REMISS_SECRET_KEY", raising=False)
    monkeypatch.setenv("REMISS_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_layers_defaults_instance_file_environment_then_test_dict(monkeypatch, tmp_path):
    (tmp_path / "config.py").write_text(
        'SECRET_KEY = "from-instance"\nMAIL_HOST = "instance.example"\nMAIL_PORT = 2525\n'
    )
    monkeypatch.setenv("REMISS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("REMISS_MAIL_PORT", "587")
    monkeypatch.setenv("REMISS_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-instance"  # instance file over defaults
    assert app.config["MAIL_HOST"] == "instance.example"
    assert app.config["MAIL_PORT"] == 587  # environment over instance file, JSON-decoded
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("x.sqlite")
    assert app.config["MAIL_SECURITY"] == "none"  # default
    app = create_app({"MAIL_PORT": 25, "TESTING": True})
    assert app.config["MAIL_PORT"] == 25  # the test dict wins


def test_secret_key_from_plain_environment_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("REMISS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("REMISS_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"


def test_cookies_are_httponly_lax_secure_and_remember_me_is_short(monkeypatch, tmp_path):
    monkeypatch.setenv("REMISS_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("REMISS_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    config = create_app().config
    assert config["SESSION_COOKIE_HTTPONLY"] and config["REMEMBER_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax" == config["REMEMBER_COOKIE_SAMESITE"]
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["REMEMBER_COOKIE_DURATION"].days <= 14


def test_environment_values_are_decoded():
    values = from_environment(
        {
            "REMISS_MAIL_PORT": "465",
            "REMISS_MAIL_HOST": "smtp.local",
            "OTHER": "x",
            "REMISS_SESSION_COOKIE_SECURE": "false",
        }
    )
    assert values == {"MAIL_PORT": 465, "MAIL_HOST": "smtp.local", "SESSION_COOKIE_SECURE": False}


def test_refuses_an_unknown_password_hash_profile():
    with pytest.raises(RuntimeError, match="PASSWORD_HASH_PROFILE"):
        create_app({"TESTING": True, "PASSWORD_HASH_PROFILE": "FAST_AND_WEAK"})
