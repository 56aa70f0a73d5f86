"""Online dot voting: people spread their points over open ideas, within N and M, on both databases."""
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import g
from sqlalchemy import func, select

from ideas import dotvoting, workflow
from ideas.dotvoting import DotError, add_point, remove_point, set_points, used_points
from ideas.extensions import db
from ideas.models import DotVote, Idea, IdeaStatus, NetiquetteReason, User
from tests.conftest import count, fresh, make_idea, make_process, make_user
from tests.test_queries import count_queries

pytestmark = pytest.mark.usefixtures("app", "english_messages")


def dot_process(points=10, per_idea=3, **kwargs):
    return make_process(dot_points=points, dot_max_per_idea=per_idea, **kwargs)


def ideas_of(process, n):
    return [make_idea(process=process, title=f"Idee Nummer {i} für die Stadt") for i in range(n)]


def counters_match_rows():
    """Every idea's counter equals the sum of the points given to it."""
    db.session.expire_all()
    sums = dict(db.session.execute(select(DotVote.idea_id, func.sum(DotVote.points)).group_by(DotVote.idea_id)).all())
    for idea in db.session.scalars(select(Idea)):
        assert idea.dot_points == sums.get(idea.id, 0), idea
    return sums


def points_row(user, idea):
    return db.session.scalar(select(DotVote.points).where(DotVote.user_id == user.id, DotVote.idea_id == idea.id))


# The rules, without HTTP

def test_add_remove_and_set_keep_the_counter_true_and_zero_deletes_the_row():
    process = dot_process(points=10, per_idea=3)
    idea = make_idea(process)
    me = make_user()
    assert add_point(me, idea) == 1
    db.session.commit()
    assert points_row(me, idea) == 1 and counters_match_rows() == {idea.id: 1}
    assert add_point(me, idea) == 2
    db.session.commit()
    assert counters_match_rows() == {idea.id: 2}
    assert remove_point(me, idea) == 1
    db.session.commit()
    assert counters_match_rows() == {idea.id: 1}
    assert set_points(me, idea, 3) == 3
    db.session.commit()
    assert counters_match_rows() == {idea.id: 3} and used_points(me, process) == 3
    assert set_points(me, idea, 0) == 0
    db.session.commit()
    assert points_row(me, idea) is None and count(DotVote) == 0
    assert counters_match_rows() == {} and fresh(idea).dot_points == 0
    with pytest.raises(DotError):
        remove_point(me, idea)


def test_at_most_m_points_on_one_idea():
    process = dot_process(points=10, per_idea=3)
    idea = make_idea(process)
    me = make_user()
    for _ in range(3):
        add_point(me, idea)
    with pytest.raises(DotError, match="at most 3 points"):
        add_point(me, idea)
    with pytest.raises(DotError):
        set_points(me, idea, 4)
    db.session.commit()
    assert points_row(me, idea) == 3 and counters_match_rows() == {idea.id: 3}


def test_at_most_n_points_in_the_process_and_m_defaults_to_n():
    process = dot_process(points=4, per_idea=None)
    first, second = ideas_of(process, 2)
    me = make_user()
    assert set_points(me, first, 4) == 4  # without M, all points may go to one idea
    with pytest.raises(DotError, match="no points left"):
        add_point(me, second)
    set_points(me, first, 1)
    with pytest.raises(DotError, match="only 3 points left"):
        set_points(me, second, 4)
    assert set_points(me, second, 3) == 3
    db.session.commit()
    assert used_points(me, process) == 4
    assert counters_match_rows() == {first.id: 1, second.id: 3}


def test_other_processes_do_not_use_up_points():
    one, two = dot_process(points=2, per_idea=2), dot_process(points=2, per_idea=2)
    me = make_user()
    set_points(me, make_idea(one), 2)
    assert set_points(me, make_idea(two), 2) == 2
    assert used_points(me, one) == used_points(me, two) == 2


