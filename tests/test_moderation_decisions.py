"""The netiquette gate: moderators publish, return or hide ideas and comments, and nothing else changes."""
import html
import re
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from sqlalchemy import func, select

from ideas import mail
from ideas.extensions import db
from ideas.models import (
    Comment, CommentStatus, Idea, IdeaStatus, ModerationEvent, NetiquetteReason, OutboxMail, Report, User,
)
from tests.conftest import Auth, count, make_idea, make_process, make_user

S = IdeaStatus
STALE = "Someone else has just changed this idea. Please reload the page."
WIFI_BODY = "Auf dem Marktplatz und im Rathaus sollte es freies WLAN für alle geben."


# Assert on the English texts, whatever catalog has been compiled meanwhile.
pytestmark = pytest.mark.usefixtures("english")


def events(idea, *where) -> list[ModerationEvent]:
    return list(db.session.scalars(
        select(ModerationEvent).where(ModerationEvent.idea_id == idea.id, *where).order_by(ModerationEvent.id)
    ))


def mails(user, kind=None) -> list[OutboxMail]:
    stmt = select(OutboxMail).where(OutboxMail.user_id == user.id)
    if kind:
        stmt = stmt.where(OutboxMail.kind == kind)
    return list(db.session.scalars(stmt.order_by(OutboxMail.id)))


def flashes(page) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<p class="flash flash-\w+" role="\w+">(.*?)</p>', page.text)]


def flashes_after(client, response) -> list[str]:
    """Follow a redirect and return the messages shown on the next page."""
    assert response.status_code == 302, response.status_code
    return flashes(client.get(response.headers["Location"]))


def browser(app):
    """Another person's browser, in English."""
    other = app.test_client()
    other.set_cookie("lang", "en")
    return other


def client_for(app, user):
    other = browser(app)
    Auth(other).login_as(user)
    return other


def pending_idea(author=None, process=None, **kwargs) -> Idea:
    process = process or make_process(mode="pre")
    author = author or make_user(locale="en")
    return make_idea(process, author, status=S.pending, **kwargs)


def report_by(client, people, url, reason="offensive"):
    for person in people:
        Auth(client).login_as(person)
        assert client.post(url, data={"reason": reason}).status_code == 302


# Who may decide

IDEA_ACTIONS = {
    "publish": {"expected": "pending"},
    "decline": {"expected": "pending", "reason": "advertising"},
    "hide": {"expected": "published", "reason": "advertising"},
    "show": {"expected": "hidden"},
    "dismiss-reports": {"expected": "published"},
}
COMMENT_ACTIONS = {"hide": {"reason": "advertising"}, "show": {}, "dismiss": {}}


def _targets():
    process = make_process(mode="pre")
    waiting = pending_idea(process=process)
    published = make_idea(make_process())
    comment = Comment(idea=published, author=make_user(), body="Ein ganz normaler Kommentar.")
    db.session.add(comment)
    db.session.commit()
    urls = [(f"/moderation/ideas/{waiting.id if a in ('publish', 'decline') else published.id}/{a}", data)
            for a, data in IDEA_ACTIONS.items()]
    urls += [(f"/moderation/comments/{comment.id}/{a}", data) for a, data in COMMENT_ACTIONS.items()]
    return urls


def _state():
    return (count(ModerationEvent), count(OutboxMail),
            sorted(db.session.execute(select(Idea.id, Idea.status)).all()),
            sorted(db.session.execute(select(Comment.id, Comment.status)).all()))


def test_citizens_are_refused_every_decision(client, auth):
    targets = _targets()
    before = _state()
    auth.login_as("citizen")
    for url, data in targets:
        assert client.post(url, data=data).status_code == 403, url
    assert _state() == before


