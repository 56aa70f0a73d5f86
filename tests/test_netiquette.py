"""The netiquette check at submission: friendly hints about shouting; the author may send anyway."""
import html

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from ideas.extensions import db
from ideas.models import Idea, IdeaStatus, ModerationEvent
from ideas.netiquette import has_punctuation_run, mostly_capitals, problems
from tests.conftest import count, make_idea, make_process, make_user

S = IdeaStatus
CAPS_HINT = "written mostly in capital letters"
MARKS_HINT = "one exclamation mark or question mark at a time"


# Assert on the English texts, whatever catalog has been compiled meanwhile.
pytestmark = pytest.mark.usefixtures("english")


def hints(title, body) -> list[str]:
    with force_locale("en"):
        return [str(h) for h in problems(title, body)]


# The rules, without HTTP

@pytest.mark.parametrize("title,body", [
    ("Freies WLAN in der Innenstadt", "Auf dem Marktplatz sollte es freies WLAN geben."),
    ("Digitale Sprechstunde im Rathaus", "Das Bürgeramt (ÖPNV-Ticket, KFZ, BAföG) sollte online Termine anbieten!"),
    ("Warum gibt es das noch nicht?", "Ist das wirklich so schwer?! Andere Städte können das auch."),
    ("WLAN am ZOB", "DSL, LTE und 5G für alle."),  # abbreviations and short texts are fine
    ("Mehr Bänke", ""),
    ("", ""),
])
def test_ordinary_text_passes(app, title, body):
    assert problems(title, body) == []


@pytest.mark.parametrize("text,shouting", [
    ("FREIES WLAN IN DER GANZEN INNENSTADT", True),
    ("ÜBERALL MÜSSEN GRÖSSERE STRASSENSCHILDER HER", True),
    ("ENDLICH schnelles INTERNET für ALLE im DORF", True),   # 23 of 37 letters
    ("Endlich schnelles INTERNET für alle im Dorf", False),
    ("ABCDEF GHIJKL MNOPQRS", False),   # 19 letters: too short to judge
    ("ABCDEF GHIJKL MNOPQRST", True),   # 20 letters
    ("ABCDEFGHIJ KLMNOPQRST", False),   # two words: a code or a name, not shouting
    ("T" * 120, False),
    ("1234567890 !!! ---- 2025", False),
])
def test_capitals_are_judged_by_the_share_of_letters(text, shouting):
    assert mostly_capitals(text) is shouting


@pytest.mark.parametrize("text,run", [
    ("Das muss sofort passieren!!!", True),
    ("Warum dauert das so lange???", True),
    ("Wie bitte?!?!", True),
    ("Wie bitte?!?", True),
    ("Wirklich?!", False),
    ("Toll! Super! Danke!", False),
    ("Ja!! Bitte.", False),
])
def test_runs_of_three_or_more_marks(text, run):
    assert has_punctuation_run(text) is run


def test_each_problem_gets_one_friendly_hint(app):
    found = hints("FREIES WLAN IN DER GANZEN INNENSTADT!!!", "DAS IST DOCH WIRKLICH NICHT ZU VIEL VERLANGT???")
    assert len(found) == 3
    assert "Your title" in found[0] and CAPS_HINT in found[0]
    assert "Your description" in found[1] and CAPS_HINT in found[1]
    assert MARKS_HINT in found[2]


# Submitting an idea

def idea_data(process, **overrides) -> dict:
    return {
        "title": "Sitzbänke mit Steckdosen am Markt",
        "body": "Am Marktplatz sollten Bänke stehen, an denen man das Handy laden kann.",
        "action_field": str(process.action_fields[0].id), "submit": "1", **overrides,
    }


def test_the_form_shows_no_extra_checkbox_at_first(client, auth):
    make_process()
    auth.login_as("citizen")
    page = client.get("/ideas/new")
    assert page.status_code == 200
    assert "send_anyway" not in page.text


def test_normal_text_is_sent_at_once(client, auth):
    process = make_process()
    auth.login_as("citizen")
    response = client.post("/ideas/new", data=idea_data(process))
    assert response.status_code == 302
    assert count(Idea) == 1


def test_shouting_is_held_back_with_friendly_hints_and_everything_typed_is_kept(client, auth):
    process = make_process()
    auth.login_as("citizen")
    title, body = "SOFORT MEHR BÄNKE AM MARKTPLATZ", "Am Marktplatz fehlen Bänke!!! Bitte schnell ändern."
    response = client.post("/ideas/new", data=idea_data(process, title=title, body=body, district="Altstadt"))
    assert response.status_code == 422
    page = html.unescape(response.text)
    assert "Before you send your idea" in page
    assert "Your title is written mostly in capital letters." in page
    assert MARKS_HINT in page and "Your description" not in page
    assert 'name="send_anyway"' in page and 'aria-describedby="netiquette-hints"' in page
    assert f'value="{title}"' in page and body in page and 'value="Altstadt"' in page
    assert f'<option selected value="{process.action_fields[0].id}"' in page
    assert count(Idea) == 0 and count(ModerationEvent) == 0


def test_ticking_send_anyway_sends_the_text_as_it_is(client, auth):
    process = make_process()
    auth.login_as("citizen")
    title = "SOFORT MEHR BÄNKE AM MARKTPLATZ"
    response = client.post("/ideas/new", data=idea_data(process, title=title, send_anyway="y"))
    assert response.status_code == 302
    idea = db.session.scalar(select(Idea))
    assert idea.title == title and idea.status == S.published


def test_other_errors_come_first_and_the_check_waits_for_a_valid_form(client, auth):
    process = make_process()
    auth.login_as("citizen")
    response = client.post("/ideas/new", data=idea_data(process, title="KURZ!!!"))
    assert response.status_code == 422
    assert "The title must be between" in response.text
    assert "Before you send your idea" not in response.text
    assert count(Idea) == 0


# Editing an idea that waits or was returned

def test_editing_is_checked_too_and_can_be_saved_anyway(client, auth):
    process = make_process(mode="pre")
    author = make_user()
    idea = make_idea(process, author, status=S.pending)
    auth.login_as(author)
    data = idea_data(process, title="Freies WLAN am Markt", body="BITTE ENDLICH FREIES WLAN AM MARKTPLATZ EINRICHTEN")
    response = client.post(f"/ideas/{idea.id}/edit", data=data)
    assert response.status_code == 422
    page = html.unescape(response.text)
    assert "Before you save your changes" in page and "Your description is written mostly in capital letters." in page
    assert "BITTE ENDLICH FREIES WLAN AM MARKTPLATZ EINRICHTEN" in page
    db.session.rollback()
    assert db.session.get(Idea, idea.id).title == "Freies WLAN in der Innenstadt"

    response = client.post(f"/ideas/{idea.id}/edit", data={**data, "send_anyway": "y"})
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(Idea, idea.id).body_source == "BITTE ENDLICH FREIES WLAN AM MARKTPLATZ EINRICHTEN"


def test_a_returned_idea_stays_returned_until_the_author_sends_it(client, auth):
    process = make_process(mode="pre")
    author = make_user()
    idea = make_idea(process, author, status=S.declined)
    auth.login_as(author)
    response = client.post(f"/ideas/{idea.id}/edit", data=idea_data(process, body="Das ist wirklich wichtig???"))
    assert response.status_code == 422
    db.session.rollback()
    assert db.session.get(Idea, idea.id).status == S.declined

    response = client.post(f"/ideas/{idea.id}/edit", data=idea_data(process, body="Das ist wirklich wichtig."))
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(Idea, idea.id).status == S.pending
