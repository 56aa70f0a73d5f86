"""Anti-automation that does not hurt people: a honeypot field, a minimum fill time, rate-limit keys.

No image CAPTCHA: it shuts out blind people and many others. Bots fill every field and post
at once; people do neither. A refused form says only that it could not be sent, so a bot
learns nothing, and a person who was really that quick just sends it again.
"""
import time

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user
from itsdangerous import BadSignature, TimestampSigner
from wtforms import HiddenField, StringField

from ideas import securitylog

REFUSED = _l("Your form could not be sent. Please wait a moment and send it again.")
SALT = "ideenfenster.form-started"


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.config["SECRET_KEY"], salt=SALT)


def stamp() -> str:
    """A signed "this form was shown now", put into the form when it is rendered."""
    return _signer().sign(b"form").decode("ascii")


def seconds_since(value: str | None) -> float | None:
    """How long ago the stamp was made; None if it is missing or not ours."""
    if not value or len(value) > 200:
        return None
    try:
        _payload, signed_at = _signer().unsign(value, return_timestamp=True)
    except (BadSignature, UnicodeError, ValueError):
        return None
    return time.time() - signed_at.timestamp()


class AntiSpamMixin:
    """Put before FlaskForm in the bases: `class IdeaForm(AntiSpamMixin, FlaskForm)`.

    Render the two fields with the `antispam(form)` macro of templates/macros/forms.html.
    """

    # Named like a field bots like to fill; hidden from people, skipped by the Tab key.
    website = StringField(_l("Leave empty"))
    form_started = HiddenField(default=stamp)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        reason = self.automation_reason()
        if reason:
            securitylog.log_event("antispam", reason=reason, form=type(self).__name__)
            self.form_errors.append(REFUSED)
            return False
        return valid

    def automation_reason(self) -> str | None:
        """Why this submission looks automated (honeypot, too_fast, no_stamp), or None."""
        if (self.website.data or "").strip():
            return "honeypot"
        minimum = current_app.config.get("MIN_FILL_SECONDS", 3)
        if minimum <= 0:
            return None
        age = seconds_since(self.form_started.data)
        if age is None:
            return "no_stamp"
        if age < minimum:
            return "too_fast"
        return None


def user_or_ip() -> str:
    """Rate-limit key: the account when logged in (shared networks stay usable), else the address."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"ip:{get_remote_address()}"
