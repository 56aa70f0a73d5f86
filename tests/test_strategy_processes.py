"""The project team sets up processes and action fields; the public sees one page per field."""
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from ideas.extensions import db
from ideas.models import ActionField, Channel, IdeaStatus, ModerationMode, Process
from ideas.strategy.forms import end_of_day, slugify, start_of_day
from ideas.strategy.presets import CITY_STRATEGY, DIGITAL_WORKSHOP
from tests.conftest import make_idea, make_process, make_user


def _urls(process, field):
    base = f"/strategy/processes/{process.id}"
    return [
        ("GET", "/strategy/processes"), ("GET", "/strategy/processes/new"), ("GET", f"{base}/edit"),
        ("GET", f"{base}/fields"), ("GET", f"{base}/fields/new"), ("GET", f"{base}/fields/{field.id}/edit"),
        ("GET", f"{base}/coverage"),
        ("POST", f"{base}/fields/{field.id}/move"), ("POST", f"{base}/fields/{field.id}/delete"),
    ]


def _process_data(**overrides):
    data = {
        "title": "Digitalstrategie Musterstadt", "slug": "", "description": "Worum es geht.",
        "ideas_from": "2027-03-01", "ideas_until": "2027-04-30",
        "support_from": "2027-03-15", "support_until": "2027-05-15",
        "moderation_mode": "pre", "support_quota": "", "report_threshold": "3", "preset": "none",
    }
    data.update(overrides)
    return data


def test_anonymous_is_sent_to_login(client):
    process = make_process()
    for method, url in _urls(process, process.action_fields[0]):
        response = client.open(url, method=method)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["citizen", "moderator"])
def test_others_are_refused(client, auth, role):
    process = make_process()
    auth.login_as(make_user(role))
    for method, url in _urls(process, process.action_fields[0]):
        assert client.open(url, method=method).status_code == 403, url


@pytest.mark.parametrize("role", ["team", "admin"])
def test_team_and_admin_see_every_page(client, auth, role):
    process = make_process()
    auth.login_as(make_user(role))
    for method, url in _urls(process, process.action_fields[0]):
        if method == "GET":
            response = client.get(url)
            assert response.status_code == 200, url
            assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("preset, expected", [("workshop", DIGITAL_WORKSHOP), ("city", CITY_STRATEGY)])
def test_create_with_preset(client, auth, preset, expected):
    auth.login_as(make_user("team"))
    response = client.post("/strategy/processes/new", data=_process_data(preset=preset))
    assert response.status_code == 302
    process = db.session.scalar(select(Process))
    assert [f.name for f in process.action_fields] == [name for name, _d, _g in expected]
    assert len(process.action_fields) == (8 if preset == "workshop" else 5)
    assert all(len(f.goals) == 2 and f.description for f in process.action_fields)
    assert [f.position for f in process.action_fields] == list(range(len(expected)))
    assert process.moderation_mode == ModerationMode.pre
    assert process.ideas_from == start_of_day(date(2027, 3, 1))
    assert process.ideas_from == datetime(2027, 2, 28, 23, 0, tzinfo=UTC)
    assert process.ideas_until == datetime(2027, 4, 30, 22, 0, tzinfo=UTC)  # summer time
    assert response.headers["Location"].endswith(f"/strategy/processes/{process.id}/fields")


def test_create_without_preset_and_channels(client, auth):
    auth.login_as(make_user("admin"))
    data = _process_data()
    data["channels"] = ["online", "workshop"]
    client.post("/strategy/processes/new", data=data)
    process = db.session.scalar(select(Process))
    assert process.action_fields == []
    assert process.channels == [Channel.online.value, Channel.workshop.value]


def test_slug_transliteration_and_clash(client, auth):
    assert slugify("Bürgerbeteiligung Straßenbau Öl") == "buergerbeteiligung-strassenbau-oel"
    assert slugify("Bildung/Kultur/Ehrenamt") == "bildung-kultur-ehrenamt"
    auth.login_as(make_user("team"))
    client.post("/strategy/processes/new", data=_process_data(title="Größere Ämter"))
    assert db.session.scalar(select(Process.slug)) == "groessere-aemter"
    client.set_cookie("lang", "en")
    response = client.post("/strategy/processes/new", data=_process_data(title="Größere Ämter"))
    assert response.status_code == 200
    assert "Another process already uses this short name" in response.get_data(as_text=True)
    assert len(db.session.scalars(select(Process)).all()) == 1


def test_until_before_from_is_refused(client, auth):
    auth.login_as(make_user("team"))
    client.set_cookie("lang", "en")
    response = client.post("/strategy/processes/new",
                           data=_process_data(ideas_from="2027-05-01", ideas_until="2027-04-01"))
    assert response.status_code == 200
    assert "must not be before the start date" in response.get_data(as_text=True)
    assert db.session.scalar(select(Process)) is None


