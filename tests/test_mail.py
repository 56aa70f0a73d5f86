"""The outbox: no mail is lost, none is sent for a change that did not happen, each digest goes once."""
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select, update

from ideas import digest, discussion, mail, voting, workflow
from ideas.extensions import db
from ideas.mail import outbox
from ideas.models import IdeaStatus, MailStatus, OutboxMail, ReportReason, utcnow
from tests.conftest import make_idea, make_process, make_user

S = IdeaStatus


def rows(**where) -> list[OutboxMail]:
    stmt = select(OutboxMail).order_by(OutboxMail.id)
    for name, value in where.items():
        stmt = stmt.where(getattr(OutboxMail, name) == value)
    db.session.rollback()
    return list(db.session.scalars(stmt))


def count_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMail))


def sent_to(email: str) -> list:
    return [m for m in outbox() if m["To"] == email]


def pending_idea():
    process = make_process(mode="pre")
    return make_idea(process, status=S.pending)


def queue_one(to="anna@example.org", **kwargs) -> OutboxMail:
    """A transactional mail, committed, not yet delivered."""
    user = make_user(email=to, locale="en")
    queued = mail.send_mail(user.email, "Test", "password_changed", locale="en", user=user, **kwargs)
    db.session.commit()
    return queued


def answer(idea, team, text="Wir setzen das 2027 um."):
    workflow.prepare_answer(idea, team, S.accepted, text)
    workflow.release_answer(idea, team)
    db.session.commit()


