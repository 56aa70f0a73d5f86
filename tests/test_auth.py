"""Accounts as a citizen meets them: register, confirm, log in and out, forget the password."""
import html
import re

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from ideas.extensions import db
from ideas.mail import outbox
from ideas.models import AgeGroup, IdeaStatus, Role, User
from ideas.passwords import hash_password, verify_password
from tests.conftest import make_idea, make_process, make_user

PASSWORD = "ein Satz, den ich mir merke"
UNICODE_PASSPHRASE = ("Grüße aus Köln! Straße, Größe, Übermut – ½ € 🚲 日本 ") * 3
UNICODE_PASSPHRASE = UNICODE_PASSPHRASE[:100]


# Assert on the English texts, whatever catalog has been compiled meanwhile.
pytestmark = pytest.mark.usefixtures("english")


def english_client(app):
    other = app.test_client()
    other.set_cookie("lang", "en")
    return other


def register(client, email="Anna.Muster@Example.org", password=PASSWORD, **extra):
    data = {"email": email, "display_name": "Anna Muster", "password": password, "password2": password,
            "age_group": "30_44", "district": "Altstadt", "accept_terms": "y", **extra}
    return client.post("/register", data=data)


def login(client, email, password, next_=""):
    return client.post("/login", data={"email": email, "password": password, "next": next_})


def person(email="anna@example.org", password=PASSWORD, **kwargs) -> User:
    """Someone with a real password (the login tests must check it for real)."""
    return make_user(email=email, password_hash=hash_password(password), locale="en", **kwargs)


def users_with_email(email: str) -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(func.lower(User.email) == email.lower()))


def logged_in(client) -> bool:
    with client.session_transaction() as session:
        return "_user_id" in session


def flashes_after(client, response) -> list[str]:
    """Follow a redirect and return the messages shown on the next page."""
    assert response.status_code == 302, response.status_code
    page = client.get(response.headers["Location"])
    return [html.unescape(m) for m in re.findall(r'<p class="flash flash-\w+" role="\w+">(.*?)</p>', page.text)]


def link_in(mail, path: str) -> str:
    match = re.search(rf"https?://[^/\s]+({re.escape(path)}\S+)", mail.get_content())
    assert match, mail.get_content()
    return match.group(1)


# Registration

def test_registering_stores_the_person_with_consent_and_a_lower_case_address(client, app):
    response = register(client, email="  Anna.Muster@Example.ORG ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"

    user = db.session.scalar(select(User))
    assert user.email == "anna.muster@example.org"
    assert user.display_name == "Anna Muster"
    assert user.age_group == AgeGroup.age_30_44 and user.district == "Altstadt"
    assert user.role == Role.citizen and not user.is_verified
    assert user.terms_version == app.config["TERMS_VERSION"]
    assert user.privacy_version == app.config["PRIVACY_VERSION"]
    assert user.terms_accepted_at is not None and user.privacy_accepted_at is not None
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_registering_needs_the_consent(client):
    response = register(client, accept_terms="")
    assert response.status_code == 422
    assert "Please accept the terms of use to register." in html.unescape(response.text)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_an_address_registers_only_once_whatever_its_case(client, app):
    assert register(client, email="anna@example.org").status_code == 302
    again = register(english_client(app), email="ANNA@Example.Org")
    assert again.status_code == 422
    assert "An account with this e-mail address exists already." in again.text
    assert users_with_email("anna@example.org") == 1


@pytest.mark.parametrize("password", ["kurz12!", "1234567", ""])
def test_a_password_under_eight_characters_is_refused(client, password):
    response = register(client, password=password)
    assert response.status_code == 422
    assert ("The password must be between 8 and 256 characters long." in response.text
            or "Please enter a password." in response.text)
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_a_long_unicode_passphrase_works_for_registering_and_logging_in(client, app):
    assert len(UNICODE_PASSPHRASE) == 100
    assert register(client, email="lang@example.org", password=UNICODE_PASSPHRASE).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "lang@example.org"))
    assert verify_password(user.password_hash, UNICODE_PASSPHRASE)

    browser = english_client(app)
    response = login(browser, "lang@example.org", UNICODE_PASSPHRASE)
    assert response.status_code == 302
    assert browser.get("/account").status_code == 200


# Confirming the e-mail address

