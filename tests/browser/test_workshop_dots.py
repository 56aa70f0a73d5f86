"""The team types in a workshop's dots with the keyboard only, with and without JavaScript."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login, shot
from tests.conftest import make_idea, make_process, make_user

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "tara@example.org", "Tara tippt die Punkte ein"
# 40 dots over 8 ideas, as read from the posters; the last idea had 10 before (a typo).
DOTS = (9, 7, 6, 5, 5, 4, 3, 1)


def _seed(app):
    """Eight accepted ideas, a workshop where the last idea leads with 10 dots, a team member."""
    from ideas import workshops
    from ideas.extensions import db
    from ideas.models import IdeaStatus, Workshop
    from ideas.passwords import hash_password

    with app.app_context():
        process = make_process(fields=3)
        ideas = [make_idea(process, title=f"Werkstatt-Idee Nummer {i + 1}", status=IdeaStatus.accepted,
                           field=process.action_fields[i % 3]) for i in range(len(DOTS))]
        workshop = Workshop(process_id=process.id, name="Digital-Werkstatt Stadthalle", participants=8)
        db.session.add(workshop)
        db.session.commit()
        lines = workshops.check_lines(process, [workshops.Line(1, ideas[-1].reference, "10")])
        workshops.record(workshop, lines)
        db.session.commit()
        make_user("team", email=EMAIL, display_name="Tara Team", password_hash=hash_password(PASSWORD))
        return workshop.id, process.id, [(i.id, i.reference, i.title) for i in ideas]


def _first_ranked(page) -> str:
    return page.locator(".dots-table tbody tr").first.locator("th").inner_text()


def _type_all_by_keyboard(page, ideas):
    """Reference, Tab, dots, Tab, … then Enter: no mouse, no clicks."""
    # Chromium applies autofocus a frame after "load"; keys typed before it are lost.
    expect(page.locator("#rows-0-reference")).to_be_focused()
    for (_id, reference, _title), dots in zip(ideas, DOTS):
        page.keyboard.type(reference.split("-")[1].lstrip("0") if dots == 5 else reference)
        page.keyboard.press("Tab")
        page.keyboard.type(str(dots))
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")


def _dots_in_db(app, idea_ids):
    from ideas.extensions import db
    from ideas.models import Idea

    with app.app_context():
        return [db.session.get(Idea, i).workshop_dots for i in idea_ids]


@pytest.mark.parametrize("js", [True, False], ids=["with-js", "without-js"])
def test_forty_dots_by_keyboard(new_page, live_app, browser_checks, js):
    workshop_id, process_id, ideas = _seed(live_app)
    page = new_page(js=js)
    login(page, EMAIL, PASSWORD)
    page.goto(f"/strategy/workshops/{workshop_id}/dots")
    expect(page.locator("h1")).to_contain_text("Digital-Werkstatt Stadthalle")
    assert _first_ranked(page) == ideas[-1][2]  # 10 dots before the entry
    if js:
        browser_checks.axe(page, "dot entry, empty, 1280px")

    _type_all_by_keyboard(page, ideas)

    page.wait_for_url(re.compile(rf"/strategy/workshops/{workshop_id}/dots\?saved="))
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator(".dots-saved li")).to_have_count(len(DOTS))
    expect(page.locator("#rows-0-reference")).to_be_focused()
    assert _first_ranked(page) == ideas[0][2]  # the ranking changed: 9 dots lead now
    ranked = page.locator(".dots-table tbody th").all_inner_texts()
    assert ranked.index(ideas[-1][2]) == len(DOTS) - 1  # corrected from 10 to 1
    assert _dots_in_db(live_app, [i for i, _r, _t in ideas]) == list(DOTS)
    assert sum(_dots_in_db(live_app, [i for i, _r, _t in ideas])) == 40
    shot(page, f"workshop-dots-saved-{'js' if js else 'nojs'}")

    # A mistake: an unknown number. The row says what is wrong and nothing is saved.
    page.keyboard.type("2026-99999")
    page.keyboard.press("Tab")
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    reference = page.locator("#rows-0-reference")
    expect(reference).to_have_attribute("aria-invalid", "true")
    expect(reference).to_have_attribute("aria-describedby", "rows-0-reference-error")
    expect(page.locator("#rows-0-reference-error")).to_be_visible()
    assert _dots_in_db(live_app, [i for i, _r, _t in ideas]) == list(DOTS)
    if js:
        browser_checks.axe(page, "dot entry with an error, 1280px")
        page.goto(f"/strategy/processes/{process_id}/workshops")
        browser_checks.axe(page, "workshop list, 1280px")
        page.goto(f"/strategy/workshops/{workshop_id}/upload")
        browser_checks.axe(page, "dot upload, 1280px")


def test_dot_pages_on_a_phone(new_page, live_app, browser_checks):
    workshop_id, process_id, ideas = _seed(live_app)
    page = new_page(viewport={"width": 375, "height": 800})
    login(page, EMAIL, PASSWORD)
    page.goto(f"/strategy/workshops/{workshop_id}/dots")
    _type_all_by_keyboard(page, ideas)
    page.wait_for_url(re.compile(r"saved="))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    browser_checks.axe(page, "dot entry, 375px")
    shot(page, "workshop-dots-375")
    page.goto(f"/strategy/processes/{process_id}/workshops")
    browser_checks.axe(page, "workshop list, 375px")
    page.goto(f"/strategy/processes/{process_id}/workshops/new")
    browser_checks.axe(page, "new workshop, 375px")
