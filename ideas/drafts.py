"""Strategy drafts: accepted ideas become measures; the team orders, merges, freezes and publishes them.

Domain rules only, no request code: the views in ideas/strategy/drafts.py call these and commit.
Every change that rewrites positions or moves dots holds the draft's row first, so two people
editing the same draft at once queue instead of mixing their orders.
"""
import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.orm import contains_eager, selectinload

from ideas import measures as calc
from ideas.database import lock_row
from ideas.extensions import db
from ideas.models import (
    PUBLIC_STATUSES,
    ActionField,
    DraftSection,
    DraftStatus,
    DraftVersion,
    Idea,
    IdeaStatus,
    Measure,
    Process,
    StrategyDraft,
    WorkshopDots,
    measure_idea,
    utcnow,
)

TAKEN_UP = (IdeaStatus.accepted, IdeaStatus.implemented)
MAX_REFERENCES = 100


class DraftError(Exception):
    """A change the rules do not allow; the message is shown to the team."""


def _lock(draft: StrategyDraft) -> None:
    db.session.execute(lock_row(select(StrategyDraft.id).where(StrategyDraft.id == draft.id)))


def load(draft_id: int) -> StrategyDraft | None:
    """A draft with its sections, fields, measures and source ideas, in a fixed number of queries."""
    return db.session.scalar(
        select(StrategyDraft).where(StrategyDraft.id == draft_id).options(
            selectinload(StrategyDraft.sections).joinedload(DraftSection.action_field),
            selectinload(StrategyDraft.measures).selectinload(Measure.ideas),
        )
    )


def create(process: Process, title: str, vision: str = "", principles: str = "", user=None,
           from_accepted: bool = True) -> StrategyDraft:
    """A new draft with a section per action field, optionally filled from the accepted ideas."""
    draft = StrategyDraft(process_id=process.id, title=title, vision=vision or "", principles=principles or "",
                          created_by_id=getattr(user, "id", None))
    db.session.add(draft)
    db.session.flush()
    if from_accepted:
        start_from_accepted(draft)
    else:
        ensure_sections(draft)
    return draft


def _fields(process_id: int) -> list[ActionField]:
    return list(db.session.scalars(
        select(ActionField).where(ActionField.process_id == process_id)
        .order_by(ActionField.position, ActionField.id)))


def ensure_sections(draft: StrategyDraft, fields: list[ActionField] | None = None) -> None:
    """A section for every action field of the process that has none yet, after the existing ones."""
    fields = _fields(draft.process_id) if fields is None else fields
    have = {s.action_field_id for s in draft.sections}
    position = max((s.position for s in draft.sections), default=-1)
    for field in fields:
        if field.id not in have:
            position += 1
            draft.sections.append(DraftSection(action_field_id=field.id, position=position,
                                               goals=list(field.goals or [])))


def start_from_accepted(draft: StrategyDraft) -> int:
    """One measure per accepted or implemented idea not yet in the draft; returns how many were added.

    Measures land in the section of the idea's primary action field (or among the measures
    without a field), most supported first, with the field's office. Rows are inserted in
    bulk, so thousands of ideas take a handful of statements.
    """
    fields = _fields(draft.process_id)
    ensure_sections(draft, fields)
    db.session.flush()
    offices = {f.id: f.responsible_office for f in fields}
    already = select(measure_idea.c.idea_id).join(Measure, Measure.id == measure_idea.c.measure_id) \
        .where(Measure.draft_id == draft.id)
    ideas = db.session.execute(
        select(Idea.id, Idea.title, Idea.action_field_id)
        .where(Idea.process_id == draft.process_id, Idea.status.in_(TAKEN_UP), Idea.id.not_in(already))
        .order_by(Idea.support_count.desc(), Idea.id)
    ).all()
    if not ideas:
        return 0
    positions = dict(db.session.execute(
        select(Measure.action_field_id, func.max(Measure.position))
        .where(Measure.draft_id == draft.id).group_by(Measure.action_field_id)).all())
    rows, idea_at = [], {}
    for idea_id, title, field_id in ideas:
        field_id = field_id if field_id in offices else None
        positions[field_id] = positions.get(field_id, -1) + 1
        idea_at[(field_id, positions[field_id])] = idea_id
        rows.append({"draft_id": draft.id, "action_field_id": field_id, "position": positions[field_id],
                     "title": title[:200], "description": "", "responsible_office": offices.get(field_id)})
    # One executemany; the new rows are found again by their (field, position), which is unique
    # because every new position lies after the field's last one (RETURNING in parameter order
    # would fall back to one statement per row on SQLite).
    db.session.execute(insert(Measure.__table__), rows)
    links = [{"measure_id": measure_id, "idea_id": idea_at[(field_id, position)]}
             for measure_id, field_id, position in db.session.execute(
                 select(Measure.id, Measure.action_field_id, Measure.position).where(Measure.draft_id == draft.id))
             if (field_id, position) in idea_at]
    db.session.execute(insert(measure_idea), links)
    db.session.expire(draft, ["measures"])
    return len(links)


