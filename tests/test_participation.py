"""The citizens' side: browsing, submitting, supporting, discussing and reporting ideas."""
import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from ideas.extensions import db
from ideas.models import (
    PUBLIC_STATUSES, Comment, CommentStatus, Idea, IdeaStatus, ModerationEvent, Report, ReportReason, Vote,
    utcnow,
)
from ideas.workflow import hot_score
from tests.conftest import Auth, count, make_idea, make_process, make_user

S = IdeaStatus


# Assert on the English texts, whatever catalog has been compiled meanwhile.
pytestmark = pytest.mark.usefixtures("english")


def titles_in(text: str) -> list[str]:
    """The idea titles on a list page, in the order shown."""
    return [html.unescape(t) for t in
            re.findall(r'id="idea-title-\d+"[^>]*>\s*<a href="/ideas/\d+"[^>]*>(.*?)</a>', text)]


def flashes_after(client, response) -> list[str]:
    """Follow a redirect and return the messages shown on the next page."""
    assert response.status_code == 302, response.status_code
    page = client.get(response.headers["Location"])
    return [html.unescape(m) for m in re.findall(r'<p class="flash flash-\w+" role="\w+">(.*?)</p>', page.text)]


def idea_data(process, **overrides) -> dict:
    return {
        "title": "Sitzbänke mit Steckdosen am Markt",
        "body": "Am Marktplatz sollten Bänke stehen, an denen man das Handy laden kann.",
        "action_field": str(process.action_fields[0].id), "district": "Altstadt", "submit": "1",
        **overrides,
    }


def comments_of(idea) -> list[Comment]:
    return db.session.scalars(select(Comment).where(Comment.idea_id == idea.id).order_by(Comment.id)).all()


# The feed

def test_the_feed_lists_only_public_ideas(client, auth):
    process = make_process(mode="pre")
    trusted = make_user(trusted=True)
    for status in S:
        if status == S.draft:
            continue
        author = None if status in (S.pending, S.declined) else trusted
        make_idea(process, author, status=status, title=f"Idee im Status {status.value}")
    public = {f"Idee im Status {s.value}" for s in PUBLIC_STATUSES}

    assert set(titles_in(client.get("/ideas").text)) == public
    auth.login_as("moderator")
    assert set(titles_in(client.get("/ideas").text)) == public, "the public feed is the same for staff"
    assert "5 ideas found" in client.get("/ideas").text


@pytest.fixture
def four_ideas():
    """Four ideas whose age, supports and comments put them in a different order for each sort."""
    process = make_process()
    shapes = {  # days old, supports, comments
        "Idee Alpha": (3, 0, 5), "Idee Bravo": (5, 100, 0),
        "Idee Charlie": (0, 1, 1), "Idee Delta": (10, 1000, 2),
    }
    for title, (days, supports, comments) in shapes.items():
        idea = make_idea(process, title=title)
        idea.created_at = utcnow() - timedelta(days=days)
        idea.support_count, idea.comment_count = supports, comments
        idea.hot_score = hot_score(supports, idea.created_at)
    db.session.commit()
    return process


@pytest.mark.parametrize("query, order", [
    ("", ["Charlie", "Alpha", "Bravo", "Delta"]),
    ("?sort=newest", ["Charlie", "Alpha", "Bravo", "Delta"]),
    ("?sort=supported", ["Delta", "Bravo", "Charlie", "Alpha"]),
    ("?sort=discussed", ["Alpha", "Delta", "Charlie", "Bravo"]),
    ("?sort=trending", ["Bravo", "Charlie", "Delta", "Alpha"]),
    ("?sort=nonsense", ["Charlie", "Alpha", "Bravo", "Delta"]),
])
def test_sorting_changes_the_order(client, four_ideas, query, order):
    response = client.get(f"/ideas{query}")
    assert response.status_code == 200
    assert titles_in(response.text) == [f"Idee {name}" for name in order]


def test_filter_by_action_field(client):
    process = make_process(fields=3)
    make_idea(process, field=process.action_fields[0], title="Idee zur Infrastruktur")
    make_idea(process, field=process.action_fields[1], title="Idee zur Bildung")
    assert titles_in(client.get("/ideas?field=f1").text) == ["Idee zur Bildung"]
    assert titles_in(client.get("/ideas?field=f0").text) == ["Idee zur Infrastruktur"]
    assert titles_in(client.get("/ideas?field=f2").text) == []
    assert len(titles_in(client.get("/ideas?field=unknown").text)) == 2


