"""Workshop results back in: dots typed in or uploaded, replacing per workshop, counted on ideas and measures."""
import csv
import io
from concurrent.futures import ThreadPoolExecutor

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from ideas import workshops
from ideas.extensions import db
from ideas.models import Idea, IdeaStatus, Measure, StrategyDraft, Workshop, WorkshopDots
from ideas.workshops import Line
from tests.conftest import count, fresh, make_idea, make_process, make_user, sheet_bytes
from tests.test_queries import count_queries


def make_workshop(process, name="Digital-Werkstatt Stadthalle", **kwargs) -> Workshop:
    workshop = Workshop(process_id=process.id, name=name, **kwargs)
    db.session.add(workshop)
    db.session.commit()
    return workshop


def make_measure(process, title="Freies WLAN an allen Schulen") -> Measure:
    draft = StrategyDraft(process_id=process.id, title="Entwurf 1")
    draft.measures.append(Measure(title=title, action_field_id=process.action_fields[0].id))
    db.session.add(draft)
    db.session.commit()
    return draft.measures[0]


def ideas_of(process, n):
    return [make_idea(process, title=f"Idee Nummer {i} für die Werkstatt", status=IdeaStatus.accepted)
            for i in range(n)]


def enter(workshop, process, pairs):
    """Check and record (reference, dots) pairs as the view does; returns the checked lines."""
    lines = workshops.check_lines(process, [Line(i, ref, str(d)) for i, (ref, d) in enumerate(pairs, 1)])
    if all(line.valid for line in lines):
        workshops.record(workshop, lines)
        db.session.commit()
    else:
        db.session.rollback()
    return lines


def assert_counters_are_sums():
    """Every idea's and measure's counter equals the sum over its WorkshopDots rows."""
    db.session.expire_all()
    for model, column in ((Idea, WorkshopDots.idea_id), (Measure, WorkshopDots.measure_id)):
        sums = dict(db.session.execute(
            select(column, func.sum(WorkshopDots.dots)).where(column.is_not(None)).group_by(column)).all())
        for obj_id, cached in db.session.execute(select(model.id, model.workshop_dots)):
            assert cached == sums.get(obj_id, 0), (model.__name__, obj_id)


def dots_of(workshop, idea):
    return db.session.scalar(select(WorkshopDots.dots).where(
        WorkshopDots.workshop_id == workshop.id, WorkshopDots.idea_id == idea.id))


# --- domain, without HTTP -------------------------------------------------------------------

def test_a_number_replaces_the_workshops_count_and_other_workshops_add_up(app):
    process = make_process()
    idea = ideas_of(process, 1)[0]
    first, second = make_workshop(process), make_workshop(process, name="Jugendworkshop")

    enter(first, process, [(idea.reference, 5)])
    enter(first, process, [(idea.reference, 3)])  # a correction, not 8
    enter(second, process, [(idea.reference, 4)])

    assert dots_of(first, idea) == 3 and dots_of(second, idea) == 4
    assert fresh(idea).workshop_dots == 7
    assert_counters_are_sums()


def test_zero_removes_the_row(app):
    process = make_process()
    idea, other = ideas_of(process, 2)
    workshop = make_workshop(process)
    enter(workshop, process, [(idea.reference, 6), (other.reference, 2)])

    enter(workshop, process, [(idea.reference, 0)])

    assert count(WorkshopDots) == 1
    assert fresh(idea).workshop_dots == 0 and fresh(other).workshop_dots == 2
    assert_counters_are_sums()


def test_a_reference_read_out_twice_adds_up(app):
    process = make_process()
    idea = ideas_of(process, 1)[0]
    workshop = make_workshop(process)

    enter(workshop, process, [(idea.reference, 3), (idea.reference.split("-")[1], 4)])

    assert dots_of(workshop, idea) == 7
    assert fresh(idea).workshop_dots == 7


def test_one_bad_row_saves_nothing(app):
    process = make_process()
    good, kept = ideas_of(process, 2)
    workshop = make_workshop(process)
    enter(workshop, process, [(kept.reference, 2)])

    lines = enter(workshop, process, [(good.reference, 5), ("2026-99999", 2), (kept.reference, "viele")])

    assert [line.valid for line in lines] == [True, False, False]
    assert lines[1].error("reference") and lines[1].error("dots") is None
    assert lines[2].error("dots") and lines[2].error("reference") is None
    with pytest.raises(ValueError):
        workshops.record(workshop, lines)
    db.session.rollback()
    assert dots_of(workshop, good) is None and dots_of(workshop, kept) == 2
    assert_counters_are_sums()


