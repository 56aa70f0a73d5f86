"""A person's rights over their data (DSGVO Art. 15, 17, 20): download everything, delete the account.

Routes live on the auth blueprint, beside the account page.
"""
import json
import secrets
from datetime import date

from flask import current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import delete, or_, select, update
from wtforms import BooleanField, PasswordField, SubmitField
from wtforms.validators import DataRequired

from ideas import discussion, securitylog, workflow
from ideas.auth import bp
from ideas.counters import bump
from ideas.extensions import db, limiter
from ideas.models import Comment, DotVote, Idea, OutboxMail, Report, Role, User, Vote, idea_coauthor, utcnow
from ideas.passwords import verify_password

# Where the e-mail address of a deleted account goes: .invalid never routes (RFC 2606).
DELETED_DOMAIN = "deleted.invalid"


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your current password"),
                             validators=[DataRequired(_l("Please enter your password."))])
    delete_contributions = BooleanField(
        _l("Also delete my ideas and comments"),
        description=_l("Otherwise they stay, shown as from a \"deleted account\". Ideas that are already "
                       "being reviewed or have been decided stay in any case, without your name."))
    submit = SubmitField(_l("Delete my account for good"))


def _iso(value):
    return value.isoformat() if value is not None else None


def _enum(value):
    return value.value if value is not None else None


def collect(user: User) -> dict:
    """Everything stored about one person, as JSON-ready data; nothing about anybody else."""
    ideas = db.session.scalars(
        select(Idea).where(Idea.author_id == user.id).options(db.joinedload(Idea.action_field))
        .order_by(Idea.id)).all()
    comments = db.session.execute(
        select(Comment, Idea.reference).join(Idea, Idea.id == Comment.idea_id)
        .where(Comment.author_id == user.id).order_by(Comment.id)).all()
    supports = db.session.execute(
        select(Vote.created_at, Idea.id, Idea.reference, Idea.title).join(Idea, Idea.id == Vote.idea_id)
        .where(Vote.user_id == user.id).order_by(Vote.id)).all()
    dots = db.session.execute(
        select(DotVote.points, DotVote.created_at, Idea.id, Idea.reference).join(Idea, Idea.id == DotVote.idea_id)
        .where(DotVote.user_id == user.id).order_by(DotVote.id)).all()
    reports = db.session.scalars(select(Report).where(Report.reporter_id == user.id).order_by(Report.id)).all()
    coauthored = db.session.execute(
        select(Idea.id, Idea.reference, Idea.title).join(idea_coauthor, idea_coauthor.c.idea_id == Idea.id)
        .where(idea_coauthor.c.user_id == user.id).order_by(Idea.id)).all()
    return {
        "exported_at": _iso(utcnow()),
        "site": current_app.config["SITE_NAME"],
        "account": {
            "id": user.id, "email": user.email, "display_name": user.display_name, "role": _enum(user.role),
            "email_verified_at": _iso(user.email_verified_at), "age_group": _enum(user.age_group),
            "district": user.district, "language": user.locale, "created_at": _iso(user.created_at),
            "last_login_at": _iso(user.last_login_at),
        },
        "consents": {
            "terms_version": user.terms_version, "terms_accepted_at": _iso(user.terms_accepted_at),
            "privacy_version": user.privacy_version, "privacy_accepted_at": _iso(user.privacy_accepted_at),
        },
        "notification_settings": {"notify_answers": user.notify_answers, "mail_digest": user.mail_digest},
        "ideas": [{
            "id": i.id, "reference": i.reference, "title": i.title, "description": i.body_source,
            "status": _enum(i.status), "topic": i.action_field.name if i.action_field else None,
            "district": i.district, "channel": _enum(i.channel), "created_at": _iso(i.created_at),
            "published_at": _iso(i.published_at), "support_count": i.support_count,
            "answer": i.answer_source if i.answer_published_at else None,
            "moderation_reason": _enum(i.moderation_reason), "moderation_note": i.moderation_note,
        } for i in ideas],
        "coauthored_ideas": [{"id": r.id, "reference": r.reference, "title": r.title} for r in coauthored],
        "comments": [{
            "id": c.id, "idea_reference": ref, "reply_to": c.parent_id, "text": c.body,
            "status": _enum(c.status), "created_at": _iso(c.created_at), "deleted_at": _iso(c.deleted_at),
        } for c, ref in comments],
        "supports": [{"idea_id": r.id, "idea_reference": r.reference, "idea_title": r.title,
                      "created_at": _iso(r.created_at)} for r in supports],
        "dot_votes": [{"idea_id": r.id, "idea_reference": r.reference, "points": r.points,
                       "created_at": _iso(r.created_at)} for r in dots],
        # Who resolved a report is staff's data, not the reporter's.
        "reports": [{
            "idea_id": r.idea_id, "comment_id": r.comment_id, "reason": _enum(r.reason), "note": r.note,
            "created_at": _iso(r.created_at), "resolved": r.resolved_at is not None,
        } for r in reports],
    }


