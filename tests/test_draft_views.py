"""The draft editor over HTTP: who may use it, what each form does, and that bad input writes nothing."""
import pytest
from sqlalchemy import select

from ideas import drafts, measures
from ideas.extensions import db
from ideas.models import DraftStatus, DraftVersion, IdeaStatus, Measure, Priority, StrategyDraft, Workshop, WorkshopDots
from tests.conftest import count, make_idea, make_process, make_user
from tests.test_queries import count_queries


def _setup(from_accepted=True):
    process = make_process(fields=2)
    ideas = [make_idea(process, status=IdeaStatus.accepted, title=f"Angenommene Idee {n}",
                       field=process.action_fields[n % 2]) for n in range(3)]
    draft = drafts.create(process, "Digitalstrategie 2030", from_accepted=from_accepted)
    db.session.commit()
    return process, drafts.load(draft.id), ideas


def _urls(process, draft):
    section, measure = draft.sections[0], draft.measures[0]
    base = f"/strategy/drafts/{draft.id}"
    return [
        ("GET", f"/strategy/processes/{process.id}/drafts"), ("GET", f"/strategy/processes/{process.id}/drafts/new"),
        ("GET", base), ("GET", f"{base}/edit"), ("GET", f"{base}/delete"),
        ("GET", f"{base}/sections/{section.id}/goals"), ("GET", f"{base}/measures/new"),
        ("GET", f"{base}/measures/{measure.id}/edit"), ("GET", f"{base}/measures/{measure.id}/delete"),
        ("POST", f"{base}/sections/{section.id}/move"), ("POST", f"{base}/measures/{measure.id}/move"),
        ("POST", f"{base}/merge"), ("POST", f"{base}/sort"), ("POST", f"{base}/versions"),
        ("POST", f"{base}/publish"), ("POST", f"{base}/unpublish"), ("POST", f"{base}/delete"),
    ]


def _page(client, draft):
    return client.get(f"/strategy/drafts/{draft.id}")


# --- who may use it ---------------------------------------------------------------------------

def test_anonymous_visitors_are_sent_to_the_login(client):
    process, draft, _ideas = _setup()
    for method, url in _urls(process, draft):
        response = client.open(url, method=method)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["citizen", "moderator"])
def test_citizens_and_moderators_are_refused(client, auth, role):
    process, draft, _ideas = _setup()
    auth.login_as(role)
    for method, url in _urls(process, draft):
        assert client.open(url, method=method).status_code == 403, url
    assert count(StrategyDraft) == 1 and db.session.get(StrategyDraft, draft.id).status == DraftStatus.draft


@pytest.mark.parametrize("role", ["team", "admin"])
def test_team_and_admin_see_every_page(client, auth, role):
    process, draft, _ideas = _setup()
    auth.login_as(role)
    for method, url in _urls(process, draft):
        if method == "GET":
            response = client.get(url)
            assert response.status_code == 200, url
            assert response.headers["Cache-Control"] == "no-store"


def test_ids_of_another_draft_are_not_found(client, auth):
    _process, draft, _ideas = _setup()
    _other_process, other, _ = _setup()
    auth.login_as("team")
    base = f"/strategy/drafts/{draft.id}"
    foreign_section, foreign_measure = other.sections[0].id, other.measures[0].id
    assert client.get(f"{base}/sections/{foreign_section}/goals").status_code == 404
    assert client.post(f"{base}/sections/{foreign_section}/move", data={"direction": "up"}).status_code == 404
    assert client.get(f"{base}/measures/{foreign_measure}/edit").status_code == 404
    assert client.post(f"{base}/measures/{foreign_measure}/move", data={"direction": "up"}).status_code == 404
    assert client.post(f"{base}/measures/{foreign_measure}/delete").status_code == 404
    mine = draft.measures[0].id
    assert client.post(f"{base}/merge", data={"measures": [mine, foreign_measure], "confirm": "yes"}).status_code == 404
    assert client.post(f"{base}/merge", data={"measures": [mine, "x"], "confirm": "yes"}).status_code == 404
    assert client.get("/strategy/drafts/99999999999").status_code == 404
    assert count(Measure) == 6


