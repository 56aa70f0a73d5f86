"""Who is told what: every notification goes to the outbox in the change's own transaction.

Mails about a person's own ideas and account are always sent at once. Optional mails
(answers to ideas one supported or discussed, reports for moderators) wait for the daily
digest if the person asked for one; those about followed ideas can be switched off.
"""
from flask import current_app, has_request_context, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import delete, select, union
from wtforms import BooleanField, SubmitField

from ideas import mail, tokens
from ideas.extensions import db
from ideas.models import (
    STAFF_ROLES,
    Comment,
    Idea,
    MailStatus,
    OutboxMail,
    Role,
    User,
    Vote,
)

# Mails that notify_answers switches off, and the unsubscribe link stops ("digest" may contain them).
FOLLOWER_KINDS = ("idea_answered_follower", "idea_merged_supporter")
UNSUBSCRIBE_KINDS = (*FOLLOWER_KINDS, "digest")
REPORT_ROLES = tuple(r for r in STAFF_ROLES if r != Role.team)


def external_url(endpoint: str, **values) -> str:
    """An absolute link for a mail, also from the command line (BASE_URL)."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = current_app.config["BASE_URL"].rstrip("/")
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)


def unsubscribe_url(user: User) -> str:
    """The link that switches off mails about followed ideas, without logging in."""
    return external_url("auth.unsubscribe", token=tokens.make_unsubscribe_token(user))


def settings_url() -> str:
    return external_url("auth.notifications")


def _reachable(user: User | None) -> bool:
    return user is not None and user.deleted_at is None and user.blocked_at is None


def _to_user(user: User, subject, template: str, optional: bool = False, **context) -> None:
    if not _reachable(user):
        return
    if optional:
        context["settings"] = settings_url()
        if template in UNSUBSCRIBE_KINDS:
            context["unsubscribe"] = unsubscribe_url(user)
    mail.queue(user.email, subject, template, locale=user.locale, user=user, kind=template,
               optional=optional, digest=optional and user.mail_digest, **context)


def _idea_link(idea: Idea) -> str:
    return external_url("participation.idea", idea_id=idea.id)


def idea_published(idea: Idea) -> None:
    _to_user(idea.author, _l("Your idea is now published"), "idea_published", idea=idea, link=_idea_link(idea))


def idea_declined(idea: Idea) -> None:
    _to_user(idea.author, _l("Please revise your idea"), "idea_declined", idea=idea,
             link=external_url("participation.edit_idea", idea_id=idea.id))


def idea_hidden(idea: Idea) -> None:
    _to_user(idea.author, _l("Your idea has been hidden"), "idea_hidden", idea=idea, link=_idea_link(idea))


def comment_hidden(comment: Comment) -> None:
    from ideas.discussion import comment_link  # discussion imports this module

    _to_user(comment.author, _l("Your comment has been hidden"), "comment_hidden", comment=comment,
             link=external_url("participation.idea", **comment_link(comment.idea, comment.id)))


def _authors(idea: Idea) -> list[User]:
    """The author and the co-authors named on a merged idea, each once."""
    return list(dict.fromkeys(u for u in (idea.author, *idea.coauthors) if u is not None))


def _followers(idea: Idea, authors: list[User]) -> list[User]:
    """People who supported or commented on an idea and want to hear about answers, each once."""
    ids = union(
        select(Vote.user_id).where(Vote.idea_id == idea.id),
        select(Comment.author_id).where(Comment.idea_id == idea.id, Comment.author_id.is_not(None)),
    ).subquery()
    return list(db.session.scalars(
        select(User).where(User.id.in_(select(ids.c[0])), User.notify_answers.is_(True),
                           User.deleted_at.is_(None), User.id.not_in([a.id for a in authors] or [0]))
        .order_by(User.id)
    ))


def idea_answered(idea: Idea) -> None:
    link = _idea_link(idea)
    authors = _authors(idea)
    for author in authors:
        _to_user(author, _l("Your idea has been answered"), "idea_answered", idea=idea, link=link)
    for follower in _followers(idea, authors):
        _to_user(follower, _l("An idea you follow has been answered"), "idea_answered_follower",
                 optional=True, idea=idea, link=link)


def idea_merged(source: Idea, target: Idea, moved: list[User]) -> None:
    link = _idea_link(target)
    authors = list(dict.fromkeys(a for a in (source.author, target.author) if a is not None))
    for author in authors:
        _to_user(author, _l("Ideas have been merged"), "idea_merged", source=source, target=target, link=link)
    for supporter in moved:
        if supporter.notify_answers and supporter not in authors:
            _to_user(supporter, _l("An idea you support has been merged"), "idea_merged_supporter",
                     optional=True, source=source, target=target, link=link)


def gets_reports(user: User) -> bool:
    """Moderators and admins are told about reports; the project team is not."""
    return user.role in REPORT_ROLES


def _moderators() -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.role.in_(REPORT_ROLES), User.deleted_at.is_(None)).order_by(User.id)
    ))


def report_received(idea: Idea, comment: Comment | None, count: int) -> None:
    link = external_url("moderation.queue", tab="reported")
    for moderator in _moderators():
        _to_user(moderator, _l("New report"), "report_received", optional=True, idea=idea,
                 comment=comment, count=count, link=link)


def auto_hidden(idea: Idea, comment: Comment | None, count: int) -> None:
    link = external_url("moderation.queue", tab="reported")
    for moderator in _moderators():
        _to_user(moderator, _l("A contribution was hidden after reports"), "auto_hidden",
                 idea=idea, comment=comment, count=count, link=link)


# A person's choices: the settings page and the unsubscribe link.

class SettingsForm(FlaskForm):
    notify_answers = BooleanField(_l("E-mail me when an idea I supported or discussed gets an answer"))
    mail_digest = BooleanField(
        _l("Send optional e-mails as one daily digest"),
        description=_l("Then you get at most one such e-mail a day. E-mails about your own ideas "
                       "and your account always come at once."),
    )
    submit = SubmitField(_l("Save settings"))


def save_settings(user: User, notify_answers: bool, mail_digest: bool) -> None:
    """Store which optional mails a person wants, and how."""
    user.notify_answers = bool(notify_answers)
    user.mail_digest = bool(mail_digest)
    # Held digest items stay held when the digest is switched off: they go out with the last digest.
    if not user.notify_answers:
        _drop_follower_mails(user)


def unsubscribe(user: User) -> None:
    """Stop mails about ideas the person supported or discussed (the link in those mails)."""
    user.notify_answers = False
    _drop_follower_mails(user)


def _drop_follower_mails(user: User) -> None:
    # Not sent yet, and no longer wanted: they must not arrive after the person said no.
    db.session.execute(
        delete(OutboxMail).where(OutboxMail.user_id == user.id, OutboxMail.status == MailStatus.queued,
                                 OutboxMail.kind.in_(FOLLOWER_KINDS))
        .execution_options(synchronize_session=False)
    )
