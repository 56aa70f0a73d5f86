"""Command-line tasks an operator runs: creating the first accounts."""
from sqlalchemy import select

from ideas.extensions import db
from ideas.models import Role, User
from ideas.passwords import verify_password


def test_users_create_asks_for_the_password_twice(runner):
    result = runner.invoke(args=["users", "create", "--email", "Admin@Example.org", "--name", "Anna",
                                 "--role", "admin"], input="lange geheime Passphrase\nlange geheime Passphrase\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "admin@example.org"))
    assert user.role == Role.admin
    assert user.is_verified
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, "lange geheime Passphrase")


def test_users_create_refuses_mismatch_short_and_duplicate(runner):
    mismatch = runner.invoke(args=["users", "create", "--email", "a@example.org", "--name", "A"],
                             input="passwort-eins\npasswort-zwei\n")
    assert mismatch.exit_code != 0
    short = runner.invoke(args=["users", "create", "--email", "a@example.org", "--name", "A"],
                          input="kurz\nkurz\n")
    assert short.exit_code != 0
    assert db.session.scalar(select(User)) is None
    ok = runner.invoke(args=["users", "create", "--email", "a@example.org", "--name", "A"],
                       input="passwort-eins\npasswort-eins\n")
    assert ok.exit_code == 0
    duplicate = runner.invoke(args=["users", "create", "--email", "A@EXAMPLE.ORG", "--name", "B"],
                              input="passwort-eins\npasswort-eins\n")
    assert duplicate.exit_code != 0
    assert "exists already" in duplicate.output


def test_fresh_install_has_no_accounts(app):
    assert db.session.scalar(select(User)) is None


def test_production_refuses_the_development_secret(monkeypatch):
    import pytest

    from ideas import create_app

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": "dev-only-not-secret", "SQLALCHEMY_DATABASE_URI": "sqlite://"},
                   config_name="production")
    app = create_app({"SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"}, config_name="production")
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_users_create_applies_the_website_password_rules(runner):
    # Staff need 12 characters; a common password is refused for everyone.
    short_staff = runner.invoke(args=["users", "create", "--email", "m@example.org", "--name", "M",
                                      "--role", "moderator"], input="elf-zeichen\nelf-zeichen\n")
    assert short_staff.exit_code != 0
    common = runner.invoke(args=["users", "create", "--email", "c@example.org", "--name", "C"],
                           input="passwort123\npasswort123\n")
    assert common.exit_code != 0
    assert db.session.scalar(select(User)) is None