def _siblings(draft: StrategyDraft, field_id: int | None) -> list[Measure]:
    return sorted((m for m in draft.measures if m.action_field_id == field_id), key=lambda m: (m.position, m.id))


def _swap(items: list, item, direction: str) -> None:
    if direction not in ("up", "down"):
        raise DraftError(_l("Please choose up or down."))
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items):
        each.position = position


def move_section(draft: StrategyDraft, section: DraftSection, direction: str) -> None:
    """Move an action field one place up or down within the draft (its measures move along)."""
    _lock(draft)
    _swap(sorted(draft.sections, key=lambda s: (s.position, s.id)), section, direction)


def move_measure(draft: StrategyDraft, measure: Measure, direction: str) -> None:
    """Move a measure one place up or down among the measures of its action field."""
    _lock(draft)
    _swap(_siblings(draft, measure.action_field_id), measure, direction)


def place(draft: StrategyDraft, measure: Measure, field: ActionField | None) -> None:
    """Put a measure last in an action field (creating the field's section if the draft lacks it)."""
    field_id = field.id if field else None
    if field is not None and all(s.action_field_id != field.id for s in draft.sections):
        draft.sections.append(DraftSection(
            action_field_id=field.id, goals=list(field.goals or []),
            position=max((s.position for s in draft.sections), default=-1) + 1))
    others = [m for m in _siblings(draft, field_id) if m is not measure]
    measure.action_field_id = field_id
    measure.position = max((m.position for m in others), default=-1) + 1


def add_measure(draft: StrategyDraft, field: ActionField | None, **values) -> Measure:
    """A measure written by the team, last in its action field."""
    _lock(draft)
    measure = Measure(**values)
    place(draft, measure, field)
    draft.measures.append(measure)
    return measure


def update_measure(draft: StrategyDraft, measure: Measure, field: ActionField | None, ideas: list[Idea],
                   **values) -> None:
    """Change a measure; moving it to another action field places it last there."""
    _lock(draft)
    for name, value in values.items():
        setattr(measure, name, value)
    if (field.id if field else None) != measure.action_field_id:
        place(draft, measure, field)
    measure.ideas = ideas


def delete_measure(draft: StrategyDraft, measure: Measure) -> None:
    _lock(draft)
    draft.measures.remove(measure)
    db.session.delete(measure)


def _number_key(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in number.split("."))