def test_references_of_another_process_are_refused(app, english_messages):
    process, other = make_process(), make_process()
    foreign_idea = ideas_of(other, 1)[0]
    foreign_measure = make_measure(other)
    workshop = make_workshop(process)

    lines = enter(workshop, process, [(foreign_idea.reference, 3), (foreign_measure.reference, 2),
                                      (str(foreign_idea.id), 1)])

    assert not any(line.valid for line in lines)
    assert "another process" in lines[0].error("reference")
    assert "another process" in lines[1].error("reference")
    assert "no idea" in lines[2].error("reference")
    assert count(WorkshopDots) == 0


def test_measures_get_dots_by_their_reference(app):
    process = make_process()
    measure = make_measure(process)
    workshop = make_workshop(process)

    enter(workshop, process, [(measure.reference.lower(), 9)])
    enter(workshop, process, [(f"M {measure.id}", 4)])

    db.session.expire_all()
    assert db.session.get(Measure, measure.id).workshop_dots == 4
    assert_counters_are_sums()


def test_a_number_without_year_must_be_unambiguous(app, english_messages):
    process = make_process()
    first, second = ideas_of(process, 2)
    first.reference, second.reference = "2025-00077", "2026-00077"
    db.session.commit()
    workshop = make_workshop(process)

    lines = enter(workshop, process, [("77", 3)])
    assert "Several ideas" in lines[0].error("reference")

    enter(workshop, process, [("Nr. 2026-77", 3)])
    assert dots_of(workshop, second) == 3 and dots_of(workshop, first) is None


@pytest.mark.parametrize("text, ok", [("0", True), ("999", True), ("12.0", True), ("1000", False),
                                      ("-1", False), ("2.5", False), ("zwölf", False), ("", False)])
def test_dots_must_be_a_whole_number_up_to_999(app, text, ok):
    process = make_process()
    idea = ideas_of(process, 1)[0]
    lines = workshops.check_lines(process, [Line(1, idea.reference, text)])
    assert lines[0].valid is ok
    assert (lines[0].error("dots") is None) is ok


def test_hidden_ideas_get_no_dots_but_can_lose_them(app):
    process = make_process()
    idea = ideas_of(process, 1)[0]
    workshop = make_workshop(process)
    enter(workshop, process, [(idea.reference, 4)])
    idea.status = IdeaStatus.hidden
    db.session.commit()

    assert not enter(workshop, process, [(idea.reference, 5)])[0].valid
    assert enter(workshop, process, [(idea.reference, 0)])[0].valid
    assert fresh(idea).workshop_dots == 0


def test_deleting_a_workshop_lowers_the_counters(app):
    process = make_process()
    idea, other = ideas_of(process, 2)
    measure = make_measure(process)
    kept, removed = make_workshop(process), make_workshop(process, name="Seniorentreff")
    enter(kept, process, [(idea.reference, 2)])
    enter(removed, process, [(idea.reference, 5), (other.reference, 1), (measure.reference, 3)])
    assert fresh(idea).workshop_dots == 7

    workshops.delete_workshop(removed)
    db.session.commit()

    assert count(Workshop) == 1 and count(WorkshopDots) == 1
    assert fresh(idea).workshop_dots == 2 and fresh(other).workshop_dots == 0
    assert db.session.get(Measure, measure.id).workshop_dots == 0
    assert_counters_are_sums()


def test_ranking_shares_ranks_for_equal_counts(app):
    process = make_process()
    a, b, c = ideas_of(process, 3)
    workshop = make_workshop(process)
    enter(workshop, process, [(a.reference, 2), (b.reference, 9), (c.reference, 9)])

    ranking = workshops.ranking(workshop)

    assert [(r.rank, r.dots) for r in ranking] == [(1, 9), (1, 9), (3, 2)]
    assert ranking[2].target.id == a.id


# --- views ----------------------------------------------------------------------------------

