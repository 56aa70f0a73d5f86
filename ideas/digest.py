"""The daily digest: optional mails held for people who asked for one e-mail a day.

`flask --app app send-mail --digest` turns each person's held mails into one mail, in the
same transaction that marks them as sent, so running it twice sends each digest once.
"""
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale, ngettext
from sqlalchemy import select

from ideas import mail, notify
from ideas.database import lock_row, writing
from ideas.extensions import db
from ideas.models import MailStatus, OutboxMail, User, utcnow

SIGNATURE = "\n-- \n"  # written by templates/mail/_footer.txt
MAX_LINES = 3
MAX_CHARS = 300


@dataclass
class Item:
    subject: str
    lines: list[str]
    link: str | None


def _held():
    return (OutboxMail.status == MailStatus.queued) & OutboxMail.digest.is_(True)


def _shorten(line: str) -> str:
    return line if len(line) <= MAX_CHARS else line[:MAX_CHARS - 1].rsplit(" ", 1)[0] + " …"


def item(held: OutboxMail) -> Item:
    """The subject, the first lines and the link of a held mail, without greeting and footer."""
    content = held.body_text.split(SIGNATURE, 1)[0]
    lines = [line.strip() for line in content.splitlines() if line.strip()]
    lines = lines[1:]  # "Hello Anna," - the digest greets once
    links = [i for i, line in enumerate(lines) if line.startswith(("https://", "http://"))]
    link = lines[links[-1]] if links else None
    # Each notification template ends with its link, then the closing ("Kind regards", ...).
    text = [_shorten(line) for line in (lines[:links[-1]] if links else lines)[:MAX_LINES]]
    if text:
        text[0] = text[0][:1].upper() + text[0][1:]  # it followed the greeting: "Hello Anna, the ..."
    return Item(subject=held.subject, lines=text, link=link)


def build_digests() -> int:
    """Queue one digest for every person with held mails; returns how many were queued."""
    with writing():
        db.session.rollback()
        user_ids = db.session.scalars(select(OutboxMail.user_id).where(_held()).distinct()).all()
        db.session.commit()
        built = 0
        for user_id in user_ids:
            built += _build_for(user_id)
            db.session.commit()
    return built


def _build_for(user_id: int | None) -> int:
    owner = OutboxMail.user_id == user_id if user_id is not None else OutboxMail.user_id.is_(None)
    # Locked, so a second run at the same time waits and then finds them sent.
    held = db.session.scalars(
        lock_row(select(OutboxMail).where(_held(), owner).order_by(OutboxMail.id))
    ).all()
    if not held:
        return 0
    now = utcnow()
    user = db.session.get(User, user_id) if user_id is not None else None
    if user is None or not user.is_active:
        for m in held:
            m.status = MailStatus.failed
            m.last_error = "not sent: the account is closed or blocked"
        return 0
    follower = any(m.kind in notify.FOLLOWER_KINDS for m in held)
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = ngettext("Your daily summary: %(num)d new message",
                           "Your daily summary: %(num)d new messages", len(held))
    mail.queue(user.email, subject, "digest", locale=user.locale, user=user, kind="digest",
               optional=follower, items=[item(m) for m in held], settings=notify.settings_url(),
               unsubscribe=notify.unsubscribe_url(user) if follower else None)
    for m in held:
        m.status = MailStatus.sent
        m.sent_at = now
    return 1
