"""Citizens' side: landing page, idea feed, submitting, supporting, commenting, reporting."""
from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select, text

from ideas import database, discussion, drafts, measures, netiquette, search, voting, workflow
from ideas.antispam import user_or_ip
from ideas.extensions import db, limiter
from ideas.feed import FeedQuery, bounded_page
from ideas.forms import CommentForm, EmptyForm, IdeaForm, ReportForm
from ideas.htmx import is_htmx
from ideas.models import PUBLIC_STATUSES, ActionField, Comment, Idea, IdeaStatus, Process, ReportReason, User, Vote
from ideas.processes import current_process, running_processes
from ideas.redirects import safe_next

bp = Blueprint("participation", __name__)

MAX_PAGE = 10_000
MAX_ID = 2**31 - 1  # INTEGER primary keys on PostgreSQL


def get_or_404(model, ident: int, options=()):
    """Load a row by id; an id no row can have is simply not found."""
    # Werkzeug's int converter takes any length; the databases' integer columns do not.
    if not 0 < ident <= MAX_ID:
        abort(404)
    return db.get_or_404(model, ident, options=options)


def get_idea(idea_id: int, check_author: bool = False, options=()) -> Idea:
    """Load an idea the current person may see (404 otherwise); optionally only the author's."""
    idea = get_or_404(Idea, idea_id, options)
    if not idea.visible_to(current_user):
        abort(404)
    if check_author and (not current_user.is_authenticated or idea.author_id != current_user.id):
        abort(403)
    return idea


def require_verified():
    """Participation needs a confirmed e-mail address: one person, one voice."""
    if not current_user.is_verified:
        flash(_("Please confirm your e-mail address first. We have sent you a link; "
                "on your account page you can ask for a new one."), "error")
        return True
    return False


@bp.route("/")
def index():
    """Landing page: what the process is about, its phase and deadline, and recent ideas."""
    processes = running_processes()
    process = processes[0] if processes else None
    ideas = []
    if process:
        ideas = db.session.scalars(
            select(Idea).options(db.joinedload(Idea.action_field))
            .where(Idea.process_id == process.id, Idea.status.in_(PUBLIC_STATUSES))
            .order_by(Idea.hot_score.desc()).limit(6)
        ).all()
    return render_template("participation/index.html", processes=processes, process=process, ideas=ideas)


@bp.route("/ideas")
def feed():
    """All public ideas, to browse, filter, sort and search."""
    process = current_process()
    fields = process.action_fields if process else []
    query = FeedQuery.from_args(request.args, {f.slug: f for f in fields}, process)
    # Past the last page the list is just empty; the bound keeps OFFSET within the database's integers.
    number = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    page = bounded_page(query, number, current_app.config["IDEAS_PER_PAGE"])
    context = dict(page=page, query=query, fields=fields, process=process)
    if is_htmx() and request.headers.get("HX-Target") == "feed-results":
        return render_template("participation/_feed_results.html", oob=True, **context)
    return render_template("participation/feed.html", **context)


@bp.route("/processes/<process_slug>/fields/<field_slug>")
def field(process_slug: str, field_slug: str):
    """One action field: what it is about, its goals, who is responsible, and its public ideas."""
    field = db.session.scalar(
        select(ActionField).join(Process)
        .where(Process.slug == process_slug[:80], ActionField.slug == field_slug[:80])
    )
    if field is None:
        abort(404)
    query = FeedQuery(sort="supported", field=field, process=field.process)
    number = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    page = db.paginate(query.statement(), page=number, per_page=current_app.config["IDEAS_PER_PAGE"],
                       max_per_page=50, error_out=False)
    return render_template("participation/field.html", field=field, process=field.process, page=page)


@bp.route("/processes/<process_slug>/strategy")
def strategy(process_slug: str):
    """The published strategy draft of a process: goals and measures, each with the ideas it comes from."""
    process = db.session.scalar(select(Process).where(Process.slug == process_slug[:80]))
    draft = drafts.published_for(process) if process is not None else None
    if draft is None:
        abort(404)
    return render_template("participation/strategy.html", process=process, draft=draft,
                           groups=measures.grouped(draft), numbers=measures.numbers(draft),
                           sources=drafts.public_sources)