@bp.route("/account/data")
@login_required
@limiter.limit("10 per hour")
def download_data():
    """Download everything the platform stores about me, as a JSON file."""
    body = json.dumps(collect(current_user), ensure_ascii=False, indent=2)
    securitylog.log_event("data_download")
    response = make_response(body)
    response.mimetype = "application/json"
    response.headers["Content-Disposition"] = \
        f'attachment; filename="ideenfenster-my-data-{date.today().isoformat()}.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _remove_supports(user: User) -> int:
    """Delete the person's supports and dot votes; every counter goes down in SQL, in this transaction."""
    voted = db.session.scalars(delete(Vote).where(Vote.user_id == user.id).returning(Vote.idea_id)).all()
    for idea in db.session.scalars(select(Idea).where(Idea.id.in_(voted))).all() if voted else []:
        count = bump(idea, "support_count", -1)
        db.session.execute(update(Idea).where(Idea.id == idea.id)
                           .values(hot_score=workflow.hot_score(count, idea.created_at))
                           .execution_options(synchronize_session=False))
    dotted = db.session.execute(
        delete(DotVote).where(DotVote.user_id == user.id).returning(DotVote.idea_id, DotVote.points)).all()
    for idea_id, points in dotted:
        db.session.execute(update(Idea).where(Idea.id == idea_id)
                           .values(dot_points=Idea.dot_points - points)
                           .execution_options(synchronize_session=False))
    return len(voted) + len(dotted)


def _withdraw_contributions(user: User) -> int:
    """Withdraw what the workflow lets the author withdraw, delete all comments; returns ideas kept."""
    kept = 0
    for idea in db.session.scalars(select(Idea).where(Idea.author_id == user.id)).all():
        if idea.status == workflow.S.withdrawn:
            continue
        if workflow.can_change(idea.status, workflow.S.withdrawn):
            workflow.withdraw(idea, user)
        else:
            kept += 1
    for comment in db.session.scalars(
            select(Comment).where(Comment.author_id == user.id, Comment.deleted_at.is_(None))).all():
        discussion.delete_comment(comment, user)
    # The text of a deleted comment is never shown again; now it is not kept either.
    db.session.execute(update(Comment).where(Comment.author_id == user.id).values(body="")
                       .execution_options(synchronize_session=False))
    return kept


def delete_account(user: User, delete_contributions: bool) -> int:
    """Erase a person's data, keep (or withdraw) their contributions; returns ideas that had to stay."""
    kept = _withdraw_contributions(user) if delete_contributions else 0
    _remove_supports(user)
    db.session.execute(delete(idea_coauthor).where(idea_coauthor.c.user_id == user.id))
    db.session.execute(delete(OutboxMail).where(or_(OutboxMail.user_id == user.id,
                                                    OutboxMail.to_email == user.email)))
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        # Pages that do not look at deleted_at still show no name, in the site's language.
        placeholder = _("deleted account")[:60]
    user.email = f"deleted-{user.id}-{secrets.token_hex(8)}@{DELETED_DOMAIN}"
    user.display_name = placeholder
    user.password_hash = ""  # nothing verifies against an empty hash  # nosec B105
    user.age_group = user.district = user.locale = None
    user.email_verified_at = user.last_login_at = None
    user.terms_version = user.terms_accepted_at = user.privacy_version = user.privacy_accepted_at = None
    user.notify_answers = user.mail_digest = user.trusted = False
    user.role = Role.citizen
    # Two-factor secrets (ideas/totp.py), where that module's columns exist.
    for column in ("totp_secret", "totp_enabled_at", "totp_last_step", "totp_recovery"):
        if hasattr(user, column):
            setattr(user, column, None)
    user.deleted_at = utcnow()
    user.end_all_sessions()
    return kept


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
@limiter.limit("5 per hour", methods=["POST"])
def delete_account_page():
    """Delete my account after confirming with my password, optionally with my ideas and comments."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.password.data):
            securitylog.log_event("account_delete_refused", reason="wrong_password")
            form.password.errors.append(_("The password is not correct."))
        else:
            user_id = current_user.id
            kept = delete_account(current_user, form.delete_contributions.data)
            db.session.commit()
            securitylog.log_event("account_deleted", deleted_user=user_id,
                                  with_contributions=bool(form.delete_contributions.data))
            logout_user()
            flash(_("Your account has been deleted."), "success")
            if kept:
                flash(ngettext("%(num)d idea is already being reviewed or has been decided; it stays, "
                               "without your name.",
                               "%(num)d ideas are already being reviewed or have been decided; they stay, "
                               "without your name.", kept), "info")
            return redirect(url_for("participation.index"))
    return render_template("auth/privacy_delete.html", form=form), 422 if form.errors else 200
