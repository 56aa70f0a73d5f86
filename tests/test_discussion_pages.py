"""The discussion on the idea page comes a page of threads at a time, and permalinks still reach every comment."""
import re
from urllib.parse import urlsplit
from datetime import timedelta

import pytest
from sqlalchemy import insert

from ideas import discussion
from ideas.extensions import db
from ideas.models import Comment, CommentStatus, utcnow
from tests.conftest import make_idea, make_user
from tests.test_queries import count_queries

PER_PAGE = discussion.COMMENTS_PER_PAGE


def _discussion(idea, threads: int, replies_to: tuple[int, ...] = ()) -> list[int]:
    """threads top-level comments (numbered from 1 in their text), a reply under the given ones; their ids."""
    author = make_user()
    start = utcnow() - timedelta(days=1)
    db.session.execute(insert(Comment), [
        {"idea_id": idea.id, "author_id": author.id, "body": f"Beitrag {n}", "status": CommentStatus.visible,
         "created_at": start + timedelta(minutes=n)} for n in range(1, threads + 1)])
    db.session.commit()
    ids = [c.id for c in db.session.scalars(
        db.select(Comment).where(Comment.idea_id == idea.id).order_by(Comment.id))]
    for n in replies_to:
        db.session.add(Comment(idea_id=idea.id, author_id=author.id, parent_id=ids[n - 1],
                               body=f"Antwort auf {n}", created_at=start + timedelta(hours=n)))
    db.session.commit()
    return ids


def _shown(html: str) -> list[str]:
    return re.findall(r'<div class="comment-body" hx-disable>([^<]*)</div>', html)


