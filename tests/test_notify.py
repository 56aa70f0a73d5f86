"""Who is told what, in which language, and how people choose or stop the optional mails."""
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from ideas import discussion, mail, merging, notify, tokens, voting, workflow
from ideas.extensions import db
from ideas.mail import outbox
from ideas.models import (
    CommentStatus,
    IdeaStatus,
    MailStatus,
    NetiquetteReason,
    OutboxMail,
    ReportReason,
    User,
    utcnow,
)
from tests.conftest import make_idea, make_process, make_user

S = IdeaStatus
MAIL_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "mail"


def queued(**where) -> list[OutboxMail]:
    stmt = select(OutboxMail).order_by(OutboxMail.id)
    for name, value in where.items():
        stmt = stmt.where(getattr(OutboxMail, name) == value)
    return list(db.session.scalars(stmt))


def recipients(kind: str) -> list[int]:
    return [m.user_id for m in queued(kind=kind)]


def answer(idea, text="Das setzen wir um."):
    team = make_user("team")
    workflow.prepare_answer(idea, team, S.accepted, text)
    workflow.release_answer(idea, team)
    db.session.commit()


def follows(user, idea, support=True, comment=False):
    if support:
        voting.add_support(user, idea)
    if comment:
        discussion.add_comment(user, idea, "Das finde ich wichtig.")
    db.session.commit()


def fresh(user: User) -> User:
    db.session.rollback()
    return db.session.get(User, user.id)


# Answers: the authors, and the people who follow the idea, each once

def test_an_answer_tells_the_author_and_each_follower_once(app):
    idea = make_idea(make_process())
    author = idea.author
    supporter, commenter, both, opted_out = make_user(), make_user(), make_user(), make_user(notify_answers=False)
    blocked = make_user(blocked_at=utcnow())
    follows(supporter, idea)
    follows(commenter, idea, support=False, comment=True)
    follows(both, idea, comment=True)
    follows(opted_out, idea)
    follows(blocked, idea)
    follows(author, idea, support=False, comment=True)  # the author answers in the discussion

    answer(idea)
    assert recipients("idea_answered") == [author.id]
    assert sorted(recipients("idea_answered_follower")) == sorted([supporter.id, commenter.id, both.id])
    assert all(m.optional and not m.digest for m in queued(kind="idea_answered_follower"))
    assert not queued(kind="idea_answered")[0].optional

    assert mail.deliver_due() == (4, 0)
    by_address = {m["To"]: m for m in outbox()}
    assert by_address[author.email]["List-Unsubscribe"] is None
    header = by_address[supporter.email]["List-Unsubscribe"]
    assert re.fullmatch(r"<https?://\S+/unsubscribe/\S+>", header)
    assert tokens.check_unsubscribe_token(header.strip("<>").rsplit("/", 1)[1],
                                          lambda uid: db.session.get(User, uid)).id == supporter.id


def test_coauthors_of_a_merged_idea_get_the_authors_mail(app):
    process = make_process()
    target = make_idea(process, title="WLAN im Rathaus")
    source = make_idea(process, title="WLAN am Markt")
    follows(source.author, target)
    merging.merge([source], target, make_user("moderator"))
    db.session.commit()
    answer(target)
    assert sorted(recipients("idea_answered")) == sorted([target.author.id, source.author.id])
    assert source.author.id not in recipients("idea_answered_follower")


def test_a_merge_tells_both_authors_and_the_moved_supporters(app):
    process = make_process()
    target, source = make_idea(process), make_idea(process)
    supporter, quiet = make_user(), make_user(notify_answers=False)
    follows(supporter, source)
    follows(quiet, source)
    merging.merge([source], target, make_user("moderator"))
    db.session.commit()
    assert sorted(recipients("idea_merged")) == sorted([source.author.id, target.author.id])
    assert recipients("idea_merged_supporter") == [supporter.id]


# Moderators hear about reports