@pytest.mark.parametrize("field, value", [("title", "Kurz"), ("support_quota", "0"), ("report_threshold", "51"),
                                          ("moderation_mode", "maybe"), ("ideas_from", "not-a-date")])
def test_invalid_input_is_refused(client, auth, field, value):
    auth.login_as(make_user("team"))
    response = client.post("/strategy/processes/new", data=_process_data(**{field: value}))
    assert response.status_code == 200
    assert db.session.scalar(select(Process)) is None


def test_edit_process(client, auth):
    process = make_process(slug="alt")
    other = make_process(slug="belegt")
    auth.login_as(make_user("team"))
    page = client.get(f"/strategy/processes/{process.id}/edit").get_data(as_text=True)
    assert 'value="alt"' in page
    data = _process_data(title="Neuer Titel", slug="neu", moderation_mode="post", support_quota="25")
    data["channels"] = ["pinboard"]
    assert client.post(f"/strategy/processes/{process.id}/edit", data=data).status_code == 302
    db.session.refresh(process)
    assert (process.title, process.slug, process.support_quota) == ("Neuer Titel", "neu", 25)
    assert process.channels == ["pinboard"]
    assert process.support_until == end_of_day(date(2027, 5, 15))
    response = client.post(f"/strategy/processes/{process.id}/edit", data=_process_data(slug=other.slug))
    assert response.status_code == 200
    db.session.refresh(process)
    assert process.slug == "neu"
    assert client.get("/strategy/processes/999999/edit").status_code == 404


def test_field_add_edit(client, auth):
    process = make_process(fields=1)
    auth.login_as(make_user("team"))
    response = client.post(f"/strategy/processes/{process.id}/fields/new", data={
        "name": "Grüne Energie", "slug": "", "description": "Strom vom Dach.",
        "goals": "Solar auf Schulen\n\n  Mieterstrom  \n", "colour": "green", "responsible_office": "Bauamt"})
    assert response.status_code == 302
    field = db.session.scalar(select(ActionField).where(ActionField.slug == "gruene-energie"))
    assert field.goals == ["Solar auf Schulen", "Mieterstrom"]
    assert (field.colour, field.responsible_office, field.position) == ("green", "Bauamt", 1)
    response = client.post(f"/strategy/processes/{process.id}/fields/new",
                           data={"name": "Doppelt", "slug": "f0", "colour": "blue"})
    assert response.status_code == 200
    response = client.post(f"/strategy/processes/{process.id}/fields/new",
                           data={"name": "Farbe", "colour": "pink"})
    assert response.status_code == 200
    assert len(db.session.scalars(select(ActionField)).all()) == 2
    response = client.post(f"/strategy/processes/{process.id}/fields/{field.id}/edit", data={
        "name": "Energie", "slug": "energie", "goals": "Eins", "colour": "teal"})
    assert response.status_code == 302
    db.session.refresh(field)
    assert (field.name, field.slug, field.goals, field.colour, field.responsible_office) == \
        ("Energie", "energie", ["Eins"], "teal", None)
    page = client.get(f"/strategy/processes/{process.id}/fields/{field.id}/edit").get_data(as_text=True)
    assert "Eins" in page


def test_field_of_another_process_is_not_found(client, auth):
    process, other = make_process(), make_process()
    auth.login_as(make_user("team"))
    foreign = other.action_fields[0].id
    assert client.get(f"/strategy/processes/{process.id}/fields/{foreign}/edit").status_code == 404
    assert client.post(f"/strategy/processes/{process.id}/fields/{foreign}/delete").status_code == 404


def test_reorder_fields(client, auth):
    process = make_process(fields=3)
    first, second, third = process.action_fields
    auth.login_as(make_user("team"))
    base = f"/strategy/processes/{process.id}/fields"
    assert client.post(f"{base}/{first.id}/move", data={"direction": "down"}).status_code == 302
    assert client.post(f"{base}/{third.id}/move", data={"direction": "up"}).status_code == 302
    assert client.post(f"{base}/{second.id}/move", data={"direction": "up"}).status_code == 302  # already first: stays
    db.session.expire_all()
    assert [f.id for f in db.session.get(Process, process.id).action_fields] == [second.id, third.id, first.id]
    assert client.post(f"{base}/{first.id}/move", data={"direction": "sideways"}).status_code == 400


