"""Merging duplicates from the staff idea page: supports add up (a person counts once), authors
become co-authors, nothing is deleted; a confirmation page shows what will happen first.
"""
import re

from flask import flash, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from ideas import merging, search
from ideas.extensions import db
from ideas.labels import STATUS
from ideas.models import Idea, Vote
from ideas.moderation import bp
from ideas.moderation.answer_forms import (
    MAX_MERGE_SOURCES,
    NOTE_MAX,
    MergeForm,
    MergeSimilarForm,
    int_or_none,
)
from ideas.moderation.ideas import back_to_idea as _back_to_idea
from ideas.moderation.ideas import load_idea, submitted_ids
from ideas.moderation.ideas import refused as _refused
from ideas.moderation.ideas import staff_page as _staff_page
from ideas.participation import MAX_ID
from ideas.sanitize import clean_text
from ideas.workflow import WorkflowError

REFERENCE = re.compile(r"(\d{4})-(\d{1,10})")


def find_by_reference(value: str) -> Idea | None:
    """The idea with a number as people type it: "2026-00042", "No. 2026-42", "#2026-00042"."""
    match = REFERENCE.search(value or "")
    if match is None:
        return None
    year, number = match.groups()
    reference = f"{year}-{int(number):05d}"
    return db.session.scalar(select(Idea).where(Idea.reference == reference))


def _not_mergeable(idea: Idea) -> str:
    return _("The idea No. %(ref)s cannot be merged while its status is \"%(status)s\".",
             ref=idea.reference, status=STATUS[idea.status])


def _cannot_take_in(idea: Idea) -> str:
    return _("Nothing can be merged into the idea No. %(ref)s while its status is \"%(status)s\".",
             ref=idea.reference, status=STATUS[idea.status])


def merge_problem(source: Idea, target: Idea | None) -> str | None:
    """Why these two ideas cannot be merged, in words for the moderator; None if they can."""
    if target is None:
        return _("There is no idea with this number.")
    if target.id == source.id:
        return _("An idea cannot be merged into itself.")
    if target.process_id != source.process_id:
        return _("This idea belongs to another process. Only ideas of the same process can be merged.")
    if source.status not in merging.MERGEABLE:
        return _not_mergeable(source)
    if target.status not in merging.MERGEABLE:
        return _cannot_take_in(target)
    return None


def merge_preview(sources: list[Idea], target: Idea) -> dict:
    """How the supports will add up, computed the way merging.merge moves them."""
    def voters(idea):
        return set(db.session.scalars(select(Vote.user_id).where(Vote.idea_id == idea.id)))

    staying = voters(target)
    before = len(staying)
    if target.author_id is not None:
        staying.add(target.author_id)
    moving: set[int] = set()
    given = 0
    for source in sources:
        source_voters = voters(source)
        given += len(source_voters)
        moving |= source_voters - staying
    return dict(moving=len(moving), once=given - len(moving), before=before, after=before + len(moving))


def merge_context(idea: Idea, form: MergeForm | None = None,
                  similar_form: MergeSimilarForm | None = None) -> dict:
    """What the merging part of the staff idea page shows; forms with errors are passed in."""
    can_merge = idea.status in merging.MERGEABLE
    similar = []
    if can_merge:
        similar = [i for i in search.similar(idea.title, idea.process_id, limit=8, exclude_id=idea.id)
                   if i.status in merging.MERGEABLE]
    merged_here = db.session.scalars(
        select(Idea).where(Idea.merged_into_id == idea.id).order_by(Idea.id)).all()
    if can_merge:
        form = form or MergeForm(formdata=None, prefix="merge")
        similar_form = similar_form or MergeSimilarForm(formdata=None, prefix="similar")
    return dict(can_merge=can_merge, form=form, similar_form=similar_form, similar=similar,
                merged_here=merged_here)


def _confirm_merge_page(target: Idea, sources: list[Idea], note: str, back: Idea):
    confirm = dict(target=target, sources=sources, note=note, back=back,
                   preview=merge_preview(sources, target))
    return render_template("moderation/_merge_actions.html", idea=back, merge_confirm=confirm)


@bp.route("/ideas/<int:idea_id>/merge", methods=["POST"])
def merge_into(idea_id: int):
    """From a duplicate's page: check the idea it should be merged into, then ask to confirm."""
    source = load_idea(idea_id)
    if source.status not in merging.MERGEABLE:
        flash(_not_mergeable(source), "error")
        return _back_to_idea(source, "merge")
    form = MergeForm(prefix="merge")
    if form.validate_on_submit():
        target = find_by_reference(form.reference.data)
        problem = merge_problem(source, target)
        if problem is None:
            return _confirm_merge_page(target, [source], form.note.data or "", back=source)
        form.reference.errors.append(problem)
    return _staff_page(source, merging=merge_context(source, form=form))


@bp.route("/ideas/<int:idea_id>/merge-similar", methods=["POST"])
def merge_similar(idea_id: int):
    """From the page of the idea that stays: check the chosen similar ideas, then ask to confirm."""
    target = load_idea(idea_id)
    if target.status not in merging.MERGEABLE:
        flash(_cannot_take_in(target), "error")
        return _back_to_idea(target, "merge")
    form = MergeSimilarForm(prefix="similar")
    if form.validate_on_submit():
        ids = submitted_ids(form.sources.data or [])
        if not ids:
            form.sources.errors.append(_("Please choose at least one idea to merge into this one."))
        elif len(ids) > MAX_MERGE_SOURCES:
            form.sources.errors.append(_("Please choose at most %(num)d ideas at once.", num=MAX_MERGE_SOURCES))
        else:
            sources = [db.session.get(Idea, i) for i in ids]
            problems = [merge_problem(s, target) if s is not None else _("One of the chosen ideas does not exist.")
                        for s in sources]
            problems = [p for p in problems if p]
            if not problems:
                return _confirm_merge_page(target, sources, form.note.data or "", back=target)
            form.sources.errors.extend(dict.fromkeys(problems))
    return _staff_page(target, merging=merge_context(target, similar_form=form))


@bp.route("/ideas/<int:idea_id>/merge/confirm", methods=["POST"])
def confirm_merge(idea_id: int):
    """Merge the confirmed ideas into this one; supports move, comments stay, authors are named."""
    target = load_idea(idea_id)
    back = target
    back_id = int_or_none(request.form.get("back"))
    if back_id and 0 < back_id <= MAX_ID:
        back = db.session.get(Idea, back_id) or target
    ids = submitted_ids(request.form.getlist("sources"))
    sources = [db.session.get(Idea, i) for i in ids or []]
    if not sources or len(sources) > MAX_MERGE_SOURCES or None in sources:
        flash(_("Please choose the ideas to merge again."), "error")
        return _back_to_idea(back, "merge")
    problems = [p for p in (merge_problem(s, target) for s in sources) if p]
    note = clean_text(request.form.get("note"), multiline=True)[:NOTE_MAX]
    try:
        if problems:
            raise WorkflowError(problems[0])
        merging.merge(sources, target, current_user, note or None)
    except WorkflowError as error:
        return _refused(back, error, "merge")
    db.session.commit()
    flash(ngettext("%(num)d idea has been merged into this one. Its supports count here now.",
                   "%(num)d ideas have been merged into this one. Their supports count here now.",
                   len(sources)), "success")
    return _back_to_idea(target, "merge")



@bp.context_processor
def _merging_panel():
    # The staff idea page is rendered by other views too; they get the default forms from here.
    return {"merging_for": merge_context}