def _more_href(html: str) -> str | None:
    found = re.search(r'<p id="comments-more"[^>]*>\s*<a class="button" href="([^"]+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_the_idea_page_shows_the_first_threads_with_replies_and_a_plain_link_to_more(client):
    idea = make_idea()
    ids = _discussion(idea, PER_PAGE + 5, replies_to=(2,))
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert _shown(html) == ["Beitrag 1", "Beitrag 2", "Antwort auf 2"] + [f"Beitrag {n}" for n in range(3, PER_PAGE + 1)]
    more = _more_href(html)
    assert more == f"/ideas/{idea.id}?after={ids[PER_PAGE - 1]}#comments"

    # Without JavaScript the link opens the next page on its own, with a way back to the start.
    following = client.get(more.split("#")[0]).get_data(as_text=True)
    assert _shown(following) == [f"Beitrag {n}" for n in range(PER_PAGE + 1, PER_PAGE + 6)]
    assert _more_href(following) is None
    assert f'href="/ideas/{idea.id}#comments"' in following


def test_htmx_appends_the_next_page_with_the_new_link_and_an_announcement(client, english):
    idea = make_idea()
    ids = _discussion(idea, 2 * PER_PAGE + 1)
    response = client.get(f"/ideas/{idea.id}?after={ids[PER_PAGE - 1]}",
                          headers={"HX-Request": "true", "HX-Target": "comment-list"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and "<h1" not in html  # the fragment only
    assert _shown(html) == [f"Beitrag {n}" for n in range(PER_PAGE + 1, 2 * PER_PAGE + 1)]
    # The first new comment can take the focus; the next link replaces the old one out of band.
    assert re.search(rf'<li data-page-start>\s*<article class="comment" id="comment-{ids[PER_PAGE]}"[^>]*tabindex="-1"',
                     html)
    assert 'id="comments-more" class="comments-more" hx-swap-oob="outerHTML"' in html
    assert f"after={ids[2 * PER_PAGE - 1]}" in html
    assert f"{PER_PAGE} more comments loaded." in html and 'id="live-region"' in html


def test_a_permalink_opens_the_page_that_holds_a_deep_comment(client, app):
    idea = make_idea()
    ids = _discussion(idea, 2 * PER_PAGE + 3, replies_to=(PER_PAGE + 4,))
    reply = db.session.scalar(db.select(Comment.id).where(Comment.parent_id.is_not(None)))
    html = client.get(f"/ideas/{idea.id}?comment={reply}").get_data(as_text=True)
    assert f'id="comment-{reply}"' in html
    shown = _shown(html)
    # The same page "Show more comments" reaches from the first one: the second.
    assert shown[0] == f"Beitrag {PER_PAGE + 1}" and f"Beitrag {2 * PER_PAGE}" in shown
    assert "Beitrag 1" not in shown and f"Beitrag {2 * PER_PAGE + 1}" not in shown
    assert _more_href(html) == f"/ideas/{idea.id}?after={ids[2 * PER_PAGE - 1]}#comments"

    from ideas.participation import comment_url
    with app.test_request_context():
        assert comment_url(idea, reply) == f"/ideas/{idea.id}?comment={reply}#comment-{reply}"
        assert comment_url(idea, ids[3]) == f"/ideas/{idea.id}#comment-{ids[3]}"


def test_the_hide_mail_links_to_the_page_that_shows_the_comment(client, auth):
    from ideas.models import OutboxMail

    idea = make_idea()
    ids = _discussion(idea, PER_PAGE + 2)
    deep, early = ids[PER_PAGE + 1], ids[0]
    auth.login_as("moderator")
    for comment_id in (deep, early):
        client.post(f"/moderation/comments/{comment_id}/hide", data={"reason": "personal_attack"})
    bodies = [m.body_text for m in db.session.scalars(
        db.select(OutboxMail).where(OutboxMail.kind == "comment_hidden").order_by(OutboxMail.id))]
    assert len(bodies) == 2
    assert f"/ideas/{idea.id}?comment={deep}#comment-{deep}" in bodies[0]
    assert f"/ideas/{idea.id}#comment-{early}" in bodies[1]
    # An absolute link that opens the page where the hidden comment's place is marked.
    link = urlsplit(re.search(r"https?://\S+", bodies[0]).group(0))
    html = client.get(f"{link.path}?{link.query}").get_data(as_text=True)
    assert f'id="comment-{deep}"' in html


def test_a_new_comment_past_the_first_page_is_shown_after_posting(client, auth):
    idea = make_idea()
    _discussion(idea, PER_PAGE + 2)
    auth.login_as("citizen")
    response = client.post(f"/ideas/{idea.id}/comments", data={"body": "Die neueste Meinung"})
    new = db.session.scalar(db.select(Comment.id).where(Comment.body == "Die neueste Meinung"))
    assert response.headers["Location"] == f"/ideas/{idea.id}?comment={new}#comment-{new}"
    assert "Die neueste Meinung" in _shown(client.get(response.headers["Location"]).get_data(as_text=True))


@pytest.mark.parametrize("query", ["after=abc", "after=-5", "after=99999999999999", "comment=abc",
                                   "comment=0", "comment=99999999999999", "comment=-3", "after=2&comment=1x"])
def test_odd_page_parameters_show_a_page_and_never_fail(client, query):
    idea = make_idea()
    _discussion(idea, 3)
    response = client.get(f"/ideas/{idea.id}?{query}")
    assert response.status_code == 200


def test_a_comment_of_another_idea_opens_the_first_page(client):
    idea, other = make_idea(), make_idea()
    _discussion(idea, PER_PAGE + 1)
    [foreign] = _discussion(other, 1)
    html = client.get(f"/ideas/{idea.id}?comment={foreign}").get_data(as_text=True)
    assert _shown(html)[0] == "Beitrag 1"


def test_the_idea_page_runs_the_same_queries_for_10_and_300_comments(client, auth):
    small, large = make_idea(), make_idea()
    _discussion(small, 10, replies_to=(1, 2))
    _discussion(large, 300, replies_to=tuple(range(1, 300, 7)))
    urls = [f"/ideas/{small.id}", f"/ideas/{large.id}"]
    for who in (None, "citizen"):
        if who:
            auth.login_as(who)
        counts = []
        for url in urls:
            with count_queries() as statements:
                assert client.get(url).status_code == 200
            counts.append(len(statements))
        assert counts[0] == counts[1], who
    assert len(_shown(client.get(urls[1]).get_data(as_text=True))) < 60