def _urls(process, workshop):
    base = f"/strategy/processes/{process.id}/workshops"
    return [("GET", base), ("GET", f"{base}/new"), ("GET", f"{base}/{workshop.id}/edit"),
            ("GET", f"{base}/{workshop.id}/delete"), ("GET", f"/strategy/workshops/{workshop.id}/dots"),
            ("GET", f"/strategy/workshops/{workshop.id}/upload"), ("GET", f"{base}/sheet.csv"),
            ("POST", f"{base}/new"), ("POST", f"/strategy/workshops/{workshop.id}/dots"),
            ("POST", f"{base}/{workshop.id}/delete"), ("POST", f"/strategy/workshops/{workshop.id}/upload")]


@pytest.mark.parametrize("role", ["citizen", "moderator"])
def test_only_the_team_enters_dots(client, auth, role):
    process = make_process()
    workshop = make_workshop(process)
    for method, url in _urls(process, workshop):
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    auth.login_as(role)
    for method, url in _urls(process, workshop):
        assert client.open(url, method=method).status_code == 403, url
    assert count(Workshop) == 1


@pytest.mark.parametrize("role", ["team", "admin"])
def test_team_and_admin_see_every_page(client, auth, role):
    process = make_process()
    workshop = make_workshop(process)
    auth.login_as(role)
    for method, url in _urls(process, workshop):
        if method == "GET":
            response = client.get(url)
            assert response.status_code == 200, url
            assert response.headers["Cache-Control"] == "no-store"


def test_a_workshop_of_another_process_is_not_found(client, auth):
    process, other = make_process(), make_process()
    foreign = make_workshop(other)
    auth.login_as("team")
    base = f"/strategy/processes/{process.id}/workshops/{foreign.id}"
    assert client.get(f"{base}/edit").status_code == 404
    assert client.get(f"{base}/delete").status_code == 404
    assert client.post(f"{base}/delete").status_code == 404
    assert client.get(f"/strategy/workshops/{foreign.id + 99}/dots").status_code == 404
    assert count(Workshop) == 1


def test_create_edit_and_list_a_workshop(client, auth, english):
    process = make_process()
    auth.login_as("team")
    response = client.post(f"/strategy/processes/{process.id}/workshops/new", data={
        "name": "Digital-Werkstatt", "held_on": "2026-03-14", "place": "Stadthalle",
        "participants": "42", "note": "<b>Viele</b> Jugendliche"})
    workshop = db.session.scalar(select(Workshop))
    assert response.headers["Location"].endswith(f"/strategy/workshops/{workshop.id}/dots")
    assert (workshop.participants, workshop.place, workshop.held_on.isoformat()) == (42, "Stadthalle", "2026-03-14")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "&lt;b&gt;Viele&lt;/b&gt; Jugendliche" in page  # plain text, never markup

    response = client.post(f"/strategy/processes/{process.id}/workshops/{workshop.id}/edit",
                           data={"name": "Werkstatt II", "participants": ""})
    assert response.status_code == 302
    page = client.get(f"/strategy/processes/{process.id}/workshops").get_data(as_text=True)
    assert "Werkstatt II" in page and "<caption" in page


