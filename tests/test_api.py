"""The read-only API and open data: public ideas only, paginated, described by OpenAPI."""
import csv
import io
import json

import pytest
from sqlalchemy import select

from ideas import discussion, voting, workflow
from ideas.extensions import db
from ideas.models import IdeaStatus, utcnow
from ideas.openapi import document
from tests.conftest import make_idea, make_process, make_user
from tests.test_queries import count_queries

TYPES = {"object": dict, "array": list, "string": str, "boolean": bool}


def _resolve(schema: dict, doc: dict) -> dict:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def check(value, schema: dict, doc: dict, path: str = "$") -> None:
    """Enough of JSON Schema for our document: $ref, nullable, type, required, enum, items."""
    schema = _resolve(schema, doc)
    if value is None:
        assert schema.get("nullable"), f"{path} is null but not nullable"
        return
    kind = schema.get("type")
    if kind == "integer":
        assert isinstance(value, int) and not isinstance(value, bool), f"{path} is not an integer"
    elif kind == "number":
        assert isinstance(value, (int, float)) and not isinstance(value, bool), f"{path} is not a number"
    elif kind:
        assert isinstance(value, TYPES[kind]), f"{path} is not {kind}: {value!r}"
    if "enum" in schema:
        assert value in schema["enum"], f"{path}: {value!r} not in {schema['enum']}"
    if kind == "object":
        for name in schema.get("required", []):
            assert name in value, f"{path}.{name} is missing"
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                check(value[name], sub, doc, f"{path}.{name}")
    if kind == "array":
        for i, item in enumerate(value):
            check(item, schema.get("items", {}), doc, f"{path}[{i}]")


def conforms(response, path: str) -> dict:
    """Check a response against the document's schema for its path and status code."""
    doc = document()
    operation = doc["paths"][path]["get"]
    described = operation["responses"][str(response.status_code)]
    assert response.mimetype == "application/json"
    check(response.get_json(), described["content"]["application/json"]["schema"], doc)
    return response.get_json()


def _moved(idea, status):
    """Publish a held-back idea of a pre-moderated process, then move it on."""
    workflow.change_status(idea, IdeaStatus.published, None)
    workflow.change_status(idea, status, None)
    return idea


@pytest.fixture
def ideas(app):
    process = make_process(mode="pre")
    author = make_user(email="author@private-mail.example", display_name="Petra Privat")
    public = _moved(make_idea(process=process, author=author, status=IdeaStatus.pending,
                              title="Öffentliche Idee", field=process.action_fields[1]), IdeaStatus.accepted)
    public.answer_html = "<p>Wird umgesetzt.</p>"
    public.answer_published_at = utcnow()
    pending = make_idea(process=process, author=author, status=IdeaStatus.pending, title="Wartende Idee")
    hidden = _moved(make_idea(process=process, author=author, status=IdeaStatus.pending,
                              title="Versteckte Idee"), IdeaStatus.hidden)
    other = make_idea(status=IdeaStatus.under_review, title="Idee aus einem anderen Prozess")
    db.session.commit()
    return {"process": process, "public": public, "pending": pending, "hidden": hidden, "other": other}


def test_openapi_document_is_served(client):
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.0")
    assert set(doc["paths"]) >= {"/api/v1/processes", "/api/v1/action-fields", "/api/v1/ideas",
                                 "/api/v1/ideas/{id}"}


def test_processes(client, ideas):
    data = conforms(client.get("/api/v1/processes"), "/api/v1/processes")
    assert ideas["process"].slug in {p["slug"] for p in data["items"]}


def test_action_fields(client, ideas):
    url = f"/api/v1/action-fields?process={ideas['process'].slug}"
    data = conforms(client.get(url), "/api/v1/action-fields")
    assert [f["slug"] for f in data["items"]] == ["f0", "f1", "f2"]


@pytest.mark.parametrize("url,code", [("/api/v1/action-fields", 400), ("/api/v1/action-fields?process=nope", 404)])
def test_action_fields_errors(client, url, code):
    response = client.get(url)
    assert response.status_code == code
    assert conforms(response, "/api/v1/action-fields")["error"]["code"] == code


def test_ideas_lists_public_ideas_only(client, ideas):
    data = conforms(client.get("/api/v1/ideas"), "/api/v1/ideas")
    titles = {i["title"] for i in data["items"]}
    assert titles == {"Öffentliche Idee", "Idee aus einem anderen Prozess"}
    assert data["total"] == 2 and data["page"] == 1 and data["pages"] == 1


