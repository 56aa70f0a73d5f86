"""Accounts: register, verify e-mail, log in and out, reset the password, the account page."""
import secrets

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select

from ideas.extensions import db, limiter, login_manager
from ideas.forms import EmptyForm, LoginForm, RegisterForm, ResetPasswordForm, ResetRequestForm
from ideas.mail import send_mail
from ideas.models import AgeGroup, Idea, User, utcnow
from ideas.passwords import hash_password, needs_rehash, verify_password
from ideas.redirects import safe_next
from ideas.tokens import check_reset_token, check_verify_token, make_reset_token, make_verify_token

bp = Blueprint("auth", __name__)

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
            login_user(user)
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


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def login():
    """Log in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for("participation.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data)
        if user is None:
            if "hash" not in _DUMMY_HASH:
                _DUMMY_HASH["hash"] = hash_password(secrets.token_urlsafe(16))
            verify_password(_DUMMY_HASH["hash"], form.password.data)
        elif verify_password(user.password_hash, form.password.data) and user.is_active:
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(form.password.data)
            user.last_login_at = utcnow()
            db.session.commit()
            login_user(user, remember=form.remember.data)
            flash(_("You are logged in."), "success")
            return redirect(safe_next(form.next.data) or url_for("participation.index"))
        flash(_("E-mail address or password is not correct."), "error")
        return render_template("auth/login.html", form=form), 422
    return render_template("auth/login.html", form=form), 200 if not form.errors else 422


@bp.route("/logout", methods=["POST"])
def logout():
    """Log out; the old cookie stops working everywhere."""
    form = EmptyForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        current_user.end_all_sessions()
        db.session.commit()
        logout_user()
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
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user.password_hash = hash_password(form.password.data)
        user.end_all_sessions()
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