def test_bad_workshop_input_shows_errors_and_writes_nothing(client, auth, english):
    process = make_process()
    auth.login_as("team")
    response = client.post(f"/strategy/processes/{process.id}/workshops/new",
                           data={"name": "", "participants": "-3", "held_on": "gestern"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="name-error"' in page and 'id="participants-error"' in page
    assert count(Workshop) == 0


def _input(page: str, field_id: str) -> str:
    """The <input> tag with this id."""
    return next(tag for tag in page.split("<input")[1:] if f'id="{field_id}"' in tag.split(">")[0]).split(">")[0]


def _rows(*pairs):
    data = {}
    for i, (ref, dots) in enumerate(pairs):
        data[f"rows-{i}-reference"], data[f"rows-{i}-dots"] = ref, str(dots)
    return data


def test_fast_entry_saves_and_lists_what_was_saved(client, auth, english):
    process = make_process()
    a, b = ideas_of(process, 2)
    workshop = make_workshop(process)
    auth.login_as("team")

    response = client.post(f"/strategy/workshops/{workshop.id}/dots",
                           data=_rows((a.reference, 4), ("", ""), (str(b.id), 11), (a.reference, 1)))

    assert response.status_code == 302
    assert fresh(a).workshop_dots == 5 and fresh(b).workshop_dots == 11
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Just saved" in page and "2 entries have been saved." in page
    assert "autofocus" in _input(page, "rows-0-reference")  # back in the first empty row
    assert "autofocus" not in _input(page, "rows-1-reference")
    ranking = page.split('id="ranking"')[1]
    assert ranking.index(b.title) < ranking.index(a.title)


def test_fast_entry_with_a_bad_row_shows_it_and_saves_nothing(client, auth, english):
    process = make_process()
    a = ideas_of(process, 1)[0]
    workshop = make_workshop(process)
    auth.login_as("team")

    response = client.post(f"/strategy/workshops/{workshop.id}/dots",
                           data=_rows((a.reference, 4), ("M-999", 2), (a.reference, "1000")))

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'aria-describedby="rows-1-reference-error"' in page
    assert 'aria-describedby="rows-2-dots-error"' in page
    assert 'aria-describedby="rows-0-' not in page
    assert "There is no measure M-999." in page
    assert 'href="#rows-1-reference"' in page
    assert count(WorkshopDots) == 0 and fresh(a).workshop_dots == 0


def test_an_empty_entry_form_is_an_error_not_a_crash(client, auth, english):
    process = make_process()
    workshop = make_workshop(process)
    auth.login_as("team")
    response = client.post(f"/strategy/workshops/{workshop.id}/dots", data=_rows(("", "")),
                           follow_redirects=True)
    assert response.status_code == 200
    assert "Please enter the number of an idea or measure" in response.get_data(as_text=True)


def test_deleting_asks_first_then_removes_the_dots(client, auth, english):
    process = make_process()
    idea = ideas_of(process, 1)[0]
    workshop = make_workshop(process)
    enter(workshop, process, [(idea.reference, 8)])
    auth.login_as("team")
    url = f"/strategy/processes/{process.id}/workshops/{workshop.id}/delete"

    page = client.get(url).get_data(as_text=True)
    assert "8 dots will be removed" in page and 'method="post"' in page
    assert count(Workshop) == 1

    response = client.post(url)
    assert response.status_code == 302
    assert count(Workshop) == 0 and fresh(idea).workshop_dots == 0


def test_idea_pages_show_the_workshop_dots(client, auth, english):
    process = make_process()
    idea, plain = ideas_of(process, 2)
    enter(make_workshop(process), process, [(idea.reference, 12)])
    enter(make_workshop(process, name="Zweite"), process, [(idea.reference, 1)])

    assert "Received 13 dots at workshops" in client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "at workshops" not in client.get(f"/ideas/{plain.id}").get_data(as_text=True)
    auth.login_as("moderator")
    assert "Received 13 dots at workshops" in client.get(f"/moderation/ideas/{idea.id}").get_data(as_text=True)


def test_sheet_template_lists_ideas_and_measures(client, auth, english):
    process = make_process()
    idea = ideas_of(process, 1)[0]
    idea.title = "=HYPERLINK(\"http://evil\")"
    db.session.commit()
    measure = make_measure(process)
    make_idea(make_process(), title="Idee aus einem anderen Prozess")
    auth.login_as("team")

    body = client.get(f"/strategy/processes/{process.id}/workshops/sheet.csv").get_data()
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Reference", "Title", "Action field", "Dots"]
    assert [r[0] for r in rows[1:]] == [idea.reference, measure.reference]
    assert rows[1][1].startswith("'=") and rows[1][3] == ""

    xlsx = client.get(f"/strategy/processes/{process.id}/workshops/sheet.xlsx").get_data()
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert [c.value for c in sheet[2]][0] == idea.reference
    assert client.get(f"/strategy/processes/{process.id}/workshops/sheet.pdf").status_code == 404


def test_list_and_entry_pages_do_not_grow_with_the_data(client, auth):
    process = make_process()
    auth.login_as("team")
    workshop = make_workshop(process)
    ideas = ideas_of(process, 2)
    enter(workshop, process, [(i.reference, 1) for i in ideas])
    urls = [f"/strategy/processes/{process.id}/workshops", f"/strategy/workshops/{workshop.id}/dots"]

    def queries(url):
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    small = {url: queries(url) for url in urls}
    more = ideas_of(process, 12)
    measure = make_measure(process)
    enter(workshop, process, [(i.reference, 2) for i in more] + [(measure.reference, 3)])
    make_workshop(process, name="Noch eine")
    assert {url: queries(url) for url in urls} == small


# --- upload ---------------------------------------------------------------------------------

def _upload(client, workshop, name, data):
    return client.post(f"/strategy/workshops/{workshop.id}/upload",
                       data={"sheet": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _payload(page: str) -> str:
    return page.split('name="payload" type="hidden" value="')[1].split('"')[0]


@pytest.fixture
def setup(client, auth):
    process = make_process()
    ideas = ideas_of(process, 3)
    workshop = make_workshop(process)
    auth.login_as("team")
    return process, ideas, workshop


@pytest.mark.parametrize("encoding, text", [
    ("utf-8-sig", "Referenz;Titel;Punkte\n{a};Schöne Idee;4\n{b};;\n{c};Ähnlich;7\n"),
    ("utf-8", "reference,dots\n{a},4\n{c},7\n"),
    ("cp1252", "Nummer;Überschrift;Punkte\n{a};Größer;4\n{c};Straße;7\n"),
])
def test_csv_upload_preview_then_confirm(client, english, setup, encoding, text):
    process, (a, b, c), workshop = setup
    data = text.format(a=a.reference, b=b.reference, c=str(c.id)).encode(encoding)

    response = _upload(client, workshop, "punkte.csv", data)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "All 2 rows have been checked and are valid." in page
    assert count(WorkshopDots) == 0  # nothing until confirmed
    response = client.post(f"/strategy/workshops/{workshop.id}/upload", data={"payload": _payload(page)})
    assert response.status_code == 302
    assert fresh(a).workshop_dots == 4 and fresh(c).workshop_dots == 7 and fresh(b).workshop_dots == 0


def test_xlsx_upload_with_a_formula_is_read_as_text(client, english, setup):
    process, (a, b, c), workshop = setup
    data = sheet_bytes([["Reference", "Title", "Dots"], [a.reference, "x", 3], [b.reference, "y", "=2+5"],
                  ["=A2", "z", 2]])

    page = _upload(client, workshop, "dots.xlsx", data).get_data(as_text=True)

    assert "2 rows have errors" in page
    assert "=2+5" in page and "=A2" in page
    assert 'name="payload"' not in page
    assert count(WorkshopDots) == 0


def test_xlsx_upload_saves(client, english, setup):
    process, (a, b, c), workshop = setup
    data = sheet_bytes([["Punkte", "Nummer"], [3, a.reference], [5.0, b.reference], [None, c.reference]])
    page = _upload(client, workshop, "dots.xlsx", data).get_data(as_text=True)
    assert "All 2 rows" in page
    client.post(f"/strategy/workshops/{workshop.id}/upload", data={"payload": _payload(page)})
    assert fresh(a).workshop_dots == 3 and fresh(b).workshop_dots == 5


@pytest.mark.parametrize("name, data, message", [
    ("dots.xlsx", b"PK\x03\x04 this is no zip at all \x00\xff", "could not be read as an Excel file"),
    ("dots.csv", b"\x00\xff\xfe\x00garbage\x00" * 20, "could not be read as text"),
    ("dots.csv", b"", "The file is empty."),
    ("dots.pdf", b"%PDF-1.4", "Please upload a CSV file"),
    ("dots.csv", b"Titel;Kanal\nA;B\n", "The first row must name the columns"),
    ("dots.csv", b"reference;dots\n2026-00001;\n", "No row of the file has a number"),
])
def test_unusable_files_are_explained(client, english, setup, name, data, message):
    _process, _ideas, workshop = setup
    response = _upload(client, workshop, name, data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(WorkshopDots) == 0


def test_too_many_rows_are_refused(client, english, setup):
    _process, (a, _b, _c), workshop = setup
    data = ("reference;dots\n" + f"{a.reference};1\n" * (workshops.MAX_ROWS + 1)).encode()
    page = _upload(client, workshop, "dots.csv", data).get_data(as_text=True)
    assert "more than 2,000 rows" in page
    assert count(WorkshopDots) == 0


def test_a_tampered_or_foreign_payload_is_refused(client, english, setup):
    process, (a, _b, _c), workshop = setup
    page = _upload(client, workshop, "dots.csv", f"reference;dots\n{a.reference};4\n".encode()).get_data(as_text=True)
    token = _payload(page)
    other = make_workshop(process, name="Andere Werkstatt")

    tampered = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    response = client.post(f"/strategy/workshops/{workshop.id}/upload", data={"payload": tampered})
    assert response.status_code == 400
    assert "changed on the way" in response.get_data(as_text=True)
    response = client.post(f"/strategy/workshops/{other.id}/upload", data={"payload": token})
    assert response.status_code == 400
    assert count(WorkshopDots) == 0


def test_the_preview_is_checked_again_when_confirming(client, english, setup):
    _process, (a, _b, _c), workshop = setup
    page = _upload(client, workshop, "dots.csv", f"reference;dots\n{a.reference};4\n".encode()).get_data(as_text=True)
    a.status = IdeaStatus.hidden
    db.session.commit()
    response = client.post(f"/strategy/workshops/{workshop.id}/upload", data={"payload": _payload(page)})
    assert response.status_code == 409
    assert count(WorkshopDots) == 0


# --- concurrency, through the app, on both databases ----------------------------------------

def _client_for(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def test_parallel_entries_lose_no_dots(app):
    process = make_process()
    shared = ideas_of(process, 2)
    measure = make_measure(process)
    workshops_ = [make_workshop(process, name=f"Werkstatt {i}") for i in range(10)]
    own = ideas_of(process, len(workshops_))
    team = [make_user("team") for _ in range(len(workshops_))]
    jobs = []
    # Ten people type at once, each for their own workshop: every entry touches the two shared
    # ideas and the measure (where a lost update would show) and an idea of its own; a second
    # round corrects the first, in whatever order the requests happen to run.
    for round_ in (1, 2):
        for i, workshop in enumerate(workshops_):
            data = _rows((shared[0].reference, round_), (shared[1].reference, 2 * round_),
                         (measure.reference, 3), (own[i].reference, i + 1))
            jobs.append((_client_for(app, team[i]), f"/strategy/workshops/{workshop.id}/dots", data))
    db.session.rollback()

    with ThreadPoolExecutor(max_workers=10) as pool:
        codes = list(pool.map(lambda job: job[0].post(job[1], data=job[2]).status_code, jobs))

    assert all(code == 302 for code in codes), codes
    db.session.rollback()
    assert_counters_are_sums()
    assert count(WorkshopDots) == 10 * 4
    assert [fresh(idea).workshop_dots for idea in own] == list(range(1, 11))
    assert db.session.get(Measure, measure.id).workshop_dots == 30


def test_the_demo_has_a_workshop_with_dots(app):
    from ideas import demo
    from ideas.database import writing

    with writing():
        demo.seed(echo=lambda *_: None)
    assert count(Workshop) == 1
    assert db.session.scalar(select(func.sum(WorkshopDots.dots))) > 0
    top = db.session.scalar(select(Idea).order_by(Idea.workshop_dots.desc()).limit(1))
    assert top.status in (IdeaStatus.accepted, IdeaStatus.implemented) and top.workshop_dots == 14
    assert_counters_are_sums()


def test_the_upload_checks_the_csrf_token_with_its_own_size_limit(app, client, english, setup):
    _process, (a, _b, _c), workshop = setup
    app.config["WTF_CSRF_ENABLED"] = True
    url = f"/strategy/workshops/{workshop.id}/upload"
    page = client.get(url).get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    # Over the app's 1 MB: the template lists every idea, and only a few rows have dots.
    sheet = f"reference;title;dots\n{a.reference};x;4\n".encode() + (b"2026-00000;" + b"x" * 60 + b";\n") * 16_000
    assert 1024 * 1024 < len(sheet) < 2 * 1024 * 1024

    refused = client.post(url, data={"sheet": (io.BytesIO(sheet), "dots.csv")}, content_type="multipart/form-data")
    accepted = client.post(url, data={"sheet": (io.BytesIO(sheet), "dots.csv"), "csrf_token": token},
                           content_type="multipart/form-data")

    assert refused.status_code == 400
    assert accepted.status_code == 200 and 'name="payload"' in accepted.get_data(as_text=True)
    assert count(WorkshopDots) == 0
