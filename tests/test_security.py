"""What a public platform must withstand: script injection, forged requests, odd input, snooping."""
import html
import re
from html.parser import HTMLParser

import pytest
from flask import g
from sqlalchemy import select

from ideas.extensions import db
from ideas.models import Comment, Idea, IdeaStatus, ModerationEvent, Report, Role, User, Vote
from ideas.sanitize import clean_text
from tests.conftest import Auth, count, make_idea, make_process, make_user
from tests.test_sanitize import PAYLOADS, dangerous_markup

S = IdeaStatus
SCRIPT = "<script>alert(1)</script>"


# Assert on the English texts, whatever catalog has been compiled meanwhile.
pytestmark = pytest.mark.usefixtures("english")


def idea_data(process, **overrides) -> dict:
    return {
        "title": "Sitzbänke mit Steckdosen am Markt",
        "body": "Am Marktplatz sollten Bänke stehen, an denen man das Handy laden kann.",
        "action_field": str(process.action_fields[0].id), "submit": "1", **overrides,
    }


def titles_in(text: str) -> list[str]:
    return [html.unescape(t) for t in
            re.findall(r'id="idea-title-\d+"[^>]*>\s*<a href="/ideas/\d+"[^>]*>(.*?)</a>', text)]


def logged_in_client(app, role_or_user="citizen"):
    browser = app.test_client()
    browser.set_cookie("lang", "en")
    user = Auth(browser).login_as(role_or_user)
    return browser, user


# X1, X2: script injection

@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_is_stored_harmless_and_shown_only_escaped(client, auth, payload):
    process = make_process()
    me = auth.login_as(make_user(display_name=payload[:60]))
    title = f"{payload} – Vorschlag"[:120]
    response = client.post("/ideas/new", data=idea_data(
        process, title=title, body=f"{payload}\n\nBitte prüfen und umsetzen.", district=payload[:80]))
    assert response.status_code == 302, response.status_code
    idea = db.session.scalar(select(Idea))
    assert idea.title == clean_text(title)
    assert dangerous_markup(idea.body_html) == []
    for needle in ("<script", "<iframe", "<style", "<form"):
        assert needle not in idea.body_html.lower()

    client.post(f"/ideas/{idea.id}/comments", data={"body": payload})
    [comment] = db.session.scalars(select(Comment)).all()
    assert comment.body == payload  # plain text, escaped when shown
    waiting = make_idea(make_process(mode="pre"), me, status=S.pending,
                        title=f"Wartend {payload}", body=f"{payload} und noch etwas Text")
    checked = dict(idea_data(process, title=title, body=payload, check="1"))
    del checked["submit"]

    pages = {
        "idea": client.get(f"/ideas/{idea.id}"),
        "feed": client.get("/ideas"),
        "home": client.get("/"),
        "search": client.get("/ideas", query_string={"q": payload}),
        "search fragment": client.get("/ideas", query_string={"q": payload},
                                      headers={"HX-Request": "true", "HX-Target": "feed-results"}),
        "similar": client.get("/ideas/similar", query_string={"title": payload}),
        "account": client.get("/account"),
        "report idea": client.get(f"/ideas/{idea.id}/report"),
        "report comment": client.get(f"/comments/{comment.id}/report"),
        "edit": client.get(f"/ideas/{waiting.id}/edit"),
        "check similar": client.post("/ideas/new", data=checked),
        "invalid form": client.post("/ideas/new", data=idea_data(process, title=payload, body=payload)),
        "invalid comment": client.post(f"/ideas/{idea.id}/comments", data={"body": payload * 100}),
    }
    for name, page in pages.items():
        assert page.status_code < 500, name
        assert SCRIPT not in page.text, name
        if "<" in payload:
            assert payload not in page.text, name
    if payload == "{{7*7}}":
        assert "{{7*7}} – Vorschlag" in pages["idea"].text
        assert "49 – Vorschlag" not in pages["idea"].text


