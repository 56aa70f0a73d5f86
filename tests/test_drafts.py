"""Strategy drafts as the team uses them, without HTTP: from accepted ideas to ordered, merged,
frozen and published measures that citizens can trace back to their ideas."""
import pytest
from sqlalchemy import func, select

from ideas import drafts
from ideas import measures as calc
from ideas.extensions import db
from ideas.models import (
    DraftStatus,
    DraftVersion,
    IdeaStatus,
    Measure,
    Priority,
    StrategyDraft,
    Workshop,
    WorkshopDots,
    measure_idea,
)
from tests.conftest import count, make_idea, make_process, make_user

pytestmark = pytest.mark.usefixtures("app")


def _draft(process, **kwargs) -> StrategyDraft:
    draft = drafts.create(process, kwargs.pop("title", "Digitalstrategie 2030"), user=make_user("team"), **kwargs)
    db.session.commit()
    return drafts.load(draft.id)


def _titles(draft):
    return [[m.title for m in items] for _section, items in calc.grouped(drafts.load(draft.id))]


def _measure(draft, title, field=None, ideas=(), dots=0):
    measure = drafts.add_measure(draft, field, title=title, workshop_dots=dots)
    measure.ideas = list(ideas)
    db.session.commit()
    return measure


def _workshop(process, name="Werkstatt"):
    workshop = Workshop(process_id=process.id, name=name)
    db.session.add(workshop)
    db.session.commit()
    return workshop


def _dots(workshop, measure, dots):
    db.session.add(WorkshopDots(workshop_id=workshop.id, measure_id=measure.id, dots=dots))
    measure.workshop_dots += dots
    db.session.commit()


# --- starting from the accepted ideas ---------------------------------------------------------------

def test_start_from_accepted_ideas_one_measure_each_grouped_by_field():
    process = make_process(fields=3)
    first, second, third = process.action_fields
    first.goals, first.responsible_office = ["Glasfaser für alle", "WLAN im Zentrum"], "Amt für Digitales"
    db.session.commit()
    wlan = make_idea(process, status=IdeaStatus.accepted, title="Freies WLAN am Markt", field=first)
    done = make_idea(process, status=IdeaStatus.implemented, title="Online-Terminbuchung", field=third)
    loose = make_idea(process, status=IdeaStatus.accepted, title="Ohne Handlungsfeld", field=first)
    loose.action_field_id = None
    for status in (IdeaStatus.published, IdeaStatus.rejected, IdeaStatus.merged, IdeaStatus.under_review):
        make_idea(process, status=status, title=f"Nicht übernommen: {status.value}", field=first)
    db.session.commit()

    draft = _draft(process)

    assert [s.action_field_id for s in draft.sections] == [first.id, second.id, third.id]
    assert draft.sections[0].goals == ["Glasfaser für alle", "WLAN im Zentrum"]
    assert _titles(draft) == [["Freies WLAN am Markt"], [], ["Online-Terminbuchung"], ["Ohne Handlungsfeld"]]
    by_title = {m.title: m for m in draft.measures}
    assert by_title["Freies WLAN am Markt"].ideas == [wlan]
    assert by_title["Freies WLAN am Markt"].responsible_office == "Amt für Digitales"
    assert by_title["Online-Terminbuchung"].ideas == [done]
    assert by_title["Ohne Handlungsfeld"].action_field_id is None
    assert by_title["Ohne Handlungsfeld"].responsible_office is None
    # Goals are copied: changing the field later leaves the draft's goals alone.
    first.goals = ["Neu"]
    db.session.commit()
    assert drafts.load(draft.id).sections[0].goals == ["Glasfaser für alle", "WLAN im Zentrum"]


def test_start_from_accepted_orders_by_supports_and_skips_ideas_already_in_the_draft():
    process = make_process(fields=1)
    quiet = make_idea(process, status=IdeaStatus.accepted, title="Wenig unterstützt")
    loud = make_idea(process, status=IdeaStatus.accepted, title="Viel unterstützt")
    loud.support_count = 9
    db.session.commit()
    draft = _draft(process)
    assert _titles(draft) == [["Viel unterstützt", "Wenig unterstützt"]]
    assert drafts.start_from_accepted(draft) == 0
    make_idea(process, status=IdeaStatus.accepted, title="Später angenommen")
    assert drafts.start_from_accepted(draft) == 1
    db.session.commit()
    assert _titles(draft) == [["Viel unterstützt", "Wenig unterstützt", "Später angenommen"]]
    assert quiet.id in {i.id for m in drafts.load(draft.id).measures for i in m.ideas}


def test_empty_draft_has_sections_but_no_measures():
    process = make_process(fields=2)
    make_idea(process, status=IdeaStatus.accepted)
    draft = _draft(process, from_accepted=False)
    assert len(draft.sections) == 2
    assert draft.measures == []


