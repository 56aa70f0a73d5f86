"""Mail transport and outbox: queue in the same transaction, deliver after commit, retry.

Mails are written to the outbox table together with the change they report, so a crash
cannot lose one and a rolled-back change sends none. Delivery happens after the request
(MAIL_SEND_INLINE, only the mails that request queued) and by `flask --app app send-mail`,
which sends everything due and retries failures with a growing pause.

Delivery never holds a database transaction while it talks to the mail server: a short
transaction claims a batch (it moves next_attempt_at forward as a lease, so a second
sender running at the same time leaves the batch alone), the messages go out, and each
result is written in its own short transaction. A sender that dies mid-batch leaves its
mails queued; they are sent when the lease has run out.
"""
import smtplib
import ssl
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from flask import Flask, current_app, g, render_template
from flask_babel import force_locale
from sqlalchemy import inspect, select, update

from ideas.database import writing
from ideas.extensions import db
from ideas.models import MailStatus, OutboxMail, User, utcnow

MAX_ATTEMPTS = 10  # with the pauses below, a mail is given up after about 12 hours
MAX_PAUSE_MINUTES = 240
BATCH = 20
LEASE = timedelta(minutes=15)  # longer than a batch can take (20 mails x 20 s SMTP timeout)
INLINE_LIMIT = 10  # a request waits for at most this many mails; send-mail does the rest


def outbox() -> list[EmailMessage]:
    """Messages delivered in this app while MAIL_BACKEND is "memory" (tests)."""
    return current_app.extensions.setdefault("mail_outbox", [])


def render(template: str, locale: str | None, subject, **context) -> tuple[str, str]:
    """Subject and plain text of templates/mail/<template>.txt in the recipient's language."""
    from ideas.notify import external_url

    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        body = render_template(f"mail/{template}.txt", external_url=external_url, **context)
        return str(subject), body


def queue(to: str, subject, template: str, locale: str | None = None, user: User | None = None,
          kind: str | None = None, optional: bool = False, digest: bool = False, **context) -> OutboxMail:
    """Put a mail in the outbox; it is sent once the surrounding transaction has committed.

    A mail with digest=True is held for the recipient's daily digest (ideas/digest.py).
    """
    subject, body = render(template, locale, subject, user=user, **context)
    mail = OutboxMail(
        user_id=user.id if user else None, to_email=to, subject=subject[:255], body_text=body,
        kind=kind or template, optional=optional, digest=digest,
    )
    db.session.add(mail)
    if not digest:
        g.setdefault("mail_queued", []).append(mail)
    return mail


def send_mail(to: str, subject, template: str, locale: str | None = None, **context) -> OutboxMail:
    """A transactional mail (confirmation, password) through the outbox."""
    return queue(to, subject, template, locale, **context)


def pause_after(attempts: int) -> timedelta:
    """How long a failed mail waits: 2, 4, 8 ... minutes, at most four hours."""
    return timedelta(minutes=min(2 ** attempts, MAX_PAUSE_MINUTES))


