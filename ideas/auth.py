"""Accounts: register, verify e-mail, log in and out, reset or change the password and e-mail, the account page."""
import secrets

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ideas import sessions
from ideas.extensions import db, limiter, login_manager
from ideas.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    EmptyForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from ideas.mail import send_mail
from ideas.models import AgeGroup, Idea, User, utcnow
from ideas.models.user import SiteSetting
from ideas.passwords import hash_password, needs_rehash, problem, verify_password
from ideas.redirects import safe_next
from ideas.securitylog import log_event
from ideas.tokens import (
    check_email_change_token,
    check_reset_token,
    check_verify_token,
    make_email_change_token,
    make_reset_token,
    make_verify_token,
)

bp = Blueprint("auth", __name__)
# Timeouts and required tasks apply to every request once the accounts blueprint is registered.
bp.record_once(lambda state: sessions.init_app(state.app))
REQUIRE_STAFF_TWO_FACTOR = "require_staff_two_factor"

# Checked against when the e-mail is unknown, so a login takes the same time either way.
_DUMMY_HASH: dict[str, str] = {}


@login_manager.user_loader
def load_user(user_id: str):
    uid, _sep, token = (user_id or "").partition(":")
    if not uid.isdigit() or not token:
        return None
    user = db.session.get(User, int(uid))
    if user is None or not user.is_active or not secrets.compare_digest(user.session_token, token):
        return None
    return user


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))