class _Containers(HTMLParser):
    """Collects the attributes of elements that hold text written by people."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if {"user-content", "comment-body"} & set(classes):
            self.found.append((tag, attributes))


def test_containers_of_user_html_carry_hx_disable(client, auth):
    idea = make_idea(body='<div hx-get="/logout" hx-trigger="load">x</div> und **fett**')
    auth.login_as("citizen")
    client.post(f"/ideas/{idea.id}/comments", data={"body": '<b hx-post="/logout">x</b>'})
    parser = _Containers()
    parser.feed(client.get(f"/ideas/{idea.id}").text)
    classes = [set(attrs["class"].split()) for _tag, attrs in parser.found]
    assert any("user-content" in c for c in classes) and any("comment-body" in c for c in classes)
    for tag, attrs in parser.found:
        assert "hx-disable" in attrs, (tag, attrs)


# C1, C2: forged requests

@pytest.fixture
def csrf(app):
    app.config["WTF_CSRF_ENABLED"] = True


def page_of(browser, url: str = "/") -> str:
    """A page as this browser sees it, with a token from its own session."""
    # The tests share one app context, and Flask-WTF caches the last token in g.
    g.pop("csrf_token", None)
    return browser.get(url).text


def form_token(text: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text).group(1)


def header_token(text: str) -> str:
    return re.search(r"""hx-headers='\{"X-CSRFToken": "([^"]+)"\}'""", text).group(1)


@pytest.mark.parametrize("action", ["vote", "comment", "new idea", "logout", "language", "report", "withdraw"])
def test_a_post_without_a_token_is_refused_and_changes_nothing(client, auth, csrf, action):
    process = make_process()
    me = auth.login_as(make_user(locale="en"))
    idea = make_idea(process)
    own = make_idea(process, me, title="Meine eigene Idee")
    requests = {
        "vote": (f"/ideas/{idea.id}/vote", {"action": "add"}),
        "comment": (f"/ideas/{idea.id}/comments", {"body": "Ohne Token"}),
        "new idea": ("/ideas/new", idea_data(process)),
        "logout": ("/logout", {}),
        "language": ("/language", {"lang": "de"}),
        "report": (f"/ideas/{idea.id}/report", {"reason": "spam"}),
        "withdraw": (f"/ideas/{own.id}/withdraw", {}),
    }
    url, data = requests[action]
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert "The form had expired or was sent from elsewhere." in response.text
    assert count(Vote) == count(Comment) == count(Report) == 0
    assert count(Idea) == 2 and db.session.get(Idea, own.id).status == S.published
    assert client.get("/account").status_code == 200, "still logged in"
    assert db.session.get(User, me.id).locale == "en"
    assert client.get_cookie("lang").value == "en"


def test_every_post_route_needs_a_token(client, app, csrf):
    idea = make_idea()
    values = {"idea_id": idea.id, "comment_id": 1, "token": "x"}
    checked = 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(rf"<(?:[^:>]+:)?{name}>", str(values.get(name, 1)), url)
        assert client.post(url, data={"x": "1"}).status_code == 400, url
        checked += 1
    assert checked >= 10


def test_a_token_from_another_session_is_refused(client, auth, app, csrf):
    idea = make_idea()
    auth.login_as("citizen")
    own = form_token(page_of(client))
    stranger, _ = logged_in_client(app)
    foreign = form_token(page_of(stranger))
    assert foreign != own
    response = client.post(f"/ideas/{idea.id}/vote", data={"action": "add", "csrf_token": foreign})
    assert response.status_code == 400
    response = client.post(f"/ideas/{idea.id}/vote", data={"action": "add"}, headers={"X-CSRFToken": foreign})
    assert response.status_code == 400
    assert count(Vote) == 0


def test_a_valid_token_works_in_the_form_and_in_the_htmx_header(client, auth, csrf):
    process = make_process()
    first, second = make_idea(process), make_idea(process)
    auth.login_as("citizen")
    page = page_of(client, f"/ideas/{first.id}")
    assert form_token(page) == header_token(page)

    response = client.post(f"/ideas/{first.id}/vote", data={"action": "add", "csrf_token": form_token(page)})
    assert response.status_code == 302
    response = client.post(f"/ideas/{second.id}/vote", data={"action": "add"},
                           headers={"HX-Request": "true", "X-CSRFToken": header_token(page)})
    assert response.status_code == 200
    assert {v.idea_id for v in db.session.scalars(select(Vote))} == {first.id, second.id}


# H1: headers on every kind of response

@pytest.mark.parametrize("method, url, status", [
    ("GET", "/", 200),
    ("GET", "/healthz", 200),
    ("GET", "/static/css/site.css", 200),
    ("GET", "/no-such-page", 404),
    ("GET", "/logout", 405),
    ("GET", "/ideas?q=x", 200),
])
def test_security_headers_on_every_response(client, method, url, status):
    make_process()
    response = client.open(url, method=method, headers={"HX-Request": "true"} if "q=" in url else {})
    assert response.status_code == status
    csp = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    directives = {part.strip() for part in csp.split(";")}
    assert {"object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "script-src 'self'"} <= directives
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin", "no-referrer")
    response.close()


def test_personal_pages_are_not_stored_by_browsers_or_proxies(client, auth):
    idea = make_idea()
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    auth.login_as("citizen")
    assert client.get("/account").headers["Cache-Control"] == "no-store"
    assert client.get(f"/ideas/{idea.id}").headers["Cache-Control"] == "no-store"
    static = client.get("/static/css/site.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")
    static.close()


# X3, X4: odd and hostile input

def test_a_body_over_one_megabyte_gets_413_and_our_page(client, auth):
    process = make_process()
    auth.login_as("citizen")
    response = client.post("/ideas/new", data=idea_data(process, body="x" * (1024 * 1024 + 1)))
    assert response.status_code == 413
    assert "Too much text or too large a file" in response.text
    assert '<a class="skip-link"' in response.text, "the site's own page, not the server's"
    assert count(Idea) == 0


def test_a_ten_thousand_character_title_is_a_form_error(client, auth):
    process = make_process()
    auth.login_as("citizen")
    response = client.post("/ideas/new", data=idea_data(process, title="T" * 10_000))
    assert response.status_code == 422
    assert "The title must be between 10 and 120 characters long." in response.text
    assert count(Idea) == 0


def test_nul_bytes_never_reach_the_database(client, auth, app):
    process = make_process()
    auth.login_as("citizen")
    response = client.post("/ideas/new", data=idea_data(
        process, title="Freies\x00 WLAN\x00 in der Stadt", body="Auf dem\x00 Marktplatz sollte es WLAN geben.",
        district="Alt\x00stadt"))
    assert response.status_code == 302
    idea = db.session.scalar(select(Idea))
    assert (idea.title, idea.district) == ("Freies WLAN in der Stadt", "Altstadt")
    assert "\x00" not in idea.body_source + idea.body_html + idea.search_text

    client.post(f"/ideas/{idea.id}/comments", data={"body": "Ja\x00 bitte"})
    client.post(f"/ideas/{idea.id}/report", data={"reason": "spam", "note": "N\x00otiz"})
    assert db.session.scalar(select(Comment.body)) == "Ja bitte"
    assert db.session.scalar(select(Report.note)) == "Notiz"

    visitor = app.test_client()
    for url in ["/ideas?q=WLAN%00", "/ideas?q=%00", "/ideas/similar?title=WLAN%00Stadt", "/ideas?sort=%00",
                "/ideas?field=%00&status=%00", "/ideas?process=%00", "/ideas?page=%00"]:
        assert visitor.get(url).status_code < 500, url
    assert "Freies WLAN in der Stadt" in titles_in(visitor.get("/ideas?q=WLAN%00").text)
    for data in ({"email": "a\x00@example.org", "password": "x\x00y"},
                 {"email": "\x00", "password": "\x00"}):
        assert visitor.post("/login", data=data).status_code == 422
    response = visitor.post("/register", data={
        "email": "nul@example.org", "display_name": "Nu\x00ll", "password": "pass\x00wort lang",
        "password2": "pass\x00wort lang", "accept_terms": "y", "district": "\x00"})
    assert response.status_code == 302
    assert db.session.scalar(select(User.display_name).where(User.email == "nul@example.org")) == "Null"


@pytest.mark.parametrize("url", ["/ideas/new", "/ideas/{idea}/comments", "/ideas/{idea}/report", "/login",
                                 "/register", "/reset", "/ideas/{idea}/vote", "/language"])
def test_invalid_utf8_in_a_form_is_a_4xx_or_a_form_error(client, auth, url):
    idea = make_idea()
    auth.login_as("citizen") if "login" not in url and "register" not in url and "reset" not in url else None
    body = b"title=\xff\xfe\xfdWLAN&body=\xc3\x28\xa0\xa1 Beschreibung&email=\xff@example.org&password=\xfe" \
           b"&reason=\xff&action=\xff&lang=\xff&display_name=\xe2\x82"
    response = client.post(url.format(idea=idea.id), data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500
    assert count(Idea) == 1 and count(Comment) == count(Report) == 0


def test_invalid_utf8_in_the_address_is_not_a_server_error(client):
    make_idea()
    assert client.get("/ideas?q=%ff%fe").status_code == 200
    assert client.get("/ideas/%ff").status_code == 404


@pytest.mark.parametrize("number", ["999999", "2147483648", "9223372036854775808", "99999999999999999999999"])
def test_unknown_ids_are_404(client, auth, number):
    make_idea()
    auth.login_as("citizen")
    for method, url in [("GET", "/ideas/{n}"), ("POST", "/ideas/{n}/vote"), ("POST", "/ideas/{n}/comments"),
                        ("GET", "/ideas/{n}/report"), ("POST", "/ideas/{n}/report"), ("GET", "/ideas/{n}/edit"),
                        ("POST", "/ideas/{n}/withdraw"), ("POST", "/comments/{n}/delete"),
                        ("GET", "/comments/{n}/report"), ("POST", "/comments/{n}/report")]:
        response = client.open(url.format(n=number), method=method, data={"body": "x", "reason": "spam"})
        assert response.status_code == 404, (method, url)


@pytest.mark.parametrize("parent", ["999999", "99999999999999999999999", "²", "١", "-1", "1.0", "abc"])
def test_a_strange_parent_comment_is_refused_without_a_server_error(client, auth, parent):
    idea = make_idea()
    auth.login_as("citizen")
    response = client.post(f"/ideas/{idea.id}/comments", data={"body": "Antwort", "parent_id": parent})
    assert response.status_code in (400, 404)
    assert count(Comment) == 0


@pytest.mark.parametrize("q", ["' OR 1=1--", "\" OR \"\"=\"", "wlan'; DROP TABLE idea;--", '"', "*", "(", ")",
                               "NEAR(wlan markt)", "wlan AND", "-wlan", "^wlan", "search_text:wlan", "a & b | !c",
                               "wlan:*", "\\", "%", "_", "日本", "x" * 500])
def test_search_input_is_only_ever_a_search(client, q):
    make_idea(title="Freies WLAN in der Innenstadt")
    response = client.get("/ideas", query_string={"q": q})
    assert response.status_code == 200
    assert count(Idea) == 1
    if "OR" in q or "DROP" in q:
        assert titles_in(response.text) == [], "the quote must not open up the query"


@pytest.mark.parametrize("args", ["sort=id;DROP TABLE idea", "sort=id desc", "status=published' OR '1'='1",
                                  "field=f0' --", "process=x' OR '1'='1"])
def test_sort_and_filters_take_only_known_values(client, args):
    make_idea(title="Freies WLAN in der Innenstadt")
    response = client.get(f"/ideas?{args}")
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert titles_in(response.text) == ["Freies WLAN in der Innenstadt"]
    assert count(Idea) == 1


# Redirects stay on this site

@pytest.mark.parametrize("next_", ["https://evil.example/", "//evil.example", "/\\evil.example",
                                   "javascript:alert(1)", "/ideas\r\nSet-Cookie: evil=1"])
def test_buttons_with_a_next_page_only_go_to_this_site(client, auth, next_):
    idea = make_idea()
    auth.login_as("citizen")
    vote = client.post(f"/ideas/{idea.id}/vote", data={"action": "add", "next": next_})
    language = client.post("/language", data={"lang": "de", "next": next_})
    for response in (vote, language):
        assert response.status_code == 302
        location = response.headers["Location"]
        assert location.startswith("/") and not location.startswith("//"), location
        assert "evil.example" not in location and "\n" not in location
    assert count(Vote) == 1


# Z3: mass assignment

@pytest.mark.parametrize("mode, status", [("post", S.published), ("pre", S.pending)])
def test_extra_fields_on_the_idea_form_are_ignored(client, auth, mode, status):
    process = make_process(mode=mode)
    other = make_user()
    me = auth.login_as("citizen")
    client.post("/ideas/new", data=idea_data(
        process, role="admin", support_count="999", comment_count="999", hot_score="1e9", author_id=str(other.id),
        status="accepted", reference="1999-99999", id="4242", trusted="y", published_at="2020-01-01"))
    idea = db.session.scalar(select(Idea))
    assert idea.author_id == me.id and idea.id != 4242
    assert (idea.support_count, idea.comment_count) == (0, 0)
    assert idea.status == status
    assert idea.reference != "1999-99999"
    assert db.session.get(User, me.id).role == Role.citizen and not db.session.get(User, me.id).trusted


def test_extra_fields_on_the_register_form_are_ignored(client, app):
    client.post("/register", data={
        "email": "neu@example.org", "display_name": "Neu", "password": "ein langes Passwort",
        "password2": "ein langes Passwort", "accept_terms": "y", "role": "admin", "trusted": "y",
        "email_verified_at": "2020-01-01T00:00:00", "session_token": "fixed", "terms_version": "1999-1",
        "id": "4242"})
    user = db.session.scalar(select(User).where(User.email == "neu@example.org"))
    assert user.role == Role.citizen and not user.trusted and not user.is_verified
    assert user.session_token != "fixed" and user.id != 4242
    assert user.terms_version == app.config["TERMS_VERSION"]


# Z1, Z2: access

ANONYMOUS_REFUSED = [
    ("GET", "/ideas/new"), ("POST", "/ideas/new"), ("GET", "/account"), ("POST", "/verify"),
    ("POST", "/ideas/{idea}/vote"), ("POST", "/ideas/{idea}/comments"),
    ("GET", "/ideas/{idea}/report"), ("POST", "/ideas/{idea}/report"),
    ("GET", "/comments/{comment}/report"), ("POST", "/comments/{comment}/report"),
    ("POST", "/comments/{comment}/delete"), ("GET", "/ideas/{idea}/edit"), ("POST", "/ideas/{idea}/edit"),
    ("POST", "/ideas/{idea}/withdraw"),
]


@pytest.mark.parametrize("method, url", ANONYMOUS_REFUSED)
def test_anonymous_visitors_are_sent_to_the_login(client, app, method, url):
    idea = make_idea()
    writer, _ = logged_in_client(app)
    writer.post(f"/ideas/{idea.id}/comments", data={"body": "Ein Kommentar"})
    comment = db.session.scalar(select(Comment))
    events = count(ModerationEvent)

    response = client.open(url.format(idea=idea.id, comment=comment.id), method=method,
                           data={"action": "add", "body": "anonym", "reason": "spam", **idea_data(idea.process)})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert count(Vote) == count(Report) == 0 and count(Comment) == 1 and count(Idea) == 1
    assert db.session.get(Comment, comment.id).deleted_at is None
    assert db.session.get(Idea, idea.id).status == S.published and count(ModerationEvent) == events


@pytest.mark.parametrize("role", ["citizen", "moderator"])
@pytest.mark.parametrize("method, url", [
    ("GET", "/ideas/{published}/edit"), ("POST", "/ideas/{published}/edit"),
    ("GET", "/ideas/{pending}/edit"), ("POST", "/ideas/{pending}/edit"),
    ("POST", "/ideas/{published}/withdraw"), ("POST", "/ideas/{pending}/withdraw"),
    ("POST", "/comments/{comment}/delete"),
])
def test_nobody_changes_what_someone_else_wrote(client, auth, app, role, method, url):
    author_browser, author = logged_in_client(app)
    published = make_idea(make_process(), author, title="Die Idee von A")
    pending = make_idea(make_process(mode="pre"), author, status=S.pending, title="Die wartende Idee von A")
    author_browser.post(f"/ideas/{published.id}/comments", data={"body": "Kommentar von A"})
    comment = db.session.scalar(select(Comment))
    events = count(ModerationEvent)

    auth.login_as(role)
    target = url.format(published=published.id, pending=pending.id, comment=comment.id)
    data = idea_data(published.process, title="Von B überschrieben", body="B hat das hier hineingeschrieben.")
    response = client.open(target, method=method, data=data)
    assert response.status_code in (403, 404)

    assert db.session.get(Idea, published.id).title == "Die Idee von A"
    assert db.session.get(Idea, pending.id).title == "Die wartende Idee von A"
    assert db.session.get(Idea, published.id).status == S.published
    assert db.session.get(Idea, pending.id).status == S.pending
    assert db.session.get(Comment, comment.id).deleted_at is None
    assert db.session.get(Idea, published.id).comment_count == 1
    assert count(ModerationEvent) == events