def test_moderators_get_report_mails_and_are_told_when_the_threshold_hides_an_idea(app):
    moderator, admin = make_user("moderator"), make_user("admin")
    make_user("team")
    digest_moderator = make_user("moderator", mail_digest=True)
    idea = make_idea(make_process())
    reporters = [make_user() for _ in range(3)]

    discussion.report(reporters[0], idea, ReportReason.spam)
    db.session.commit()
    staff = sorted([moderator.id, admin.id, digest_moderator.id])
    assert sorted(recipients("report_received")) == staff
    held = {m.user_id: m.digest for m in queued(kind="report_received")}
    assert held == {moderator.id: False, admin.id: False, digest_moderator.id: True}

    assert discussion.report(reporters[0], idea, ReportReason.spam) is False, "once per person"
    discussion.report(reporters[1], idea, ReportReason.offensive)
    discussion.report(reporters[2], idea, ReportReason.spam)
    db.session.commit()
    assert db.session.get(type(idea), idea.id).status == S.hidden
    assert sorted(recipients("auto_hidden")) == staff
    assert not any(m.digest or m.optional for m in queued(kind="auto_hidden")), "at once, for everyone"
    assert recipients("idea_hidden") == [idea.author.id]


def test_a_comment_hidden_after_reports_tells_moderators_and_its_author(app):
    moderator = make_user("moderator")
    idea = make_idea(make_process())
    comment = discussion.add_comment(make_user(), idea, "Werbung für meinen Laden!")
    db.session.commit()
    for _ in range(3):
        discussion.report(make_user(), idea, ReportReason.spam, comment=comment)
    db.session.commit()
    assert comment.status == CommentStatus.hidden
    assert recipients("auto_hidden") == [moderator.id]
    assert recipients("comment_hidden") == [comment.author_id]


# The settings page

def test_the_settings_page_saves_both_choices(app, client, auth):
    client.set_cookie("lang", "en")
    me = auth.login_as(make_user())
    page = client.get("/account/notifications")
    assert page.status_code == 200
    assert "E-mail me when an idea I supported or discussed gets an answer" in page.text
    assert "Send optional e-mails as one daily digest" in page.text
    assert "new report" not in page.text
    assert re.search(r'<input checked id="notify_answers"', page.text)
    assert not re.search(r'<input checked[^>]*id="mail_digest"', page.text)

    response = client.post("/account/notifications", data={"mail_digest": "y"})
    assert response.status_code == 302
    assert fresh(me).notify_answers is False and fresh(me).mail_digest is True
    assert "Your e-mail settings are saved." in client.get(response.headers["Location"]).text

    client.post("/account/notifications", data={"notify_answers": "y"})
    assert fresh(me).notify_answers is True and fresh(me).mail_digest is False