def test_anonymous_visitors_are_sent_to_the_login(client):
    targets = _targets()
    before = _state()
    for url, data in targets:
        response = client.post(url, data=data)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]
    assert _state() == before


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_decisions_are_post_only(client, auth, method):
    targets = _targets()
    auth.login_as("moderator")
    for url, _ in targets:
        assert getattr(client, method)(url).status_code == 405, url


@pytest.mark.parametrize("expected", [None, "", "approved", "PENDING", "pending\n"])
def test_a_missing_or_unknown_expected_status_is_a_bad_request(client, auth, expected):
    idea = pending_idea()
    auth.login_as("moderator")
    data = {} if expected is None else {"expected": expected}
    for action in ("publish", "decline", "hide", "show", "dismiss-reports"):
        response = client.post(f"/moderation/ideas/{idea.id}/{action}", data={**data, "reason": "other"})
        assert response.status_code == 400, action
    assert db.session.get(Idea, idea.id).status == S.pending
    assert len(events(idea)) == 1


def test_unknown_ids_are_not_found(client, auth):
    auth.login_as("moderator")
    for url in ("/moderation/ideas/999/publish", "/moderation/comments/999/hide",
                "/moderation/comments/99999999999999999999/show"):
        assert client.post(url, data={"expected": "pending", "reason": "other"}).status_code == 404


# Pre-moderation: publish, publish and trust, return for revision

def test_the_staff_page_offers_the_decisions_for_a_waiting_idea(client, auth):
    idea = pending_idea()
    auth.login_as("moderator")
    page = client.get(f"/moderation/ideas/{idea.id}")
    assert page.status_code == 200
    for text in ("Publish", "Publish and trust the author", "Return to the author", "Personal attacks or insults"):
        assert text in html.unescape(page.text)
    assert 'value="reported"' not in page.text, "the automatic reason is not a moderator's choice"
    assert 'name="expected" value="pending"' in page.text
    assert "Hide idea" not in page.text