# --- creating and editing the draft ------------------------------------------------------------------

def test_create_a_draft_from_the_accepted_ideas(client, auth, english):
    process = make_process(fields=2)
    make_idea(process, status=IdeaStatus.accepted, title="Freies WLAN am Markt")
    make_idea(process, status=IdeaStatus.rejected, title="Abgelehnte Idee")
    auth.login_as("team")
    form = client.get(f"/strategy/processes/{process.id}/drafts/new").get_data(as_text=True)
    checkbox = next(tag for tag in form.split("<input")[1:] if 'name="from_accepted"' in tag).split(">")[0]
    assert " checked" in checkbox
    response = client.post(f"/strategy/processes/{process.id}/drafts/new", data={
        "title": "Digitalstrategie 2030", "vision": "Eine digitale Stadt", "principles": "",
        "support_weight": "2", "dot_weight": "3", "from_accepted": "y"})
    draft = db.session.scalar(select(StrategyDraft))
    assert response.headers["Location"].endswith(f"/strategy/drafts/{draft.id}")
    assert (draft.support_weight, draft.dot_weight, draft.vision) == (2, 3, "Eine digitale Stadt")
    assert [m.title for m in draft.measures] == ["Freies WLAN am Markt"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 support = 2 points, 1 dot = 3 points." in page
    assert "Freies WLAN am Markt" in page and "1.1" in page


def test_create_without_the_accepted_ideas(client, auth):
    process = make_process(fields=2)
    make_idea(process, status=IdeaStatus.accepted)
    auth.login_as("team")
    client.post(f"/strategy/processes/{process.id}/drafts/new", data={
        "title": "Leerer Entwurf", "support_weight": "1", "dot_weight": "1"})
    draft = db.session.scalar(select(StrategyDraft))
    assert draft.measures == [] and len(draft.sections) == 2


@pytest.mark.parametrize("data", [
    {"title": "", "support_weight": "1", "dot_weight": "1"},
    {"title": "Gültiger Titel", "support_weight": "101", "dot_weight": "1"},
    {"title": "Gültiger Titel", "support_weight": "1", "dot_weight": "viele"},
    {"title": "Gültiger Titel", "support_weight": "-1", "dot_weight": "1"},
])
def test_bad_draft_input_shows_an_error_and_writes_nothing(client, auth, data):
    process, draft, _ideas = _setup()
    auth.login_as("team")
    response = client.post(f"/strategy/processes/{process.id}/drafts/new", data=data)
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert count(StrategyDraft) == 1
    response = client.post(f"/strategy/drafts/{draft.id}/edit", data=data)
    assert response.status_code == 200
    assert 'class="error-summary"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert (draft.title, draft.support_weight, draft.dot_weight) == ("Digitalstrategie 2030", 1, 1)


def test_edit_goals_one_per_line(client, auth):
    _process, draft, _ideas = _setup()
    section = draft.sections[1]
    auth.login_as("team")
    response = client.post(f"/strategy/drafts/{draft.id}/sections/{section.id}/goals",
                           data={"goals": "Glasfaser bis 2030\n\n  Offene Daten  \r\n"})
    assert response.headers["Location"].endswith(f"#section-{section.id}")
    db.session.expire_all()
    assert section.goals == ["Glasfaser bis 2030", "Offene Daten"]


def test_delete_a_draft_after_confirming(client, auth, english):
    process, draft, _ideas = _setup()
    auth.login_as("team")
    confirm = client.get(f"/strategy/drafts/{draft.id}/delete").get_data(as_text=True)
    assert "Its 3 measures are deleted." in confirm
    assert count(StrategyDraft) == 1
    response = client.post(f"/strategy/drafts/{draft.id}/delete")
    assert response.headers["Location"].endswith(f"/strategy/processes/{process.id}/drafts")
    assert count(StrategyDraft) == 0 and count(Measure) == 0


# --- measures -----------------------------------------------------------------------------------

def _measure_data(**overrides):
    data = {"title": "Glasfaser für alle Schulen", "description": "Bis 2028.\n\nMit Förderung.",
            "action_field": "", "priority": "high", "rank": "", "time_frame": "2027–2028",
            "responsible_office": "Schulamt", "status": "in_progress", "ideas": ""}
    data.update(overrides)
    return data


def test_add_a_measure_to_a_field(client, auth):
    process, draft, ideas = _setup()
    field = process.action_fields[1]
    auth.login_as("team")
    form = client.get(f"/strategy/drafts/{draft.id}/measures/new?field={field.id}").get_data(as_text=True)
    assert f'<option selected value="{field.id}">' in form or f'value="{field.id}" selected' in form
    response = client.post(f"/strategy/drafts/{draft.id}/measures/new", data=_measure_data(
        action_field=str(field.id), ideas=f"{ideas[0].reference}, {ideas[1].reference}"))
    measure = db.session.scalar(select(Measure).where(Measure.title == "Glasfaser für alle Schulen"))
    assert response.headers["Location"].endswith(f"#measure-{measure.id}")
    assert measure.action_field_id == field.id and measure.priority == Priority.high
    assert measure.description == "Bis 2028.\n\nMit Förderung."
    assert [i.id for i in measure.ideas] == [ideas[0].id, ideas[1].id]  # an idea may feed several measures
    assert measures.numbers(drafts.load(draft.id))[measure.id] == "2.2"


@pytest.mark.parametrize("references", ["2099-99999", "other", "hidden", "2026-1, , ;"])
def test_unknown_or_foreign_source_ideas_are_refused_and_nothing_is_saved(client, auth, references):
    process, draft, ideas = _setup()
    measure = draft.measures[0]
    before = (measure.title, [i.id for i in measure.ideas])
    if references == "other":
        references = f"{ideas[0].reference}, {make_idea(make_process()).reference}"
    elif references == "hidden":
        references = make_idea(process, status=IdeaStatus.hidden).reference
    auth.login_as("team")
    response = client.post(f"/strategy/drafts/{draft.id}/measures/{measure.id}/edit",
                           data=_measure_data(ideas=references))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="ideas-error"' in page and 'aria-describedby="ideas-hint ideas-error"' in page
    db.session.expire_all()
    assert (measure.title, [i.id for i in measure.ideas]) == before


def test_bad_measure_input_writes_nothing(client, auth):
    _process, draft, _ideas = _setup()
    measure = draft.measures[0]
    auth.login_as("team")
    for data in (_measure_data(title=""), _measure_data(priority="urgent"), _measure_data(action_field="999999"),
                 _measure_data(rank="zwei"), _measure_data(status="cancelled"), _measure_data(time_frame="x" * 81)):
        response = client.post(f"/strategy/drafts/{draft.id}/measures/{measure.id}/edit", data=data)
        assert response.status_code == 200
        assert 'aria-invalid="true"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert measure.title == "Angenommene Idee 0"


def test_edit_moves_a_measure_to_another_field_last(client, auth):
    process, draft, ideas = _setup()
    first_field, second_field = process.action_fields
    measure = next(m for m in draft.measures if m.action_field_id == first_field.id)
    auth.login_as("team")
    client.post(f"/strategy/drafts/{draft.id}/measures/{measure.id}/edit", data=_measure_data(
        action_field=str(second_field.id), ideas=ideas[0].reference, rank="3"))
    db.session.expire_all()
    loaded = drafts.load(draft.id)
    in_second = sorted((m for m in loaded.measures if m.action_field_id == second_field.id), key=lambda m: m.position)
    assert in_second[-1].id == measure.id and measure.rank == 3


def test_move_a_measure_with_and_without_htmx(client, auth, english):
    process, draft, _ideas = _setup()
    field = process.action_fields[0]
    auth.login_as("team")
    first, second = sorted((m for m in draft.measures if m.action_field_id == field.id), key=lambda m: m.position)
    page = _page(client, draft).get_data(as_text=True)
    # Each measure offers the moves it can make within its field; a lone measure offers none.
    assert f'id="move-measure-{first.id}-down"' in page and f'id="move-measure-{first.id}-up"' not in page
    assert f'id="move-measure-{second.id}-up"' in page and f'id="move-measure-{second.id}-down"' not in page
    lone = next(m for m in draft.measures if m.action_field_id != field.id)
    assert f'id="move-measure-{lone.id}-' not in page
    response = client.post(f"/strategy/drafts/{draft.id}/measures/{second.id}/move", data={"direction": "up"})
    assert response.headers["Location"].endswith(f"#measure-{second.id}")
    db.session.expire_all()
    assert second.position < first.position
    response = client.post(f"/strategy/drafts/{draft.id}/measures/{second.id}/move", data={"direction": "down"},
                           headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert body.startswith('<div id="draft-measures"') or 'id="draft-measures"' in body.split("\n")[1]
    assert 'hx-swap-oob="innerHTML"' in body and "is now measure 1.2" in body
    db.session.expire_all()
    assert first.position < second.position
    assert client.post(f"/strategy/drafts/{draft.id}/measures/{second.id}/move",
                       data={"direction": "sideways"}).status_code == 400


def test_move_a_section(client, auth):
    process, draft, _ideas = _setup()
    second = draft.sections[1]
    auth.login_as("team")
    client.post(f"/strategy/drafts/{draft.id}/sections/{second.id}/move", data={"direction": "up"})
    db.session.expire_all()
    assert [s.action_field_id for s in drafts.load(draft.id).sections] == [
        process.action_fields[1].id, process.action_fields[0].id]


def test_delete_a_measure_after_confirming(client, auth, english):
    _process, draft, _ideas = _setup()
    measure = draft.measures[0]
    auth.login_as("team")
    page = client.get(f"/strategy/drafts/{draft.id}/measures/{measure.id}/delete").get_data(as_text=True)
    assert f"“{measure.title}”?" in page
    assert count(Measure) == 3
    client.post(f"/strategy/drafts/{draft.id}/measures/{measure.id}/delete")
    assert count(Measure) == 2


def test_merge_ticked_measures_after_confirming(client, auth, english):
    process, draft, ideas = _setup()
    field = process.action_fields[0]
    first, second = sorted((m for m in draft.measures if m.action_field_id == field.id), key=lambda m: m.position)
    workshop = Workshop(process_id=process.id, name="Werkstatt")
    db.session.add(workshop)
    db.session.flush()
    db.session.add(WorkshopDots(workshop_id=workshop.id, measure_id=second.id, dots=4))
    second.workshop_dots = 4
    db.session.commit()
    auth.login_as("team")
    url = f"/strategy/drafts/{draft.id}/merge"

    response = client.post(url, data={"measures": [first.id]})
    assert response.status_code == 302
    assert "at least two" in client.get(response.headers["Location"]).get_data(as_text=True)

    confirm = client.post(url, data={"measures": [second.id, first.id]})
    assert confirm.status_code == 200 and "This measure stays" in confirm.get_data(as_text=True)
    assert count(Measure) == 3

    response = client.post(url, data={"measures": [second.id, first.id], "confirm": "yes"})
    assert response.headers["Location"].endswith(f"#measure-{first.id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Measure 1.2 “{second.title}” has been merged into measure 1.1" in page
    db.session.expire_all()
    assert count(Measure) == 2
    assert sorted(i.id for i in first.ideas) == sorted([ideas[0].id, ideas[2].id])
    assert first.workshop_dots == 4 and count(WorkshopDots, WorkshopDots.measure_id == first.id) == 1


def test_sort_by_combined_priority(client, auth, english):
    process, draft, ideas = _setup()
    field = process.action_fields[0]
    ideas[2].support_count = 7  # the second measure of the first field
    db.session.commit()
    auth.login_as("team")
    response = client.post(f"/strategy/drafts/{draft.id}/sort")
    assert "sorted by combined priority" in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    ordered = sorted((m for m in drafts.load(draft.id).measures if m.action_field_id == field.id),
                     key=lambda m: m.position)
    assert ordered[0].ideas == [ideas[2]]


# --- versions and publishing -----------------------------------------------------------------------

def test_freeze_a_version(client, auth, english):
    _process, draft, _ideas = _setup()
    auth.login_as("team")
    response = client.post(f"/strategy/drafts/{draft.id}/versions", data={"label": ""})
    assert response.status_code == 200 and 'id="label-error"' in response.get_data(as_text=True)
    assert count(DraftVersion) == 0
    response = client.post(f"/strategy/drafts/{draft.id}/versions", data={"label": "Vorlage für den Stadtrat"})
    assert response.headers["Location"].endswith("#versions")
    version = db.session.scalar(select(DraftVersion))
    assert version.label == "Vorlage für den Stadtrat" and version.snapshot["draft"]["id"] == draft.id
    page = _page(client, draft).get_data(as_text=True)
    assert f"/strategy/versions/{version.id}/print" in page
    assert f"/strategy/versions/{version.id}/export.docx" in page and f"/strategy/versions/{version.id}/export.md" in page
    assert f"/strategy/drafts/{draft.id}/export.docx" in page and f"/strategy/drafts/{draft.id}/print" in page


def test_publish_shows_the_draft_and_traces_the_ideas(client, auth, english):
    process, draft, ideas = _setup()
    staff = make_user("team")
    auth.login_as(staff)
    assert client.get(f"/processes/{process.slug}/strategy").status_code == 404
    client.post(f"/strategy/drafts/{draft.id}/publish")
    db.session.expire_all()
    assert draft.status == DraftStatus.published and draft.published_at is not None

    auth.logout()
    public = client.get(f"/processes/{process.slug}/strategy")
    assert public.status_code == 200
    text = public.get_data(as_text=True)
    assert ideas[1].title in text and f"/ideas/{ideas[1].id}" in text
    measure = next(m for m in draft.measures if ideas[1] in m.ideas)
    idea_page = client.get(f"/ideas/{ideas[1].id}").get_data(as_text=True)
    assert f"Taken up in measure 2.1 “{measure.title}” of the strategy draft “Digitalstrategie 2030”" in idea_page
    assert f"/processes/{process.slug}/strategy#measure-{measure.id}" in idea_page

    auth.login_as(staff)
    client.post(f"/strategy/drafts/{draft.id}/unpublish")
    auth.logout()
    assert client.get(f"/processes/{process.slug}/strategy").status_code == 404
    assert "Taken up in measure" not in client.get(f"/ideas/{ideas[1].id}").get_data(as_text=True)
    assert client.get("/processes/nothing-here/strategy").status_code == 404


def test_the_public_page_links_only_public_ideas(client, auth):
    process, draft, ideas = _setup()
    drafts.publish(draft)
    hidden = make_idea(process, status=IdeaStatus.hidden, title="Versteckte Idee")
    draft.measures[0].ideas.append(hidden)
    db.session.commit()
    text = client.get(f"/processes/{process.slug}/strategy").get_data(as_text=True)
    assert "Versteckte Idee" not in text and ideas[0].title in text


# --- performance ------------------------------------------------------------------------------

def _fill(draft, process, n):
    people = [make_idea(process, status=IdeaStatus.accepted, title=f"Quelle {i}") for i in range(3)]
    for i in range(n):
        drafts.add_measure(draft, process.action_fields[i % 2], title=f"Maßnahme {i}").ideas = people[: 1 + i % 3]
    db.session.commit()


def test_the_draft_page_runs_the_same_queries_for_10_and_60_measures(client, auth):
    process, draft, _ideas = _setup(from_accepted=False)
    version = DraftVersion(draft_id=draft.id, label="v1", snapshot={})
    db.session.add(version)
    db.session.commit()
    auth.login_as("team")
    _fill(draft, process, 10)
    with count_queries() as small:
        assert _page(client, draft).status_code == 200
    _fill(drafts.load(draft.id), process, 50)
    with count_queries() as large:
        assert _page(client, draft).status_code == 200
    assert len(small) == len(large)
    assert len(large) <= 12
    drafts.publish(draft)
    db.session.commit()
    auth.logout()
    with count_queries() as public:
        assert client.get(f"/processes/{process.slug}/strategy").status_code == 200
    assert len(public) <= 10