@pytest.mark.parametrize("close", ["withdraw", "hide", "accept"])
def test_points_on_an_idea_that_closes_are_given_back(close):
    process = dot_process(points=3, per_idea=3)
    first, second = ideas_of(process, 2)
    me = make_user()
    set_points(me, first, 3)
    db.session.commit()
    with pytest.raises(DotError):
        add_point(me, second)
    if close == "withdraw":
        workflow.withdraw(first, first.author)
    elif close == "hide":
        workflow.hide(first, make_user("moderator"), NetiquetteReason.advertising)
    else:
        workflow.change_status(first, IdeaStatus.accepted, None)
    db.session.commit()
    assert used_points(me, process) == 0
    assert set_points(me, second, 3) == 3
    with pytest.raises(DotError, match="can no longer be changed"):
        remove_point(me, first)
    db.session.commit()
    # The closed idea keeps what it received; only the person's budget is freed.
    assert points_row(me, first) == 3 and fresh(first).dot_points == 3
    assert counters_match_rows() == {first.id: 3, second.id: 3}


def test_refusals():
    off = make_process()
    me = make_user()
    with pytest.raises(DotError, match="no dot voting"):
        add_point(me, make_idea(off))
    assert dotvoting.dots_for(me, make_idea(off)) is None
    closed_phase = dot_process(support_open=False)
    with pytest.raises(DotError, match="not possible at the moment"):
        add_point(me, make_idea(closed_phase))
    own = make_idea(dot_process(), author=me)
    with pytest.raises(DotError, match="your own idea"):
        add_point(me, own)
    db.session.rollback()
    assert count(DotVote) == 0 and db.session.scalar(select(func.sum(Idea.dot_points))) == 0


def test_a_deleted_account_takes_its_points_rows_with_it():
    process = dot_process()
    idea = make_idea(process)
    me = make_user()
    set_points(me, idea, 2)
    db.session.commit()
    db.session.delete(db.session.get(User, me.id))
    db.session.commit()
    assert count(DotVote) == 0


# Through the web


