"""Two-factor login for staff: a time-based code (TOTP, RFC 6238) from an app, and recovery codes.

The login asks for the code after the password (ideas/auth.py hands over through
sessions.await_code). A code is accepted once: the time step of the last code used is stored.
Recovery codes are stored as SHA-256 hashes (they are long random strings, not passwords) and
each works once.
"""
import hashlib
import hmac
import re
import secrets
import time

import pyotp
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from ideas import qr, sessions
from ideas.database import lock_row
from ideas.extensions import db, limiter
from ideas.forms import EmptyForm, current_password_field
from ideas.models import User, utcnow
from ideas.securitylog import log_event

bp = Blueprint("totp", __name__)

STEP = 30
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to mix up


# The codes

def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, as RFC 4226 recommends


def setup_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email,
                                                          issuer_name=current_app.config["SITE_NAME"])


def check_code(user: User, code: str) -> bool:
    """True for the current code (or the one before or after, for clocks a little off), once."""
    code = re.sub(r"\s+", "", code or "")
    if not user.totp_secret or not re.fullmatch(r"\d{6}", code):
        return False
    totp = pyotp.TOTP(user.totp_secret)
    current = int(time.time()) // STEP
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.at(step * STEP), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False  # this code (or a later one) was used already
            user.totp_last_step = step
            return True
    return False


def _digest(code: str) -> str:
    return hashlib.sha256(re.sub(r"[\s-]+", "", code.casefold()).encode()).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Replace the recovery codes; the plain codes are shown once and never stored."""
    codes = ["-".join("".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(5)) for _ in range(2))
             for _ in range(RECOVERY_CODES)]
    user.totp_recovery = [_digest(code) for code in codes]
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    digest = _digest(code or "")
    stored = list(user.totp_recovery or [])
    if not any(hmac.compare_digest(digest, d) for d in stored):
        return False
    user.totp_recovery = [d for d in stored if d != digest]  # a new list, so the JSON column is saved
    return True


def turn_off(user: User) -> None:
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = user.totp_recovery = None


# The forms

class CodeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Please enter the code.")), Length(max=40)],
                       description=_l("The 6-digit code from your app, or one of your recovery codes."))
    submit = SubmitField(_l("Confirm"))


class SetupCodeForm(CodeForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Please enter the code.")), Length(max=40)],
                       description=_l("The 6-digit code your app shows now."))


class PasswordCheckForm(FlaskForm):
    current_password = current_password_field()
    submit = SubmitField(_l("Confirm"))


# The pages

def _staff_only():
    if not current_user.is_staff:
        abort(403)


def _locked_self() -> User:
    return db.session.scalar(lock_row(select(User).where(User.id == current_user.id)))


@bp.route("/account/two-factor")
@login_required
def setup():
    """The two-factor page: start the setup, scan the code and confirm it, or manage it when it is on."""
    _staff_only()
    user = current_user
    context = {"form": EmptyForm(), "code_form": SetupCodeForm(), "password_form": PasswordCheckForm()}
    if user.totp_secret and not user.has_two_factor:
        uri = setup_uri(user)
        context.update(qr=qr.svg(uri, _("QR code for your authenticator app")), secret=_grouped(user.totp_secret))
    return render_template("auth/two_factor.html", **context)


@bp.route("/account/two-factor/start", methods=["POST"])
@login_required
def start():
    """Create a new secret for the app; two-factor login counts only once a code confirmed it."""
    _staff_only()
    if EmptyForm().validate_on_submit() and not current_user.has_two_factor:
        user = _locked_self()
        user.totp_secret = new_secret()
        user.totp_last_step = None
        db.session.commit()
    return redirect(url_for("totp.setup"))


@bp.route("/account/two-factor/confirm", methods=["POST"])
@login_required
@limiter.limit("10 per 15 minutes")
def confirm():
    """Turn two-factor login on with a first code from the app; show the recovery codes once."""
    _staff_only()
    form = SetupCodeForm()
    user = _locked_self()
    if user.has_two_factor or not user.totp_secret:
        return redirect(url_for("totp.setup"))
    if form.validate_on_submit() and check_code(user, form.code.data):
        user.totp_enabled_at = utcnow()
        codes = new_recovery_codes(user)
        user.end_all_sessions()
        db.session.commit()
        sessions.renew(user)
        sessions.done("two_factor")
        log_event("two_factor_on", account=user.id)
        session["_recovery_codes"] = codes
        flash(_("Two-factor login is on. Other devices have been logged out."), "success")
        return redirect(url_for("totp.recovery_codes"))
    db.session.rollback()
    if not form.code.errors:
        form.code.errors.append(_("This code is not right. Please enter the current code from your app."))
    return render_template("auth/two_factor.html", form=EmptyForm(), code_form=form,
                           password_form=PasswordCheckForm(), secret=_grouped(user.totp_secret),
                           qr=qr.svg(setup_uri(user), _("QR code for your authenticator app"))), 422


@bp.route("/account/two-factor/recovery-codes", methods=["GET", "POST"])
@login_required
def recovery_codes():
    """GET shows new recovery codes once; POST (with the password) makes a new set."""
    _staff_only()
    if request.method == "POST":
        form = PasswordCheckForm()
        if current_user.has_two_factor and form.validate_on_submit() and _password_right(form):
            user = _locked_self()
            session["_recovery_codes"] = new_recovery_codes(user)
            db.session.commit()
            return redirect(url_for("totp.recovery_codes"))
        return _manage_with_errors(form)
    codes = session.pop("_recovery_codes", None)
    if not codes:
        return redirect(url_for("totp.setup"))
    return render_template("auth/recovery_codes.html", codes=codes)


@bp.route("/account/two-factor/off", methods=["POST"])
@login_required
def disable():
    """Turn two-factor login off with the password, unless administrators require it for staff."""
    _staff_only()
    from ideas.auth import staff_two_factor_required

    form = PasswordCheckForm()
    if staff_two_factor_required():
        flash(_("Two-factor login is required for staff and cannot be turned off."), "error")
        return redirect(url_for("totp.setup"))
    if current_user.has_two_factor and form.validate_on_submit() and _password_right(form):
        turn_off(_locked_self())
        db.session.commit()
        log_event("two_factor_off", account=current_user.id)
        flash(_("Two-factor login is off."), "success")
        return redirect(url_for("totp.setup"))
    return _manage_with_errors(form)


def _grouped(secret: str) -> str:
    """The key in blocks of four, easier to type; apps ignore the spaces."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _password_right(form) -> bool:
    from ideas.auth import current_password_ok

    return current_password_ok(form)


