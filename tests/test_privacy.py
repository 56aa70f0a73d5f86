"""A person's data: download all of it as JSON, delete the account (with or without contributions)."""
import json

import pytest
from sqlalchemy import func, select

from ideas import discussion, voting
from ideas.extensions import db
from ideas.models import AgeGroup, Comment, DotVote, IdeaStatus, OutboxMail, ReportReason, User, Vote, idea_coauthor
from ideas.passwords import hash_password
from tests.conftest import count, fresh, make_idea, make_process, make_user
from tests.test_securitylog import Lines, lines  # noqa: F401 - fixture

PASSWORD = "ein langer Satz zum Merken"


@pytest.fixture
def person(app):
    return make_user(password_hash=hash_password(PASSWORD), age_group=AgeGroup.age_30_44, district="Altstadt",
                     terms_version="2026-1", privacy_version="2026-1")


def give_dots(user, idea, points):
    db.session.add(DotVote(user_id=user.id, idea_id=idea.id, points=points))
    idea.dot_points += points
    db.session.commit()


def contributions(person):
    """Ideas, a comment, supports, dots and a report of the person, and the same of somebody else."""
    process = make_process()
    other = make_user(display_name="Andere Person")
    own = make_idea(process=process, author=person, title="Meine Idee für mehr Bänke")
    decided = make_idea(process=process, author=person, status=IdeaStatus.accepted, title="Meine angenommene Idee")
    theirs = make_idea(process=process, author=other, title="Fremde Idee über Radwege")
    comment = discussion.add_comment(person, theirs, "Mein Kommentar dazu")
    discussion.add_comment(other, theirs, "Ein fremder Kommentar")
    voting.add_support(person, theirs)
    voting.add_support(other, own)
    discussion.report(person, theirs, ReportReason.spam, "Meine Notiz zur Meldung")
    db.session.commit()
    give_dots(person, theirs, 2)
    give_dots(other, theirs, 1)
    return dict(own=own, decided=decided, theirs=theirs, comment=comment, other=other)


def test_the_download_holds_all_my_data_and_nobody_elses(client, auth, person, lines):  # noqa: F811
    made = contributions(person)
    auth.login_as(person)
    response = client.get("/account/data")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.data)
    assert data["account"]["email"] == person.email and data["account"]["district"] == "Altstadt"
    assert data["account"]["age_group"] == "30_44"
    assert data["consents"]["privacy_version"] == "2026-1"
    assert set(data["notification_settings"]) == {"notify_answers", "mail_digest"}
    assert {i["title"] for i in data["ideas"]} == {"Meine Idee für mehr Bänke", "Meine angenommene Idee"}
    assert [c["text"] for c in data["comments"]] == ["Mein Kommentar dazu"]
    assert [s["idea_id"] for s in data["supports"]] == [made["theirs"].id]
    assert [(d["idea_id"], d["points"]) for d in data["dot_votes"]] == [(made["theirs"].id, 2)]
    assert [r["note"] for r in data["reports"]] == ["Meine Notiz zur Meldung"]
    raw = response.get_data(as_text=True)
    for foreign in ("Andere Person", "Ein fremder Kommentar", made["other"].email, person.password_hash,
                    person.session_token):
        assert foreign not in raw
    assert "password" not in raw and "session_token" not in raw
    assert len(lines.events("data_download")) == 1


def test_the_download_needs_a_login(client):
    response = client.get("/account/data")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_download_runs_a_fixed_number_of_queries(client, auth, person):
    from tests.test_queries import count_queries

    contributions(person)
    auth.login_as(person)
    with count_queries() as small:
        client.get("/account/data")
    for n in range(5):
        make_idea(author=person, title=f"Noch eine Idee Nummer {n}")
    with count_queries() as large:
        client.get("/account/data")
    assert len(large) == len(small)


def test_the_account_page_offers_download_and_deletion(client, auth, english):
    auth.login_as("citizen")
    text = client.get("/account").get_data(as_text=True)
    assert 'href="/account/data"' in text and 'href="/account/delete"' in text


