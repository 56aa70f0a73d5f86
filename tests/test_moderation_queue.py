"""The moderation queue, its bulk actions and the service-level overview, as moderators use them."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ideas import discussion, mail, workflow
from ideas.extensions import db
from ideas.models import (
    Channel, Comment, Idea, IdeaStatus, ModerationEvent, OutboxMail, ReportReason, utcnow,
)
from tests.conftest import make_idea, make_process, make_user
from tests.test_queries import count_queries

S = IdeaStatus
STAFF_PAGES = ["/moderation/", "/moderation/overview"]


@pytest.fixture
def moderator(client, auth):
    client.set_cookie("lang", "en")
    return auth.login_as("moderator")


def _counts(html: str) -> dict[str, int]:
    """The number shown on each tab of the queue."""
    found = re.findall(r'tab=(\w+)[^"]*"[^>]*>[^<]*<span class="queue-count">(\d+)</span>', html)
    return {tab: int(n) for tab, n in found}


def make(process, status=S.published, **kwargs) -> Idea:
    """An idea in any status, also in a pre-moderated process (a trusted author skips the queue)."""
    if status != S.pending and "author" not in kwargs and kwargs.get("with_author", True):
        kwargs["author"] = make_user(trusted=True)
    return make_idea(process=process, status=status, **kwargs)


def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _report_three_times(comment: Comment | None, idea: Idea, reasons=(ReportReason.spam,) * 3):
    for reason in reasons:
        discussion.report(make_user(), idea, reason, comment=comment)
    db.session.commit()


# Access ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("method,url", [("GET", u) for u in STAFF_PAGES] + [("POST", "/moderation/bulk")])
def test_anonymous_visitors_are_sent_to_the_login(client, method, url):
    response = client.open(url, method=method)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("method,url", [("GET", u) for u in STAFF_PAGES] + [("POST", "/moderation/bulk")])
def test_citizens_are_refused(client, auth, method, url):
    idea = make_idea(process=make_process(mode="pre"), status=S.pending)
    auth.login_as("citizen")
    response = client.open(url, method=method, data={"ids": [str(idea.id)], "action": "publish"})
    assert response.status_code == 403
    assert db.session.get(Idea, idea.id).status == S.pending


@pytest.mark.parametrize("role", ["moderator", "team", "admin"])
@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_see_the_queue_and_the_overview(client, auth, role, url):
    make_idea()
    auth.login_as(role)
    assert client.get(url).status_code == 200


def test_pages_work_without_any_process(client, moderator):
    for url in STAFF_PAGES:
        assert "Nothing is waiting" in _page(client, url) or "no participation process" in _page(client, url)


# Tabs ---------------------------------------------------------------------------------------

def test_each_tab_lists_its_ideas_and_no_others(client, moderator):
    process = make_process(mode="pre")
    pending = make(process, status=S.pending, title="Pending idea about benches")
    published = make(process, status=S.published, title="Published idea about lights",
                          channel=Channel.workshop)
    reviewed = make(process, status=S.under_review, title="Reviewed idea about buses")
    workflow.prepare_answer(reviewed, moderator, S.accepted, "We will do it.")
    answered = make(process, status=S.published, title="Answered idea about parks",
                         channel=Channel.workshop)
    workflow.prepare_answer(answered, moderator, S.under_review, "We look at it.")
    workflow.release_answer(answered, moderator)
    accepted = make(process, status=S.accepted, title="Accepted idea about trees",
                         channel=Channel.workshop)
    db.session.commit()
    published.support_count = 5  # the most supported idea comes first in "to evaluate"
    db.session.commit()

    new = _page(client, f"/moderation/?tab=new&process={process.slug}")
    assert pending.title in new
    assert all(i.title not in new for i in (published, reviewed, answered, accepted))

    evaluate = _page(client, f"/moderation/?tab=evaluate&process={process.slug}")
    assert published.title in evaluate and reviewed.title in evaluate
    assert evaluate.index(published.title) < evaluate.index(reviewed.title)
    assert "Answer prepared: Accepted" in evaluate
    assert all(i.title not in evaluate for i in (pending, answered, accepted))

    decided = _page(client, f"/moderation/?tab=decided&process={process.slug}")
    assert accepted.title in decided
    assert all(i.title not in decided for i in (pending, published, reviewed, answered))

    reported = _page(client, f"/moderation/?tab=reported&process={process.slug}")
    assert "Nothing is waiting here." in reported
    assert _counts(new) == {"new": 1, "reported": 0, "evaluate": 2, "decided": 1}


def test_a_comment_reported_by_three_people_is_in_the_reported_tab(client, moderator):
    process = make_process()
    idea = make(process, title="Idea with a rude comment")
    comment = discussion.add_comment(make_user(), idea, "Something rude and offensive")
    other = make(process, title="Idea reported once")
    make(process, title="Idea nobody reported")
    db.session.commit()
    _report_three_times(comment, idea, (ReportReason.spam, ReportReason.spam, ReportReason.offensive))
    discussion.report(make_user(), other, ReportReason.off_topic)
    db.session.commit()

    html = _page(client, f"/moderation/?tab=reported&process={process.slug}")
    assert "Something rude and offensive" in html
    assert "3 people" in html and "1 person" in html
    assert "Spam or advertising (2)" in html and "Offensive or hurtful (1)" in html
    assert "Hidden" in html  # three reports reached the threshold
    assert html.index("Something rude") < html.index("Idea reported once")  # most reported first
    assert "Idea nobody reported" not in html
    assert _counts(html)["reported"] == 2

    # A resolved report leaves the queue.
    discussion.resolve_reports(other, None, moderator, "dismissed")
    db.session.commit()
    html = _page(client, f"/moderation/?tab=reported&process={process.slug}")
    assert "Idea reported once" not in html
    assert _counts(html)["reported"] == 1


def test_the_waiting_time_is_shown_in_plain_words(client, moderator):
    process = make_process(mode="pre")
    idea = make(process, status=S.pending, title="An idea that waits for days")
    idea.created_at = utcnow() - timedelta(days=3, hours=1)
    comment = discussion.add_comment(make_user(), make(process), "A reported comment")
    db.session.commit()
    discussion.report(make_user(), comment.idea, ReportReason.spam, comment=comment)
    db.session.commit()
    assert "3 days" in _page(client, f"/moderation/?tab=new&process={process.slug}")
    reported = _page(client, f"/moderation/?tab=reported&process={process.slug}")
    assert re.search(r'queue-waited">\s*\d+ seconds?', reported)


def test_filters_narrow_the_list_and_the_counts(client, moderator):
    process = make_process(mode="pre")
    other_process = make_process(mode="pre")
    first, second = process.action_fields[:2]
    old = make(process, status=S.pending, field=first, title="Old idea in the first field")
    old.created_at = utcnow() - timedelta(days=8)
    make(process, status=S.pending, field=second, title="New idea in the second field")
    make(process, author=None, with_author=False, status=S.published, field=first,
              channel=Channel.pinboard, title="Pinboard idea in the first field")
    make(other_process, status=S.pending, title="Idea of another process")
    db.session.commit()
    base = f"/moderation/?process={process.slug}"

    html = _page(client, f"{base}&tab=new")
    assert "Old idea" in html and "New idea" in html and "another process" not in html

    html = _page(client, f"{base}&tab=new&field={first.slug}")
    assert "Old idea" in html and "New idea" not in html
    assert _counts(html) == {"new": 1, "reported": 0, "evaluate": 1, "decided": 0}
    assert f"field={first.slug}" in html  # tab links keep the filters

    html = _page(client, f"{base}&tab=new&age=7")
    assert "Old idea" in html and "New idea" not in html
    html = _page(client, f"{base}&tab=new&age=14")
    assert "Old idea" not in html

    html = _page(client, f"{base}&tab=evaluate&channel=pinboard")
    assert "Pinboard idea" in html
    assert _counts(html)["new"] == 0

    html = _page(client, f"/moderation/?process={other_process.slug}&tab=new")
    assert "another process" in html and "Old idea" not in html

    # Unknown values are ignored; an unknown process is not found.
    assert "Old idea" in _page(client, f"{base}&tab=nonsense&field=x&channel=y&age=5&page=abc")
    assert client.get("/moderation/?process=does-not-exist").status_code == 404


def test_the_queue_is_paginated(client, moderator):
    process = make_process(mode="pre")
    for i in range(23):
        make(process, status=S.pending, title=f"Waiting idea number {i:02d}")
    html = _page(client, f"/moderation/?process={process.slug}")
    assert "Waiting idea number 19" in html and "Waiting idea number 20" not in html
    html = _page(client, f"/moderation/?process={process.slug}&page=2")
    assert "Waiting idea number 20" in html and "Waiting idea number 19" not in html
    assert "Waiting idea number 22" in _page(client, f"/moderation/?process={process.slug}&page=99")


def test_htmx_filtering_returns_only_the_results(client, moderator):
    process = make_process(mode="pre")
    make(process, status=S.pending, title="An idea for the fragment")
    response = client.get(f"/moderation/?process={process.slug}&tab=new",
                          headers={"HX-Request": "true", "HX-Target": "queue-results"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="queue-results"')
    assert "An idea for the fragment" in html
    assert "<html" not in html and 'hx-swap-oob="innerHTML"' in html
    # Without the target (e.g. a history restore) the whole page comes back. Its filter form
    # reacts to changes of its own selects only, not to the bulk form's (they would reset it).
    page = _page(client, f"/moderation/?process={process.slug}")
    assert "<html" in page and 'hx-trigger="submit, change"' in page


# Bulk actions ----------------------------------------------------------------------------------

def _bulk(client, process, ideas, action, tab="new", **extra):
    data = {"ids": [str(i.id) if isinstance(i, Idea) else str(i) for i in ideas], "action": action,
            "process": process.slug, "tab": tab, **extra}
    return client.post("/moderation/bulk", data=data)


def test_bulk_publish_reports_ideas_someone_else_has_changed(client, moderator):
    process = make_process(mode="pre")
    authors = [make_user() for _ in range(3)]
    ideas = [make(process, author=a, status=S.pending, title=f"Pending idea {n}")
             for n, a in enumerate(authors)]
    workflow.publish(ideas[1], make_user(role="moderator"), expected=S.pending)  # someone else, meanwhile
    db.session.commit()
    mail.outbox().clear()

    response = _bulk(client, process, ideas, "publish", field="f0", age="1")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "/moderation/" in location and "tab=new" in location and "field=f0" in location and "age=1" in location

    statuses = [db.session.get(Idea, i.id).status for i in ideas]
    assert statuses == [S.published] * 3
    events = db.session.scalars(select(ModerationEvent).where(
        ModerationEvent.actor_id == moderator.id, ModerationEvent.to_status == S.published)).all()
    assert sorted(e.idea_id for e in events) == [ideas[0].id, ideas[2].id]
    assert db.session.get(Idea, ideas[0].id).first_moderated_at is not None

    published_to = [m.to_email for m in db.session.scalars(select(OutboxMail)
                    .where(OutboxMail.kind == "idea_published"))]
    assert authors[0].email in published_to and authors[2].email in published_to

    html = _page(client, location)
    assert "2 ideas were changed." in html
    assert "1 idea could not be changed:" in html
    assert f"{ideas[1].reference} – " in html
    assert ideas[0].reference not in html.split("could not be changed")[1].split("</p>")[0]


def test_bulk_publish_changes_each_idea_completely_or_not_at_all(client, moderator, monkeypatch):
    process = make_process(mode="pre")
    good, bad = (make(process, status=S.pending, title=f"Idea {n}") for n in "ab")
    original = workflow.publish

    def publish_then_fail(idea, actor, trust_author=False, expected=None):
        original(idea, actor, trust_author, expected)
        if idea.id == bad.id:
            raise workflow.WorkflowError("the mail server refused")

    monkeypatch.setattr(workflow, "publish", publish_then_fail)
    _bulk(client, process, [good, bad], "publish")
    assert db.session.get(Idea, good.id).status == S.published
    assert db.session.get(Idea, bad.id).status == S.pending
    assert db.session.scalar(select(func.count()).select_from(ModerationEvent).where(
        ModerationEvent.idea_id == bad.id, ModerationEvent.to_status == S.published)) == 0
    assert "the mail server refused" in _page(client, "/moderation/")


def test_bulk_start_evaluation(client, moderator):
    process = make_process()
    published = make(process, status=S.published)
    reviewed = make(process, status=S.under_review)
    _bulk(client, process, [published, reviewed], "review", tab="evaluate")
    assert db.session.get(Idea, published.id).status == S.under_review
    html = _page(client, f"/moderation/?tab=evaluate&process={process.slug}")
    assert "1 idea was changed." in html and f"{reviewed.reference} – " in html


def test_bulk_tag_with_a_field_of_the_process(client, moderator):
    process = make_process(fields=3)
    target = process.action_fields[2]
    ideas = [make(process, field=process.action_fields[0]) for _ in range(2)]
    ideas[0].further_fields = [process.action_fields[1]]
    db.session.commit()
    _bulk(client, process, ideas, "tag", tab="evaluate", tag_field=str(target.id))
    for idea in ideas:
        assert db.session.get(Idea, idea.id).action_field_id == target.id
    assert [f.id for f in db.session.get(Idea, ideas[0].id).further_fields] == [process.action_fields[1].id]
    assert db.session.scalar(select(func.count()).select_from(ModerationEvent).where(
        ModerationEvent.reason == "tagged", ModerationEvent.actor_id == moderator.id)) == 2


def test_bulk_tag_with_a_field_of_another_process_is_refused(client, moderator):
    process = make_process()
    other = make_process()
    idea = make_idea(process=process)
    before = idea.action_field_id
    response = _bulk(client, process, [idea], "tag", tab="evaluate", tag_field=str(other.action_fields[1].id))
    assert response.status_code == 302
    assert db.session.get(Idea, idea.id).action_field_id == before
    assert "Please choose an action field of this process." in _page(client, response.headers["Location"])

    # Naming the other process instead does not help: the idea is not one of its ideas.
    response = _bulk(client, other, [idea], "tag", tab="evaluate", tag_field=str(other.action_fields[1].id))
    assert db.session.get(Idea, idea.id).action_field_id == before
    assert "It belongs to another process." in _page(client, response.headers["Location"])


def test_bulk_refuses_bad_input_with_a_message(client, moderator):
    process = make_process(mode="pre")
    idea = make(process, status=S.pending)
    for data in (
        {"ids": [], "action": "publish"},
        {"ids": ["abc", "-1", "99999999999", "²"], "action": "publish"},
        {"ids": [str(idea.id)], "action": "delete"},
        {"ids": [str(idea.id)], "action": "tag", "tag_field": "x"},
    ):
        response = client.post("/moderation/bulk", data={"process": process.slug, **data})
        assert response.status_code == 302
    assert db.session.get(Idea, idea.id).status == S.pending
    response = _bulk(client, process, [idea.id + 1000], "publish")
    assert f"#{idea.id + 1000} – This idea does not exist." in _page(client, response.headers["Location"])
    assert client.get("/moderation/bulk").status_code == 405


def test_the_bulk_form_has_a_labelled_checkbox_per_idea(client, moderator):
    process = make_process(mode="pre")
    idea = make(process, status=S.pending, title="Checkbox idea title")
    html = _page(client, f"/moderation/?process={process.slug}")
    assert f'<input type="checkbox" name="ids" value="{idea.id}" id="select-{idea.id}">' in html
    assert f'<label for="select-{idea.id}"><span class="visually-hidden">Select: Checkbox idea title</span>' in html
    assert 'action="/moderation/bulk"' in html and "<legend>" in html
    # The reported tab has no bulk form: its rows are comments as well as ideas.
    assert 'name="ids"' not in _page(client, f"/moderation/?process={process.slug}&tab=reported")


# Overview -------------------------------------------------------------------------------------

def test_overview_computes_medians_per_action_field(client, moderator):
    process = make_process(mode="pre", fields=2)
    first, second = process.action_fields
    now = utcnow()
    # First field: 1, 3 and 8 hours to the first moderation -> median 3 hours.
    for hours in (1, 3, 8):
        idea = make(process, field=first, status=S.published)
        idea.created_at = now - timedelta(days=30)
        idea.first_moderated_at = idea.created_at + timedelta(hours=hours)
    # Second field: 2 and 4 days to an answer -> median 3 days; one pending idea.
    for days in (2, 4):
        idea = make(process, field=second, status=S.accepted)
        idea.created_at = now - timedelta(days=30)
        idea.first_moderated_at = None
        idea.answer_published_at = idea.created_at + timedelta(days=days)
    make(process, field=second, status=S.pending)
    db.session.commit()

    html = _page(client, f"/moderation/overview?process={process.slug}")
    row_pattern = r"<tr[^>]*>\s*<th scope=\"row\">([^<]+)</th>.*?</tr>"
    rows = {m.group(1): m.group(0) for m in re.finditer(row_pattern, html, re.DOTALL)}
    cells = {name: [c.strip() for c in re.findall(r"<td>(.*?)</td>", row, re.DOTALL)] for name, row in rows.items()}
    assert cells[first.name][:4] == ["3", "0", "3 hours", '<span class="hint">No data yet</span>']
    assert cells[second.name][:2] == ["3", "1"]
    assert cells[second.name][3] == "3 days"
    # All: moderation over 1, 3 and 8 hours; answers over 2 and 4 days.
    assert cells["All action fields"][:5] == ["6", "1", "3 hours", "3 days", "3"]
    assert "<caption" in html and 'scope="col"' in html


def test_overview_counts_open_reports_and_shows_the_oldest_waiting_items(client, moderator):
    process = make_process(mode="pre")
    old = make(process, status=S.pending, title="The oldest pending idea")
    old.created_at = utcnow() - timedelta(days=5)
    make(process, status=S.pending, title="A younger pending idea")
    idea = make(process, status=S.published, title="A reported idea")
    comment = discussion.add_comment(make_user(), idea, "reported comment")
    db.session.commit()
    discussion.report(make_user(), idea, ReportReason.spam)
    discussion.report(make_user(), idea, ReportReason.spam, comment=comment)
    db.session.commit()
    html = _page(client, f"/moderation/overview?process={process.slug}")
    all_row = re.search(r'<th scope="row">All action fields</th>(.*?)</tr>', html, re.DOTALL).group(1)
    assert re.findall(r"<td>(.*?)</td>", all_row, re.DOTALL)[-1] == "2"
    assert "The oldest pending idea" in html and "A younger pending idea" not in html
    assert "waiting for 5 days" in html
    assert f'href="/moderation/ideas/{old.id}"' in html


def test_overview_without_data_shows_no_errors(client, moderator):
    process = make_process()
    html = _page(client, f"/moderation/overview?process={process.slug}")
    assert "No data yet" in html and "Nothing is waiting. Well done!" in html


# Queries ---------------------------------------------------------------------------------------

def _fill(process, n):
    people = [make_user() for _ in range(3)]
    for i in range(n):
        field = process.action_fields[i % len(process.action_fields)]
        make(process, author=people[i % 3], status=S.pending, field=field, title=f"Pending {i}")
        idea = make(process, status=S.under_review, field=field, title=f"Review {i}", channel=Channel.workshop)
        comment = discussion.add_comment(people[(i + 1) % 3], idea, "A comment to report")
        discussion.report(people[(i + 2) % 3], idea, ReportReason.spam, comment=comment)
        discussion.report(people[(i + 2) % 3], idea, ReportReason.offensive)
        make(process, status=S.accepted, field=field, title=f"Done {i}")
    db.session.commit()


def test_queue_and_overview_queries_do_not_grow_with_the_rows(client, moderator):
    process = make_process(mode="pre")
    urls = [f"/moderation/?process={process.slug}&tab={tab}" for tab in ("new", "reported", "evaluate", "decided")]
    urls += [f"/moderation/?process={process.slug}&tab=reported&age=1&channel=workshop",
             f"/moderation/overview?process={process.slug}"]

    def measure():
        out = {}
        for url in urls:
            with count_queries() as statements:
                assert client.get(url).status_code == 200
            out[url] = len(statements)
        return out

    _fill(process, 3)
    small = measure()
    _fill(process, 22)
    large = measure()
    assert small == large
    assert max(large.values()) <= 14