def test_start_from_two_thousand_ideas_takes_a_handful_of_statements():
    from sqlalchemy import event, insert

    from ideas.models import Idea

    process = make_process(fields=3)
    fields = process.action_fields
    db.session.execute(insert(Idea), [
        {"process_id": process.id, "title": f"Idee {i}", "body_source": "x", "body_html": "<p>x</p>",
         "status": IdeaStatus.accepted, "action_field_id": fields[i % 3].id if i % 10 else None,
         "reference": f"2026-{i:05d}"} for i in range(2000)])
    db.session.commit()
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        draft = drafts.create(process, "Groß", from_accepted=True)
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert count(Measure, Measure.draft_id == draft.id) == 2000
    assert db.session.scalar(select(func.count()).select_from(measure_idea)) == 2000
    # Bulk inserts may be split into batches by the driver, but never one statement per idea.
    assert len(statements) < 40


# --- order --------------------------------------------------------------------------------------

def test_move_measures_within_their_field_and_sections_with_their_measures():
    process = make_process(fields=2)
    a, b = process.action_fields
    draft = _draft(process, from_accepted=False)
    one, two, three = (_measure(draft, t, a) for t in ("Eins", "Zwei", "Drei"))
    other = _measure(draft, "Anderes Feld", b)
    drafts.move_measure(draft, three, "up")
    db.session.commit()
    assert _titles(draft) == [["Eins", "Drei", "Zwei"], ["Anderes Feld"]]
    drafts.move_measure(draft, one, "up")  # already first: stays
    drafts.move_measure(draft, other, "down")  # alone in its field: stays
    db.session.commit()
    assert _titles(draft) == [["Eins", "Drei", "Zwei"], ["Anderes Feld"]]
    assert calc.numbers(drafts.load(draft.id))[two.id] == "1.3"
    drafts.move_section(draft, draft.sections[1], "up")
    db.session.commit()
    assert _titles(draft) == [["Anderes Feld"], ["Eins", "Drei", "Zwei"]]
    assert calc.numbers(drafts.load(draft.id))[two.id] == "2.3"


def test_moving_a_measure_to_another_field_places_it_last_there():
    process = make_process(fields=2)
    a, b = process.action_fields
    draft = _draft(process, from_accepted=False)
    moving = _measure(draft, "Wandert", a)
    _measure(draft, "Bleibt", b)
    drafts.update_measure(draft, moving, b, [], title="Wandert")
    db.session.commit()
    assert _titles(draft) == [[], ["Bleibt", "Wandert"]]
    drafts.update_measure(draft, moving, None, [], title="Wandert")
    db.session.commit()
    assert _titles(draft) == [[], ["Bleibt"], ["Wandert"]]


def test_sort_by_combined_priority_uses_the_weights_and_keeps_ties_in_order():
    process = make_process(fields=1)
    draft = _draft(process, from_accepted=False)
    supported = make_idea(process, title="Viele Unterstützungen")
    supported.support_count = 10
    dotted = make_idea(process, title="Viele Punkte")
    dotted.workshop_dots = 4
    db.session.commit()
    field = process.action_fields[0]
    _measure(draft, "Gleich A", field)
    _measure(draft, "Punkte", field, ideas=[dotted])
    _measure(draft, "Gleich B", field)
    _measure(draft, "Unterstützung", field, ideas=[supported])
    drafts.sort_by_combined(draft)
    db.session.commit()
    assert _titles(draft) == [["Unterstützung", "Punkte", "Gleich A", "Gleich B"]]
    draft.support_weight, draft.dot_weight = 1, 5  # 10 supports = 10 points, 4 dots = 20 points
    drafts.sort_by_combined(draft)
    db.session.commit()
    assert _titles(draft) == [["Punkte", "Unterstützung", "Gleich A", "Gleich B"]]


# --- merging ------------------------------------------------------------------------------------

def test_merge_keeps_the_first_by_number_with_all_ideas_and_dots():
    process = make_process(fields=2)
    a, b = process.action_fields
    draft = _draft(process, from_accepted=False)
    i1, i2, i3 = (make_idea(process, title=f"Quelle {n}") for n in range(3))
    first = _measure(draft, "Erste", a, ideas=[i1, i2])
    _measure(draft, "Dazwischen", a)
    third = _measure(draft, "Dritte", a, ideas=[i2, i3])
    elsewhere = _measure(draft, "Anderes Feld", b, ideas=[i3])
    spring, autumn = _workshop(process, "Frühjahr"), _workshop(process, "Herbst")
    _dots(spring, first, 3)
    _dots(spring, third, 4)   # same workshop as the kept measure: the lines add up
    _dots(autumn, third, 2)   # a workshop the kept measure had no line in: the line moves
    _dots(autumn, elsewhere, 5)  # two merged measures in one workshop: also one line

    kept, merged = drafts.merge_measures(draft, [elsewhere, third, first])
    db.session.commit()

    assert kept.id == first.id
    assert {m.title for m in merged} == {"Dritte", "Anderes Feld"}
    db.session.expire_all()
    kept = db.session.get(Measure, first.id)
    assert [i.id for i in kept.ideas] == [i1.id, i2.id, i3.id]
    assert kept.workshop_dots == 3 + 4 + 2 + 5
    lines = {row.workshop_id: row.dots for row in db.session.scalars(select(WorkshopDots))}
    assert lines == {spring.id: 7, autumn.id: 7}
    assert count(WorkshopDots, WorkshopDots.measure_id == first.id) == 2
    assert count(Measure, Measure.draft_id == draft.id) == 2
    assert _titles(draft) == [["Erste", "Dazwischen"], []]