def test_filter_by_status_never_reveals_hidden_ideas(client):
    process = make_process()
    make_idea(process, title="Eine angenommene Idee", status=S.accepted)
    make_idea(process, title="Eine veröffentlichte Idee")
    make_idea(process, title="Eine versteckte Idee", status=S.hidden)
    assert titles_in(client.get("/ideas?status=accepted").text) == ["Eine angenommene Idee"]
    assert titles_in(client.get("/ideas?status=published").text) == ["Eine veröffentlichte Idee"]
    shown = titles_in(client.get("/ideas?status=hidden").text)
    assert "Eine versteckte Idee" not in shown
    assert set(shown) == {"Eine angenommene Idee", "Eine veröffentlichte Idee"}


@pytest.mark.parametrize("q, found", [
    ("Radweg", {"Neue Radwege am Fluss"}),
    ("radwege", {"Neue Radwege am Fluss"}),
    ("RADWEG fluß", {"Neue Radwege am Fluss"}),
    ("bürger", {"Buergerhaus mit freiem WLAN"}),
    ("BÜRGERHAUS", {"Buergerhaus mit freiem WLAN"}),
    ("laenger", {"Schwimmbad länger öffnen"}),
    ("Schwimmbäder", {"Schwimmbad länger öffnen"}),
    ("wlan", {"Buergerhaus mit freiem WLAN"}),
    ("Parkhaus", set()),
    ("Radweg Schwimmbad", set()),
])
def test_search_understands_german(client, q, found):
    process = make_process()
    for title in ("Neue Radwege am Fluss", "Buergerhaus mit freiem WLAN", "Schwimmbad länger öffnen"):
        make_idea(process, title=title, body="Das wäre gut für alle, die hier wohnen.")
    response = client.get("/ideas", query_string={"q": q})
    assert response.status_code == 200
    assert set(titles_in(response.text)) == found


def test_search_finds_words_in_the_description_and_the_reference(client):
    process = make_process()
    idea = make_idea(process, title="Mehr Grün in der Stadt", body="Wir brauchen Trinkbrunnen an den Radwegen.")
    make_idea(process, title="Ganz etwas anderes", body="Hier steht nichts Passendes drin, wirklich.")
    assert titles_in(client.get("/ideas?q=Trinkbrunnen").text) == ["Mehr Grün in der Stadt"]
    assert titles_in(client.get("/ideas", query_string={"q": idea.reference}).text) == ["Mehr Grün in der Stadt"]


def test_pagination(client):
    process = make_process()
    author = make_user()
    for n in range(25):
        make_idea(process, author, title=f"Idee Nummer {n:02d}")
    assert len(titles_in(client.get("/ideas").text)) == 20
    second = client.get("/ideas?page=2")
    assert second.status_code == 200
    assert titles_in(second.text) == [f"Idee Nummer {n:02d}" for n in (4, 3, 2, 1, 0)]
    empty = client.get("/ideas?page=999")
    assert empty.status_code == 200 and titles_in(empty.text) == []
    for page in ("abc", "0", "-3", "2.5", "99999999999999999999999"):
        response = client.get(f"/ideas?page={page}")
        assert response.status_code in (200, 400, 404), page