def merge_measures(draft: StrategyDraft, chosen: list[Measure]) -> tuple[Measure, list[Measure]]:
    """Merge measures into the first of them by number; returns (kept, merged away).

    The kept measure gets every source idea and every workshop dot: its own poster dots
    plus the others'. A workshop in which two of them had a poster line gets one line with
    the sum, because a measure has at most one line per workshop.
    """
    chosen = list(dict.fromkeys(chosen))
    if len(chosen) < 2:
        raise DraftError(_l("Please tick at least two measures to merge."))
    if any(m.draft_id != draft.id for m in chosen):
        raise DraftError(_l("Only measures of the same draft can be merged."))
    _lock(draft)
    ids = [m.id for m in chosen]
    # Re-read the counters under the lock: a workshop entry may have added dots meanwhile.
    db.session.execute(lock_row(select(Measure).where(Measure.id.in_(ids)))
                       .execution_options(populate_existing=True))
    numbers = calc.numbers(draft)
    kept, *others = sorted(chosen, key=lambda m: _number_key(numbers[m.id]))
    for other in others:
        for idea in other.ideas:
            if idea not in kept.ideas:
                kept.ideas.append(idea)
    lines = db.session.execute(
        select(WorkshopDots.id, WorkshopDots.workshop_id, WorkshopDots.measure_id, WorkshopDots.dots)
        .where(WorkshopDots.measure_id.in_(ids)).order_by(WorkshopDots.id)).all()
    kept_line = {workshop_id: line_id for line_id, workshop_id, measure_id, _dots in lines if measure_id == kept.id}
    for line_id, workshop_id, measure_id, dots in lines:
        if measure_id == kept.id:
            continue
        if workshop_id in kept_line:
            db.session.execute(update(WorkshopDots).where(WorkshopDots.id == kept_line[workshop_id])
                               .values(dots=WorkshopDots.dots + dots))
            db.session.execute(delete(WorkshopDots).where(WorkshopDots.id == line_id))
        else:
            db.session.execute(update(WorkshopDots).where(WorkshopDots.id == line_id).values(measure_id=kept.id))
            kept_line[workshop_id] = line_id
    kept.workshop_dots = kept.workshop_dots + sum(m.workshop_dots for m in others)
    for other in others:
        draft.measures.remove(other)
        db.session.delete(other)
    return kept, others


def sort_by_combined(draft: StrategyDraft) -> None:
    """Order the measures of every action field by combined priority, highest first; ties keep their order."""
    _lock(draft)
    weight = calc.draft_weight(draft)
    for _section, field_measures in calc.grouped(draft):
        ranked = sorted(enumerate(field_measures), key=lambda pair: (-calc.combined(pair[1], weight), pair[0]))
        for position, (_index, measure) in enumerate(ranked):
            measure.position = position


def set_goals(section: DraftSection, text: str) -> None:
    section.goals = [line.strip() for line in (text or "").splitlines() if line.strip()]


def freeze(draft: StrategyDraft, label: str, user=None) -> DraftVersion:
    """Keep the draft as it is now as a read-only version (e.g. the one put before the council)."""
    from ideas.draft_documents import snapshot  # written alongside; imported when first needed

    version = DraftVersion(draft_id=draft.id, label=label, snapshot=snapshot(draft),
                           created_by_id=getattr(user, "id", None))
    db.session.add(version)
    return version


def versions(draft: StrategyDraft) -> list[DraftVersion]:
    return list(db.session.scalars(
        select(DraftVersion).where(DraftVersion.draft_id == draft.id)
        .order_by(DraftVersion.created_at.desc(), DraftVersion.id.desc())))


def publish(draft: StrategyDraft) -> list[StrategyDraft]:
    """Show the draft to the public; returns other drafts of the process that were withdrawn for it.

    A process shows one strategy at a time, so the ideas' "taken up in measure …" is unambiguous.
    """
    _lock(draft)
    withdrawn = list(db.session.scalars(
        select(StrategyDraft).where(StrategyDraft.process_id == draft.process_id, StrategyDraft.id != draft.id,
                                    StrategyDraft.status == DraftStatus.published)))
    for other in withdrawn:
        other.status, other.published_at = DraftStatus.draft, None
    draft.status, draft.published_at = DraftStatus.published, utcnow()
    return withdrawn


def unpublish(draft: StrategyDraft) -> None:
    _lock(draft)
    draft.status, draft.published_at = DraftStatus.draft, None


def published_for(process: Process) -> StrategyDraft | None:
    """The process's public strategy draft, loaded for reading, or None."""
    draft_id = db.session.scalar(
        select(StrategyDraft.id).where(StrategyDraft.process_id == process.id,
                                       StrategyDraft.status == DraftStatus.published)
        .order_by(StrategyDraft.published_at.desc(), StrategyDraft.id.desc()).limit(1))
    return load(draft_id) if draft_id is not None else None


def _in_a_published_draft(idea_id: int) -> bool:
    """Whether a published draft names the idea: one indexed lookup, where the full query below
    builds and runs a join of drafts, measures and sections on every idea page."""
    return db.session.execute(_PUBLISHED_LINK, {"idea_id": idea_id}).first() is not None