def test_the_settings_page_needs_a_login_and_the_account_page_links_to_it(app, client, auth):
    response = client.get("/account/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    auth.login_as(make_user())
    assert "/account/notifications" in client.get("/account").text


def test_moderators_read_that_report_mails_follow_the_digest(app, client, auth):
    client.set_cookie("lang", "en")
    auth.login_as("moderator")
    page = client.get("/account/notifications").text
    assert "you also get an e-mail about each new report" in page
    assert 'aria-describedby="mail_digest-hint reports-hint"' in page


# Unsubscribing from the link in a mail

def test_opening_the_unsubscribe_link_changes_nothing_and_the_button_does(app, client):
    client.set_cookie("lang", "en")
    follower = make_user()
    idea = make_idea(make_process())
    follows(follower, idea)
    other = make_idea(idea.process)
    follows(follower, other)
    answer(idea)
    mail.deliver_due()
    url = f"/unsubscribe/{tokens.make_unsubscribe_token(follower)}"

    page = client.get(url)
    assert page.status_code == 200
    assert "Yes, stop these e-mails" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    assert fresh(follower).notify_answers is True

    # A follower mail that has not gone out yet must not arrive after the person said no.
    app.config["MAIL_SEND_INLINE"] = False
    workflow.prepare_answer(other, make_user("team"), S.accepted, "Auch das.")
    workflow.release_answer(other, make_user("team"))
    db.session.commit()
    waiting = queued(user_id=follower.id, status=MailStatus.queued)
    assert [m.kind for m in waiting] == ["idea_answered_follower"]

    response = client.post(url)
    assert response.status_code == 302
    assert fresh(follower).notify_answers is False
    assert queued(user_id=follower.id, status=MailStatus.queued) == []
    after = client.get(response.headers["Location"])
    assert "Done: these e-mails are switched off." in after.text
    assert "Yes, stop these e-mails" not in after.text

    # Mails about their own ideas still come.
    own = make_idea(idea.process, author=fresh(follower))
    answer(own)
    assert recipients("idea_answered")[-1] == follower.id


@pytest.mark.parametrize("forge", ["garbage", "other purpose", "tampered", "expired", "deleted"])
def test_a_bad_unsubscribe_link_is_refused_kindly(app, client, monkeypatch, forge):
    client.set_cookie("lang", "en")
    person = make_user()
    token = tokens.make_unsubscribe_token(person)
    if forge == "garbage":
        token = "x"
    elif forge == "other purpose":
        token = tokens.make_verify_token(person)
    elif forge == "tampered":
        token = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    elif forge == "expired":
        monkeypatch.setattr(tokens, "UNSUBSCRIBE_MAX_AGE", -1)
    elif forge == "deleted":
        person.deleted_at = utcnow()
        db.session.commit()
    for method in ("get", "post"):
        response = getattr(client, method)(f"/unsubscribe/{token}")
        assert response.status_code == 400
        assert "This link is invalid or has expired." in response.text
    assert fresh(person).notify_answers is True


# Every mail in German and English

def realistic_context() -> dict[str, dict]:
    """A context for each template in templates/mail/, as the code fills it."""
    process = make_process()
    user = make_user(display_name="Anna Muster")
    idea = make_idea(process, title="Freies WLAN am Markt", author=user)
    idea.moderation_reason = NetiquetteReason.advertising
    idea.moderation_note = "Bitte ohne Firmennamen."
    idea.answer_source = "Das setzen wir 2027 um."
    other = make_idea(process, title="WLAN im Rathaus")
    comment = discussion.add_comment(make_user(), idea, "Ein Kommentar")
    comment.moderation_reason = NetiquetteReason.personal_attack
    db.session.commit()
    link = "https://ideen.example.org/ideas/1"
    optional = {"settings": "https://ideen.example.org/account/notifications",
                "unsubscribe": "https://ideen.example.org/unsubscribe/abc"}
    items = [{"subject": "Eine Idee wurde beantwortet", "lines": ["Erste Zeile", "Zweite Zeile"], "link": link}]
    return {
        "auto_hidden": dict(idea=idea, comment=comment, count=3, link=link),
        "comment_hidden": dict(comment=comment, link=link),
        "digest": dict(items=items, link=link, **optional),
        "idea_answered": dict(idea=idea, link=link),
        "idea_answered_follower": dict(idea=idea, link=link, **optional),
        "idea_declined": dict(idea=idea, link=link),
        "idea_hidden": dict(idea=idea, link=link),
        "idea_merged": dict(source=other, target=idea, link=link),
        "idea_merged_supporter": dict(source=other, target=idea, link=link, **optional),
        "idea_published": dict(idea=idea, link=link),
        "password_changed": dict(),
        "accessibility_feedback": dict(name="Anna Muster", email="anna@example.org",
                                       message="Die Schrift im Formular ist zu klein."),
        "email_change": dict(link=link),
        "email_changed": dict(new_email="neu@example.org"),
        "report_received": dict(idea=idea, comment=None, count=1, link=link, settings=optional["settings"]),
        "reset": dict(link=link),
        "verify": dict(link=link),
    }, user


@pytest.fixture
def catalogs(app):
    """Current compiled catalogs, so German mails are German (as `make test` builds them)."""
    from ideas.extensions import babel
    from tests.test_i18n import compile_catalogs

    if compile_catalogs():
        babel.domain_instance.cache.clear()


# Mails to the town's own address, not to a person: no greeting, closing or footer.
TO_THE_TOWN = {"accessibility_feedback"}
CLOSING = {"de": "Mit freundlichen Grüßen", "en": "Kind regards"}


@pytest.mark.parametrize("locale", ["de", "en"])
def test_every_mail_template_renders_in_both_languages(app, catalogs, locale):
    contexts, user = realistic_context()
    templates = sorted(p.stem for p in MAIL_TEMPLATES.glob("*.txt") if not p.name.startswith("_"))
    assert templates == sorted(contexts), "give each new template a realistic context here"
    for template, context in contexts.items():
        _subject, body = mail.render(template, locale, "Betreff", user=user, **context)
        if template in TO_THE_TOWN:
            assert context["message"] in body and "None" not in body and "%(" not in body, template
            continue
        assert context.get("link", "http") in body, template
        assert re.search(r"^https?://\S+$", body, re.MULTILINE), template
        assert CLOSING[locale] in body, template
        assert "Anna Muster" in body, template
        assert "None" not in body and "{{" not in body and "%(" not in body, (template, body)
        if "unsubscribe" in context:
            assert context["unsubscribe"] in body.split("\n-- \n", 1)[1], "in the footer"


def every_notification(locale: str) -> set[str]:
    """Call each notify function once with real objects, everybody speaking `locale`; the kinds expected."""
    def person(role="citizen"):
        return make_user(role, locale=locale)

    for role in ("moderator", "admin"):
        person(role)
    idea = make_idea(make_process(), author=person())
    follows(person(), idea)
    comment = discussion.add_comment(person(), idea, "Ein Kommentar")
    comment.moderation_reason = NetiquetteReason.personal_attack
    pending = make_idea(make_process(mode="pre"), author=person(), status=S.pending)
    target = make_idea(idea.process, author=person())
    idea.answer_source = "Das setzen wir um."
    db.session.commit()
    notify.idea_published(pending)
    notify.idea_declined(pending)
    notify.idea_hidden(idea)
    notify.comment_hidden(comment)
    notify.idea_answered(idea)
    notify.idea_merged(idea, target, [person()])
    notify.report_received(idea, None, 1)
    notify.auto_hidden(idea, comment, 3)
    db.session.commit()
    return {"idea_published", "idea_declined", "idea_hidden", "comment_hidden", "idea_answered",
            "idea_answered_follower", "idea_merged", "idea_merged_supporter", "report_received", "auto_hidden"}


@pytest.mark.parametrize("locale", ["de", "en"])
def test_every_notification_is_written_in_the_recipients_language(app, catalogs, locale):
    expected = every_notification(locale)
    rows = queued()
    assert {row.kind for row in rows} == expected
    for row in rows:
        assert re.search(r"^https?://\S+$", row.body_text, re.MULTILINE), row.kind
        assert CLOSING[locale] in row.body_text, (row.kind, row.body_text)


def test_a_mail_is_in_the_recipients_language_not_the_senders(app, catalogs):
    idea = make_idea(make_process())
    german, english = make_user(locale="de"), make_user(locale="en")
    follows(german, idea)
    follows(english, idea)
    answer(idea)
    by_user = {m.user_id: m for m in queued(kind="idea_answered_follower")}
    assert by_user[english.id].subject == "An idea you follow has been answered"
    assert "Kind regards" in by_user[english.id].body_text
    assert "Mit freundlichen Grüßen" in by_user[german.id].body_text
    assert "Kind regards" not in by_user[german.id].body_text