def test_htmx_gets_only_the_results_fragment(client):
    make_idea(title="Freies WLAN am Bahnhof")
    fragment = client.get("/ideas?q=WLAN", headers={"HX-Request": "true", "HX-Target": "feed-results"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert re.match(r'\s*<section[^>]* id="feed-results"', fragment.text)
    assert re.search(r'<div id="live-region"[^>]*hx-swap-oob="[^"]+">1 idea found</div>', fragment.text)
    assert titles_in(fragment.text) == ["Freies WLAN am Bahnhof"]

    for headers in ({}, {"HX-Request": "true", "HX-Target": "main"},
                    {"HX-Request": "true", "HX-Target": "feed-results", "HX-History-Restore-Request": "true"}):
        page = client.get("/ideas?q=WLAN", headers=headers)
        assert "<html" in page.text and 'id="feed-results"' in page.text, headers


# Submitting an idea

@pytest.mark.parametrize("field, value, message", [
    ("title", "Zu kurz", "The title must be between 10 and 120 characters long."),
    ("title", "T" * 121, "The title must be between 10 and 120 characters long."),
    ("title", "   \t  ", "Please give your idea a title."),
    ("body", "Zu kurz erklärt.", "The description must be between 20 and 3000 characters long."),
    ("body", "B" * 3001, "The description must be between 20 and 3000 characters long."),
    ("action_field", "-1", "Please choose a topic."),
    ("action_field", "99999999999999999999", "Please choose a topic."),
    ("action_field", "abc", ""),
])
def test_an_invalid_idea_is_explained_and_not_stored(client, auth, field, value, message):
    process = make_process()
    auth.login_as("citizen")
    response = client.post("/ideas/new", data=idea_data(process, **{field: value}))
    assert response.status_code == 422
    assert message in html.unescape(response.text)
    assert count(Idea) == 0 and count(ModerationEvent) == 0


@pytest.mark.parametrize("field, value", [
    ("title", "T" * 10), ("title", "T" * 120), ("body", "B" * 20), ("body", "B" * 3000),
])
def test_the_limits_themselves_are_allowed(client, auth, field, value):
    process = make_process()
    auth.login_as("citizen")
    response = client.post("/ideas/new", data=idea_data(process, **{field: value}))
    assert response.status_code == 302
    assert count(Idea) == 1


def test_a_valid_idea_is_published_with_a_reference_and_a_clean_body(client, auth):
    process = make_process()
    me = auth.login_as("citizen")
    body = "Bitte **schnell** umsetzen <script>alert(1)</script>\n\n- Bänke\n- Steckdosen"
    response = client.post("/ideas/new", data=idea_data(process, body=body))

    idea = db.session.scalar(select(Idea))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ideas/{idea.id}"
    assert idea.reference == f"{utcnow().year}-{idea.id:05d}"
    assert re.fullmatch(r"\d{4}-\d{5}", idea.reference)
    assert idea.author_id == me.id and idea.process_id == process.id
    assert idea.action_field_id == process.action_fields[0].id and idea.district == "Altstadt"
    assert idea.status == S.published and idea.published_at is not None
    assert "<strong>schnell</strong>" in idea.body_html and "<li>Bänke</li>" in idea.body_html
    assert "<script" not in idea.body_html and "&lt;script&gt;" in idea.body_html
    assert idea.body_source == body
    [event] = db.session.scalars(select(ModerationEvent)).all()
    assert (event.idea_id, event.to_status, event.actor_id) == (idea.id, S.published, me.id)

    assert "Thank you! Your idea is now published." in flashes_after(client, response)
    assert titles_in(client.get("/ideas").text) == ["Sitzbänke mit Steckdosen am Markt"]


def test_in_a_pre_moderated_process_a_new_idea_waits_and_only_author_and_staff_see_it(client, auth, app):
    process = make_process(mode="pre")
    me = auth.login_as("citizen")
    response = client.post("/ideas/new", data=idea_data(process))
    idea = db.session.scalar(select(Idea))
    assert idea.status == S.pending and idea.published_at is None
    assert "A moderator will look at it soon" in flashes_after(client, response)[0]

    own_view = client.get(f"/ideas/{idea.id}")
    assert own_view.status_code == 200
    assert "This idea is waiting for review by our moderators." in own_view.text
    assert titles_in(client.get("/ideas").text) == []

    moderator = app.test_client()
    Auth(moderator).login_as("moderator")
    assert moderator.get(f"/ideas/{idea.id}").status_code == 200

    other = app.test_client()
    Auth(other).login_as("citizen")
    assert other.get(f"/ideas/{idea.id}").status_code == 404
    assert app.test_client().get(f"/ideas/{idea.id}").status_code == 404
    assert "Sitzbänke" not in app.test_client().get("/ideas").text
    assert me.id == idea.author_id


def test_a_trusted_person_is_published_at_once_even_in_a_pre_moderated_process(client, auth):
    process = make_process(mode="pre")
    auth.login_as(make_user(trusted=True))
    client.post("/ideas/new", data=idea_data(process))
    assert db.session.scalar(select(Idea.status)) == S.published


def test_a_closed_process_says_so_and_takes_no_ideas(client, auth):
    process = make_process(ideas_open=False)
    auth.login_as("citizen")
    form = client.get("/ideas/new")
    assert form.status_code == 200
    assert "This process is not collecting ideas at the moment." in form.text
    assert 'name="title"' not in form.text

    response = client.post("/ideas/new", data=idea_data(process))
    assert response.status_code == 409
    assert "This process is not collecting ideas at the moment." in response.text
    assert count(Idea) == 0

    checking = idea_data(process, check="1")
    del checking["submit"]
    response = client.post("/ideas/new", data=checking)
    assert response.status_code == 409
    assert "This process is not collecting ideas at the moment." in response.text
    assert 'name="title"' not in response.text, "no form that cannot be sent"
    assert count(Idea) == 0


def test_an_unconfirmed_person_cannot_submit(client, auth):
    process = make_process()
    auth.login_as(make_user(verified=False))
    response = client.post("/ideas/new", data=idea_data(process))
    assert response.status_code == 403
    assert "Please confirm your e-mail address first." in response.text
    assert count(Idea) == 0


def test_check_for_similar_ideas_shows_them_and_keeps_what_was_typed(client, auth):
    process = make_process()
    existing = make_idea(process, title="Freies WLAN in der Innenstadt")
    hidden = make_idea(process, title="WLAN im Rathaus (versteckt)", status=S.hidden)
    auth.login_as("citizen")
    typed = idea_data(process, title="WLAN für die Innenstadt & mehr",
                      body="Mein eigener Text, der <bleiben> soll.", check="1")
    del typed["submit"]
    response = client.post("/ideas/new", data=typed)

    assert response.status_code == 200
    similar = re.search(r'<section[^>]* id="similar".*?</section>', response.text, re.S).group(0)
    assert f'href="/ideas/{existing.id}"' in similar
    assert f'href="/ideas/{hidden.id}"' not in similar
    assert 'value="WLAN für die Innenstadt &amp; mehr"' in response.text
    assert "Mein eigener Text, der &lt;bleiben&gt; soll.</textarea>" in response.text
    assert count(Idea) == 2


def test_the_similar_ideas_fragment(client):
    process = make_process()
    existing = make_idea(process, title="Freies WLAN in der Innenstadt")
    make_idea(process, title="Mehr Bäume am Bahnhof", body="Schatten für alle, die auf den Bus warten.")
    response = client.get("/ideas/similar", query_string={"title": "WLAN Innenstadt"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert re.match(r'\s*<section[^>]* id="similar"', response.text)
    assert f'href="/ideas/{existing.id}"' in response.text
    assert "Bäume" not in response.text
    nothing = client.get("/ideas/similar", query_string={"title": "Schwimmbad"})
    assert "We have not found any similar ideas." in nothing.text


# Supporting an idea

def test_supporting_twice_counts_once_and_withdrawing_takes_it_back(client, auth):
    idea = make_idea()
    me = auth.login_as("citizen")
    for _ in range(2):
        response = client.post(f"/ideas/{idea.id}/vote", data={"action": "add"})
        assert response.status_code == 302 and response.headers["Location"] == f"/ideas/{idea.id}"
    assert count(Vote, Vote.idea_id == idea.id, Vote.user_id == me.id) == 1
    assert db.session.get(Idea, idea.id).support_count == 1

    client.post(f"/ideas/{idea.id}/vote", data={"action": "remove"})
    client.post(f"/ideas/{idea.id}/vote", data={"action": "remove"})
    assert count(Vote) == 0
    assert db.session.get(Idea, idea.id).support_count == 0


def test_nobody_supports_their_own_idea(client, auth):
    me = auth.login_as("citizen")
    idea = make_idea(author=me)
    response = client.post(f"/ideas/{idea.id}/vote", data={"action": "add"})
    assert "You cannot support your own idea." in flashes_after(client, response)
    assert count(Vote) == 0 and db.session.get(Idea, idea.id).support_count == 0


def test_no_support_outside_the_support_phase(client, auth):
    idea = make_idea(make_process(support_open=False))
    auth.login_as("citizen")
    response = client.post(f"/ideas/{idea.id}/vote", data={"action": "add"})
    assert "Supporting ideas is not possible at the moment." in flashes_after(client, response)
    assert count(Vote) == 0


@pytest.mark.parametrize("status", [S.accepted, S.rejected, S.implemented])
def test_decided_ideas_take_no_more_support(client, auth, status):
    idea = make_idea(status=status)
    auth.login_as("citizen")
    response = client.post(f"/ideas/{idea.id}/vote", data={"action": "add"})
    assert "This idea can no longer be supported." in flashes_after(client, response)
    assert count(Vote) == 0


def test_the_support_quota_is_enforced_and_shown(client, auth):
    process = make_process(quota=2)
    author = make_user()
    first, second, third = (make_idea(process, author, title=f"Idee {n}") for n in (1, 2, 3))
    auth.login_as("citizen")
    assert "You have 2 supports left in this process." in client.get(f"/ideas/{third.id}").text

    client.post(f"/ideas/{first.id}/vote", data={"action": "add"})
    assert "You have 1 support left in this process." in client.get(f"/ideas/{third.id}").text
    client.post(f"/ideas/{second.id}/vote", data={"action": "add"})
    assert "You have 0 supports left in this process." in client.get(f"/ideas/{third.id}").text

    refused = client.post(f"/ideas/{third.id}/vote", data={"action": "add"})
    assert "You have used all your supports in this process." in flashes_after(client, refused)
    assert count(Vote) == 2 and db.session.get(Idea, third.id).support_count == 0

    client.post(f"/ideas/{first.id}/vote", data={"action": "remove"})
    client.post(f"/ideas/{third.id}/vote", data={"action": "add"})
    assert {v.idea_id for v in db.session.scalars(select(Vote))} == {second.id, third.id}


def test_an_unconfirmed_person_cannot_support(client, auth):
    idea = make_idea()
    auth.login_as(make_user(verified=False))
    response = client.post(f"/ideas/{idea.id}/vote", data={"action": "add"})
    assert "Please confirm your e-mail address first." in flashes_after(client, response)
    assert count(Vote) == 0 and db.session.get(Idea, idea.id).support_count == 0


def test_support_needs_a_post(client, auth):
    idea = make_idea()
    auth.login_as("citizen")
    assert client.get(f"/ideas/{idea.id}/vote").status_code == 405
    assert count(Vote) == 0


def test_htmx_support_returns_the_vote_fragment_and_announces_it(client, auth):
    idea = make_idea()
    auth.login_as("citizen")
    response = client.post(f"/ideas/{idea.id}/vote", data={"action": "add"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert re.match(rf'\s*<div[^>]* id="vote-{idea.id}"', response.text)
    assert re.search(r'<div id="live-region"[^>]*hx-swap-oob="[^"]+">Thank you for your support.</div>',
                     response.text)
    assert 'name="action" value="remove"' in response.text
    assert "<strong>1</strong>" in response.text
    assert count(Vote) == 1


def test_htmx_support_of_an_own_idea_shows_the_reason_in_the_fragment(client, auth):
    me = auth.login_as("citizen")
    idea = make_idea(author=me)
    response = client.post(f"/ideas/{idea.id}/vote", data={"action": "add"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.text
    assert "You cannot support your own idea." in response.text
    assert count(Vote) == 0


def test_an_anonymous_support_goes_to_the_login_and_writes_nothing(client):
    idea = make_idea()
    response = client.post(f"/ideas/{idea.id}/vote", data={"action": "add"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert count(Vote) == 0


# Discussing

def test_comment_reply_and_reply_to_a_reply(client, auth):
    idea = make_idea()
    auth.login_as("citizen")
    response = client.post(f"/ideas/{idea.id}/comments", data={"body": "Gute Idee!"})
    [top] = comments_of(idea)
    assert response.headers["Location"] == f"/ideas/{idea.id}#comment-{top.id}"
    assert top.body == "Gute Idee!" and top.parent_id is None

    client.post(f"/ideas/{idea.id}/comments", data={"body": "Finde ich auch.", "parent_id": str(top.id)})
    reply = comments_of(idea)[-1]
    assert reply.parent_id == top.id

    client.post(f"/ideas/{idea.id}/comments", data={"body": "Und ich erst.", "parent_id": str(reply.id)})
    reply_to_reply = comments_of(idea)[-1]
    assert reply_to_reply.parent_id == top.id, "threads are one level deep"
    assert db.session.get(Idea, idea.id).comment_count == 3

    page = client.get(f"/ideas/{idea.id}").text
    assert page.index("Gute Idee!") < page.index("Finde ich auch.") < page.index("Und ich erst.")


def test_a_reply_to_a_comment_of_another_idea_is_refused(client, auth):
    process = make_process()
    idea, other = make_idea(process), make_idea(process)
    auth.login_as("citizen")
    client.post(f"/ideas/{other.id}/comments", data={"body": "Woanders"})
    [elsewhere] = comments_of(other)
    response = client.post(f"/ideas/{idea.id}/comments", data={"body": "Hier", "parent_id": str(elsewhere.id)})
    assert "You cannot reply to this comment." in flashes_after(client, response)
    assert comments_of(idea) == []


@pytest.mark.parametrize("body, status", [("x" * 1000, 302), ("x" * 1001, 422), ("", 422), (" \n\t ", 422)])
def test_comment_length(client, auth, body, status):
    idea = make_idea()
    auth.login_as("citizen")
    response = client.post(f"/ideas/{idea.id}/comments", data={"body": body})
    assert response.status_code == status
    assert len(comments_of(idea)) == (1 if status == 302 else 0)
    assert db.session.get(Idea, idea.id).comment_count == (1 if status == 302 else 0)
    if status == 422:
        text = html.unescape(response.text)
        assert "A comment can have at most 1000 characters." in text or "Please write a comment." in text


def test_deleting_an_own_comment_keeps_the_row_and_hides_the_text(client, auth):
    idea = make_idea()
    me = auth.login_as("citizen")
    client.post(f"/ideas/{idea.id}/comments", data={"body": "Das nehme ich zurück."})
    [mine] = comments_of(idea)
    client.post(f"/ideas/{idea.id}/comments", data={"body": "Antwort darauf", "parent_id": str(mine.id)})
    assert db.session.get(Idea, idea.id).comment_count == 2

    response = client.post(f"/comments/{mine.id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/ideas/{idea.id}#comments"
    kept = db.session.get(Comment, mine.id)
    assert kept is not None and kept.deleted_at is not None and kept.author_id == me.id
    assert db.session.get(Idea, idea.id).comment_count == 1
    page = client.get(f"/ideas/{idea.id}").text
    assert "Das nehme ich zurück." not in page
    assert "This comment has been deleted." in page and "Antwort darauf" in page

    client.post(f"/comments/{mine.id}/delete")
    assert db.session.get(Idea, idea.id).comment_count == 1, "deleting twice counts once"


def test_nobody_deletes_the_comment_of_someone_else(client, auth, app):
    idea = make_idea()
    writer = app.test_client()
    Auth(writer).login_as("citizen")
    writer.post(f"/ideas/{idea.id}/comments", data={"body": "Mein Kommentar"})
    [theirs] = comments_of(idea)

    auth.login_as("citizen")
    assert client.post(f"/comments/{theirs.id}/delete").status_code == 403
    assert db.session.get(Comment, theirs.id).deleted_at is None
    assert db.session.get(Idea, idea.id).comment_count == 1


@pytest.mark.parametrize("status", [S.hidden, S.withdrawn])
def test_no_comments_on_hidden_or_withdrawn_ideas(client, auth, app, status):
    author = make_user()
    idea = make_idea(author=author, status=status)
    auth.login_as(author)  # the author still sees the idea, but cannot discuss it
    response = client.post(f"/ideas/{idea.id}/comments", data={"body": "Noch ein Gedanke"})
    assert "This idea cannot be commented on." in flashes_after(client, response)

    other = app.test_client()
    Auth(other).login_as("citizen")
    assert other.post(f"/ideas/{idea.id}/comments", data={"body": "Ich auch"}).status_code == 404
    assert comments_of(idea) == [] and db.session.get(Idea, idea.id).comment_count == 0


# Reporting

@pytest.mark.parametrize("reason", list(ReportReason), ids=lambda r: r.value)
def test_reporting_an_idea_once_per_person(client, auth, reason):
    idea = make_idea()
    me = auth.login_as("citizen")
    assert client.get(f"/ideas/{idea.id}/report").status_code == 200
    response = client.post(f"/ideas/{idea.id}/report", data={"reason": reason.value, "note": " Bitte prüfen "})
    assert response.headers["Location"] == f"/ideas/{idea.id}"
    assert "Thank you. The moderators will look at your report." in flashes_after(client, response)
    [report] = db.session.scalars(select(Report)).all()
    assert (report.reporter_id, report.idea_id, report.comment_id) == (me.id, idea.id, None)
    assert report.reason == reason and report.note == "Bitte prüfen"

    again = client.post(f"/ideas/{idea.id}/report", data={"reason": "spam"})
    assert "You have reported this already. The moderators will look at it." in flashes_after(client, again)
    assert count(Report) == 1


def test_reporting_a_comment_once_per_person(client, auth):
    idea = make_idea()
    me = auth.login_as("citizen")
    client.post(f"/ideas/{idea.id}/comments", data={"body": "Ein Kommentar zum Melden"})
    [comment] = comments_of(idea)
    page = client.get(f"/comments/{comment.id}/report")
    assert page.status_code == 200 and "Ein Kommentar zum Melden" in page.text

    client.post(f"/comments/{comment.id}/report", data={"reason": "offensive"})
    again = client.post(f"/comments/{comment.id}/report", data={"reason": "spam"})
    assert "You have reported this already. The moderators will look at it." in flashes_after(client, again)
    client.post(f"/ideas/{idea.id}/report", data={"reason": "off_topic"})

    reports = db.session.scalars(select(Report).order_by(Report.id)).all()
    assert [(r.comment_id, r.reason) for r in reports] == [
        (comment.id, ReportReason.offensive), (None, ReportReason.off_topic)]
    assert all(r.reporter_id == me.id and r.idea_id == idea.id for r in reports)


def test_a_report_needs_a_known_reason(client, auth):
    idea = make_idea()
    auth.login_as("citizen")
    response = client.post(f"/ideas/{idea.id}/report", data={"reason": "gefällt mir nicht"})
    assert response.status_code == 422
    assert count(Report) == 0


def test_a_deleted_comment_cannot_be_reported(client, auth):
    idea = make_idea()
    auth.login_as("citizen")
    client.post(f"/ideas/{idea.id}/comments", data={"body": "Gleich weg"})
    [comment] = comments_of(idea)
    client.post(f"/comments/{comment.id}/delete")
    assert client.post(f"/comments/{comment.id}/report", data={"reason": "spam"}).status_code == 404
    assert count(Report) == 0


# Editing and withdrawing

def test_editing_an_own_waiting_idea(client, auth):
    process = make_process(mode="pre")
    me = auth.login_as("citizen")
    idea = make_idea(process, me, status=S.pending)
    form = client.get(f"/ideas/{idea.id}/edit")
    assert form.status_code == 200 and "Freies WLAN in der Innenstadt" in form.text

    data = idea_data(process, title="Freies WLAN auch im Stadtpark",
                     body="Im Stadtpark sollte es **auch** freies WLAN geben.", action_field=str(process.action_fields[1].id))
    response = client.post(f"/ideas/{idea.id}/edit", data=data)
    assert response.status_code == 302 and response.headers["Location"] == f"/ideas/{idea.id}"
    edited = db.session.get(Idea, idea.id)
    assert edited.title == "Freies WLAN auch im Stadtpark"
    assert "<strong>auch</strong>" in edited.body_html
    assert edited.action_field_id == process.action_fields[1].id
    assert "stadtpark" in edited.search_text
    assert edited.status == S.pending


def test_editing_a_returned_idea_sends_it_back_to_the_moderators(client, auth):
    process = make_process(mode="pre")
    me = auth.login_as("citizen")
    idea = make_idea(process, me, status=S.declined)
    client.post(f"/ideas/{idea.id}/edit", data=idea_data(process, title="Nachgebesserte Fassung der Idee"))
    assert db.session.get(Idea, idea.id).status == S.pending
    last = db.session.scalars(select(ModerationEvent).order_by(ModerationEvent.id.desc())).first()
    assert (last.from_status, last.to_status, last.actor_id) == (S.declined, S.pending, me.id)


def test_a_published_idea_can_no_longer_be_edited(client, auth):
    me = auth.login_as("citizen")
    idea = make_idea(author=me)
    response = client.post(f"/ideas/{idea.id}/edit", data=idea_data(idea.process, title="Ganz neuer Titel hier"))
    assert "This idea can no longer be changed." in flashes_after(client, response)
    assert db.session.get(Idea, idea.id).title == "Freies WLAN in der Innenstadt"


def test_nobody_edits_the_idea_of_someone_else(client, auth):
    idea = make_idea()
    auth.login_as("citizen")
    assert client.get(f"/ideas/{idea.id}/edit").status_code == 403
    response = client.post(f"/ideas/{idea.id}/edit", data=idea_data(idea.process, title="Übernommener Titel"))
    assert response.status_code == 403
    assert db.session.get(Idea, idea.id).title == "Freies WLAN in der Innenstadt"


def test_withdrawing_an_own_idea(client, auth):
    me = auth.login_as("citizen")
    idea = make_idea(author=me)
    response = client.post(f"/ideas/{idea.id}/withdraw")
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert "Your idea has been withdrawn." in flashes_after(client, response)
    assert db.session.get(Idea, idea.id).status == S.withdrawn
    last = db.session.scalars(select(ModerationEvent).order_by(ModerationEvent.id.desc())).first()
    assert (last.from_status, last.to_status, last.actor_id) == (S.published, S.withdrawn, me.id)
    assert titles_in(client.get("/ideas").text) == []

    again = client.post(f"/ideas/{idea.id}/withdraw")
    assert "This change of status is not possible." in flashes_after(client, again)


# Counters

def test_counters_equal_the_rows_after_a_mix_of_everything(client, auth, app):
    process = make_process()
    ideas = [make_idea(process, title=f"Idee {n}") for n in range(3)]
    browsers = []
    for _ in range(4):
        browser = app.test_client()
        Auth(browser).login_as("citizen")
        browsers.append(browser)
    a, b, c, d = browsers
    for browser in browsers:
        browser.post(f"/ideas/{ideas[0].id}/vote", data={"action": "add"})
    a.post(f"/ideas/{ideas[0].id}/vote", data={"action": "add"})
    b.post(f"/ideas/{ideas[0].id}/vote", data={"action": "remove"})
    b.post(f"/ideas/{ideas[0].id}/vote", data={"action": "remove"})
    c.post(f"/ideas/{ideas[1].id}/vote", data={"action": "remove"})
    c.post(f"/ideas/{ideas[1].id}/vote", data={"action": "add"})
    d.post(f"/ideas/{ideas[2].id}/vote", data={"action": "add"}, headers={"HX-Request": "true"})

    a.post(f"/ideas/{ideas[0].id}/comments", data={"body": "Eins"})
    first = comments_of(ideas[0])[0]
    b.post(f"/ideas/{ideas[0].id}/comments", data={"body": "Zwei", "parent_id": str(first.id)})
    c.post(f"/ideas/{ideas[1].id}/comments", data={"body": "Drei"})
    c.post(f"/ideas/{ideas[1].id}/comments", data={"body": "x" * 1001})
    a.post(f"/comments/{first.id}/delete")
    a.post(f"/comments/{first.id}/delete")
    b.post(f"/comments/{comments_of(ideas[1])[0].id}/delete")  # not b's: refused

    for idea in db.session.scalars(select(Idea)):
        assert idea.support_count == count(Vote, Vote.idea_id == idea.id), idea.title
        visible = count(Comment, Comment.idea_id == idea.id, Comment.deleted_at.is_(None),
                        Comment.status == CommentStatus.visible)
        assert idea.comment_count == visible, idea.title
    assert [db.session.get(Idea, i.id).support_count for i in ideas] == [3, 1, 1]
    assert [db.session.get(Idea, i.id).comment_count for i in ideas] == [1, 1, 0]