def _message(mail: OutboxMail) -> EmailMessage:
    sender = current_app.config["MAIL_SENDER"]
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mail.to_email
    msg["Subject"] = mail.subject
    if current_app.config.get("MAIL_REPLY_TO"):
        msg["Reply-To"] = current_app.config["MAIL_REPLY_TO"]
    msg["Date"] = format_datetime(datetime.now(timezone.utc))
    msg["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or "ideenfenster")
    # No out-of-office replies to notifications (RFC 3834).
    msg["Auto-Submitted"] = "auto-generated"
    unsubscribe = _unsubscribe_link(mail)
    if unsubscribe:
        msg["List-Unsubscribe"] = f"<{unsubscribe}>"
    msg.set_content(mail.body_text)
    # Encoded as usual above; headers may then use the full line length of RFC 5322, so the
    # long unsubscribe link is not folded into encoded words that mail programs do not read.
    msg.policy = msg.policy.clone(max_line_length=998)
    return msg


def _unsubscribe_link(mail: OutboxMail) -> str | None:
    """The link for the List-Unsubscribe header; the same page as the link in the mail's footer."""
    from ideas import notify

    if not (mail.optional and mail.user_id and mail.kind in notify.UNSUBSCRIBE_KINDS):
        return None
    user = db.session.get(User, mail.user_id)
    return notify.unsubscribe_url(user) if user is not None else None


def _claim(limit: int, ids: list[int] | None) -> list[tuple[int, EmailMessage]]:
    """Take up to `limit` due mails for this sender and build their messages."""
    with writing():
        db.session.rollback()
        stmt = (
            select(OutboxMail)
            .where(OutboxMail.status == MailStatus.queued, OutboxMail.digest.is_(False),
                   OutboxMail.next_attempt_at <= utcnow())
            # Mails people wait for (confirmation, password) before the optional ones.
            .order_by(OutboxMail.optional, OutboxMail.id).limit(limit)
        )
        if ids is not None:
            stmt = stmt.where(OutboxMail.id.in_(ids))
        if db.session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        # On SQLite, writing() makes this transaction BEGIN IMMEDIATE: claims queue up.
        mails = db.session.scalars(stmt).all()
        until = utcnow() + LEASE
        batch = []
        for mail in mails:
            batch.append((mail.id, _message(mail)))
            mail.next_attempt_at = until
        db.session.commit()
    return batch


def _record_sent(mail_id: int) -> None:
    with writing():
        db.session.execute(
            update(OutboxMail).where(OutboxMail.id == mail_id)
            .values(status=MailStatus.sent, sent_at=utcnow(), last_error=None)
        )
        db.session.commit()


def _record_failure(mail_id: int, error: str) -> str:
    """Count the failed attempt and set the next one; returns a line for the operator."""
    with writing():
        mail = db.session.get(OutboxMail, mail_id)
        mail.attempts += 1
        mail.last_error = " ".join(error.split())[:500]  # one line: SMTP replies can span several
        mail.next_attempt_at = utcnow() + pause_after(mail.attempts)
        if mail.attempts >= MAX_ATTEMPTS:
            mail.status = MailStatus.failed
        # Described before the commit: reading it afterwards would open a new transaction.
        line = describe_failure(mail)
        db.session.commit()
    return line


def describe_failure(mail: OutboxMail) -> str:
    """One line for the operator, with the mail's id to look it up."""
    if mail.status == MailStatus.failed:
        outcome = f"given up after {mail.attempts} attempts"
    else:
        outcome = f"attempt {mail.attempts} of {MAX_ATTEMPTS}, next try {mail.next_attempt_at:%Y-%m-%d %H:%M} UTC"
    return f"mail {mail.id} ({mail.kind}, user {mail.user_id}): {outcome}: {mail.last_error}"


def deliver_due(limit: int = 100, ids: list[int] | None = None,
                failures: list[str] | None = None) -> tuple[int, int]:
    """Send queued mails that are due; returns (sent, failed). Failures wait longer each time.

    `ids` restricts delivery to those mails (inline delivery after a request); `failures`
    collects one line per failed attempt for the command line.
    """
    sent = failed = 0
    while sent + failed < limit:
        batch = _claim(min(BATCH, limit - sent - failed), ids)
        if not batch:
            break
        for mail_id, msg in batch:
            try:
                transport(msg)
            except Exception as exc:  # noqa: BLE001 - any transport error means: try again later
                line = _record_failure(mail_id, f"{type(exc).__name__}: {exc}")
                # The error text may name the address: only its type goes to the log.
                current_app.logger.warning("mail %s failed: %s", mail_id, type(exc).__name__)
                if failures is not None:
                    failures.append(line)
                failed += 1
            else:
                _record_sent(mail_id)
                sent += 1
    return sent, failed


def retry_failed() -> int:
    """Queue the mails that were given up again, e.g. after the mail server was down for long."""
    with writing():
        result = db.session.execute(
            update(OutboxMail).where(OutboxMail.status == MailStatus.failed, OutboxMail.digest.is_(False))
            .values(status=MailStatus.queued, attempts=0, next_attempt_at=utcnow())
        )
        db.session.commit()
    return result.rowcount


def transport(msg: EmailMessage) -> None:
    cfg = current_app.config
    backend = cfg["MAIL_BACKEND"]
    if backend == "memory":
        outbox().append(msg)
    elif backend == "file":
        folder = Path(current_app.instance_path) / "mail"
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        path = folder / f"{stamp}.eml"
        path.write_bytes(bytes(msg))
        current_app.logger.info("mail written to %s", path)
    elif backend == "smtp":
        smtp_cls = smtplib.SMTP_SSL if cfg["MAIL_USE_SSL"] else smtplib.SMTP
        with smtp_cls(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=20) as smtp:
            if cfg["MAIL_USE_TLS"] and not cfg["MAIL_USE_SSL"]:
                smtp.starttls(context=ssl.create_default_context())
            if cfg["MAIL_USERNAME"]:
                smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
            smtp.send_message(msg)
    else:
        raise RuntimeError(f"unknown MAIL_BACKEND {backend!r}")


def _committed_ids(mails: list[OutboxMail]) -> list[int]:
    # A mail of a rolled-back transaction has no identity any more: it is never sent.
    return [key[0] for key in (inspect(m).identity for m in mails) if key is not None]


def init_app(app: Flask) -> None:
    @app.before_request
    def forget_queued():
        g.pop("mail_queued", None)

    @app.after_request
    def deliver_after_request(response):
        # Only after a successful request, and only the mails it queued and committed:
        # a request never waits for old failures, which send-mail retries.
        queued = g.pop("mail_queued", None)
        if queued and app.config["MAIL_SEND_INLINE"] and response.status_code < 400:
            try:
                ids = _committed_ids(queued)
                if ids:
                    deliver_due(limit=INLINE_LIMIT, ids=ids)
            except Exception:  # noqa: BLE001 - the change is saved; send-mail retries later
                db.session.rollback()
                app.logger.exception("inline mail delivery failed")
        return response
