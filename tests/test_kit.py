"""The project team prints the workshop kit: idea cards with QR codes, posters and a facilitator sheet."""
import re
import xml.etree.ElementTree as ET

import pytest

from ideas import qr
from ideas.extensions import db
from ideas.models import IdeaStatus
from ideas.strategy.kit import DOT_BOXES
from tests.conftest import make_idea, make_process, make_user
from tests.test_queries import count_queries

SVG = "{http://www.w3.org/2000/svg}"


def _urls(process):
    base = f"/strategy/processes/{process.id}/kit"
    return [base, f"{base}/cards", f"{base}/posters", f"{base}/facilitator"]


def _references(html: str) -> list[str]:
    return re.findall(r'<article class="kit-card"[^>]*data-reference="([^"]+)"', html)


def _matrix_from_path(d: str, size: int) -> list[list[bool]]:
    """Paint the SVG path's rectangles back into a grid of modules."""
    grid = [[False] * size for _ in range(size)]
    for x, y, w in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", d):
        for dx in range(int(w)):
            assert not grid[int(y)][int(x) + dx], "rectangles overlap"
            grid[int(y)][int(x) + dx] = True
    return grid


# --- QR codes -------------------------------------------------------------------------------

def test_qr_svg_is_valid_xml_and_draws_exactly_the_code_for_the_data():
    url = "https://beteiligung.example.de/ideas/1234"
    markup = qr.svg(url, 'QR code: idea "2026-01234" & more')
    root = ET.fromstring(str(markup))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == 'QR code: idea "2026-01234" & more'
    assert root.get("id") is None and "id=" not in str(markup)  # many per page: no repeated ids
    size = int(root.get("viewBox").split()[2])
    expected = qr.make_qr(url).get_matrix()  # qrcode's own matrix for this data, quiet zone included
    assert size == len(expected) and 21 + 2 * qr.BORDER <= size <= 57 + 2 * qr.BORDER
    path = root.find(f"{SVG}path")
    assert _matrix_from_path(path.get("d"), size) == expected
    assert len(str(markup)) < 10_000


def test_qr_codes_differ_per_url_and_are_cached():
    qr._drawn.cache_clear()
    first = qr.svg("https://example.org/ideas/1", "a")
    second = qr.svg("https://example.org/ideas/2", "a")
    assert first != second
    qr.svg("https://example.org/ideas/1", "another label")
    assert qr._drawn.cache_info().hits == 1


# --- access -----------------------------------------------------------------------------------

def test_anonymous_visitors_are_sent_to_the_login(client):
    process = make_process()
    for url in _urls(process):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["citizen", "moderator"])
def test_citizens_and_moderators_are_refused(client, auth, role):
    process = make_process()
    auth.login_as(role)
    for url in _urls(process):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("role", ["team", "admin"])
def test_team_and_admin_open_every_kit_page(client, auth, role):
    process = make_process()
    make_idea(process, status=IdeaStatus.accepted)
    auth.login_as(role)
    for url in _urls(process):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store"
        assert response.data.count(b"<h1") == 1, url


def test_a_field_of_another_process_or_made_up_values_are_not_found(client, auth):
    process, other = make_process(), make_process()
    auth.login_as("team")
    foreign = other.action_fields[0].id
    for url in _urls(process):
        assert client.get(f"{url}?field={foreign}").status_code == 404, url
        assert client.get(f"{url}?field=abc").status_code == 404, url
        assert client.get(f"{url}?ideas=everything").status_code == 404, url
    assert client.get("/strategy/processes/999999/kit/cards").status_code == 404


# --- idea cards -------------------------------------------------------------------------------

@pytest.fixture
def ideas_by_status():
    process = make_process(fields=3)
    f0, f1 = process.action_fields[0], process.action_fields[1]
    made = {
        status: make_idea(process, status=status, title=f"Idee {status.value}", field=f1 if i % 2 else f0)
        for i, status in enumerate(IdeaStatus) if status not in (IdeaStatus.pending, IdeaStatus.declined, IdeaStatus.draft)
    }
    second = make_idea(process, status=IdeaStatus.accepted, title="Zweite angenommene Idee", field=f1)
    return process, made, second


def test_cards_show_each_accepted_idea_once_and_nothing_hidden(client, auth, ideas_by_status):
    process, made, second = ideas_by_status
    auth.login_as("team")
    html = client.get(f"/strategy/processes/{process.id}/kit/cards").get_data(as_text=True)
    assert sorted(_references(html)) == sorted([made[IdeaStatus.accepted].reference, second.reference])
    for status in (IdeaStatus.hidden, IdeaStatus.withdrawn, IdeaStatus.merged, IdeaStatus.rejected, IdeaStatus.published):
        assert made[status].title not in html, status


