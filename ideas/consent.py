"""Consent records (DSGVO): who agreed to an older version of the terms or privacy notice is asked again.

Raising TERMS_VERSION or PRIVACY_VERSION takes effect on the next request of every logged-in
person who agreed to another version: they see the new texts and agree, or log out, read the
texts, download their data or delete the account. Accounts without any consent record (made on
the command line, e.g. staff) are not asked: they never agreed on the website.
Routes live on the auth blueprint, beside the account page.
"""
from flask import current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SubmitField
from wtforms.validators import DataRequired

from ideas import sessions
from ideas.auth import bp
from ideas.extensions import db
from ideas.htmx import is_htmx
from ideas.models import utcnow
from ideas.redirects import safe_next

# What a person may do before agreeing again: leave, read the texts, take or delete their data.
WITHOUT_CONSENT = {"static", "auth.consent", "auth.logout", "participation.language",
                   "auth.download_data", "auth.delete_account_page"}


class ConsentForm(FlaskForm):
    accept_terms = BooleanField(_l("I accept the terms of use and have read the privacy notice."),
                                validators=[DataRequired(_l("Please accept the terms of use to continue."))])
    next = HiddenField()
    submit = SubmitField(_l("Agree and continue"))


def outdated(user) -> bool:
    """True if the person agreed to a version of the terms or privacy notice that is no longer current."""
    if user.terms_version is None and user.privacy_version is None:
        return False
    cfg = current_app.config
    return user.terms_version != cfg["TERMS_VERSION"] or user.privacy_version != cfg["PRIVACY_VERSION"]


@bp.before_app_request
def ask_again():
    """Send a person whose consent is outdated to the consent page first."""
    if request.endpoint in WITHOUT_CONSENT or request.blueprint == "pages" or not current_user.is_authenticated:
        return None
    # A staff member's required task (new password, two-factor setup) comes first.
    if session.get(sessions.TODO) or not outdated(current_user):
        return None
    target = url_for("auth.consent", next=request.full_path if request.method == "GET" else None)
    if is_htmx():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


@bp.route("/account/consent", methods=["GET", "POST"])
@login_required
def consent():
    """Agree to the current terms of use and privacy notice, which have changed since I last agreed."""
    form = ConsentForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        cfg, now = current_app.config, utcnow()
        user = current_user._get_current_object()
        user.terms_version, user.terms_accepted_at = cfg["TERMS_VERSION"], now
        user.privacy_version, user.privacy_accepted_at = cfg["PRIVACY_VERSION"], now
        db.session.commit()
        flash(_("Thank you. Your agreement is saved."), "success")
        return redirect(safe_next(form.next.data) or url_for("participation.index"))
    return render_template("auth/consent.html", form=form), 422 if form.errors else 200
