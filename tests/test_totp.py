"""Two-factor login for staff: set it up, log in with a code or a recovery code, and admins can require it."""
import re
import time

import pyotp
import pytest

from ideas import totp
from ideas.extensions import db
from ideas.models import User
from ideas.models.user import SiteSetting
from ideas.passwords import hash_password
from tests.conftest import make_user

PASSWORD = "ein langer Satz für das Team"

pytestmark = pytest.mark.usefixtures("english")


def staff(role="moderator", **kwargs) -> User:
    return make_user(role=role, password_hash=hash_password(PASSWORD), locale="en", **kwargs)


def code(secret: str, steps_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + steps_ahead * totp.STEP)


def grouped(secret: str) -> str:
    return " ".join(re.findall(".{1,4}", secret))


def stored(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def login(client, email, password=PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def set_up(client, auth, user) -> tuple[str, list[str]]:
    """Turn two-factor login on through the pages; returns the secret and the recovery codes."""
    auth.login_as(user)
    assert client.post("/account/two-factor/start").status_code == 302
    secret = stored(user).totp_secret
    page = client.get("/account/two-factor")
    assert grouped(secret) in page.text
    response = client.post("/account/two-factor/confirm", data={"code": code(secret)})
    assert response.headers["Location"] == "/account/two-factor/recovery-codes"
    shown = client.get(response.headers["Location"])
    codes = re.findall(r"<code>([a-z0-9-]+)</code>", shown.text)
    auth.logout()
    return secret, codes


def test_setting_up_shows_a_qr_code_and_the_key_and_needs_a_right_code(client, auth):
    user = staff()
    auth.login_as(user)
    assert "Set up two-factor login" in client.get("/account/two-factor").text
    client.post("/account/two-factor/start")
    secret = stored(user).totp_secret
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    page = client.get("/account/two-factor")
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="qr-code"' in page.text
    assert 'role="img" aria-label="QR code for your authenticator app"' in page.text
    assert grouped(secret) in page.text

    wrong = client.post("/account/two-factor/confirm", data={"code": "000000" if code(secret) != "000000" else "111111"})
    assert wrong.status_code == 422
    assert "This code is not right." in wrong.text
    assert not stored(user).has_two_factor

    assert client.post("/account/two-factor/confirm", data={"code": code(secret)}).status_code == 302
    assert stored(user).has_two_factor


def test_recovery_codes_are_shown_once_and_stored_only_as_hashes(client, auth):
    user = staff()
    secret, codes = set_up(client, auth, user)
    assert len(codes) == totp.RECOVERY_CODES and len(set(codes)) == len(codes)
    kept = stored(user).totp_recovery
    assert len(kept) == len(codes)
    assert not set(codes) & set(kept)
    auth.login_as(user)
    assert client.get("/account/two-factor/recovery-codes").headers["Location"] == "/account/two-factor"


def test_the_login_asks_for_the_code_after_the_password(client, auth, app):
    user = staff()
    secret, _codes = set_up(client, auth, user)
    response = login(client, user.email, next="/moderation/")
    assert response.headers["Location"] == "/login/code"
    assert client.get("/moderation/").headers["Location"].startswith("/login"), "not logged in yet"

    wrong = client.post("/login/code", data={"code": "12345"})
    assert wrong.status_code == 422
    done = client.post("/login/code", data={"code": code(secret, 1)})
    assert done.headers["Location"] == "/moderation/"
    assert client.get("/moderation/").status_code == 200


def test_a_code_works_only_once(client, auth, app):
    user = staff()
    secret, _codes = set_up(client, auth, user)
    used = code(secret, 1)
    login(client, user.email)
    assert client.post("/login/code", data={"code": used}).status_code == 302

    other = app.test_client()
    other.set_cookie("lang", "en")
    login(other, user.email)
    replay = other.post("/login/code", data={"code": used})
    assert replay.status_code == 422
    assert other.get("/account").status_code == 302


def test_a_recovery_code_logs_in_once(client, auth, app):
    user = staff()
    _secret, codes = set_up(client, auth, user)
    login(client, user.email)
    assert client.post("/login/code", data={"code": codes[0].upper()}).status_code == 302
    assert len(stored(user).totp_recovery) == len(codes) - 1

    other = app.test_client()
    login(other, user.email)
    assert other.post("/login/code", data={"code": codes[0]}).status_code == 422


def test_the_code_step_cannot_be_reached_without_the_password(client, auth):
    user = staff()
    secret, _codes = set_up(client, auth, user)
    response = client.post("/login/code", data={"code": code(secret, 1)})
    assert response.headers["Location"] == "/login"
    assert client.get("/account").status_code == 302


def test_a_half_done_login_expires(client, auth):
    user = staff()
    secret, _codes = set_up(client, auth, user)
    login(client, user.email)
    with client.session_transaction() as s:
        pending = dict(s["_pending"])
        pending["at"] -= 600
        s["_pending"] = pending
    assert client.post("/login/code", data={"code": code(secret, 1)}).headers["Location"] == "/login"


def test_wrong_codes_are_throttled(client, auth, app):
    user = staff()
    secret, _codes = set_up(client, auth, user)
    login(client, user.email)
    right = code(secret, 1)
    for _ in range(5):
        assert client.post("/login/code", data={"code": "000000" if right != "000000" else "999999"}).status_code == 422
    response = client.post("/login/code", data={"code": right})
    assert response.status_code == 429
    assert "Too many failed attempts." in response.text
    assert client.get("/account").status_code == 302


def test_turning_it_off_needs_the_password(client, auth):
    user = staff()
    set_up(client, auth, user)
    auth.login_as(stored(user))
    refused = client.post("/account/two-factor/off", data={"current_password": "falsch"})
    assert refused.status_code == 422
    assert "This is not your current password." in refused.text
    assert stored(user).has_two_factor
    assert client.post("/account/two-factor/off", data={"current_password": PASSWORD}).status_code == 302
    assert not stored(user).has_two_factor


def test_new_recovery_codes_replace_the_old_ones(client, auth):
    user = staff()
    _secret, codes = set_up(client, auth, user)
    auth.login_as(stored(user))
    response = client.post("/account/two-factor/recovery-codes", data={"current_password": PASSWORD})
    assert response.headers["Location"] == "/account/two-factor/recovery-codes"
    new = re.findall(r"<code>([a-z0-9-]+)</code>", client.get(response.headers["Location"]).text)
    assert len(new) == totp.RECOVERY_CODES and not set(new) & set(codes)


def test_citizens_have_no_two_factor_pages(client, auth):
    auth.login_as("citizen")
    assert client.get("/account/two-factor").status_code == 403
    assert client.post("/account/two-factor/start").status_code == 403


def require_for_staff():
    db.session.add(SiteSetting(key="require_staff_two_factor", value="1"))
    db.session.commit()


def test_when_required_staff_without_it_must_set_it_up_first(client):
    require_for_staff()
    user = staff(role="team")
    response = login(client, user.email)
    assert response.headers["Location"] == "/account/two-factor"
    assert client.get("/moderation/").headers["Location"] == "/account/two-factor"
    client.post("/account/two-factor/start")
    secret = stored(user).totp_secret
    client.post("/account/two-factor/confirm", data={"code": code(secret)})
    assert client.get("/moderation/").status_code == 200


def test_when_required_it_cannot_be_turned_off(client, auth):
    user = staff()
    set_up(client, auth, user)
    require_for_staff()
    auth.login_as(stored(user))
    client.post("/account/two-factor/off", data={"current_password": PASSWORD})
    assert stored(user).has_two_factor


def test_citizens_are_not_asked_for_it_when_it_is_required(client):
    require_for_staff()
    citizen = make_user(password_hash=hash_password(PASSWORD))
    assert login(client, citizen.email).headers["Location"] == "/"


def test_turning_it_on_ends_the_other_sessions(client, auth, app):
    user = staff()
    elsewhere = app.test_client()
    login(elsewhere, user.email)
    assert elsewhere.get("/account").status_code == 200
    set_up(client, auth, user)
    assert elsewhere.get("/account").status_code == 302
