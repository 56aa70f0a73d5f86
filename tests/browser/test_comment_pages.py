"""A long discussion in a real browser: "Show more comments" appends the next page with htmx and
puts the focus on its first comment; without JavaScript the same link opens that page."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import insert

from ideas.discussion import COMMENTS_PER_PAGE
from ideas.extensions import db
from ideas.models import Comment, CommentStatus, utcnow
from tests.browser.helpers import wait_for_htmx
from tests.conftest import make_idea, make_user

pytestmark = pytest.mark.browser


def _long_discussion(app) -> tuple[int, list[int]]:
    with app.app_context():
        idea, author = make_idea(), make_user()
        start = utcnow() - timedelta(days=1)
        db.session.execute(insert(Comment), [
            {"idea_id": idea.id, "author_id": author.id, "body": f"Beitrag {n}", "status": CommentStatus.visible,
             "created_at": start + timedelta(minutes=n)} for n in range(1, COMMENTS_PER_PAGE + 6)])
        db.session.commit()
        ids = list(db.session.scalars(db.select(Comment.id).where(Comment.idea_id == idea.id).order_by(Comment.id)))
        return idea.id, ids


def test_show_more_appends_the_next_page_and_moves_the_focus_there(live_app, new_page, browser_checks):
    idea_id, ids = _long_discussion(live_app)
    page = new_page()
    page.goto(f"/ideas/{idea_id}")
    expect(page.locator("#comment-list > li")).to_have_count(COMMENTS_PER_PAGE)
    page.locator("#comments-more a").click()
    wait_for_htmx(page, "show more comments")
    expect(page.locator("#comment-list > li")).to_have_count(COMMENTS_PER_PAGE + 5)
    expect(page.locator(f"#comment-{ids[COMMENTS_PER_PAGE]}")).to_be_focused()
    expect(page.locator("#live-region")).to_contain_text("5")
    expect(page.locator("#comments-more a")).to_have_count(0)
    assert page.url.endswith(f"/ideas/{idea_id}")  # the page itself stays where it was
    browser_checks.assert_clean()


def test_without_javascript_the_link_opens_the_next_page(live_app, new_page, browser_checks):
    idea_id, ids = _long_discussion(live_app)
    page = new_page(js=False)
    page.goto(f"/ideas/{idea_id}")
    page.locator("#comments-more a").click()
    page.wait_for_url(f"**/ideas/{idea_id}?after={ids[COMMENTS_PER_PAGE - 1]}#comments")
    expect(page.locator("#comment-list > li")).to_have_count(5)
    expect(page.locator(f"#comment-{ids[COMMENTS_PER_PAGE]}")).to_be_visible()
    expect(page.locator(".comments-earlier a")).to_be_visible()
    browser_checks.assert_clean()