def _manage_with_errors(form):
    return render_template("auth/two_factor.html", form=EmptyForm(), code_form=CodeForm(), password_form=form), 422


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def login_code():
    """Second step of the login: the code from the app (or a recovery code)."""
    from ideas.auth import load_user, welcome

    data = sessions.pending()
    user = load_user(data["id"]) if data else None
    if user is None or not user.has_two_factor:
        session.pop(sessions.PENDING, None)
        flash(_("Please log in again."), "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        wait = sessions.code_wait(user.id)
        if wait:
            session.pop(sessions.PENDING, None)
            flash(sessions.too_many_attempts(wait), "error")
            return render_template("auth/login_code.html", form=form), 429
        user = db.session.scalar(lock_row(select(User).where(User.id == user.id)))
        if check_code(user, form.code.data) or use_recovery_code(user, form.code.data):
            user.last_login_at = utcnow()
            db.session.commit()
            sessions.start(user, remember=data["remember"], todo=data.get("todo") or [])
            return welcome(data.get("todo") or [], data.get("next"))
        db.session.rollback()
        sessions.code_failed(user.id)
        log_event("login_failed", account=user.id, reason="code")
        form.code.errors.append(_("This code is not right. Please enter the current code from your app."))
    return render_template("auth/login_code.html", form=form), 200 if not form.errors else 422