def test_cards_of_all_public_ideas_leave_out_rejected_hidden_withdrawn_and_merged(client, auth, ideas_by_status):
    process, made, second = ideas_by_status
    auth.login_as("team")
    html = client.get(f"/strategy/processes/{process.id}/kit/cards?ideas=public").get_data(as_text=True)
    wanted = [made[s].reference for s in (IdeaStatus.published, IdeaStatus.under_review,
                                          IdeaStatus.accepted, IdeaStatus.implemented)] + [second.reference]
    references = _references(html)
    assert sorted(references) == sorted(wanted)
    assert len(references) == len(set(references))
    for status in (IdeaStatus.hidden, IdeaStatus.withdrawn, IdeaStatus.merged, IdeaStatus.rejected):
        assert made[status].reference not in html, status


def test_the_field_filter_keeps_only_that_fields_ideas(client, auth, ideas_by_status):
    process, made, second = ideas_by_status
    auth.login_as("team")
    field = process.action_fields[1]
    html = client.get(f"/strategy/processes/{process.id}/kit/cards?ideas=public&field={field.id}").get_data(as_text=True)
    expected = [i.reference for s, i in made.items() if i.action_field_id == field.id
                and s in (IdeaStatus.published, IdeaStatus.under_review, IdeaStatus.accepted, IdeaStatus.implemented)]
    assert sorted(_references(html)) == sorted(expected + [second.reference])
    assert process.action_fields[0].name not in html.split('class="kit-print')[1]


def test_a_card_holds_reference_title_excerpt_field_supports_and_a_qr_code_to_the_public_address(app, client, auth, english):
    app.config["BASE_URL"] = "https://beteiligung.example.de/"
    process = make_process()
    body = "**Wichtig:** " + "Ein langer Satz über Glasfaser für alle Ortsteile. " * 20
    idea = make_idea(process, status=IdeaStatus.accepted, body=body, field=process.action_fields[1])
    process.action_fields[1].colour = "teal"
    db.session.commit()
    auth.login_as("team")
    html = client.get(f"/strategy/processes/{process.id}/kit/cards").get_data(as_text=True)
    card = html[html.index('<article class="kit-card"'):html.index("</article>")]
    url = f"https://beteiligung.example.de/ideas/{idea.id}"
    assert idea.reference in card and idea.title in card
    assert '<p class="kit-band colour-teal">Bildung und Jugend</p>' in card  # colour and name in words
    assert "0 supports" in card
    text = re.search(r'<p class="kit-card-text">(.*?)</p>', card, re.S).group(1)
    assert text.startswith("Wichtig: Ein langer Satz") and "**" not in text and "<strong>" not in text
    assert 250 <= len(text) <= 302
    assert f'<p class="kit-card-url">{url}</p>' in card
    svg = re.search(r"<svg.*?</svg>", card, re.S).group(0)
    assert f"link to idea {idea.reference}" in svg
    assert svg == str(qr.svg(url, f"QR code: link to idea {idea.reference}"))
    assert "The QR codes link to the public address https://beteiligung.example.de." in html
    assert "kit-address-warning" not in html


def test_a_local_base_url_is_pointed_out_before_printing(app, client, auth):
    app.config["BASE_URL"] = "http://127.0.0.1:5000"
    process = make_process()
    auth.login_as("team")
    assert "kit-address-warning" in client.get(f"/strategy/processes/{process.id}/kit").get_data(as_text=True)


def test_cards_come_four_to_a_sheet(client, auth):
    process = make_process()
    for i in range(9):
        make_idea(process, status=IdeaStatus.accepted, title=f"Idee {i}", with_author=False, author=None)
    auth.login_as("team")
    html = client.get(f"/strategy/processes/{process.id}/kit/cards").get_data(as_text=True)
    sheets = html.split('<div class="kit-sheet">')[1:]
    assert [s.count('<article class="kit-card"') for s in sheets] == [4, 4, 1]


def test_the_print_views_without_ideas_say_so(client, auth, english):
    process = make_process()
    auth.login_as("team")
    html = client.get(f"/strategy/processes/{process.id}/kit/cards").get_data(as_text=True)
    assert "No ideas match this selection." in html and "kit-sheet" not in html


# --- posters ----------------------------------------------------------------------------------

