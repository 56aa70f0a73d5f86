"""Sending e-mail: .eml files in development, SMTP in production, a list in tests."""
import smtplib
import ssl
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale


def outbox() -> list[EmailMessage]:
    """Messages sent in this app while MAIL_BACKEND is "memory" (tests)."""
    return current_app.extensions.setdefault("mail_outbox", [])


def send_mail(to: str, subject: str, template: str, locale: str | None = None, **context) -> EmailMessage:
    """Render templates/mail/<template>.txt in the recipient's language and send it."""
    with force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        body = render_template(f"mail/{template}.txt", **context)
        subject = str(subject)
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_SENDER"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="ideenfenster")
    msg.set_content(body)
    _deliver(msg)
    return msg


def _deliver(msg: EmailMessage) -> None:
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
        current_app.logger.info("mail to %s written to %s", msg["To"], path)
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
