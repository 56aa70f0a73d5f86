"""Administration: find accounts, change roles, block and unblock, require two-factor login for staff.

Only administrators enter (one guard for the whole area). Every change is written to the
security log. No action may leave the site without an active administrator.
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from wtforms import BooleanField, SelectChoice, SelectField, SubmitField

from ideas import sessions
from ideas.auth import REQUIRE_STAFF_TWO_FACTOR, staff_two_factor_required
from ideas.database import lock_row
from ideas.extensions import db
from ideas.forms import EmptyForm
from ideas.guards import staff_area
from ideas.labels import ROLE
from ideas.models import Role, User, utcnow
from ideas.models.user import STAFF_ROLES, SiteSetting
from ideas.securitylog import log_event

bp = Blueprint("admin", __name__, url_prefix="/admin")
staff_area(bp, lambda user: user.is_admin)

USERS_PER_PAGE = 50
MAX_PAGE = 100_000


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(role.value, label) for role, label in ROLE.items()])
    submit = SubmitField(_l("Change role"))


class SettingsForm(FlaskForm):
    require_two_factor = BooleanField(
        _l("Staff must use two-factor login"),
        description=_l("Moderators, the project team and administrators without two-factor login "
                       "are asked to set it up before they can do anything else."))
    submit = SubmitField(_l("Save settings"))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _load(user_id: int) -> User:
    """The account, locked for the change on PostgreSQL; 404 if there is none."""
    user = db.session.scalar(lock_row(select(User).where(User.id == user_id))) if 0 < user_id < 2**31 else None
    if user is None or user.deleted_at is not None:
        abort(404)
    return user


def _other_active_admins(user: User) -> int:
    """Active administrators besides user, with their rows locked so two admins cannot both leave."""
    rows = db.session.scalars(lock_row(select(User.id).where(
        User.role == Role.admin, User.blocked_at.is_(None), User.deleted_at.is_(None), User.id != user.id)))
    return len(rows.all())


@bp.route("/")
def index():
    """The start of the administration: the accounts."""
    return redirect(url_for("admin.users"))


@bp.route("/users")
def users():
    """All accounts, searchable by name or e-mail address, staff first if asked for."""
    q = request.args.get("q", "").strip()[:100]
    role = request.args.get("role", "")
    stmt = select(User).where(User.deleted_at.is_(None))
    if q:
        pattern = f"%{_escape_like(q.lower())}%"
        stmt = stmt.where(or_(func.lower(User.email).like(pattern, escape="\\"),
                              func.lower(User.display_name).like(pattern, escape="\\")))
    if role == "staff":
        stmt = stmt.where(User.role.in_(STAFF_ROLES))
    elif role in {r.value for r in Role}:
        stmt = stmt.where(User.role == Role(role))
    else:
        role = ""
    number = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    page = db.paginate(stmt.order_by(User.display_name, User.id), page=number, per_page=USERS_PER_PAGE,
                       max_per_page=USERS_PER_PAGE, error_out=False)
    return render_template("admin/users.html", page=page, q=q, role=role)


@bp.route("/users/<int:user_id>")
def user(user_id: int):
    """One account: its role, whether it is blocked, and whether it uses two-factor login."""
    person = db.session.get(User, user_id) if 0 < user_id < 2**31 else None
    if person is None or person.deleted_at is not None:
        abort(404)
    return render_template("admin/user.html", person=person, role_form=RoleForm(role=person.role.value),
                           form=EmptyForm())


@bp.route("/users/<int:user_id>/role", methods=["POST"])
def change_role(user_id: int):
    """Give an account another role; its sessions end, so the new rights start with a new login."""
    person = _load(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Please choose one of the roles."), "error")
        return redirect(url_for("admin.user", user_id=user_id))
    new = Role(form.role.data)
    old = person.role
    if new == old:
        return redirect(url_for("admin.user", user_id=user_id))
    if old == Role.admin and _other_active_admins(person) == 0:
        db.session.rollback()
        flash(_("This is the last administrator. Make someone else an administrator first."), "error")
        return redirect(url_for("admin.user", user_id=user_id))
    person.role = new
    person.end_all_sessions()
    db.session.commit()
    log_event("role_changed", account=person.id, old_role=old.value, new_role=new.value)
    if person.id == current_user.id:
        sessions.renew(person)
    flash(_("%(name)s is now: %(role)s.", name=person.display_name, role=ROLE[new]), "success")
    if not person.is_admin and person.id == current_user.id:
        return redirect(url_for("auth.account"))
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/users/<int:user_id>/block", methods=["POST"])
def block(user_id: int):
    """Block an account: it cannot log in, and all its sessions end at once."""
    person = _load(user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if person.id == current_user.id:
        flash(_("You cannot block your own account."), "error")
    elif person.blocked_at is None:
        if person.is_admin and _other_active_admins(person) == 0:
            db.session.rollback()
            flash(_("This is the last administrator. Make someone else an administrator first."), "error")
            return redirect(url_for("admin.user", user_id=user_id))
        person.blocked_at = utcnow()
        person.end_all_sessions()
        db.session.commit()
        log_event("account_blocked", account=person.id)
        flash(_("%(name)s is blocked and logged out everywhere.", name=person.display_name), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/users/<int:user_id>/unblock", methods=["POST"])
def unblock(user_id: int):
    """Let a blocked account log in again."""
    person = _load(user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if person.blocked_at is not None:
        person.blocked_at = None
        db.session.commit()
        log_event("account_unblocked", account=person.id)
        flash(_("%(name)s can log in again.", name=person.display_name), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """Site-wide account settings: two-factor login required for all staff."""
    form = SettingsForm()
    if request.method == "GET":
        form.require_two_factor.data = staff_two_factor_required()
    if form.validate_on_submit():
        wanted = "1" if form.require_two_factor.data else "0"
        setting = db.session.get(SiteSetting, REQUIRE_STAFF_TWO_FACTOR)
        if setting is None:
            db.session.add(SiteSetting(key=REQUIRE_STAFF_TWO_FACTOR, value=wanted))
        else:
            setting.value = wanted
        if wanted == "1":
            # Staff without two-factor login log in again and are then sent to set it up.
            for person in db.session.scalars(select(User).where(
                    User.role.in_(STAFF_ROLES), User.totp_enabled_at.is_(None), User.id != current_user.id)):
                person.end_all_sessions()
            if not current_user.has_two_factor:
                sessions.add_task("two_factor")
        db.session.commit()
        log_event("setting_changed", setting=REQUIRE_STAFF_TWO_FACTOR, value=wanted)
        flash(_("The settings are saved."), "success")
        return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form), 200 if not form.errors else 422