def delete(client, password=PASSWORD, everything=False):
    data = {"password": password}
    if everything:
        data["delete_contributions"] = "y"
    return client.post("/account/delete", data=data)


def test_a_wrong_password_deletes_nothing(client, auth, person, english, lines):  # noqa: F811
    auth.login_as(person)
    response = delete(client, password="falsch")
    assert response.status_code == 422
    assert "not correct" in response.get_data(as_text=True)
    db.session.expire_all()
    assert person.deleted_at is None and person.district == "Altstadt"
    assert lines.events("account_delete_refused")


def test_deleting_removes_personal_data_ends_sessions_and_keeps_contributions(client, auth, person, lines):  # noqa: F811
    made = contributions(person)
    email, token = person.email, person.session_token
    auth.login_as(person)
    with client.session_transaction() as session:
        cookie = dict(session)
    response = delete(client)
    assert response.status_code == 302
    user = db.session.get(User, person.id)
    db.session.refresh(user)
    assert user.email != email and user.email.endswith("@deleted.invalid")
    assert user.password_hash == "" and user.deleted_at is not None
    assert (user.age_group, user.district, user.terms_version, user.privacy_version) == (None, None, None, None)
    assert user.session_token != token
    # The old cookie is worth nothing now.
    with client.session_transaction() as session:
        session.update(cookie)
    assert client.get("/account").status_code == 302
    # Ideas and comments stay, without the name.
    assert fresh(made["own"]).status == IdeaStatus.published
    page = client.get(f"/ideas/{made['theirs'].id}").get_data(as_text=True)
    assert "Mein Kommentar dazu" in page and "Person" not in page.split("Mein Kommentar dazu")[0][-400:]
    # Supports and dots are gone and every counter matches the rows.
    assert count(Vote, Vote.user_id == person.id) == 0 and count(DotVote, DotVote.user_id == person.id) == 0
    theirs = fresh(made["theirs"])
    assert theirs.support_count == count(Vote, Vote.idea_id == theirs.id) == 0
    assert theirs.dot_points == db.session.scalar(
        select(func.sum(DotVote.points)).where(DotVote.idea_id == theirs.id)) == 1
    assert fresh(made["own"]).support_count == 1  # somebody else's support stays
    assert lines.events("account_deleted")[0]["deleted_user"] == person.id


def test_deleting_with_contributions_withdraws_ideas_and_deletes_comments(client, auth, person):
    made = contributions(person)
    auth.login_as(person)
    assert delete(client, everything=True).status_code == 302
    assert fresh(made["own"]).status == IdeaStatus.withdrawn
    assert fresh(made["decided"]).status == IdeaStatus.accepted  # decided: stays, without the name
    comment = db.session.get(Comment, made["comment"].id)
    db.session.refresh(comment)
    assert comment.is_deleted and comment.body == ""
    theirs = fresh(made["theirs"])
    assert theirs.comment_count == count(Comment, Comment.idea_id == theirs.id, Comment.deleted_at.is_(None)) == 1


def test_deletion_removes_coauthorship_and_mails_to_the_old_address(client, auth, person):
    idea = make_idea()
    db.session.execute(idea_coauthor.insert().values(idea_id=idea.id, user_id=person.id))
    db.session.add(OutboxMail(user_id=person.id, to_email=person.email, subject="s", body_text="b", kind="x"))
    db.session.commit()
    auth.login_as(person)
    delete(client)
    assert count(idea_coauthor, idea_coauthor.c.user_id == person.id) == 0
    assert count(OutboxMail) == 0


def test_a_deleted_account_cannot_log_in(client, person):
    from ideas.passwords import verify_password

    db.session.get(User, person.id)
    from ideas.privacy import delete_account
    delete_account(person, False)
    db.session.commit()
    assert not verify_password(person.password_hash, PASSWORD)
    assert not person.is_active


def test_deleting_needs_a_login_and_a_post(client):
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 302
    assert client.get("/account/delete").status_code == 302