def test_the_confirmation_mail_is_sent_and_its_link_confirms_the_address(client):
    register(client, email="bert@example.org")
    [mail] = outbox()
    assert mail["To"] == "bert@example.org"
    assert mail["Subject"] == "Please confirm your e-mail address"
    link = link_in(mail, "/verify/")

    response = client.get(link)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    user = db.session.scalar(select(User).where(User.email == "bert@example.org"))
    assert user.email_verified_at is not None
    # The link works from a browser that is not logged in, too (the mail may be read elsewhere).
    assert english_client(client.application).get(link).status_code == 302


@pytest.mark.parametrize("token", ["nonsense", "eyJpZCI6MX0.abc.def", "x" * 300])
def test_an_invalid_confirmation_link_is_refused_with_a_message(client, token):
    user = make_user(verified=False)
    response = client.get(f"/verify/{token}")
    assert response.headers["Location"] == "/login"
    assert "This link is invalid or has expired. Log in and request a new one." in flashes_after(client, response)
    assert db.session.get(User, user.id).email_verified_at is None


# Logging in and out

@pytest.mark.parametrize("email, password", [
    ("anna@example.org", "das falsche Passwort"),
    ("niemand@example.org", PASSWORD),
])
def test_a_wrong_password_or_address_gives_422_and_no_session(client, email, password):
    person("anna@example.org")
    response = login(client, email, password)
    assert response.status_code == 422
    assert "E-mail address or password is not correct." in response.text
    assert not logged_in(client)
    assert client.get("/account").headers["Location"].startswith("/login")


@pytest.mark.parametrize("next_, target", [
    ("/account", "/account"),
    ("/ideas?sort=supported", "/ideas?sort=supported"),
    ("", "/"),
    ("https://evil.example", "/"),
    ("//evil.example", "/"),
    ("  //evil.example/path", "/"),
    ("/\\evil.example", "/"),
    ("/\t/evil.example", "/"),
    ("javascript:alert(1)", "/"),
    ("http:evil.example", "/"),
])
def test_login_goes_back_only_to_a_page_of_this_site(client, next_, target):
    person("anna@example.org")
    response = login(client, "ANNA@example.org", PASSWORD, next_)
    assert response.status_code == 302
    assert response.headers["Location"] == target
    assert logged_in(client)
    assert client.get("/account").status_code == 200


@pytest.mark.parametrize("next_", ["/account\r\nSet-Cookie: evil=1", "/account\nX-Injected: 1"])
def test_a_line_break_in_next_neither_breaks_the_login_nor_reaches_a_header(client, next_):
    person("anna@example.org")
    response = login(client, "anna@example.org", PASSWORD, next_)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "evil" not in str(client.get_cookie("evil"))
    assert logged_in(client)


def test_the_login_form_carries_the_next_page(client):
    page = client.get("/login?next=/account")
    assert re.search(r'<input[^>]* name="next"[^>]* value="/account"', page.text)


def test_logout_is_post_only(client, auth):
    auth.login_as("citizen")
    assert client.get("/logout").status_code == 405
    assert logged_in(client)


def test_after_logout_the_copied_cookie_no_longer_works(client):
    person("anna@example.org")
    login(client, "anna@example.org", PASSWORD)
    assert client.get("/account").status_code == 200
    stolen = client.get_cookie("session").value

    response = client.post("/logout")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert not logged_in(client)

    client.set_cookie("session", stolen)
    replay = client.get("/account")
    assert replay.status_code == 302
    assert replay.headers["Location"].startswith("/login")


def test_after_logout_a_copied_remember_me_cookie_no_longer_works(client, app):
    person("anna@example.org")
    client.post("/login", data={"email": "anna@example.org", "password": PASSWORD, "remember": "y"})
    remembered = client.get_cookie("remember_token")
    assert remembered is not None
    stolen = remembered.value
    fresh = english_client(app)
    fresh.set_cookie("remember_token", stolen)
    assert fresh.get("/account").status_code == 200, "the cookie alone logs in, as it should"

    client.post("/logout")
    thief = english_client(app)
    thief.set_cookie("remember_token", stolen)
    assert thief.get("/account").headers["Location"].startswith("/login")


# Forgotten password

def ask_for_reset(client, email) -> str:
    response = client.post("/reset", data={"email": email})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    return link_in(outbox()[-1], "/reset/")