def _idea_form(process) -> IdeaForm:
    form = IdeaForm()
    form.set_fields(process.action_fields)
    return form


@bp.route("/ideas/new", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", methods=["POST"], key_func=user_or_ip)
def new_idea():
    """Submit an idea, after a look at similar ones."""
    process = current_process()
    if process is None:
        abort(404)
    form = _idea_form(process)
    similar = []
    if request.method == "GET" and request.args.get("field"):
        chosen = next((f for f in process.action_fields if f.slug == request.args["field"]), None)
        form.action_field.data = chosen.id if chosen else -1
    if not process.accepts_ideas():
        if form.is_submitted():
            flash(_("This process is not collecting ideas at the moment."), "error")
        return render_template("participation/new.html", form=form, process=process,
                               similar=[], closed=True), 200 if not form.is_submitted() else 409
    if form.is_submitted() and form.check.data:
        # "Check for similar ideas" without JavaScript: show them, keep everything typed.
        similar = search.similar(form.title.data or "", process.id)
        if similar:
            flash(ngettext("We have found %(num)d similar idea. You find it below the title.",
                           "We have found %(num)d similar ideas. You find them below the title.",
                           len(similar)), "info")
        return render_template("participation/new.html", form=form, process=process,
                               similar=similar, checked=True)
    if form.validate_on_submit():
        # Netiquette check: hints about shouting first; the author may send it anyway.
        hints = netiquette.problems(form.title.data, form.body.data)
        if hints and not form.send_anyway.data:
            return render_template("participation/new.html", form=form, process=process, similar=[],
                                   netiquette_hints=hints), 422
        if require_verified():
            return render_template("participation/new.html", form=form, process=process, similar=[]), 403
        field = db.session.get(ActionField, form.action_field.data)
        try:
            idea = workflow.submit_idea(process, current_user, form.title.data, form.body.data,
                                        field, form.district.data)
        except workflow.WorkflowError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return render_template("participation/new.html", form=form, process=process, similar=[]), 409
        db.session.commit()
        if idea.status == IdeaStatus.pending:
            flash(_("Thank you! Your idea has been received. A moderator will look at it soon; "
                    "until then only you can see it."), "success")
        else:
            flash(_("Thank you! Your idea is now published."), "success")
        return redirect(url_for("participation.idea", idea_id=idea.id))
    status = 422 if form.errors else 200
    return render_template("participation/new.html", form=form, process=process, similar=similar), status


@bp.route("/ideas/similar")
def similar():
    """Ideas like the title being typed (htmx fragment)."""
    from ideas.sanitize import clean_text
    title = clean_text(request.args.get("title", ""))[:200]
    process = current_process()
    ideas = search.similar(title, process.id if process else None) if len(title) >= 4 else []
    return render_template("participation/_similar.html", similar=ideas, checked=len(title) >= 4, oob=True)


@bp.route("/ideas/<int:idea_id>")
def idea(idea_id: int):
    """One idea with its answer, supporters and discussion, a page of comments at a time."""
    # What the page shows of the idea, loaded with it instead of one query each.
    idea = get_idea(idea_id, options=[db.joinedload(Idea.process), db.joinedload(Idea.action_field),
                                      db.joinedload(Idea.author)])
    comments = discussion.thread_page(idea, _comments_after(idea))
    if is_htmx() and request.headers.get("HX-Target") == "comment-list":
        # "Show more comments": only the next page, appended by htmx.
        return render_template("participation/_comments.html", idea=idea, comments=comments, oob=True,
                               comment_form=CommentForm(formdata=None))
    return render_template("participation/idea.html", **_idea_context(idea, comments=comments))


def _comments_after(idea: Idea) -> int:
    """Which page of the discussion to show: the one holding ?comment= (a permalink), else ?after=."""
    wanted = request.args.get("comment", type=int)
    if wanted is not None and 0 < wanted <= MAX_ID:
        return discussion.page_of(idea, wanted)
    after = request.args.get("after", 0, type=int)
    return after if 0 < after <= MAX_ID else 0


def comment_url(idea: Idea, comment_id: int, anchor: str | None = None) -> str:
    """A link to a comment, on the page of the discussion that shows it."""
    return url_for("participation.idea", **discussion.comment_link(idea, comment_id, anchor))


def _idea_context(idea: Idea, comment_form: CommentForm | None = None,
                  comments: discussion.CommentPage | None = None) -> dict:
    return dict(
        comments=comments or discussion.thread_page(idea), taken_up=drafts.taken_up(idea),
        comment_form=comment_form or CommentForm(formdata=None), **_vote_context(idea),
        dots=dotvoting.dots_for(current_user, idea),
    )


def _vote_context(idea: Idea, supported: bool | None = None) -> dict:
    """What the support box shows; supported is passed when this request has just decided it."""
    supporters = db.session.scalars(
        select(User.display_name).join(Vote, Vote.user_id == User.id)
        .where(Vote.idea_id == idea.id, User.deleted_at.is_(None))
        .order_by(Vote.created_at.desc()).limit(12)
    ).all()
    return dict(
        idea=idea,
        supporters=supporters,
        supported=voting.has_supported(current_user, idea) if supported is None else supported,
        remaining=voting.remaining_supports(current_user, idea.process),
        form=EmptyForm(),
    )


@bp.route("/ideas/<int:idea_id>/vote", methods=["POST"])
@login_required
@limiter.limit("120 per minute", key_func=user_or_ip)
def vote(idea_id: int):
    """Support an idea, or take the support back."""
    idea = get_idea(idea_id, options=[db.joinedload(Idea.process)])
    form = EmptyForm()
    message, ok, context = None, True, None
    if not form.validate_on_submit():
        abort(400)
    if require_verified():
        message, ok = _("Please confirm your e-mail address first."), False
    else:
        wanted = request.form.get("action", "add")
        try:
            if wanted == "remove":
                voting.remove_support(current_user, idea)
                message = _("Your support has been withdrawn.")
            else:
                voting.add_support(current_user, idea)
                message = _("Thank you for your support.")
            if is_htmx():
                # Read inside the transaction that wrote: after the commit the request needs
                # no further query, so on SQLite no second write transaction starts.
                context = _vote_context(idea, supported=wanted != "remove")
            _commit_keeping_state()
        except voting.SupportError as exc:
            db.session.rollback()
            message, ok = str(exc), False
        database.end_writing()
    if is_htmx():
        return render_template("participation/_vote.html", message=message, ok=ok, oob=True,
                               **(context or _vote_context(idea)))
    if message:
        flash(message, "success" if ok else "error")
    target = safe_next(request.form.get("next"))
    return redirect(target or url_for("participation.idea", idea_id=idea.id))


def _commit_keeping_state() -> None:
    """Commit without expiring the loaded objects: the fragment shows them as this request wrote them."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


@bp.route("/ideas/<int:idea_id>/comments", methods=["POST"])
@login_required
@limiter.limit("30 per hour", key_func=user_or_ip)
def comment(idea_id: int):
    """Add a comment or a reply."""
    idea = get_idea(idea_id)
    form = CommentForm()
    if form.validate_on_submit():
        if require_verified():
            return redirect(url_for("participation.idea", idea_id=idea.id))
        parent = None
        if form.parent_id.data:
            # isdigit() alone lets "²" through, which int() refuses.
            if not (form.parent_id.data.isascii() and form.parent_id.data.isdigit()):
                abort(400)
            parent = get_or_404(Comment, int(form.parent_id.data))
        try:
            new = discussion.add_comment(current_user, idea, form.body.data, parent)
            db.session.commit()
        except workflow.WorkflowError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("participation.idea", idea_id=idea.id))
        flash(_("Thank you, your comment is published."), "success")
        return redirect(comment_url(idea, new.id))
    return render_template("participation/idea.html", **_idea_context(idea, form)), 422


@bp.route("/comments/<int:comment_id>/delete", methods=["POST"])
@login_required
def delete_comment(comment_id: int):
    """Delete an own comment."""
    comment = get_or_404(Comment, comment_id)
    get_idea(comment.idea_id)
    if comment.author_id != current_user.id:
        abort(403)
    if EmptyForm().validate_on_submit():
        discussion.delete_comment(comment, current_user)
        db.session.commit()
        flash(_("Your comment has been deleted."), "success")
    return redirect(comment_url(comment.idea, comment.id, anchor="comments"))


def _report(idea: Idea, comment: Comment | None):
    form = ReportForm()
    if form.validate_on_submit():
        if require_verified():
            return redirect(url_for("participation.idea", idea_id=idea.id))
        created = discussion.report(current_user, idea, ReportReason(form.reason.data), form.note.data, comment)
        db.session.commit()
        if created:
            flash(_("Thank you. The moderators will look at your report."), "success")
        else:
            flash(_("You have reported this already. The moderators will look at it."), "info")
        return redirect(url_for("participation.idea", idea_id=idea.id))
    return render_template("participation/report.html", form=form, idea=idea, comment=comment), \
        422 if form.errors else 200


@bp.route("/ideas/<int:idea_id>/report", methods=["GET", "POST"])
@login_required
@limiter.shared_limit("20 per hour", scope="report", methods=["POST"], key_func=user_or_ip)
def report_idea(idea_id: int):
    """Tell the moderators about an idea that breaks the rules."""
    return _report(get_idea(idea_id), None)


@bp.route("/comments/<int:comment_id>/report", methods=["GET", "POST"])
@login_required
@limiter.shared_limit("20 per hour", scope="report", methods=["POST"], key_func=user_or_ip)
def report_comment(comment_id: int):
    """Tell the moderators about a comment that breaks the rules."""
    comment = get_or_404(Comment, comment_id)
    if not comment.is_visible:
        abort(404)
    return _report(get_idea(comment.idea_id), comment)


@bp.route("/ideas/<int:idea_id>/edit", methods=["GET", "POST"])
@login_required
def edit_idea(idea_id: int):
    """Revise an own idea while it waits for review or after it was sent back."""
    idea = get_idea(idea_id, check_author=True)
    if idea.status not in (IdeaStatus.pending, IdeaStatus.declined):
        flash(_("This idea can no longer be changed."), "error")
        return redirect(url_for("participation.idea", idea_id=idea.id))
    form = _idea_form(idea.process)
    if request.method == "GET":
        form.title.data, form.body.data = idea.title, idea.body_source
        form.action_field.data = idea.suggested_field_id or -1
        form.district.data = idea.district
    if form.validate_on_submit() and not form.check.data:
        # Netiquette check: hints about shouting first; the author may save it anyway.
        hints = netiquette.problems(form.title.data, form.body.data)
        if hints and not form.send_anyway.data:
            return render_template("participation/edit.html", form=form, idea=idea, netiquette_hints=hints), 422
        field = db.session.get(ActionField, form.action_field.data)
        try:
            workflow.edit_idea(idea, current_user, form.title.data, form.body.data, field, form.district.data)
            db.session.commit()
        except workflow.WorkflowError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("participation.idea", idea_id=idea_id))
        flash(_("Your changes are saved."), "success")
        return redirect(url_for("participation.idea", idea_id=idea.id))
    return render_template("participation/edit.html", form=form, idea=idea), 422 if form.errors else 200


@bp.route("/ideas/<int:idea_id>/withdraw", methods=["POST"])
@login_required
def withdraw(idea_id: int):
    """Take back an own idea."""
    idea = get_idea(idea_id, check_author=True)
    if EmptyForm().validate_on_submit():
        try:
            workflow.withdraw(idea, current_user)
            db.session.commit()
            flash(_("Your idea has been withdrawn."), "success")
        except workflow.WorkflowError as exc:
            db.session.rollback()
            flash(str(exc), "error")
    return redirect(url_for("auth.account"))


@bp.route("/language", methods=["POST"])
def language():
    """Switch the language of the site; remembered in a cookie and on the account."""
    lang = request.form.get("lang", "")
    target = safe_next(request.form.get("next")) or url_for("participation.index")
    response = make_response(redirect(target))
    if lang in current_app.config["LANGUAGES"] and EmptyForm().validate_on_submit():
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return response


@bp.route("/healthz")
def healthz():
    """For load balancers: is the database reachable?"""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        current_app.logger.exception("health check failed")
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}


from ideas import dotvoting  # noqa: E402  (registers its routes on bp; imports bp itself)