def test_publishing_a_waiting_idea(client, auth):
    idea = pending_idea()
    moderator = auth.login_as("moderator")
    response = client.post(f"/moderation/ideas/{idea.id}/publish", data={"expected": "pending", "trust": "0"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/moderation/?tab=new"
    assert "The idea is published." in flashes_after(client, response)
    idea = db.session.get(Idea, idea.id)
    assert idea.status == S.published and idea.published_at is not None
    [event] = events(idea, ModerationEvent.from_status.is_not(None))
    assert (event.actor_id, event.from_status, event.to_status) == (moderator.id, S.pending, S.published)
    assert not idea.author.trusted
    [sent] = mails(idea.author, "idea_published")
    assert idea.title in sent.body_text
    assert any(m["To"] == idea.author.email for m in mail.outbox())


def test_publish_and_trust_lets_the_next_idea_skip_the_queue(app, client, auth):
    process = make_process(mode="pre")
    author = make_user(locale="en")
    idea = pending_idea(author, process)
    auth.login_as("moderator")
    response = client.post(f"/moderation/ideas/{idea.id}/publish", data={"expected": "pending", "trust": "1"})
    assert response.status_code == 302
    assert any("Later ideas of" in m for m in flashes_after(client, response))
    assert db.session.get(User, author.id).trusted
    assert db.session.get(Idea, idea.id).status == S.published

    own = client_for(app, author)
    response = own.post("/ideas/new", data={
        "title": "Digitale Sprechstunde im Rathaus", "body": "Termine beim Bürgeramt online buchen können.",
        "action_field": str(process.action_fields[0].id), "submit": "1",
    })
    assert response.status_code == 302
    newest = db.session.scalar(select(Idea).where(Idea.author_id == author.id).order_by(Idea.id.desc()))
    assert newest.id != idea.id and newest.status == S.published


def test_an_untrusted_authors_next_idea_waits(client, auth):
    process = make_process(mode="pre")
    author = make_user()
    idea = pending_idea(author, process)
    auth.login_as("moderator")
    client.post(f"/moderation/ideas/{idea.id}/publish", data={"expected": "pending"})
    assert not db.session.get(User, author.id).trusted
    assert pending_idea(author, process, title="Noch eine Idee für die Stadt").status == S.pending


def test_declining_needs_a_reason(client, auth):
    idea = pending_idea()
    auth.login_as("moderator")
    before = _state()
    response = client.post(f"/moderation/ideas/{idea.id}/decline",
                           data={"expected": "pending", "reason": "", "note": "Bitte kürzer."})
    assert response.status_code == 422
    assert "Please choose a reason." in response.text
    assert 'aria-invalid="true"' in response.text and 'id="decline-reason-error"' in response.text
    assert "Bitte kürzer." in response.text, "what the moderator typed is kept"
    assert _state() == before


@pytest.mark.parametrize("reason", ["reported", "rude", "PERSONAL_ATTACK"])
def test_declining_with_a_reason_that_is_not_offered_is_refused(client, auth, reason):
    idea = pending_idea()
    auth.login_as("moderator")
    before = _state()
    response = client.post(f"/moderation/ideas/{idea.id}/decline", data={"expected": "pending", "reason": reason})
    assert response.status_code == 422
    assert _state() == before


def test_a_too_long_note_is_refused(client, auth):
    idea = pending_idea()
    auth.login_as("moderator")
    before = _state()
    response = client.post(f"/moderation/ideas/{idea.id}/decline",
                           data={"expected": "pending", "reason": "other", "note": "x" * 1001})
    assert response.status_code == 422
    assert "at most 1000 characters" in response.text
    assert _state() == before


def test_declining_tells_the_author_why(client, auth):
    idea = pending_idea()
    moderator = auth.login_as("moderator")
    response = client.post(f"/moderation/ideas/{idea.id}/decline", data={
        "expected": "pending", "reason": "personal_data", "note": "Bitte ohne die Telefonnummer von Frau M.",
    })
    assert response.status_code == 302
    assert response.headers["Location"] == "/moderation/?tab=new"
    assert "The idea has been returned to its author for revision." in flashes_after(client, response)
    idea = db.session.get(Idea, idea.id)
    assert idea.status == S.declined
    assert idea.moderation_reason == NetiquetteReason.personal_data
    assert idea.moderation_note == "Bitte ohne die Telefonnummer von Frau M."
    [event] = events(idea, ModerationEvent.from_status.is_not(None))
    assert (event.actor_id, event.from_status, event.to_status, event.reason, event.note) == (
        moderator.id, S.pending, S.declined, "personal_data", "Bitte ohne die Telefonnummer von Frau M.")
    [sent] = mails(idea.author, "idea_declined")
    assert "Reason: Personal data of others" in sent.body_text
    assert "Bitte ohne die Telefonnummer von Frau M." in sent.body_text
    assert f"/ideas/{idea.id}/edit" in sent.body_text


def test_the_whole_cycle_submit_decline_revise_publish(app, client, auth):
    process = make_process(mode="pre")
    author = make_user(locale="en")
    citizen = client_for(app, author)
    response = citizen.post("/ideas/new", data={
        "title": "Freies WLAN am Bahnhof", "body": "Reisende warten oft lange und brauchen Internet.",
        "action_field": str(process.action_fields[0].id), "submit": "1",
    })
    assert response.status_code == 302
    idea = db.session.scalar(select(Idea).where(Idea.author_id == author.id))
    assert idea.status == S.pending
    assert client.get(f"/ideas/{idea.id}").status_code == 404, "not public while waiting"

    moderator = client_for(app, make_user(role="moderator"))
    response = moderator.post(f"/moderation/ideas/{idea.id}/decline", data={
        "expected": "pending", "reason": "duplicate", "note": "Siehe die Idee zum WLAN am Markt.",
    })
    assert response.status_code == 302

    account = citizen.get("/account").text
    assert "Reason: The same idea exists already" in html.unescape(account)
    assert "Siehe die Idee zum WLAN am Markt." in account
    assert f'href="/ideas/{idea.id}/edit">Edit and resubmit' in account
    page = html.unescape(citizen.get(f"/ideas/{idea.id}").text)
    assert "Our moderators have returned your idea for revision." in page
    assert "Reason: The same idea exists already" in page
    assert "Siehe die Idee zum WLAN am Markt." in page
    assert f'href="/ideas/{idea.id}/edit">Edit and resubmit' in page
    other = client_for(app, make_user())
    assert other.get(f"/ideas/{idea.id}").status_code == 404, "the reason is for the author only"

    response = citizen.post(f"/ideas/{idea.id}/edit", data={
        "title": "Freies WLAN am Bahnhof und im Bus", "body": "Reisende warten oft lange; auch im Bus wäre es gut.",
        "action_field": str(process.action_fields[0].id), "submit": "1",
    })
    assert response.status_code == 302
    db.session.rollback()
    idea = db.session.get(Idea, idea.id)
    assert idea.status == S.pending
    assert [(e.from_status, e.to_status) for e in events(idea)][-1] == (S.declined, S.pending)
    staff_page = moderator.get(f"/moderation/ideas/{idea.id}")
    assert 'name="expected" value="pending"' in staff_page.text

    response = moderator.post(f"/moderation/ideas/{idea.id}/publish", data={"expected": "pending"})
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(Idea, idea.id).status == S.published
    public = client.get(f"/ideas/{idea.id}")
    assert public.status_code == 200
    assert "Freies WLAN am Bahnhof und im Bus" in public.text
    assert "Reason:" not in public.text
    assert "Freies WLAN am Bahnhof und im Bus" in client.get("/ideas").text


# Stale decisions: the moderator saw an older state

def test_a_decision_on_old_information_is_refused_and_nothing_is_written(app, client, auth):
    idea = pending_idea()
    other = client_for(app, make_user(role="moderator"))
    assert other.post(f"/moderation/ideas/{idea.id}/decline",
                      data={"expected": "pending", "reason": "advertising"}).status_code == 302
    db.session.rollback()
    before = _state()

    auth.login_as("moderator")
    for action, data in [("publish", {"trust": "1"}), ("decline", {"reason": "other"}),
                         ("hide", {"reason": "other"}), ("show", {}), ("dismiss-reports", {})]:
        response = client.post(f"/moderation/ideas/{idea.id}/{action}", data={"expected": "pending", **data})
        assert response.status_code == 302, action
        assert response.headers["Location"] == f"/moderation/ideas/{idea.id}", action
        assert STALE in flashes_after(client, response), action
    assert _state() == before
    assert not db.session.get(Idea, idea.id).author.trusted


def test_hiding_with_an_outdated_status_is_refused(client, auth):
    idea = make_idea(status=S.under_review)
    auth.login_as("moderator")
    before = _state()
    response = client.post(f"/moderation/ideas/{idea.id}/hide", data={"expected": "published", "reason": "other"})
    assert STALE in flashes_after(client, response)
    assert _state() == before


def _decide_at_once(app, idea, jobs):
    """Post the decisions of several moderators at the same moment, each with their own browser."""
    clients = [client_for(app, make_user(role="moderator")) for _ in jobs]
    idea_id = idea.id  # read before the rollback expires the object
    db.session.rollback()
    start = Barrier(len(jobs))

    def post(pair):
        visitor, (action, data) = pair
        start.wait(timeout=30)
        return visitor, visitor.post(f"/moderation/ideas/{idea_id}/{action}", data={"expected": "pending", **data})

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(post, zip(clients, jobs)))
    db.session.rollback()  # end the test's own read snapshot
    return idea_id, results


@pytest.mark.parametrize("jobs", [
    [("publish", {}), ("decline", {"reason": "advertising"})],
    [("publish", {}), ("publish", {})],
    [("decline", {"reason": "off_topic"}), ("decline", {"reason": "advertising"})],
], ids=["publish-vs-decline", "publish-twice", "decline-twice"])
def test_two_moderators_deciding_at_once_make_one_decision(app, jobs):
    idea = pending_idea()
    author_id = idea.author_id
    idea_id, results = _decide_at_once(app, idea, jobs)

    assert all(r.status_code == 302 for _, r in results), [r.status_code for _, r in results]
    decisions = events(db.session.get(Idea, idea_id), ModerationEvent.from_status == S.pending)
    assert len(decisions) == 1
    idea = db.session.get(Idea, idea_id)
    assert idea.status == decisions[0].to_status
    winners = [r for _, r in results if r.headers["Location"] == "/moderation/?tab=new"]
    losers = [(b, r) for b, r in results if r.headers["Location"] == f"/moderation/ideas/{idea_id}"]
    assert len(winners) == 1 and len(losers) == 1
    visitor, response = losers[0]
    assert STALE in flashes(visitor.get(response.headers["Location"]))
    sent = db.session.scalar(select(func.count()).select_from(OutboxMail).where(OutboxMail.user_id == author_id))
    assert sent == 1, "the author hears of one decision only"


# Post-moderation: hide, show again, dismiss reports

def test_the_staff_page_offers_hiding_for_a_published_idea(client, auth):
    idea = make_idea()
    auth.login_as("moderator")
    page = html.unescape(client.get(f"/moderation/ideas/{idea.id}").text)
    assert "Hide idea" in page and 'name="expected" value="published"' in page
    assert "Return to the author" not in page and "Dismiss reports" not in page


def test_hiding_a_reported_idea_closes_its_reports_and_tells_the_author(app, client, auth):
    idea = make_idea(author=make_user(locale="en"))
    report_by(browser(app), [make_user()], f"/ideas/{idea.id}/report")
    moderator = auth.login_as("moderator")
    page = client.get(f"/moderation/ideas/{idea.id}")
    assert "1 person has reported this idea." in page.text

    response = client.post(f"/moderation/ideas/{idea.id}/hide", data={
        "expected": "published", "reason": "personal_attack", "note": "Bitte sachlich bleiben.",
    })
    assert response.status_code == 302
    assert "The idea is hidden. Its author has been told why." in flashes_after(client, response)
    idea = db.session.get(Idea, idea.id)
    assert idea.status == S.hidden and idea.moderation_reason == NetiquetteReason.personal_attack
    [event] = events(idea, ModerationEvent.to_status == S.hidden)
    assert (event.actor_id, event.from_status, event.reason, event.note) == (
        moderator.id, S.published, "personal_attack", "Bitte sachlich bleiben.")
    [report] = db.session.scalars(select(Report)).all()
    assert report.resolved_at is not None and report.resolution == "hidden" and report.resolved_by_id == moderator.id
    [sent] = mails(idea.author, "idea_hidden")
    assert "Reason: Personal attacks or insults" in sent.body_text and "Bitte sachlich bleiben." in sent.body_text

    anonymous = browser(app)
    assert anonymous.get(f"/ideas/{idea.id}").status_code == 404
    author_page = html.unescape(client_for(app, idea.author).get(f"/ideas/{idea.id}").text)
    assert "Our moderators have hidden your idea." in author_page
    assert "Reason: Personal attacks or insults" in author_page and "Bitte sachlich bleiben." in author_page
    assert "Edit and resubmit" not in author_page
    account = html.unescape(client_for(app, idea.author).get("/account").text)
    assert "Reason: Personal attacks or insults" in account


def test_hiding_needs_a_reason(client, auth):
    idea = make_idea()
    auth.login_as("moderator")
    before = _state()
    response = client.post(f"/moderation/ideas/{idea.id}/hide", data={"expected": "published", "note": "x"})
    assert response.status_code == 422
    assert 'id="hide-reason-error"' in response.text and "<details class=\"hide-idea\" open>" in response.text
    assert _state() == before


def test_an_idea_under_review_can_be_hidden_and_shown_again_in_its_old_status(app, client, auth):
    idea = make_idea(status=S.under_review)
    moderator = auth.login_as("moderator")
    client.post(f"/moderation/ideas/{idea.id}/hide", data={"expected": "under_review", "reason": "advertising"})
    assert db.session.get(Idea, idea.id).status == S.hidden
    page = html.unescape(client.get(f"/moderation/ideas/{idea.id}").text)
    assert "Show again" in page and "Reason: Advertising" in page

    response = client.post(f"/moderation/ideas/{idea.id}/show", data={"expected": "hidden"})
    assert "The idea is visible again." in flashes_after(client, response)
    idea = db.session.get(Idea, idea.id)
    assert idea.status == S.under_review and idea.moderation_reason is None and idea.moderation_note is None
    last = events(idea)[-1]
    assert (last.actor_id, last.from_status, last.to_status) == (moderator.id, S.hidden, S.under_review)
    assert browser(app).get(f"/ideas/{idea.id}").status_code == 200


def test_an_idea_that_cannot_be_hidden_is_refused_with_a_message(client, auth):
    idea = make_idea(status=S.implemented)
    auth.login_as("moderator")
    assert "Hide idea" not in client.get(f"/moderation/ideas/{idea.id}").text
    before = _state()
    response = client.post(f"/moderation/ideas/{idea.id}/hide", data={"expected": "implemented", "reason": "other"})
    assert "This change of status is not possible." in flashes_after(client, response)
    assert _state() == before


def test_three_reports_hide_an_idea_and_dismissing_them_shows_it_again(app, client, auth):
    idea = make_idea(author=make_user(locale="en"))
    report_by(browser(app), [make_user() for _ in range(3)], f"/ideas/{idea.id}/report")
    idea = db.session.get(Idea, idea.id)
    assert idea.status == S.hidden and idea.moderation_reason == NetiquetteReason.reported
    assert browser(app).get(f"/ideas/{idea.id}").status_code == 404

    moderator = auth.login_as("moderator")
    page = html.unescape(client.get(f"/moderation/ideas/{idea.id}").text)
    assert "3 people have reported this idea." in page and "the idea is shown again" in page
    response = client.post(f"/moderation/ideas/{idea.id}/dismiss-reports", data={"expected": "hidden"})
    assert "The reports are dismissed and the idea is visible again." in flashes_after(client, response)

    idea = db.session.get(Idea, idea.id)
    assert idea.status == S.published and idea.moderation_reason is None
    assert count(Report, Report.resolved_at.is_(None)) == 0
    assert {r.resolution for r in db.session.scalars(select(Report))} == {"dismissed"}
    dismissed = events(idea, ModerationEvent.reason == "reports_dismissed")
    assert [(e.actor_id, e.comment_id) for e in dismissed] == [(moderator.id, None)]
    assert events(idea)[-1].to_status == S.published
    public = browser(app).get(f"/ideas/{idea.id}")
    assert public.status_code == 200 and idea.title in html.unescape(public.text)
    history = html.unescape(client.get(f"/moderation/ideas/{idea.id}").text)
    assert "Reports dismissed" in history


def test_dismissing_reports_on_a_visible_idea_keeps_it_as_it_is(app, client, auth):
    idea = make_idea()
    report_by(browser(app), [make_user()], f"/ideas/{idea.id}/report")
    auth.login_as("moderator")
    response = client.post(f"/moderation/ideas/{idea.id}/dismiss-reports", data={"expected": "published"})
    assert "The reports are dismissed." in flashes_after(client, response)
    assert db.session.get(Idea, idea.id).status == S.published
    assert count(Report, Report.resolution == "dismissed") == 1
    assert len(events(idea, ModerationEvent.reason == "reports_dismissed")) == 1

    response = client.post(f"/moderation/ideas/{idea.id}/dismiss-reports", data={"expected": "published"})
    assert "There are no open reports about this idea." in flashes_after(client, response)
    assert len(events(idea, ModerationEvent.reason == "reports_dismissed")) == 1


def test_a_hidden_idea_shown_again_does_not_vanish_with_the_next_report(app, client, auth):
    idea = make_idea()
    reporters = browser(app)
    report_by(reporters, [make_user() for _ in range(3)], f"/ideas/{idea.id}/report")
    auth.login_as("moderator")
    client.post(f"/moderation/ideas/{idea.id}/show", data={"expected": "hidden"})
    assert db.session.get(Idea, idea.id).status == S.published
    report_by(reporters, [make_user()], f"/ideas/{idea.id}/report")
    assert db.session.get(Idea, idea.id).status == S.published


# Comments

def _comment(idea, body="Das ist ein Kommentar, der gemeldet wird.", author=None):
    comment = Comment(idea=idea, author=author or make_user(locale="en"), body=body)
    db.session.add(comment)
    db.session.flush()
    idea.comment_count += 1
    db.session.commit()
    return comment


def test_three_reports_hide_a_comment_and_a_moderator_shows_it_again(app, client, auth):
    idea = make_idea()
    comment = _comment(idea, "Ein sehr besonderer Kommentartext 4711.")
    assert "Ein sehr besonderer Kommentartext 4711." in browser(app).get(f"/ideas/{idea.id}").text
    report_by(browser(app), [make_user() for _ in range(3)], f"/comments/{comment.id}/report")

    public = browser(app).get(f"/ideas/{idea.id}")
    assert "Ein sehr besonderer Kommentartext 4711." not in public.text
    assert "0 comments" in public.text
    assert db.session.get(Idea, idea.id).comment_count == 0

    moderator = auth.login_as("moderator")
    staff = html.unescape(client.get(f"/moderation/ideas/{idea.id}").text)
    assert 'id="moderated-comments"' in staff
    assert "Ein sehr besonderer Kommentartext 4711." in staff and "3 open reports" in staff
    assert "Show comment again" in staff and "Hide comment" not in staff

    response = client.post(f"/moderation/comments/{comment.id}/show")
    assert response.headers["Location"] == f"/moderation/ideas/{idea.id}#moderated-comments"
    assert "The comment is visible again." in flashes_after(client, response)
    assert db.session.get(Comment, comment.id).status == CommentStatus.visible
    assert db.session.get(Idea, idea.id).comment_count == 1
    assert count(Report, Report.resolved_at.is_(None)) == 0
    shown = events(idea, ModerationEvent.reason == "comment_shown")
    assert [(e.actor_id, e.comment_id) for e in shown] == [(moderator.id, comment.id)]
    assert "Ein sehr besonderer Kommentartext 4711." in browser(app).get(f"/ideas/{idea.id}").text
    assert 'id="moderated-comments"' not in client.get(f"/moderation/ideas/{idea.id}").text


def test_a_moderator_hides_a_reported_comment_with_a_reason(app, client, auth):
    idea = make_idea()
    comment = _comment(idea)
    report_by(browser(app), [make_user()], f"/comments/{comment.id}/report")
    moderator = auth.login_as("moderator")
    staff = html.unescape(client.get(f"/moderation/ideas/{idea.id}").text)
    assert "1 open report" in staff and f'id="comment-reason-{comment.id}"' in staff

    response = client.post(f"/moderation/comments/{comment.id}/hide", data={"reason": "personal_attack"})
    assert "The comment is hidden. Its author has been told why." in flashes_after(client, response)
    comment = db.session.get(Comment, comment.id)
    assert comment.status == CommentStatus.hidden and comment.moderation_reason == NetiquetteReason.personal_attack
    assert db.session.get(Idea, idea.id).comment_count == 0
    [event] = events(idea, ModerationEvent.reason == "comment_hidden")
    assert (event.actor_id, event.comment_id, event.note) == (moderator.id, comment.id, "personal_attack")
    assert {r.resolution for r in db.session.scalars(select(Report))} == {"hidden"}
    [sent] = mails(comment.author, "comment_hidden")
    assert "Reason: Personal attacks or insults" in sent.body_text
    assert comment.body not in browser(app).get(f"/ideas/{idea.id}").text

    response = client.post(f"/moderation/comments/{comment.id}/hide", data={"reason": "other"})
    assert "This comment is not shown anyway." in flashes_after(client, response)
    assert db.session.get(Idea, idea.id).comment_count == 0


def test_hiding_a_comment_needs_a_reason(app, client, auth):
    idea = make_idea()
    comment = _comment(idea)
    report_by(browser(app), [make_user()], f"/comments/{comment.id}/report")
    auth.login_as("moderator")
    before = _state()
    for data in ({}, {"reason": ""}, {"reason": "reported"}):
        response = client.post(f"/moderation/comments/{comment.id}/hide", data=data)
        assert response.status_code == 422
        assert f'id="comment-reason-{comment.id}-error"' in response.text
    assert _state() == before


def test_dismissing_the_reports_of_a_comment(app, client, auth):
    idea = make_idea()
    comment = _comment(idea)
    report_by(browser(app), [make_user()], f"/comments/{comment.id}/report")
    moderator = auth.login_as("moderator")
    response = client.post(f"/moderation/comments/{comment.id}/dismiss")
    assert "The reports are dismissed." in flashes_after(client, response)
    assert db.session.get(Comment, comment.id).status == CommentStatus.visible
    assert count(Report, Report.resolution == "dismissed", Report.resolved_by_id == moderator.id) == 1
    [event] = events(idea, ModerationEvent.reason == "reports_dismissed")
    assert (event.actor_id, event.comment_id) == (moderator.id, comment.id)

    response = client.post(f"/moderation/comments/{comment.id}/dismiss")
    assert "There are no open reports about this comment." in flashes_after(client, response)


def test_dismissing_the_reports_of_an_auto_hidden_comment_shows_it_again(app, client, auth):
    idea = make_idea()
    comment = _comment(idea)
    report_by(browser(app), [make_user() for _ in range(3)], f"/comments/{comment.id}/report")
    assert db.session.get(Comment, comment.id).status == CommentStatus.hidden
    auth.login_as("moderator")
    response = client.post(f"/moderation/comments/{comment.id}/dismiss")
    assert "The reports are dismissed and the comment is visible again." in flashes_after(client, response)
    assert db.session.get(Comment, comment.id).status == CommentStatus.visible
    assert db.session.get(Idea, idea.id).comment_count == 1


def test_showing_a_visible_comment_changes_nothing(client, auth):
    idea = make_idea()
    comment = _comment(idea)
    auth.login_as("moderator")
    before = _state()
    response = client.post(f"/moderation/comments/{comment.id}/show")
    assert "This comment is visible already." in flashes_after(client, response)
    assert _state() == before
    assert db.session.get(Idea, idea.id).comment_count == 1


def test_two_moderators_hiding_the_same_comment_at_once_count_it_once(app):
    idea = make_idea()
    comment = _comment(idea)
    clients = [client_for(app, make_user(role="moderator")) for _ in range(2)]
    comment_id, idea_id = comment.id, idea.id
    db.session.rollback()
    start = Barrier(2)

    def post(visitor):
        start.wait(timeout=30)
        return visitor.post(f"/moderation/comments/{comment_id}/hide", data={"reason": "advertising"}).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        codes = list(pool.map(post, clients))
    db.session.rollback()  # end the test's own read snapshot
    assert codes == [302, 302]
    assert db.session.get(Idea, idea_id).comment_count == 0
    assert count(ModerationEvent, ModerationEvent.comment_id == comment_id) == 1