_PUBLISHED_LINK = (
    select(measure_idea.c.measure_id)
    .join(Measure, Measure.id == measure_idea.c.measure_id)
    .join(StrategyDraft, StrategyDraft.id == Measure.draft_id)
    .where(measure_idea.c.idea_id == bindparam("idea_id"), StrategyDraft.status == DraftStatus.published)
    .limit(1)
)


def taken_up(idea: Idea) -> list[dict]:
    """Where a published draft takes the idea up: [{draft, measure, number}], in two queries
    (one when no published draft names the idea, as for most ideas).

    The number ("2.3") depends on every measure and section of the draft, so the query loads
    those along with a flag saying which measures name this idea.
    """
    if not _in_a_published_draft(idea.id):
        return []
    linked = measure_idea.alias("linked")
    rows = db.session.execute(
        select(StrategyDraft, linked.c.measure_id)
        .join(StrategyDraft.measures).outerjoin(StrategyDraft.sections)
        .outerjoin(linked, (linked.c.measure_id == Measure.id) & (linked.c.idea_id == idea.id))
        .where(StrategyDraft.process_id == idea.process_id, StrategyDraft.status == DraftStatus.published,
               StrategyDraft.id.in_(select(Measure.draft_id).join(measure_idea, measure_idea.c.measure_id == Measure.id)
                                    .where(measure_idea.c.idea_id == idea.id)))
        .options(contains_eager(StrategyDraft.measures), contains_eager(StrategyDraft.sections))
        .order_by(StrategyDraft.id)
    ).unique().all()
    found, drafts = set(), {}
    for draft, measure_id in rows:
        drafts[draft.id] = draft
        if measure_id is not None:
            found.add(measure_id)
    result = []
    for draft in drafts.values():
        numbers = calc.numbers(draft)
        for measure in sorted((m for m in draft.measures if m.id in found), key=lambda m: _number_key(numbers[m.id])):
            result.append({"draft": draft, "measure": measure, "number": numbers[measure.id]})
    return result


_REFERENCE_SPLIT = re.compile(r"[\s,;]+")


def parse_references(process: Process, text: str) -> tuple[list[Idea], list[str], list[str]]:
    """Ideas named by their numbers ("2026-00012, 2026-00031"), in the order given.

    Returns (ideas, unknown, not_public): numbers that are no idea of this process, and
    ideas the public cannot see (a published draft links its sources).
    """
    tokens = list(dict.fromkeys(t.strip("#.") for t in _REFERENCE_SPLIT.split(text or "") if t.strip("#.")))
    if not tokens:
        return [], [], []
    if len(tokens) > MAX_REFERENCES:
        raise DraftError(_l("Please name at most %(num)d ideas.", num=MAX_REFERENCES))
    found = {idea.reference: idea for idea in db.session.scalars(
        select(Idea).where(Idea.process_id == process.id, Idea.reference.in_([t[:20] for t in tokens])))}
    ideas = [found[t] for t in tokens if t in found]
    unknown = [t for t in tokens if t not in found]
    not_public = [i.reference for i in ideas if i.status not in PUBLIC_STATUSES]
    return [i for i in ideas if i.status in PUBLIC_STATUSES], unknown, not_public


def public_sources(measure: Measure) -> list[Idea]:
    """The source ideas the public may see (an idea hidden later stays linked for the team only)."""
    return [idea for idea in measure.ideas if idea.status in PUBLIC_STATUSES]


def summary(process: Process) -> list[tuple[StrategyDraft, int, int]]:
    """The process's drafts with how many measures and versions each has, newest first."""
    measures = select(func.count(Measure.id)).where(Measure.draft_id == StrategyDraft.id).scalar_subquery()
    frozen = select(func.count(DraftVersion.id)).where(DraftVersion.draft_id == StrategyDraft.id).scalar_subquery()
    return [tuple(row) for row in db.session.execute(
        select(StrategyDraft, measures, frozen).where(StrategyDraft.process_id == process.id)
        .order_by(StrategyDraft.created_at.desc(), StrategyDraft.id.desc()))]
