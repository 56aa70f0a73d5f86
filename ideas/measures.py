"""Measure arithmetic shared by the draft editor, the documents and the exports.

Numbers ("2.3": third measure of the second action field) follow the draft's order, so the
editor, the print view, the DOCX and a frozen version all say the same. The combined priority
is one formula with its weights shown next to it, so nobody has to guess how a rank came about.
"""
from dataclasses import dataclass

from ideas.models.strategy import Measure, StrategyDraft


@dataclass(frozen=True)
class Weight:
    """How much one online support and one workshop dot count (the draft's setting)."""

    support: int = 1
    dot: int = 1


def supports(measure: Measure) -> int:
    """Online supports of the ideas a measure comes from."""
    return sum(idea.support_count for idea in measure.ideas)


def dots(measure: Measure) -> int:
    """Dots a measure got: on its own poster line, on its ideas' cards and by online dot voting."""
    return measure.workshop_dots + sum(idea.workshop_dots + idea.dot_points for idea in measure.ideas)


def combined(measure: Measure, weight: Weight) -> int:
    """The combined priority: weighted supports plus weighted dots."""
    return weight.support * supports(measure) + weight.dot * dots(measure)


def draft_weight(draft: StrategyDraft) -> Weight:
    return Weight(support=draft.support_weight, dot=draft.dot_weight)


def grouped(draft: StrategyDraft) -> list[tuple]:
    """(section or None, measures) in the draft's order; measures without a field come last."""
    by_field: dict[int | None, list[Measure]] = {}
    for measure in sorted(draft.measures, key=lambda m: (m.position, m.id)):
        by_field.setdefault(measure.action_field_id, []).append(measure)
    groups = [(section, by_field.pop(section.action_field_id, []))
              for section in sorted(draft.sections, key=lambda s: (s.position, s.id))]
    leftovers = [m for field_measures in by_field.values() for m in field_measures]
    if leftovers:
        groups.append((None, sorted(leftovers, key=lambda m: (m.position, m.id))))
    return groups


def numbers(draft: StrategyDraft) -> dict[int, str]:
    """Measure id → "section.measure" as printed, e.g. "2.3"."""
    result = {}
    for s, (_, measures) in enumerate(grouped(draft), start=1):
        for m, measure in enumerate(measures, start=1):
            result[measure.id] = f"{s}.{m}"
    return result