def test_delete_field_refused_while_used(client, auth):
    process = make_process(fields=2)
    used, unused = process.action_fields
    make_idea(process=process, field=used)
    auth.login_as(make_user("team"))
    client.set_cookie("lang", "en")
    response = client.post(f"/strategy/processes/{process.id}/fields/{used.id}/delete", follow_redirects=True)
    assert "cannot be deleted" in response.get_data(as_text=True)
    assert client.post(f"/strategy/processes/{process.id}/fields/{unused.id}/delete").status_code == 302
    db.session.expire_all()
    assert [f.id for f in db.session.get(Process, process.id).action_fields] == [used.id]


def test_public_field_page(client):
    process = make_process(slug="stadt", fields=2)
    field, other = process.action_fields
    field.description, field.goals, field.responsible_office = "Alles zum Netz.", ["Glasfaser überall"], "Bauamt"
    db.session.commit()
    make_idea(process=process, field=field, title="Öffentliche Idee eins")
    popular = make_idea(process=process, field=field, title="Beliebte Idee zwei", status=IdeaStatus.accepted)
    popular.support_count = 9
    db.session.commit()
    make_idea(process=process, field=field, title="Versteckte Idee drei", status=IdeaStatus.hidden)
    make_idea(process=process, field=other, title="Andere Idee vier")
    page = client.get(f"/processes/stadt/fields/{field.slug}").get_data(as_text=True)
    assert "Alles zum Netz." in page and "Glasfaser überall" in page and "Bauamt" in page
    assert "Öffentliche Idee eins" in page and "Beliebte Idee zwei" in page
    assert "Versteckte Idee drei" not in page and "Andere Idee vier" not in page
    assert page.index("Beliebte Idee zwei") < page.index("Öffentliche Idee eins")
    assert client.get("/processes/stadt/fields/unbekannt").status_code == 404
    assert client.get(f"/processes/unbekannt/fields/{field.slug}").status_code == 404
    assert client.get(f"/processes/stadt/fields/{field.slug}?page=-5").status_code == 200


def test_coverage_counts(client, auth):
    process = make_process(fields=3)
    a, b, c = process.action_fields
    for status in (IdeaStatus.published, IdeaStatus.published, IdeaStatus.accepted, IdeaStatus.hidden):
        make_idea(process=process, field=a, status=status)
    make_idea(process=process, field=b, status=IdeaStatus.under_review, title="Ohne Antwort im Feld B")
    answered = make_idea(process=process, field=b, status=IdeaStatus.rejected, title="Beantwortete Idee")
    answered.answer_published_at = datetime.now(UTC)
    db.session.commit()
    make_idea(process=make_process(), status=IdeaStatus.published, title="Idee anderer Prozess")
    from ideas.strategy.coverage import counts_by_field
    counts = counts_by_field(process)
    assert counts[a.id][IdeaStatus.published] == 2 and counts[a.id][IdeaStatus.accepted] == 1
    assert counts[b.id][IdeaStatus.under_review] == 1 and counts[b.id][IdeaStatus.rejected] == 1
    assert c.id not in counts
    auth.login_as(make_user("team"))
    client.set_cookie("lang", "en")
    page = client.get(f"/strategy/processes/{process.id}/coverage").get_data(as_text=True)
    assert "<caption>" in page and 'scope="row"' in page
    assert page.count("(no accepted idea yet)") == 2  # b and c
    assert "4 public ideas without a published answer" in page
    assert "Ohne Antwort im Feld B" in page and "Beantwortete Idee" not in page
    assert "Idee anderer Prozess" not in page


def test_dot_voting_settings(client, auth):
    process = make_process(slug="punkte")
    auth.login_as(make_user("team"))
    client.set_cookie("lang", "en")
    url = f"/strategy/processes/{process.id}/edit"
    assert client.post(url, data=_process_data(slug="punkte", dot_points="10", dot_max_per_idea="3")).status_code == 302
    db.session.refresh(process)
    assert (process.dot_points, process.dot_max_per_idea) == (10, 3)
    page = client.get(url).get_data(as_text=True)
    assert 'id="dot_points"' in page and 'value="10"' in page and 'value="3"' in page
    for points, per_idea, error in [("10", "11", "from 1 to 10"), ("", "3", "points per person first"),
                                    ("0", "", "between 1 and 100"), ("101", "", "between 1 and 100")]:
        response = client.post(url, data=_process_data(slug="punkte", dot_points=points, dot_max_per_idea=per_idea))
        assert response.status_code == 200
        assert error in response.get_data(as_text=True)
    db.session.refresh(process)
    assert (process.dot_points, process.dot_max_per_idea) == (10, 3)
    assert client.post(url, data=_process_data(slug="punkte")).status_code == 302
    db.session.refresh(process)
    assert (process.dot_points, process.dot_max_per_idea) == (None, None)  # empty switches dot voting off