def test_merge_needs_two_measures_of_the_same_draft():
    process = make_process(fields=1)
    draft, other = _draft(process, from_accepted=False), _draft(process, title="Anderer Entwurf", from_accepted=False)
    mine, theirs = _measure(draft, "Meine"), _measure(other, "Fremde")
    for chosen in ([mine], [mine, mine], [mine, theirs]):
        try:
            drafts.merge_measures(draft, chosen)
        except drafts.DraftError:
            pass
        else:
            raise AssertionError(f"merged {chosen}")
    assert count(Measure) == 2


# --- versions and publishing ---------------------------------------------------------------------

def test_a_frozen_version_does_not_change_when_the_draft_does():
    process = make_process(fields=1)
    make_idea(process, status=IdeaStatus.accepted, title="Freies WLAN am Markt")
    draft = _draft(process)
    version = drafts.freeze(draft, "Vorlage für den Stadtrat", make_user("team"))
    db.session.commit()
    measure = draft.measures[0]
    drafts.update_measure(draft, measure, None, [], title="Ganz anders", priority=Priority.high)
    draft.title = "Neuer Titel"
    db.session.commit()
    db.session.expire_all()
    frozen = db.session.get(DraftVersion, version.id)
    assert frozen.label == "Vorlage für den Stadtrat"
    assert frozen.snapshot["draft"]["title"] == "Digitalstrategie 2030"
    titles = [m["title"] for s in frozen.snapshot["sections"] for m in s["measures"]]
    assert titles == ["Freies WLAN am Markt"]
    assert frozen.snapshot["sections"][0]["measures"][0]["number"] == "1.1"


def test_publishing_shows_one_draft_per_process_and_traces_ideas_to_measures():
    process = make_process(fields=2)
    a, b = process.action_fields
    idea = make_idea(process, status=IdeaStatus.accepted, title="Freies WLAN am Markt", field=b)
    draft = _draft(process)
    _measure(draft, "Vorne", b)
    drafts.move_measure(draft, next(m for m in draft.measures if m.title == "Vorne"), "up")
    db.session.commit()
    assert drafts.taken_up(idea) == []  # not public yet
    assert drafts.published_for(process) is None

    drafts.publish(draft)
    db.session.commit()
    found = drafts.taken_up(idea)
    assert [(t["number"], t["measure"].title, t["draft"].id) for t in found] == [("2.2", "Freies WLAN am Markt", draft.id)]
    assert drafts.published_for(process).id == draft.id

    later = _draft(process, title="Zweiter Entwurf", from_accepted=False)
    withdrawn = drafts.publish(later)
    db.session.commit()
    assert [d.id for d in withdrawn] == [draft.id]
    assert db.session.get(StrategyDraft, draft.id).status == DraftStatus.draft
    assert drafts.taken_up(idea) == []  # the public draft has no measure for it
    drafts.unpublish(later)
    db.session.commit()
    assert drafts.published_for(process) is None


def test_traceability_takes_two_queries_however_many_measures():
    from tests.test_queries import count_queries

    process = make_process(fields=2)
    idea = make_idea(process, status=IdeaStatus.accepted)
    draft = _draft(process)
    drafts.publish(draft)
    for n in range(30):
        _measure(draft, f"Maßnahme {n}", process.action_fields[n % 2], ideas=[idea] if n % 3 == 0 else [])
    lonely = make_idea(process, status=IdeaStatus.accepted)
    db.session.expire_all()
    assert idea.process_id == process.id and lonely.id  # the idea page has the idea already
    with count_queries() as statements:
        found = drafts.taken_up(idea)
    assert len(found) == 11
    assert len(statements) == 2  # is it named by a published draft at all, then that draft
    with count_queries() as statements:
        assert drafts.taken_up(lonely) == []
    assert len(statements) == 1
    numbers = calc.numbers(drafts.load(draft.id))
    assert [t["number"] for t in found] == sorted((numbers[t["measure"].id] for t in found),
                                                  key=lambda n: tuple(map(int, n.split("."))))


def test_references_name_public_ideas_of_the_same_process_only():
    process, other = make_process(), make_process()
    mine = make_idea(process)
    hidden = make_idea(process, status=IdeaStatus.hidden)
    foreign = make_idea(other)
    ideas, unknown, not_public = drafts.parse_references(
        process, f"{mine.reference}, {foreign.reference};{hidden.reference} 2099-99999 #{mine.reference}")
    assert ideas == [mine]
    assert unknown == [foreign.reference, "2099-99999"]
    assert not_public == [hidden.reference]
    assert drafts.parse_references(process, "  ") == ([], [], [])