@pytest.mark.usefixtures("english")
def test_htmx_gets_the_fragment_and_an_announcement(client, auth):
    idea = make_idea(dot_process(points=10, per_idea=3))
    auth.login_as("citizen")
    response = client.post(f"/ideas/{idea.id}/dots", data={"action": "add"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    text = response.text
    assert "<html" not in text and f'id="dots-{idea.id}"' in text
    assert 'hx-target="this"' in text and f'id="dots-plus-{idea.id}"' in text
    live = re.search(r'id="live-region"[^>]*hx-swap-oob="innerHTML">([^<]*)<', text).group(1)
    assert live == "You have given 1 point to this idea. 9 of 10 points left."
    response = client.post(f"/ideas/{idea.id}/dots", data={"action": "set", "points": "3"},
                           headers={"HX-Request": "true"})
    assert "You have given 3 points to this idea. 7 of 10 points left." in response.text
    response = client.post(f"/ideas/{idea.id}/dots", data={"action": "add"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'class="error-message"' in response.text and "at most 3 points" in response.text
    assert fresh(idea).dot_points == 3 and counters_match_rows() == {idea.id: 3}


@pytest.mark.usefixtures("english")
def test_without_javascript_it_redirects_back_with_a_message(client, auth):
    process = dot_process(points=10, per_idea=3)
    idea = make_idea(process)
    auth.login_as("citizen")
    response = client.post(f"/ideas/{idea.id}/dots", data={"action": "add"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/ideas/{idea.id}#dots-{idea.id}")
    page = client.get(f"/ideas/{idea.id}").text
    assert "You have given 1 point to this idea. 9 of 10 points left." in page
    assert f'id="dots-points-{idea.id}"' in page and 'value="1"' in page
    response = client.post(f"/ideas/{idea.id}/dots", data={"action": "remove", "back": "points"})
    assert response.headers["Location"].endswith(f"/processes/{process.slug}/points#dots-{idea.id}")
    assert count(DotVote) == 0 and fresh(idea).dot_points == 0


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("value", ["", "abc", "-1", "²", "1.5", "99999999999999999999", "4"])
def test_bad_numbers_are_refused_without_a_500(client, auth, value):
    idea = make_idea(dot_process(points=10, per_idea=3))
    auth.login_as("citizen")
    response = client.post(f"/ideas/{idea.id}/dots", data={"action": "set", "points": value},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'class="error-message"' in response.text
    assert count(DotVote) == 0 and fresh(idea).dot_points == 0


@pytest.mark.usefixtures("english")
def test_unverified_people_and_own_ideas_are_refused(client, auth):
    process = dot_process()
    idea = make_idea(process)
    auth.login_as("citizen", verified=False)
    response = client.post(f"/ideas/{idea.id}/dots", data={"action": "add"}, headers={"HX-Request": "true"})
    assert "Please confirm your e-mail address first." in response.text
    response = client.post(f"/ideas/{idea.id}/dots", data={"action": "add"}, follow_redirects=True)
    assert "Please confirm your e-mail address first." in response.text
    me = auth.login_as("citizen")
    own = make_idea(process, author=me)
    response = client.post(f"/ideas/{own.id}/dots", data={"action": "add"}, follow_redirects=True)
    assert "You cannot give points to your own idea." in response.text
    assert count(DotVote) == 0


def test_csrf_token_is_needed(client, auth, app):
    idea = make_idea(dot_process())
    auth.login_as("citizen")
    app.config["WTF_CSRF_ENABLED"] = True
    g.pop("csrf_token", None)
    assert client.post(f"/ideas/{idea.id}/dots", data={"action": "add"}).status_code == 400
    page = client.get(f"/ideas/{idea.id}").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(f"/ideas/{idea.id}/dots", data={"action": "add", "csrf_token": token}).status_code == 302
    app.config["WTF_CSRF_ENABLED"] = False
    assert count(DotVote) == 1


def test_switched_off_means_no_widget_and_no_routes(client, auth):
    process = make_process()
    idea = make_idea(process)
    auth.login_as("citizen")
    assert f'id="dots-{idea.id}"' not in client.get(f"/ideas/{idea.id}").text
    assert client.post(f"/ideas/{idea.id}/dots", data={"action": "add"}).status_code == 404
    assert client.get(f"/processes/{process.slug}/points").status_code == 404
    assert client.get("/processes/nothing-here/points").status_code == 404
    assert count(DotVote) == 0


@pytest.mark.usefixtures("english")
def test_anonymous_visitors_see_the_widget_total_and_a_login_link(client):
    idea = make_idea(dot_process())
    page = client.get(f"/ideas/{idea.id}").text
    assert f'id="dots-{idea.id}"' in page and "Log in to give points" in page
    assert f'id="dots-plus-{idea.id}"' not in page
    assert client.post(f"/ideas/{idea.id}/dots", data={"action": "add"}).status_code == 302
    assert count(DotVote) == 0


# The overview page

@pytest.mark.usefixtures("english")
def test_overview_shows_my_points_and_the_public_ranking(client, auth):
    process = dot_process(points=10, per_idea=5)
    low, high, none, hidden = ideas_of(process, 4)
    other, me = make_user(display_name="Erika Beispiel"), make_user(display_name="Max Muster")
    set_points(other, high, 5)
    set_points(other, low, 1)
    set_points(me, low, 2)
    set_points(me, hidden, 1)
    workflow.hide(hidden, make_user("moderator"), NetiquetteReason.advertising)
    db.session.commit()

    anonymous = client.get(f"/processes/{process.slug}/points").text
    ranking = re.findall(r'<th scope="row"[^>]*><a href="/ideas/(\d+)"', anonymous)
    assert ranking == [str(high.id), str(low.id)]  # by points; none and the hidden idea are left out
    assert "Log in to give points" in anonymous and 'id="dots-summary"' not in anonymous
    assert "Erika" not in anonymous and "Max" not in anonymous

    auth.login_as(me)
    page = client.get(f"/processes/{process.slug}/points").text
    summary = re.search(r'id="dots-summary"[^>]*>(.*?)</p>', page, re.S).group(1)
    assert " ".join(summary.split()) == "You have given 2 of 10 points. 8 points left."
    assert f'id="dots-{low.id}"' in page and f'id="dots-{high.id}"' not in page
    assert 'name="back" value="points"' in page

    response = client.post(f"/ideas/{low.id}/dots", data={"action": "add", "back": "points"},
                           headers={"HX-Request": "true"})
    assert 'id="dots-summary" class="points-summary" hx-swap-oob="true"' in response.text
    assert "You have given 3 of 10 points." in response.text


def test_ranking_paginates(client, app):
    app.config["IDEAS_PER_PAGE"] = 2
    process = dot_process(points=6, per_idea=3)
    ideas = ideas_of(process, 3)
    giver = make_user()
    for points, idea in zip((3, 2, 1), ideas):
        set_points(giver, idea, points)
    db.session.commit()
    second = client.get(f"/processes/{process.slug}/points?page=2").text
    assert re.findall(r'<th scope="row"[^>]*><a href="/ideas/(\d+)"', second) == [str(ideas[2].id)]
    assert client.get(f"/processes/{process.slug}/points?page=99999999999").status_code == 200


def test_overview_and_idea_page_queries_do_not_grow(client, auth):
    process = dot_process(points=100, per_idea=3)
    me = auth.login_as("citizen")

    def fill(n):
        for idea in ideas_of(process, n):
            set_points(me, idea, 1)
            set_points(make_user(), idea, 2)
        db.session.commit()
        return idea

    def queries(url):
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    url = f"/processes/{process.slug}/points"
    fill(2)
    small = queries(url)
    last = fill(25)
    assert queries(url) == small <= 10
    assert queries(f"/ideas/{last.id}") <= 14


# Many requests at once, on both databases

def _client_for(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def _post_all(jobs):
    with ThreadPoolExecutor(max_workers=10) as pool:
        return list(pool.map(lambda job: job[0].post(job[1], data=job[2]).status_code, jobs))


def test_thirty_parallel_points_on_different_ideas_stop_at_n(app):
    process = dot_process(points=10, per_idea=3)
    ideas = ideas_of(process, 30)
    client = _client_for(app, make_user())
    jobs = [(client, f"/ideas/{idea.id}/dots", {"action": "add"}) for idea in ideas]
    db.session.rollback()

    codes = _post_all(jobs)

    assert all(code < 500 for code in codes), codes
    db.session.rollback()  # end the test's own read snapshot
    assert db.session.scalar(select(func.sum(DotVote.points))) == 10
    assert sum(counters_match_rows().values()) == 10


def test_twenty_parallel_points_on_one_idea_stop_at_m(app):
    process = dot_process(points=10, per_idea=3)
    idea = make_idea(process)
    client = _client_for(app, make_user())
    jobs = [(client, f"/ideas/{idea.id}/dots", {"action": "add"})] * 20
    db.session.rollback()

    codes = _post_all(jobs)

    assert all(code < 500 for code in codes), codes
    db.session.rollback()
    assert count(DotVote) == 1
    assert counters_match_rows() == {idea.id: 3}


@pytest.mark.usefixtures("english")
def test_landing_page_links_to_the_points_only_when_offered(client):
    with_dots, without = dot_process(points=8), make_process()
    page = client.get("/").text
    assert f'href="/processes/{with_dots.slug}/points"' in page
    assert "Each person can give 8 points to ideas." in page
    assert f"/processes/{without.slug}/points" not in page