def make_due(mail_id: int) -> None:
    db.session.execute(update(OutboxMail).where(OutboxMail.id == mail_id)
                       .values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


class Broken:
    """A transport that fails like a mail server that is down."""

    def __init__(self):
        self.calls = 0

    def __call__(self, msg):
        self.calls += 1
        raise ConnectionRefusedError("mail server down\n421 try again later")


# A change that does not happen sends nothing

def test_a_rolled_back_change_queues_no_mail(app):
    idea = pending_idea()
    moderator = make_user("moderator")
    workflow.publish(idea, moderator, expected=S.pending)
    db.session.flush()
    assert count_rows() == 1, "queued in the change's transaction"
    db.session.rollback()
    assert count_rows() == 0
    assert mail.deliver_due() == (0, 0)
    assert outbox() == []


def test_a_failing_request_delivers_nothing_and_leaves_no_mail(app, client, auth, monkeypatch):
    from ideas import notify

    idea = pending_idea()
    auth.login_as("moderator")
    original = notify.idea_published

    def publish_then_crash(idea):
        original(idea)
        raise RuntimeError("something after the mail was queued went wrong")

    monkeypatch.setattr(notify, "idea_published", publish_then_crash)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.post(f"/moderation/ideas/{idea.id}/publish", data={"expected": "pending"})
    assert response.status_code == 500
    assert outbox() == []
    assert count_rows() == 0
    assert db.session.get(type(idea), idea.id).status == S.pending
    # The next, successful request does not send anything left over from the failed one.
    monkeypatch.setattr(notify, "idea_published", original)
    assert client.get("/").status_code == 200
    assert outbox() == []


def test_a_successful_request_sends_its_mails_at_once(app, client, auth):
    idea = pending_idea()
    auth.login_as("moderator")
    response = client.post(f"/moderation/ideas/{idea.id}/publish", data={"expected": "pending"})
    assert response.status_code == 302
    [message] = outbox()
    assert message["To"] == idea.author.email
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe"] is None, "mails about one's own idea cannot be switched off"
    [row] = rows()
    assert row.status == MailStatus.sent and row.sent_at is not None and row.attempts == 0


def test_a_request_sends_only_its_own_mails(app, client, auth):
    """Old failures wait for send-mail: a request never waits for a broken backlog."""
    old = queue_one("old@example.org")
    idea = pending_idea()
    auth.login_as("moderator")
    client.post(f"/moderation/ideas/{idea.id}/publish", data={"expected": "pending"})
    assert [m["To"] for m in outbox()] == [idea.author.email]
    assert db.session.get(OutboxMail, old.id).status == MailStatus.queued
    assert mail.deliver_due() == (1, 0)
    assert sent_to("old@example.org")


def test_without_inline_sending_only_send_mail_delivers(app, client, auth, runner):
    app.config["MAIL_SEND_INLINE"] = False
    idea = pending_idea()
    auth.login_as("moderator")
    client.post(f"/moderation/ideas/{idea.id}/publish", data={"expected": "pending"})
    assert outbox() == []
    [row] = rows()
    assert row.status == MailStatus.queued
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    assert "sent 1, failed 0" in result.output
    assert len(outbox()) == 1


# Failures are retried, and never silently dropped

def test_a_failed_mail_stays_queued_and_is_sent_once_due(app, monkeypatch):
    queued = queue_one()
    broken = Broken()
    monkeypatch.setattr(mail, "transport", broken)
    assert mail.deliver_due() == (0, 1)
    row = db.session.get(OutboxMail, queued.id)
    assert row.status == MailStatus.queued
    assert row.attempts == 1
    assert "mail server down" in row.last_error and "\n" not in row.last_error
    assert row.next_attempt_at > utcnow()
    # Not due yet: the next run leaves it alone.
    assert mail.deliver_due() == (0, 0)
    assert broken.calls == 1

    monkeypatch.undo()
    make_due(queued.id)
    assert mail.deliver_due() == (1, 0)
    row = db.session.get(OutboxMail, queued.id)
    assert row.status == MailStatus.sent and row.sent_at is not None and row.last_error is None
    assert len(sent_to("anna@example.org")) == 1


def test_the_pause_grows_after_each_failure(app, monkeypatch):
    queued = queue_one()
    monkeypatch.setattr(mail, "transport", Broken())
    pauses = []
    for _ in range(3):
        make_due(queued.id)
        before = utcnow()
        mail.deliver_due()
        pauses.append(db.session.get(OutboxMail, queued.id).next_attempt_at - before)
    assert pauses[0] < pauses[1] < pauses[2]
    assert mail.pause_after(50) == timedelta(minutes=mail.MAX_PAUSE_MINUTES)


def test_after_max_attempts_a_mail_is_marked_failed_and_kept(app, monkeypatch, runner):
    queued = queue_one()
    monkeypatch.setattr(mail, "transport", Broken())
    for attempt in range(1, mail.MAX_ATTEMPTS + 1):
        make_due(queued.id)
        result = runner.invoke(args=["send-mail"])
        assert result.exit_code == 0, "failures are retried later, not a crash"
        assert "sent 0, failed 1" in result.output
        assert f"mail {queued.id} (password_changed" in result.output
        row = db.session.get(OutboxMail, queued.id)
        assert row.attempts == attempt
    assert row.status == MailStatus.failed
    assert "given up" in result.output
    make_due(queued.id)
    assert mail.deliver_due() == (0, 0), "given up: not tried again by itself"
    assert count_rows() == 1, "kept for the record"

    # After the mail server is back, the operator queues them again.
    monkeypatch.undo()
    result = runner.invoke(args=["send-mail", "--retry-failed"])
    assert result.exit_code == 0
    assert "queued again 1" in result.output and "sent 1, failed 0" in result.output
    assert len(sent_to("anna@example.org")) == 1


def test_a_mail_being_sent_by_one_sender_is_left_alone_by_another(app):
    queued = queue_one()
    claimed = mail._claim(10, None)
    assert [mail_id for mail_id, _msg in claimed] == [queued.id]
    assert mail.deliver_due() == (0, 0), "the first sender holds it"
    assert outbox() == []


def test_senders_running_at_the_same_time_send_each_mail_once(app):
    for n in range(40):
        person = make_user(email=f"p{n}@example.org")
        mail.send_mail(person.email, "Test", "reset", locale="en", user=person, link="https://x/reset/1")
    db.session.commit()
    db.session.rollback()

    def sender(_):
        with app.app_context():
            return mail.deliver_due(limit=15)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(sender, range(4)))
    db.session.rollback()
    assert sum(sent for sent, _failed in results) == 40
    assert sorted(m["To"] for m in outbox()) == sorted(f"p{n}@example.org" for n in range(40))
    assert {m.status for m in rows()} == {MailStatus.sent}


def test_send_mail_respects_the_limit_and_sends_transactional_mails_first(app, runner):
    user = make_user(locale="en")
    optional = mail.queue(user.email, "Optional", "password_changed", user=user, optional=True)
    db.session.commit()
    first = queue_one("first@example.org")
    result = runner.invoke(args=["send-mail", "--limit", "1"])
    assert "sent 1, failed 0" in result.output
    assert [m["To"] for m in outbox()] == ["first@example.org"]
    assert db.session.get(OutboxMail, optional.id).status == MailStatus.queued
    assert db.session.get(OutboxMail, first.id).status == MailStatus.sent
    result = runner.invoke(args=["send-mail", "--limit", "0"])
    assert result.exit_code != 0, "a limit below 1 is refused"