def test_ideas_filters(client, ideas):
    slug = ideas["process"].slug
    by_process = conforms(client.get(f"/api/v1/ideas?process={slug}"), "/api/v1/ideas")
    assert [i["id"] for i in by_process["items"]] == [ideas["public"].id]
    by_field = conforms(client.get(f"/api/v1/ideas?process={slug}&field=f1"), "/api/v1/ideas")
    assert [i["action_field"] for i in by_field["items"]] == ["f1"]
    assert conforms(client.get(f"/api/v1/ideas?process={slug}&field=f0"), "/api/v1/ideas")["total"] == 0
    by_status = conforms(client.get("/api/v1/ideas?status=under_review"), "/api/v1/ideas")
    assert [i["id"] for i in by_status["items"]] == [ideas["other"].id]
    found = conforms(client.get("/api/v1/ideas?q=anderen"), "/api/v1/ideas")
    assert [i["id"] for i in found["items"]] == [ideas["other"].id]


def test_ideas_sort_by_support(client, ideas):
    ideas["public"].support_count = 7  # supports ended with the decision; the counter stays
    db.session.commit()
    data = conforms(client.get("/api/v1/ideas?sort=supported"), "/api/v1/ideas")
    assert data["items"][0]["id"] == ideas["public"].id


@pytest.mark.parametrize("query", ["status=pending", "status=hidden", "sort=oldest", "field=f0",
                                   "page=0", "per_page=abc", "page=-1"])
def test_ideas_bad_filters_are_400(client, ideas, query):
    response = client.get(f"/api/v1/ideas?{query}")
    assert response.status_code == 400
    conforms(response, "/api/v1/ideas")


def test_ideas_unknown_process_is_404(client):
    response = client.get("/api/v1/ideas?process=nope")
    assert response.status_code == 404
    conforms(response, "/api/v1/ideas")


def test_pagination(client, app):
    process = make_process()
    author = make_user()
    for i in range(5):
        make_idea(process=process, author=author, title=f"Idee Nummer {i} für die Stadt")
    first = conforms(client.get("/api/v1/ideas?per_page=2"), "/api/v1/ideas")
    assert (first["total"], first["pages"], first["per_page"], len(first["items"])) == (5, 3, 2, 2)
    assert first["total_exact"] is True and first["next_page"] == 2
    last = conforms(client.get("/api/v1/ideas?per_page=2&page=3"), "/api/v1/ideas")
    assert len(last["items"]) == 1 and last["next_page"] is None
    full = conforms(client.get("/api/v1/ideas?per_page=5"), "/api/v1/ideas")
    assert len(full["items"]) == 5 and full["next_page"] is None
    beyond = conforms(client.get("/api/v1/ideas?per_page=2&page=9"), "/api/v1/ideas")
    assert beyond["items"] == []
    capped = conforms(client.get("/api/v1/ideas?per_page=1000"), "/api/v1/ideas")
    assert capped["per_page"] == 100


def test_a_large_total_is_counted_up_to_the_bound_and_next_page_still_walks_all(client, monkeypatch):
    from ideas import api
    monkeypatch.setattr(api, "COUNT_BOUND", 3)
    process = make_process()
    author = make_user()
    made = [make_idea(process=process, author=author, title=f"Idee Nummer {i} für die Stadt").id for i in range(5)]
    first = conforms(client.get("/api/v1/ideas?per_page=2"), "/api/v1/ideas")
    assert (first["total"], first["total_exact"], first["pages"]) == (3, False, 2)
    seen, page = [], 1
    while page is not None:
        data = conforms(client.get(f"/api/v1/ideas?per_page=2&page={page}"), "/api/v1/ideas")
        seen += [i["id"] for i in data["items"]]
        page = data["next_page"]
    assert sorted(seen) == sorted(made)


def test_the_list_counts_no_further_than_its_bound(client):
    """Counting every idea was a third of the list's cost at 100,000 ideas."""
    from tests.test_queries import count_queries

    process = make_process()
    author = make_user()
    for i in range(3):
        make_idea(process=process, author=author, title=f"Idee Nummer {i} für die Stadt")
    with count_queries() as statements:
        client.get("/api/v1/ideas")
    [counting] = [s for s in statements if "count(" in s.lower()]
    assert "LIMIT" in counting.upper()


def test_one_idea(client, ideas):
    data = conforms(client.get(f"/api/v1/ideas/{ideas['public'].id}"), "/api/v1/ideas/{id}")
    assert data["answer"] == "Wird umgesetzt."
    assert data["status"] == "accepted"


