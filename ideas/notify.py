"""Who is told what: every notification goes to the outbox in the change's own transaction."""
from flask import current_app, has_request_context, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, union

from ideas import mail, tokens
from ideas.extensions import db
from ideas.models import STAFF_ROLES, Comment, Idea, Role, User, Vote


def external_url(endpoint: str, **values) -> str:
    """An absolute link for a mail, also from the command line (BASE_URL)."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = current_app.config["BASE_URL"].rstrip("/")
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)


def _reachable(user: User | None) -> bool:
    return user is not None and user.deleted_at is None and user.blocked_at is None


def _to_user(user: User, subject, template: str, optional: bool = False, **context) -> None:
    if not _reachable(user):
        return
    if optional:
        context["unsubscribe"] = external_url("auth.unsubscribe", token=tokens.make_unsubscribe_token(user))
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
    _to_user(comment.author, _l("Your comment has been hidden"), "comment_hidden", comment=comment,
             link=_idea_link(comment.idea))


def _followers(idea: Idea) -> list[User]:
    """People who supported or commented on an idea and want to hear about answers."""
    ids = union(
        select(Vote.user_id).where(Vote.idea_id == idea.id),
        select(Comment.author_id).where(Comment.idea_id == idea.id, Comment.author_id.is_not(None)),
    ).subquery()
    return list(db.session.scalars(
        select(User).where(User.id.in_(select(ids.c[0])), User.notify_answers.is_(True),
                           User.deleted_at.is_(None), User.id != (idea.author_id or 0))
        .order_by(User.id)
    ))


def idea_answered(idea: Idea) -> None:
    link = _idea_link(idea)
    _to_user(idea.author, _l("Your idea has been answered"), "idea_answered", idea=idea, link=link)
    for follower in _followers(idea):
        _to_user(follower, _l("An idea you follow has been answered"), "idea_answered_follower",
                 optional=True, idea=idea, link=link)


def idea_merged(source: Idea, target: Idea, moved: list[User]) -> None:
    link = _idea_link(target)
    for author in dict.fromkeys(a for a in (source.author, target.author) if a is not None):
        _to_user(author, _l("Ideas have been merged"), "idea_merged", source=source, target=target, link=link)
    for supporter in moved:
        if supporter.notify_answers:
            _to_user(supporter, _l("An idea you support has been merged"), "idea_merged_supporter",
                     optional=True, source=source, target=target, link=link)


def _moderators() -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.role.in_([r for r in STAFF_ROLES if r != Role.team]),
                           User.deleted_at.is_(None)).order_by(User.id)
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