def test_posters_one_section_per_field_with_goals_and_dot_boxes(client, auth):
    process = make_process(fields=3)
    process.action_fields[0].goals = ["Glasfaser für alle Haushalte bis 2030"]
    db.session.commit()
    ideas = [make_idea(process, status=IdeaStatus.accepted, title=f"Plakatidee {i}", field=process.action_fields[i % 2])
             for i in range(5)]
    auth.login_as("team")
    html = client.get(f"/strategy/processes/{process.id}/kit/posters").get_data(as_text=True)
    sections = html.split('<section class="kit-poster"')[1:]
    assert len(sections) == 3
    for field, section in zip(process.action_fields, sections):
        assert field.name in section
        mine = [i for i in ideas if i.action_field_id == field.id]
        rows = re.findall(r'<tr data-reference="([^"]+)">', section)
        assert rows == sorted(i.reference for i in mine)
        assert section.count('class="kit-dot-box"') == DOT_BOXES * len(mine)
        assert section.count("kit-total-box") == len(mine)
    assert "Glasfaser für alle Haushalte bis 2030" in sections[0]
    assert "<tr" not in sections[2]  # the third field has no ideas, but still a poster


def test_posters_for_one_field(client, auth):
    process = make_process(fields=3)
    make_idea(process, status=IdeaStatus.accepted, field=process.action_fields[2])
    auth.login_as("team")
    field = process.action_fields[2]
    html = client.get(f"/strategy/processes/{process.id}/kit/posters?field={field.id}").get_data(as_text=True)
    assert html.count('<section class="kit-poster"') == 1
    assert field.name in html.split('class="kit-print')[1]


# --- facilitator sheet ------------------------------------------------------------------------

def test_facilitator_sheet_suggests_five_dots_and_lists_fields_counts_and_the_results_page(client, auth, english):
    process = make_process(fields=2)
    for i in range(5):
        make_idea(process, status=IdeaStatus.accepted, field=process.action_fields[i % 2])
    auth.login_as("team")
    html = client.get(f"/strategy/processes/{process.id}/kit/facilitator").get_data(as_text=True)
    assert "Each participant gets 5 dots; at most 2 of them may go on one idea." in html
    assert "This is a suggestion" in html
    for step in ("Welcome", "Presenting the action fields", "Gallery walk", "Dot voting", "Discussion", "Next steps"):
        assert f'<th scope="row">{step}</th>' in html
    assert "110–120 min" in html  # the schedule fills exactly two hours
    assert re.search(r'<th scope="row">Digitale Infrastruktur</th><td[^>]*>3</td>', html)
    assert re.search(r'<th scope="row">Bildung und Jugend</th><td[^>]*>2</td>', html)
    assert "2 posters" in html and "5 idea cards" in html and "2 A4 pages to cut into four" in html
    assert f"/strategy/processes/{process.id}/workshops\">" in html


def test_facilitator_sheet_uses_the_online_dot_rule_when_there_is_one(client, auth, english):
    process = make_process(dot_points=7, dot_max_per_idea=3)
    auth.login_as("team")
    html = client.get(f"/strategy/processes/{process.id}/kit/facilitator").get_data(as_text=True)
    assert "Each participant gets 7 dots; at most 3 of them may go on one idea." in html
    assert "same rule as in the online dot voting" in html


# --- kit page ---------------------------------------------------------------------------------

def test_kit_page_keeps_the_selection_in_the_links_to_the_print_views(client, auth, english):
    process = make_process(fields=2)
    make_idea(process, status=IdeaStatus.published, field=process.action_fields[1])
    make_idea(process, status=IdeaStatus.accepted, field=process.action_fields[1])
    auth.login_as("team")
    field = process.action_fields[1]
    html = client.get(f"/strategy/processes/{process.id}/kit?field={field.id}&ideas=public").get_data(as_text=True)
    assert f'href="/strategy/processes/{process.id}/kit/cards?field={field.id}&amp;ideas=public"' in html
    assert f'href="/strategy/processes/{process.id}/kit/facilitator?field={field.id}&amp;ideas=public"' in html
    assert "2 ideas are selected." in html
    assert f'<option selected value="{field.id}">' in html
    assert '<option selected value="public">' in html
    assert html.count('<tr><th scope="row">') == 1  # only the chosen field
    default = client.get(f"/strategy/processes/{process.id}/kit").get_data(as_text=True)
    assert "1 idea is selected." in default


# --- performance ------------------------------------------------------------------------------

def _fill(process, n, start=0):
    author = make_user()
    for i in range(start, start + n):
        make_idea(process, author=author, status=IdeaStatus.accepted, title=f"Idee {i}",
                  field=process.action_fields[i % len(process.action_fields)])


def test_kit_pages_run_a_fixed_number_of_queries(client, auth):
    process = make_process(fields=3)
    _fill(process, 5)
    auth.login_as("team")

    def queries():
        result = {}
        for url in _urls(process):
            with count_queries() as statements:
                assert client.get(url).status_code == 200
            result[url] = len(statements)
        return result

    small = queries()
    _fill(process, 35, start=5)
    assert queries() == small
    assert max(small.values()) <= 8