# The daily digest

def follower_setup(digest_user_kwargs=None):
    process = make_process()
    team = make_user("team")
    reader = make_user(locale="en", mail_digest=True, **(digest_user_kwargs or {}))
    first = make_idea(process, title="Freies WLAN am Markt")
    second = make_idea(process, title="Digitale Bürgerdienste")
    voting.add_support(reader, first)
    discussion.add_comment(reader, second, "Gute Idee, das brauchen wir.")
    db.session.commit()
    return team, reader, first, second


def test_a_digest_reader_gets_no_single_mail_but_one_digest(app, runner):
    team, reader, first, second = follower_setup()
    answer(first, team)
    answer(second, team)
    held = rows(user_id=reader.id)
    assert [(m.kind, m.digest, m.optional) for m in held] == [("idea_answered_follower", True, True)] * 2
    mail.deliver_due()
    assert sent_to(reader.email) == [], "held for the digest"
    assert len(outbox()) == 2, "the authors are told at once"

    result = runner.invoke(args=["send-mail", "--digest"])
    assert result.exit_code == 0, result.output
    assert "digests 1" in result.output
    [message] = sent_to(reader.email)
    assert message["Subject"] == "Your daily summary: 2 new messages"
    body = message.get_content()
    for idea in (first, second):
        assert f"/ideas/{idea.id}" in body
        assert idea.title in body
    assert body.count("An idea you follow has been answered") == 2
    assert "Kind regards" in body
    assert "/unsubscribe/" in body
    assert re.fullmatch(r"<https?://[^>]+/unsubscribe/[^>]+>", message["List-Unsubscribe"])
    # One plain line, as mail programs read it: not folded into =?utf-8?q?...?= words.
    assert re.search(rb"\nList-Unsubscribe: <https?://\S+/unsubscribe/\S+>\r?\n", bytes(message))
    for row in held:
        row = db.session.get(OutboxMail, row.id)
        assert row.status == MailStatus.sent and row.sent_at is not None

    # Running it again sends nothing more.
    result = runner.invoke(args=["send-mail", "--digest"])
    assert result.exit_code == 0
    assert "digests 0" in result.output and "sent 0, failed 0" in result.output
    assert len(sent_to(reader.email)) == 1
    assert len(rows(kind="digest")) == 1


def test_a_digest_item_keeps_the_first_lines_and_the_link(app):
    team, reader, first, _second = follower_setup()
    answer(first, team, text="\n\n".join(f"Absatz {i}: " + "lang " * 100 for i in range(10)))
    [held] = rows(user_id=reader.id)
    item = digest.item(held)
    assert item.subject == "An idea you follow has been answered"
    assert item.link.endswith(f"/ideas/{first.id}")
    assert len(item.lines) == digest.MAX_LINES
    assert all(len(line) <= digest.MAX_CHARS for line in item.lines)
    assert not any(line.startswith("Hello") for line in item.lines)


def test_digests_of_moderators_carry_no_unsubscribe_link(app, runner):
    """Reports are not switched off by the unsubscribe link, so a report digest does not offer it."""
    moderator = make_user("moderator", locale="en", mail_digest=True)
    idea = make_idea()
    discussion.report(make_user(), idea, ReportReason.spam)
    db.session.commit()
    result = runner.invoke(args=["send-mail", "--digest"])
    assert "digests 1" in result.output
    [message] = sent_to(moderator.email)
    assert "/unsubscribe/" not in message.get_content()
    assert "/account/notifications" in message.get_content()
    assert message["List-Unsubscribe"] is None


def test_held_mails_of_a_closed_account_are_not_sent(app, runner):
    team, reader, first, _second = follower_setup()
    answer(first, team)
    reader.deleted_at = utcnow()
    db.session.commit()
    result = runner.invoke(args=["send-mail", "--digest"])
    assert "digests 0" in result.output
    assert sent_to(reader.email) == []
    [held] = rows(user_id=reader.id)
    assert held.status == MailStatus.failed and "closed" in held.last_error


def test_switching_the_digest_off_still_sends_what_was_held(app, client, auth, runner):
    team, reader, first, _second = follower_setup()
    answer(first, team)
    auth.login_as(reader)
    client.post("/account/notifications", data={"notify_answers": "y"})
    assert db.session.get(type(reader), reader.id).mail_digest is False
    runner.invoke(args=["send-mail", "--digest"])
    assert len(sent_to(reader.email)) == 1
