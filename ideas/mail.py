"""Mail transport and outbox: queue in the same transaction, deliver after commit, retry.

Mails are written to the outbox table together with the change they report, so a crash
cannot lose one and a rolled-back change sends none. Delivery happens after the request
(MAIL_SEND_INLINE) and by `flask --app app send-mail`, which also retries failures.
"""
import smtplib
import ssl
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import Flask, current_app, g, render_template
from flask_babel import force_locale
from sqlalchemy import select

from ideas.database import writing
from ideas.extensions import db
from ideas.models import MailStatus, OutboxMail, User, utcnow

MAX_ATTEMPTS = 6


def outbox() -> list[EmailMessage]:
    """Messages delivered in this app while MAIL_BACKEND is "memory" (tests)."""
    return current_app.extensions.setdefault("mail_outbox", [])


def render(template: str, locale: str | None, subject, **context) -> tuple[str, str]:
    """Subject and plain text of templates/mail/<template>.txt in the recipient's language."""
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        body = render_template(f"mail/{template}.txt", **context)
        return str(subject), body


def queue(to: str, subject, template: str, locale: str | None = None, user: User | None = None,
          kind: str | None = None, optional: bool = False, digest: bool = False, **context) -> OutboxMail:
    """Put a mail in the outbox; it is sent once the surrounding transaction has committed."""
    subject, body = render(template, locale, subject, user=user, **context)
    mail = OutboxMail(
        user_id=user.id if user else None, to_email=to, subject=subject[:255], body_text=body,
        kind=kind or template, optional=optional, digest=digest,
    )
    db.session.add(mail)
    if not digest:
        g.mail_queued = True
    return mail


def send_mail(to: str, subject, template: str, locale: str | None = None, **context) -> OutboxMail:
    """A transactional mail (confirmation, password) through the outbox."""
    return queue(to, subject, template, locale, **context)


def _message(mail: OutboxMail) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_SENDER"]
    msg["To"] = mail.to_email
    msg["Subject"] = mail.subject
    msg["Message-ID"] = make_msgid(domain="ideenfenster")
    msg.set_content(mail.body_text)
    return msg


def deliver_due(limit: int = 100) -> tuple[int, int]:
    """Send queued mails that are due; returns (sent, failed). Failures wait longer each time."""
    sent = failed = 0
    with writing():
        db.session.rollback()
        due = db.session.scalars(
            select(OutboxMail)
            .where(OutboxMail.status == MailStatus.queued, OutboxMail.digest.is_(False),
                   OutboxMail.next_attempt_at <= utcnow())
            .order_by(OutboxMail.id).limit(limit)
        ).all()
        for mail in due:
            try:
                transport(_message(mail))
            except Exception as exc:  # noqa: BLE001 - any transport error means: try again later
                mail.attempts += 1
                mail.last_error = f"{type(exc).__name__}: {exc}"[:500]
                mail.next_attempt_at = utcnow() + timedelta(minutes=2 ** mail.attempts)
                if mail.attempts >= MAX_ATTEMPTS:
                    mail.status = MailStatus.failed
                current_app.logger.warning("mail %s to user %s failed: %s", mail.id, mail.user_id,
                                           type(exc).__name__)
                failed += 1
            else:
                mail.status = MailStatus.sent
                mail.sent_at = utcnow()
                sent += 1
            db.session.commit()
    return sent, failed


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


def init_app(app: Flask) -> None:
    @app.after_request
    def deliver_after_request(response):
        # Only after a successful commit: a failed request rolled its mails back with it.
        if g.pop("mail_queued", False) and app.config["MAIL_SEND_INLINE"] and response.status_code < 400:
            try:
                deliver_due(limit=50)
            except Exception:  # noqa: BLE001 - the change is saved; send-mail retries later
                app.logger.exception("inline mail delivery failed")
        return response
