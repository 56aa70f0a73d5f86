"""The support button: one short transaction per click, the counter and hot score always right."""
import pytest
from sqlalchemy import insert, select, update

from ideas import voting
from ideas.extensions import db
from ideas.models import Idea, Vote
from ideas.workflow import hot_score
from tests.conftest import count, fresh, make_idea, make_user
from tests.test_queries import count_queries

HTMX = {"HX-Request": "true"}


@pytest.mark.parametrize("action", ["add", "remove"])
def test_an_htmx_toggle_is_one_transaction_of_a_few_statements(client, auth, app, action):
    idea = make_idea()
    citizen = auth.login_as("citizen")
    if action == "remove":
        voting.add_support(citizen, idea)
        db.session.commit()
    url = f"/ideas/{idea.id}/vote"
    db.session.expunge_all()  # as in production: the request finds nothing loaded yet
    with count_queries() as statements:
        response = client.post(url, data={"action": action}, headers=HTMX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    supported = action == "add"
    assert f'id="vote-{idea.id}"' in html and "<html" not in html
    assert ('value="remove"' in html) is supported
    assert f"<strong>{1 if supported else 0}</strong>" in html
    # user, idea with its process, the vote, counter and hot score together, the supporters shown;
    # nothing after the commit, so SQLite starts no second (write-locking) transaction.
    begins = [s for s in statements if s.startswith("BEGIN")]
    assert len(begins) == (1 if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else 0)
    assert len(statements) - len(begins) <= 5, statements
    stored = fresh(idea)
    assert stored.support_count == count(Vote, Vote.idea_id == idea.id) == (1 if supported else 0)
    assert stored.hot_score == pytest.approx(hot_score(stored.support_count, stored.created_at))


def test_a_count_changed_by_someone_else_meanwhile_is_still_added_correctly(app):
    idea = make_idea()
    first, second = make_user(), make_user()
    assert idea.support_count == 0
    # Another request supports the idea after this one read it (on PostgreSQL this can happen).
    db.session.execute(insert(Vote).values(user_id=first.id, idea_id=idea.id))
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(support_count=Idea.support_count + 1)
                       .execution_options(synchronize_session=False))
    assert idea.support_count == 0  # what this request still believes
    assert voting.add_support(second, idea)
    db.session.commit()
    stored = fresh(idea)
    assert stored.support_count == 2 == count(Vote, Vote.idea_id == idea.id)
    assert stored.hot_score == pytest.approx(hot_score(2, stored.created_at))
    assert db.session.scalar(select(Idea.support_count).where(Idea.id == idea.id)) == 2
