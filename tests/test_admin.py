"""Administration as an administrator meets it: find accounts, change roles, block, require two-factor login."""
import json
import re

import pytest
from sqlalchemy import select

from ideas import create_app
from ideas.extensions import db
from ideas.models import Role, User
from ideas.models.user import SiteSetting
from ideas.passwords import hash_password
from tests.conftest import make_user
from tests.test_queries import count_queries

pytestmark = pytest.mark.usefixtures("english")
PASSWORD = "ein langer Satz für das Team"


def _admin_rules():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, config_name="testing")
    return sorted((rule.rule, sorted(rule.methods - {"HEAD", "OPTIONS"}))
                  for rule in app.url_map.iter_rules() if rule.rule.startswith("/admin"))


ADMIN_RULES = _admin_rules()


def stored(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def logged_in_elsewhere(app, user):
    other = app.test_client()
    other.set_cookie("lang", "en")
    other.post("/login", data={"email": user.email, "password": PASSWORD})
    assert other.get("/account").status_code == 200
    return other


def security_lines(caplog, event):
    return [json.loads(r.getMessage()) for r in caplog.records
            if r.name == "ideenfenster.security" and f'"event": "{event}"' in r.getMessage()]


# Who may enter

def test_the_area_has_the_pages_it_should():
    assert {rule for rule, _m in ADMIN_RULES} >= {"/admin/", "/admin/users", "/admin/users/<int:user_id>",
                                                  "/admin/users/<int:user_id>/role", "/admin/settings"}


@pytest.mark.parametrize("rule,methods", ADMIN_RULES)
@pytest.mark.parametrize("role", [None, "citizen", "moderator", "team"])
def test_only_administrators_enter(client, auth, rule, methods, role):
    target = make_user()
    if role:
        auth.login_as(role)
    for method in methods:
        response = client.open(rule.replace("<int:user_id>", str(target.id)), method=method,
                               data={"role": "admin", "require_two_factor": "y"})
        if role is None:
            assert response.status_code == 302 and "/login" in response.headers["Location"], (method, rule)
        else:
            assert response.status_code == 403, (method, rule)
    assert stored(target).role == Role.citizen and stored(target).blocked_at is None
    assert db.session.get(SiteSetting, "require_staff_two_factor") is None


def test_administrators_see_the_link_and_nobody_else(client, auth):
    auth.login_as("team")
    assert 'href="/admin/users"' not in client.get("/").text
    auth.login_as("admin")
    page = client.get("/")
    assert 'href="/admin/users"' in page.text
    response = client.get("/admin/users")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


# The list of accounts

def test_accounts_are_found_by_name_or_address(client, auth):
    auth.login_as("admin", display_name="Zora Admin")
    make_user(display_name="Anna Muster", email="anna@example.org")
    make_user(display_name="Bert Beispiel", email="bert@muster.example")
    make_user(display_name="Carla Ohne", email="carla@example.org")
    page = client.get("/admin/users?q=MUSTER")
    names = re.findall(r'<a href="/admin/users/\d+">(.*?)</a>', page.text)
    assert names == ["Anna Muster", "Bert Beispiel"]
    assert "2 accounts found." in page.text


@pytest.mark.parametrize("q", ["%", "_", "\\", "' OR 1=1--"])
def test_search_wildcards_are_plain_characters(client, auth, q):
    auth.login_as("admin")
    make_user(display_name="Anna Muster")
    page = client.get("/admin/users", query_string={"q": q})
    assert page.status_code == 200
    assert "0 accounts found." in page.text


def test_the_list_can_show_only_staff(client, auth):
    auth.login_as("admin", display_name="Admin")
    make_user(display_name="Bürgerin")
    make_user(role="moderator", display_name="Moderatorin")
    names = re.findall(r'<a href="/admin/users/\d+">(.*?)</a>', client.get("/admin/users?role=staff").text)
    assert names == ["Admin", "Moderatorin"]


def test_the_list_is_paginated_and_its_queries_do_not_grow(client, auth):
    auth.login_as("admin", display_name="AAA Admin")
    for i in range(5):
        make_user(display_name=f"Person {i:03d}")
    with count_queries() as small:
        assert client.get("/admin/users").status_code == 200
    for i in range(5, 60):
        make_user(display_name=f"Person {i:03d}")
    with count_queries() as large:
        page = client.get("/admin/users")
    assert len(small) == len(large) <= 5
    assert len(re.findall(r'<a href="/admin/users/\d+">', page.text)) == 50
    assert 'rel="next"' in page.text
    second = client.get("/admin/users?page=2")
    assert len(re.findall(r'<a href="/admin/users/\d+">', second.text)) == 11
    assert client.get("/admin/users?page=99999999999").status_code == 200


# Roles

def test_changing_a_role_is_logged_and_ends_the_persons_sessions(client, auth, app, caplog):
    admin = auth.login_as("admin")
    person = make_user(password_hash=hash_password(PASSWORD))
    elsewhere = logged_in_elsewhere(app, person)
    with caplog.at_level("INFO", logger="ideenfenster.security"):
        response = client.post(f"/admin/users/{person.id}/role", data={"role": "moderator"})
    assert response.status_code == 302
    assert stored(person).role == Role.moderator
    assert elsewhere.get("/account").status_code == 302
    [line] = security_lines(caplog, "role_changed")
    assert line["user"] == admin.id and line["account"] == person.id
    assert line["old_role"] == "citizen" and line["new_role"] == "moderator"
    assert "Person" in client.get(response.headers["Location"]).text


@pytest.mark.parametrize("role", ["superuser", "", "ADMIN"])
def test_an_unknown_role_is_refused(client, auth, role):
    auth.login_as("admin")
    person = make_user()
    response = client.post(f"/admin/users/{person.id}/role", data={"role": role})
    assert response.status_code == 302
    assert stored(person).role == Role.citizen


def test_the_last_administrator_cannot_step_down(client, auth):
    admin = auth.login_as("admin")
    response = client.post(f"/admin/users/{admin.id}/role", data={"role": "citizen"})
    page = client.get(response.headers["Location"])
    assert "This is the last administrator." in page.text
    assert stored(admin).role == Role.admin


def test_an_administrator_can_step_down_when_another_one_remains(client, auth):
    admin = auth.login_as("admin")
    make_user(role="admin")
    response = client.post(f"/admin/users/{admin.id}/role", data={"role": "team"})
    assert response.headers["Location"] == "/account"
    assert stored(admin).role == Role.team
    assert client.get("/account").status_code == 200, "still logged in, with the new role"
    assert client.get("/admin/users").status_code == 403


def test_a_blocked_administrator_does_not_count_as_the_other_one(client, auth):
    from ideas.models import utcnow

    admin = auth.login_as("admin")
    make_user(role="admin", blocked_at=utcnow())
    client.post(f"/admin/users/{admin.id}/role", data={"role": "citizen"})
    assert stored(admin).role == Role.admin


def test_unknown_accounts_are_404(client, auth):
    auth.login_as("admin")
    for url in ["/admin/users/999", "/admin/users/99999999999"]:
        assert client.get(url).status_code == 404
    assert client.post("/admin/users/999/role", data={"role": "admin"}).status_code == 404
    assert client.post("/admin/users/999/block").status_code == 404


# Blocking

def test_blocking_ends_every_session_and_stops_the_login(client, auth, app, caplog):
    auth.login_as("admin")
    person = make_user(password_hash=hash_password(PASSWORD))
    elsewhere = logged_in_elsewhere(app, person)
    with caplog.at_level("INFO", logger="ideenfenster.security"):
        client.post(f"/admin/users/{person.id}/block")
    assert stored(person).blocked_at is not None
    assert elsewhere.get("/account").status_code == 302
    assert elsewhere.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 422
    assert len(security_lines(caplog, "account_blocked")) == 1

    client.post(f"/admin/users/{person.id}/unblock")
    assert stored(person).blocked_at is None
    assert elsewhere.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302


def test_administrators_cannot_block_themselves(client, auth):
    admin = auth.login_as("admin")
    make_user(role="admin")
    client.post(f"/admin/users/{admin.id}/block")
    assert stored(admin).blocked_at is None
    assert client.get("/admin/users").status_code == 200


def test_block_and_role_buttons_name_the_person(client, auth):
    auth.login_as("admin")
    person = make_user(display_name="Anna Muster")
    page = client.get(f"/admin/users/{person.id}").text
    assert re.search(r'Block<span class="visually-hidden"> Anna Muster</span>', page)
    assert re.search(r'Change role<span class="visually-hidden"> Anna Muster</span>', page)
    assert 'action="/admin/users/%d/block" method="post"' % person.id in page


# Settings

def test_requiring_two_factor_login_is_stored_and_logs_out_staff_without_it(client, auth, app):
    auth.login_as("admin")
    moderator = make_user(role="moderator", password_hash=hash_password(PASSWORD))
    citizen = make_user(password_hash=hash_password(PASSWORD))
    moderator_browser = logged_in_elsewhere(app, moderator)
    citizen_browser = logged_in_elsewhere(app, citizen)

    response = client.post("/admin/settings", data={"require_two_factor": "y"})
    assert response.headers["Location"] == "/admin/settings"
    assert db.session.get(SiteSetting, "require_staff_two_factor").value == "1"
    assert moderator_browser.get("/account").status_code == 302
    assert citizen_browser.get("/account").status_code == 200
    # The administrator without two-factor login is sent to set it up, too.
    assert client.get("/admin/users").headers["Location"] == "/account/two-factor"


def test_the_setting_can_be_switched_off_again(client, auth):
    auth.login_as("admin")
    db.session.add(SiteSetting(key="require_staff_two_factor", value="1"))
    db.session.commit()
    page = client.get("/admin/settings")
    assert re.search(r'<input[^>]*checked[^>]*id="require_two_factor"|<input[^>]*id="require_two_factor"[^>]*checked',
                     page.text)
    client.post("/admin/settings", data={})
    assert db.session.get(SiteSetting, "require_staff_two_factor").value == "0"


# A6: no default accounts; the first administrator comes from the command line

def test_the_first_administrator_comes_from_the_command_line(client, runner):
    assert db.session.scalar(select(User)) is None
    result = runner.invoke(args=["users", "create", "--email", "chefin@example.org", "--name", "Chefin",
                                 "--role", "admin"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    response = client.post("/login", data={"email": "chefin@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/admin/users").status_code == 200