@pytest.mark.parametrize("which", ["pending", "hidden"])
def test_non_public_idea_is_404_json(client, ideas, which):
    response = client.get(f"/api/v1/ideas/{ideas[which].id}")
    assert response.status_code == 404
    assert conforms(response, "/api/v1/ideas/{id}")["error"]["code"] == 404


def test_api_has_no_personal_data(client, ideas):
    discussion.add_comment(make_user(display_name="Kim Kommentar"), ideas["public"], "Super")
    db.session.commit()
    for url in ["/api/v1/ideas", f"/api/v1/ideas/{ideas['public'].id}", "/open-data/ideas.json",
                "/open-data/ideas.csv"]:
        text = client.get(url).get_data(as_text=True)
        assert "private-mail" not in text and "Petra Privat" not in text and "Kim Kommentar" not in text


def test_open_data_json(client, ideas, app):
    app.config["OPEN_DATA_LICENCE"] = "dl-de/by-2-0"
    response = client.get("/open-data/ideas.json")
    data = conforms(response, "/open-data/ideas.json")
    assert data["licence"] == "dl-de/by-2-0" and response.headers["X-License"] == "dl-de/by-2-0"
    assert {i["id"] for i in data["items"]} == {ideas["public"].id, ideas["other"].id}


def test_open_data_csv_excludes_pending_and_hidden(client, ideas):
    response = client.get("/open-data/ideas.csv")
    assert response.status_code == 200
    assert response.headers["X-License"] == "CC BY 4.0"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    text = response.data.decode("utf-8-sig")
    assert len(rows) == 3
    assert "Öffentliche Idee" in text and "Wird umgesetzt." in text
    assert "Wartende Idee" not in text and "Versteckte Idee" not in text


def _fill(process, n):
    people = [make_user() for _ in range(3)]
    for i in range(n):
        idea = make_idea(process=process, author=people[i % 3], title=f"Idee Nummer {i} für Musterstadt",
                         field=process.action_fields[i % len(process.action_fields)])
        voting.add_support(people[(i + 1) % 3], idea)
    db.session.commit()


def _count(client, url):
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


@pytest.mark.parametrize("url", ["/api/v1/ideas?per_page=100", "/api/v1/ideas?process={slug}&field=f1",
                                 "/open-data/ideas.json"])
def test_query_count_does_not_grow(client, app, url):
    small, large = make_process(slug="small"), make_process(slug="large")
    _fill(small, 3)
    few = _count(client, url.format(slug="small"))
    _fill(large, 25)
    many = _count(client, url.format(slug="large"))
    assert few == many


def _fetch_as_in_production(app, *urls):
    """Status, streamed?, body per URL, fetched without the test's app context around the request
    (as under gunicorn): Flask closes the view's session before the body is sent."""
    import threading
    results = {}

    def fetch():
        client = app.test_client()
        for url in urls:
            response = client.get(url)
            results[url] = (response.status_code, response.is_streamed, response.get_data())

    worker = threading.Thread(target=fetch)
    worker.start()
    worker.join(60)
    return [results[url] for url in urls]


@pytest.mark.parametrize("batch", [2, 500])
def test_open_data_is_streamed_and_unchanged(client, app, ideas, monkeypatch, batch):
    from flask import jsonify

    from ideas import api, exports
    from ideas.models import PUBLIC_STATUSES, Idea
    monkeypatch.setattr(api, "STREAM_BATCH", batch)
    _fill(make_process(slug="more"), 4)
    with app.test_request_context("/open-data/ideas.json"):
        public = db.session.scalars(select(Idea).where(Idea.status.in_(PUBLIC_STATUSES)).order_by(Idea.id)).all()
        expected_json = jsonify(licence="CC BY 4.0", items=[api.idea_json(i) for i in public]).get_data()
        expected_csv = exports.to_csv(exports.idea_rows(None, public_only=True))
    assert len(public) == 6
    got_json, got_csv = _fetch_as_in_production(app, "/open-data/ideas.json", "/open-data/ideas.csv")
    assert got_json[:2] == (200, True) and got_csv[:2] == (200, True)
    assert json.loads(got_json[2]) == json.loads(expected_json)
    assert got_json[2] == expected_json and got_csv[2] == expected_csv
    assert len(list(csv.reader(io.StringIO(got_csv[2].decode("utf-8-sig")), delimiter=";"))) == 7


def test_open_data_for_an_unknown_process_is_404_before_streaming(client, ideas):
    for url in ["/open-data/ideas.json?process=nope", "/open-data/ideas.csv?process=nope"]:
        response = client.get(url)
        assert response.status_code == 404 and response.json["error"]["code"] == 404