def _send_verification(user: User) -> None:
    # Subjects are lazy (_l) so send_mail translates them, like the body, into the recipient's language.
    link = url_for("auth.verify", token=make_verify_token(user), _external=True)
    send_mail(user.email, _l("Please confirm your e-mail address"), "verify",
              locale=user.locale, user=user, link=link)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def register():
    """Create a citizen account and send the confirmation link."""
    if current_user.is_authenticated:
        return redirect(url_for("participation.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        if find_user_by_email(form.email.data):
            form.email.errors.append(_("An account with this e-mail address exists already. "
                                       "You can log in or reset your password."))
        else:
            now = utcnow()
            cfg = current_app.config
            user = User(
                email=form.email.data, display_name=form.display_name.data,
                password_hash=hash_password(form.password.data),
                age_group=AgeGroup(form.age_group.data) if form.age_group.data else None,
                district=form.district.data or None, terms_version=cfg["TERMS_VERSION"],
                terms_accepted_at=now, privacy_version=cfg["PRIVACY_VERSION"],
                privacy_accepted_at=now, locale=_current_locale(),
            )
            db.session.add(user)
            db.session.flush()
            _send_verification(user)
            db.session.commit()
            sessions.start(user)
            flash(_("Welcome! We have sent you an e-mail. Please click the link in it "
                    "to confirm your address."), "success")
            return redirect(url_for("participation.index"))
    return render_template("auth/register.html", form=form), 200 if not form.errors else 422


def _current_locale() -> str:
    from flask_babel import get_locale
    return str(get_locale())


@bp.route("/verify/<token>")
def verify(token: str):
    """Confirm the e-mail address from the link in the mail."""
    user = check_verify_token(token, lambda uid: db.session.get(User, uid) if isinstance(uid, int) else None)
    if user is None:
        flash(_("This link is invalid or has expired. Log in and request a new one."), "error")
        return redirect(url_for("auth.login"))
    if user.email_verified_at is None:
        # GET links in mails must work; setting a timestamp once is idempotent.
        user.email_verified_at = utcnow()
        db.session.commit()
    flash(_("Thank you, your e-mail address is confirmed."), "success")
    return redirect(url_for("participation.index"))


@bp.route("/verify", methods=["POST"])
@login_required
@limiter.limit("5 per hour")
def resend_verification():
    """Send the confirmation link again."""
    form = EmptyForm()
    if form.validate_on_submit() and not current_user.is_verified:
        _send_verification(current_user)
        db.session.commit()
        flash(_("We have sent you a new link."), "success")
    return redirect(url_for("auth.account"))


def staff_two_factor_required() -> bool:
    setting = db.session.get(SiteSetting, REQUIRE_STAFF_TWO_FACTOR)
    return setting is not None and setting.value == "1"


def _password_ok(user: User | None, password: str) -> bool:
    if user is None:
        if "hash" not in _DUMMY_HASH:
            _DUMMY_HASH["hash"] = hash_password(secrets.token_urlsafe(16))
        verify_password(_DUMMY_HASH["hash"], password)
        return False
    return verify_password(user.password_hash, password)


def tasks_after_login(user: User, password: str) -> list[str]:
    """What a staff member must do first: a password that meets the staff rules, two-factor setup."""
    if not user.is_staff:
        return []
    todo = []
    if problem(password, is_staff=True, email=user.email, name=user.display_name):
        todo.append("password")
    if not user.has_two_factor and staff_two_factor_required():
        todo.append("two_factor")
    return todo


def welcome(todo: list[str], next_url: str | None):
    """Where a person goes once fully logged in: a required task first, else where they wanted to go."""
    if "password" in todo:
        flash(_("Your role needs a password of at least 12 characters that is not a common one. "
                "Please choose a new password now."), "info")
    elif "two_factor" in todo:
        flash(_("Two-factor login is required for staff. Please set it up now."), "info")
    else:
        flash(_("You are logged in."), "success")
    return redirect(sessions.next_task_page() or safe_next(next_url) or url_for("participation.index"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def login():
    """Log in with e-mail and password; staff with two-factor login then give a code."""
    if current_user.is_authenticated:
        return redirect(url_for("participation.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        wait = sessions.login_wait(form.email.data)
        if wait:
            flash(sessions.too_many_attempts(wait), "error")
            return render_template("auth/login.html", form=form), 429
        user = find_user_by_email(form.email.data)
        if not _password_ok(user, form.password.data) or not user.is_active:
            sessions.login_failed(form.email.data)
            log_event("login_failed", account=user.id if user else None,
                      reason="blocked" if user and not user.is_active else "credentials")
            flash(_("E-mail address or password is not correct."), "error")
            return render_template("auth/login.html", form=form), 422
        sessions.login_succeeded(form.email.data)
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(form.password.data)
        todo = tasks_after_login(user, form.password.data)
        if user.has_two_factor:
            db.session.commit()
            sessions.await_code(user, form.remember.data, form.next.data, todo)
            return redirect(url_for("totp.login_code"))
        user.last_login_at = utcnow()
        db.session.commit()
        sessions.start(user, remember=form.remember.data, todo=todo)
        return welcome(todo, form.next.data)
    return render_template("auth/login.html", form=form), 200 if not form.errors else 422


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out; the old cookie stops working everywhere."""
    form = EmptyForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        current_user.end_all_sessions()
        db.session.commit()
        session.clear()
        logout_user()  # after clear(): it leaves the note that removes the remember cookie
        flash(_("You are logged out."), "success")
    return redirect(url_for("participation.index"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
def reset_request():
    """Ask for a link to set a new password."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data)
        if user is not None and user.is_active:
            link = url_for("auth.reset", token=make_reset_token(user), _external=True)
            send_mail(user.email, _l("Set a new password"), "reset", locale=user.locale, user=user, link=link)
            db.session.commit()
        # The same answer either way, so nobody can test which addresses have accounts.
        flash(_("If an account exists for this address, we have sent a link to it. "
                "The link is valid for one hour."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form), 200 if not form.errors else 422


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    """Set a new password from the link in the mail."""
    user = check_reset_token(token, lambda uid: db.session.get(User, uid) if isinstance(uid, int) else None)
    if user is None or not user.is_active:
        flash(_("This link is invalid or has expired. Please request a new one."), "error")
        return redirect(url_for("auth.reset_request"))
    form = ResetPasswordForm().set_account(user)
    if form.validate_on_submit():
        user.password_hash = hash_password(form.password.data)
        user.end_all_sessions()
        sessions.login_succeeded(user.email)  # the mailbox proved who it is: no waiting for the lock
        if user.email_verified_at is None:
            user.email_verified_at = utcnow()  # the link proved the address
        send_mail(user.email, _l("Your password has been changed"), "password_changed",
                  locale=user.locale, user=user)
        db.session.commit()
        flash(_("Your new password is saved. Please log in."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, token=token), 200 if not form.errors else 422


@bp.route("/account")
@login_required
def account():
    """The person's own page: their ideas with status, and account actions."""
    ideas = db.session.scalars(
        select(Idea).where(Idea.author_id == current_user.id)
        .options(db.joinedload(Idea.action_field))
        .order_by(Idea.created_at.desc())
    ).all()
    return render_template("auth/account.html", ideas=ideas, form=EmptyForm())


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def notifications():
    """Choose which optional e-mails to get, and whether as one daily digest."""
    from ideas import notify

    form = notify.SettingsForm(obj=current_user)
    if form.validate_on_submit():
        notify.save_settings(current_user, form.notify_answers.data, form.mail_digest.data)
        db.session.commit()
        flash(_("Your e-mail settings are saved."), "success")
        return redirect(url_for("auth.notifications"))
    return render_template("auth/notifications.html", form=form, gets_reports=notify.gets_reports(current_user))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """Stop e-mails about followed ideas from the link in such a mail, without logging in.

    GET only asks: mail scanners open links, and opening one must change nothing.
    """
    from ideas import notify
    from ideas.tokens import check_unsubscribe_token

    user = check_unsubscribe_token(
        token, lambda uid: db.session.get(User, uid) if isinstance(uid, int) and 0 < uid < 2**31 else None)
    if user is None or not user.is_active:
        response = current_app.make_response((render_template("auth/unsubscribe.html", user=None), 400))
    else:
        form = EmptyForm()
        if form.validate_on_submit():
            notify.unsubscribe(user)
            db.session.commit()
            flash(_("Done: these e-mails are switched off."), "success")
            return redirect(url_for("auth.unsubscribe", token=token))
        response = current_app.make_response(render_template("auth/unsubscribe.html", user=user, form=form))
    response.headers["Cache-Control"] = "no-store"
    return response


def current_password_ok(form) -> bool:
    """Re-authentication for a change: the current password, throttled like a login."""
    wait = sessions.login_wait(current_user.email)
    if wait:
        form.current_password.errors.append(sessions.too_many_attempts(wait))
        return False
    if not verify_password(current_user.password_hash, form.current_password.data):
        sessions.login_failed(current_user.email)
        log_event("reauth_failed", account=current_user.id)
        form.current_password.errors.append(_("This is not your current password."))
        return False
    return True


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Set a new password with the current one; every other device is logged out."""
    form = ChangePasswordForm().set_account(current_user)
    if form.validate_on_submit() and current_password_ok(form):
        user = current_user._get_current_object()
        user.password_hash = hash_password(form.password.data)
        user.end_all_sessions()
        send_mail(user.email, _l("Your password has been changed"), "password_changed", locale=user.locale, user=user)
        db.session.commit()
        sessions.renew(user)
        sessions.done("password")
        flash(_("Your new password is saved. Other devices have been logged out."), "success")
        return redirect(sessions.next_task_page() or url_for("auth.account"))
    return render_template("auth/password.html", form=form), 200 if not form.errors else 422


@bp.route("/account/email", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"])
def change_email():
    """Ask for a new e-mail address; it replaces the old one once the link sent to it is clicked."""
    form = ChangeEmailForm()
    if form.validate_on_submit() and current_password_ok(form):
        new = form.email.data
        if new == current_user.email.lower():
            form.email.errors.append(_("This is already your e-mail address."))
        elif find_user_by_email(new):
            form.email.errors.append(_("Another account uses this e-mail address."))
        else:
            link = url_for("auth.confirm_email_change", token=make_email_change_token(current_user, new),
                           _external=True)
            send_mail(new, _l("Please confirm your new e-mail address"), "email_change",
                      locale=current_user.locale, user=current_user, link=link)
            db.session.commit()
            flash(_("We have sent a link to %(email)s. Your address changes when you click it.", email=new),
                  "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/email.html", form=form), 200 if not form.errors else 422


@bp.route("/account/email/<token>")
def confirm_email_change(token: str):
    """Replace the e-mail address from the link sent to the new one; the old address is told."""
    back = url_for("auth.account") if current_user.is_authenticated else url_for("auth.login")
    user, new = check_email_change_token(
        token, lambda uid: db.session.get(User, uid) if isinstance(uid, int) and 0 < uid < 2**31 else None)
    if user is None or not user.is_active or find_user_by_email(new):
        flash(_("This link is invalid or has expired. Please request a new one."), "error")
        return redirect(back)
    old = user.email
    user.email = new
    user.email_verified_at = utcnow()
    send_mail(old, _l("Your e-mail address has been changed"), "email_changed", locale=user.locale,
              user=user, new_email=new)
    try:
        db.session.commit()
    except IntegrityError:  # someone registered the address a moment ago
        db.session.rollback()
        flash(_("This link is invalid or has expired. Please request a new one."), "error")
        return redirect(back)
    # No security log line here: the log records the path, and the path holds the token.
    flash(_("Your new e-mail address is saved."), "success")
    return redirect(back)


# On this blueprint: asking for consent again, data download and account deletion.
from ideas import consent, privacy  # noqa: E402,F401