def test_a_reset_link_sets_the_password_ends_other_sessions_and_tells_the_person(client, app):
    user = person("anna@example.org", password="das alte Passwort")
    elsewhere = english_client(app)
    login(elsewhere, "anna@example.org", "das alte Passwort")
    assert elsewhere.get("/account").status_code == 200

    link = ask_for_reset(client, "Anna@Example.org")
    [reset_mail] = outbox()
    assert reset_mail["To"] == "anna@example.org"
    assert client.get(link).status_code == 200

    response = client.post(link, data={"password": "das neue Passwort", "password2": "das neue Passwort"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    stored = db.session.get(User, user.id)
    assert verify_password(stored.password_hash, "das neue Passwort")
    assert not verify_password(stored.password_hash, "das alte Passwort")

    assert elsewhere.get("/account").headers["Location"].startswith("/login")
    changed = outbox()[-1]
    assert len(outbox()) == 2
    assert changed["To"] == "anna@example.org"
    assert changed["Subject"] == "Your password has been changed"

    fresh = english_client(app)
    assert login(fresh, "anna@example.org", "das alte Passwort").status_code == 422
    assert login(fresh, "anna@example.org", "das neue Passwort").status_code == 302


def test_a_reset_link_works_only_once(client):
    user = person("anna@example.org")
    link = ask_for_reset(client, "anna@example.org")
    client.post(link, data={"password": "das erste neue", "password2": "das erste neue"})
    hash_after_first_use = db.session.get(User, user.id).password_hash

    again = client.post(link, data={"password": "das zweite neue", "password2": "das zweite neue"})
    assert again.status_code == 302 and again.headers["Location"] == "/reset"
    assert "This link is invalid or has expired. Please request a new one." in flashes_after(client, again)
    assert db.session.get(User, user.id).password_hash == hash_after_first_use
    assert client.get(link).headers["Location"] == "/reset"


def test_a_reset_for_an_unknown_address_answers_exactly_like_for_a_known_one(client, app):
    person("anna@example.org")
    known = flashes_after(client, client.post("/reset", data={"email": "anna@example.org"}))
    other = english_client(app)
    unknown = flashes_after(other, other.post("/reset", data={"email": "niemand@example.org"}))
    assert known == unknown
    assert known == ["If an account exists for this address, we have sent a link to it. "
                     "The link is valid for one hour."]
    assert [m["To"] for m in outbox()] == ["anna@example.org"]


def test_mails_are_written_wholly_in_the_recipients_language(client, app):
    """A German account gets a German mail, even when the reset was asked for on the English site."""
    user = make_user(email="de@example.org", locale="de")
    client.post("/reset", data={"email": "de@example.org"})
    [mail] = outbox()
    with app.test_request_context(), force_locale("de"):
        subject = gettext("Set a new password")
        greeting = gettext("Hello %(name)s,", name=user.display_name)
    assert greeting in mail.get_content()
    assert mail["Subject"] == subject


# The account page

def test_the_account_page_lists_my_ideas_with_their_status(client, auth):
    me = auth.login_as("citizen")
    pre = make_process(mode="pre")
    post = make_process()
    make_idea(post, me, title="Meine veröffentlichte Idee")
    make_idea(pre, me, status=IdeaStatus.pending, title="Meine wartende Idee")
    make_idea(post, me, status=IdeaStatus.withdrawn, title="Meine zurückgezogene Idee")
    make_idea(post, make_user(), title="Die Idee von jemand anderem")

    page = client.get("/account")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", page.text, re.S):
        title = re.search(r'<a href="/ideas/\d+">(.*?)</a>', row)
        if title:
            rows[html.unescape(title.group(1))] = row
    assert set(rows) == {"Meine veröffentlichte Idee", "Meine wartende Idee", "Meine zurückgezogene Idee"}
    assert "Published" in rows["Meine veröffentlichte Idee"]
    assert "Waiting for review" in rows["Meine wartende Idee"]
    assert "Withdrawn" in rows["Meine zurückgezogene Idee"]


# Password rules (A1, A2)

@pytest.mark.parametrize("password", ["passwort123", "12345678", "qwertzuiop", "hallo123", "Passwort123",
                                      "QWERTZUIOP", "Sommer2024!", "fussball1", "iloveyou", "ichliebedich"])
def test_common_passwords_are_refused(client, password):
    response = register(client, password=password)
    assert response.status_code == 422
    assert "This password is one of the most common ones and easy to guess." in response.text
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


@pytest.mark.parametrize("password", ["anna.muster@example.org", "Anna.Muster", "Anna Muster 2024", "Musterstadt!",
                                      "ideenfenster"])
def test_the_own_address_name_site_or_town_is_refused_as_password(client, password):
    response = register(client, email="anna.muster@example.org", password=password)
    assert response.status_code == 422
    assert ("The password must not be your e-mail address, your name or the name of the site or town."
            in html.unescape(response.text))


def test_a_passphrase_with_common_words_in_it_is_fine(client):
    assert register(client, password="sommer ist schön in Musterstadt").status_code == 302


def test_the_common_list_is_shipped_and_large(app):
    from ideas.passwords import common_passwords

    words = common_passwords()
    assert len(words) > 5000
    assert {"passwort123", "12345678", "qwertzuiop", "hallo123", "password"} <= words


def test_staff_need_twelve_characters_when_setting_a_password(client, app):
    user = person("mod@example.org", role=Role.moderator, password="ein langer alter Satz")
    link = ask_for_reset(client, "mod@example.org")
    page = client.get(link)
    assert "At least 12 characters." in page.text
    short = client.post(link, data={"password": "elf Zeichen", "password2": "elf Zeichen"})
    assert short.status_code == 422
    assert "The password must have at least 12 characters." in short.text
    assert verify_password(db.session.get(User, user.id).password_hash, "ein langer alter Satz")
    assert client.post(link, data={"password": "zwölf Zeichen", "password2": "zwölf Zeichen"}).status_code == 302


# Hashing (A3)

@pytest.mark.parametrize("variant", ["weaker", "argon2i"])
def test_an_older_or_weaker_hash_is_upgraded_at_login(client, app, variant):
    from argon2 import PasswordHasher, Type

    weak = (PasswordHasher(time_cost=1, memory_cost=512, parallelism=1) if variant == "weaker"
            else PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.I))
    user = make_user(email="alt@example.org", password_hash=weak.hash(PASSWORD))
    old = user.password_hash
    assert login(client, "alt@example.org", PASSWORD).status_code == 302
    new = db.session.get(User, user.id).password_hash
    assert new != old
    assert new.startswith("$argon2id$") and f"m={app.config['ARGON2_MEMORY_COST']}," in new
    assert verify_password(new, PASSWORD)


def test_the_production_hash_costs_meet_the_owasp_minimum():
    from config import Config

    # OWASP: argon2id with at least 19 MiB and 2 iterations (or 47 MiB and 1).
    assert Config.ARGON2_MEMORY_COST >= 19 * 1024 and Config.ARGON2_TIME_COST >= 2


# Cookies (S1)

def test_cookies_are_secure_httponly_and_lax_in_production(app):
    from ideas import create_app

    prod = create_app({"SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                       "RATELIMIT_STORAGE_URI": "memory://", "WTF_CSRF_ENABLED": False}, config_name="production")
    with prod.app_context():
        person("anna@example.org")
    browser = prod.test_client()
    response = browser.post("/login", data={"email": "anna@example.org", "password": PASSWORD, "remember": "y"},
                            base_url="https://localhost")
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    assert response.status_code == 302, response.text[:500]
    for name in ("session", "remember_token"):
        flags = cookies[name]
        assert "Secure" in flags and "HttpOnly" in flags and "SameSite=Lax" in flags, flags


# Changing the password (S4, S6)

def test_changing_the_password_needs_the_current_one(client, app):
    user = person("anna@example.org")
    login(client, "anna@example.org", PASSWORD)
    response = client.post("/account/password", data={"current_password": "geraten",
                                                      "password": "ein ganz neuer Satz", "password2": "ein ganz neuer Satz"})
    assert response.status_code == 422
    assert "This is not your current password." in response.text
    assert verify_password(db.session.get(User, user.id).password_hash, PASSWORD)
    missing = client.post("/account/password", data={"password": "ein ganz neuer Satz",
                                                     "password2": "ein ganz neuer Satz"})
    assert missing.status_code == 422
    assert verify_password(db.session.get(User, user.id).password_hash, PASSWORD)


def test_changing_the_password_logs_out_the_other_browsers_and_tells_the_person(client, app):
    user = person("anna@example.org")
    other = english_client(app)
    login(other, "anna@example.org", PASSWORD)
    login(client, "anna@example.org", PASSWORD)
    response = client.post("/account/password", data={"current_password": PASSWORD,
                                                      "password": "ein ganz neuer Satz", "password2": "ein ganz neuer Satz"})
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert verify_password(db.session.get(User, user.id).password_hash, "ein ganz neuer Satz")
    assert client.get("/account").status_code == 200, "this browser stays logged in"
    assert other.get("/account").headers["Location"].startswith("/login")
    assert outbox()[-1]["Subject"] == "Your password has been changed"


def test_guessing_the_current_password_is_throttled(client, app):
    user = person("anna@example.org")
    login(client, "anna@example.org", PASSWORD)
    for _ in range(5):
        client.post("/account/password", data={"current_password": "geraten", "password": "ein ganz neuer Satz",
                                                "password2": "ein ganz neuer Satz"})
    response = client.post("/account/password", data={"current_password": PASSWORD, "password": "ein ganz neuer Satz",
                                                      "password2": "ein ganz neuer Satz"})
    assert response.status_code == 422
    assert "Too many failed attempts." in response.text
    assert verify_password(db.session.get(User, user.id).password_hash, PASSWORD)


def test_the_new_password_follows_the_rules(client):
    person("anna@example.org")
    login(client, "anna@example.org", PASSWORD)
    response = client.post("/account/password", data={"current_password": PASSWORD,
                                                      "password": "passwort123", "password2": "passwort123"})
    assert response.status_code == 422
    assert "one of the most common ones" in response.text


# Changing the e-mail address (S6)

def test_changing_the_address_needs_the_current_password(client):
    user = person("anna@example.org")
    login(client, "anna@example.org", PASSWORD)
    response = client.post("/account/email", data={"email": "neu@example.org", "current_password": "geraten"})
    assert response.status_code == 422
    assert "This is not your current password." in response.text
    assert outbox() == []
    assert db.session.get(User, user.id).email == "anna@example.org"


def test_a_new_address_counts_only_after_its_link_and_the_old_one_is_told(client, app):
    user = person("anna@example.org")
    login(client, "anna@example.org", PASSWORD)
    response = client.post("/account/email", data={"email": "Neu@Example.org", "current_password": PASSWORD})
    assert response.status_code == 302
    [mail] = outbox()
    assert mail["To"] == "neu@example.org"
    assert mail["Subject"] == "Please confirm your new e-mail address"
    assert db.session.get(User, user.id).email == "anna@example.org", "not before the link is clicked"

    link = link_in(mail, "/account/email/")
    confirmed = english_client(app).get(link)
    assert confirmed.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "neu@example.org"
    notice = outbox()[-1]
    assert notice["To"] == "anna@example.org"
    assert notice["Subject"] == "Your e-mail address has been changed"
    assert "neu@example.org" in notice.get_content()

    again = english_client(app)
    assert "This link is invalid or has expired." in " ".join(flashes_after(again, again.get(link)))


def test_an_address_in_use_by_someone_else_cannot_be_taken(client, app):
    person("anna@example.org")
    person("bert@example.org")
    login(client, "anna@example.org", PASSWORD)
    response = client.post("/account/email", data={"email": "BERT@example.org", "current_password": PASSWORD})
    assert response.status_code == 422
    assert "Another account uses this e-mail address." in response.text
    assert outbox() == []


def test_a_link_for_an_address_taken_meanwhile_changes_nothing(client, app):
    user = person("anna@example.org")
    login(client, "anna@example.org", PASSWORD)
    client.post("/account/email", data={"email": "neu@example.org", "current_password": PASSWORD})
    link = link_in(outbox()[0], "/account/email/")
    person("neu@example.org")
    client.get(link)
    assert db.session.get(User, user.id).email == "anna@example.org"


@pytest.mark.parametrize("token", ["nonsense", "x" * 300])
def test_a_forged_address_link_is_refused(client, token):
    response = client.get(f"/account/email/{token}")
    assert response.status_code == 302
    assert "This link is invalid or has expired." in " ".join(flashes_after(client, response))


def test_the_account_page_links_to_the_security_pages(client, auth):
    auth.login_as("citizen")
    page = client.get("/account").text
    assert 'href="/account/password"' in page and 'href="/account/email"' in page
    assert 'href="/account/two-factor"' not in page
    auth.login_as("moderator")
    assert 'href="/account/two-factor"' in client.get("/account").text
