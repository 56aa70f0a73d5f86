"""The project team writes a strategy draft in a real browser: start from the accepted ideas, merge two
measures, move one, freeze a version and publish; then the same core steps with JavaScript off.

Every page state is checked with axe-core at 1280 and 375 px; screenshots go to screenshots/drafts-*.png.
"""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import login, shot, wait_for_htmx
from tests.conftest import make_idea, make_process, make_user

pytestmark = pytest.mark.browser

PASSWORD = "ein langer Satz für den Test"
PHONE = {"width": 375, "height": 800}


def _seed(app) -> dict:
    """A process with two action fields, four accepted ideas and a team member."""
    from ideas.extensions import db
    from ideas.models import IdeaStatus
    from ideas.passwords import hash_password

    with app.app_context():
        process = make_process(fields=2, title="Digitalstrategie Musterstadt")
        digital, school = process.action_fields
        digital.goals, digital.responsible_office = ["Schnelles Netz überall"], "Amt für Digitales"
        ideas = {}
        for title, field, supports in [("Freies WLAN am Marktplatz", digital, 9), ("Glasfaser für Gewerbegebiete", digital, 5),
                                       ("Digitale Sprechstunde im Rathaus", digital, 2), ("Tablets für die Grundschule", school, 7)]:
            idea = make_idea(process, status=IdeaStatus.accepted, title=title, field=field)
            idea.support_count = supports
            ideas[title] = idea
        db.session.commit()
        make_user(role="team", email="tina@example.org", display_name="Tina Team", password_hash=hash_password(PASSWORD))
        return {"process": process.id, "slug": process.slug, "ideas": {t: i.id for t, i in ideas.items()}}


def _draft_state(app, draft_id: int) -> dict:
    from ideas import drafts, measures

    with app.app_context():
        draft = drafts.load(draft_id)
        numbers = measures.numbers(draft)
        return {
            "order": [[m.title for m in items] for _s, items in measures.grouped(draft)],
            "by_title": {m.title: m.id for m in draft.measures},
            "sources": {m.title: sorted(i.title for i in m.ideas) for m in draft.measures},
            "numbers": {m.title: numbers[m.id] for m in draft.measures},
            "versions": [v.label for v in drafts.versions(draft)],
        }


def _latest_draft(app) -> int:
    from sqlalchemy import func, select

    from ideas.extensions import db
    from ideas.models import StrategyDraft

    with app.app_context():
        return db.session.scalar(select(func.max(StrategyDraft.id)))


def _start_draft(page, process_id: int, title: str) -> None:
    page.goto(f"/strategy/processes/{process_id}/drafts")
    page.click(f"a[href$='/strategy/processes/{process_id}/drafts/new']")
    page.fill("#title", title)
    expect(page.locator("#from_accepted")).to_be_checked()
    page.click("form.strategy-form [type=submit]")
    page.wait_for_url(re.compile(r"/strategy/drafts/\d+$"))


def _merge(page, first: int, second: int) -> None:
    page.check(f"#merge-{first}")
    page.check(f"#merge-{second}")
    page.click("#merge-form button[type=submit]")
    page.wait_for_url(re.compile(r"/merge$"))


def test_team_drafts_a_strategy_with_javascript(live_app, new_page, browser_checks):
    seed = _seed(live_app)
    checks = browser_checks
    page = new_page()
    login(page, "tina@example.org", PASSWORD)

    page.goto(f"/strategy/processes/{seed['process']}/drafts")
    checks.axe(page, "drafts: empty list")
    page.goto(f"/strategy/processes/{seed['process']}/drafts/new")
    checks.axe(page, "drafts: new draft form")
    page.click("form.strategy-form [type=submit]")  # no title
    expect(page.locator("#error-summary")).to_be_visible()
    checks.axe(page, "drafts: new draft form with an error")

    _start_draft(page, seed["process"], "Digitalstrategie 2030")
    draft_id = _latest_draft(live_app)
    state = _draft_state(live_app, draft_id)
    assert state["order"] == [["Freies WLAN am Marktplatz", "Glasfaser für Gewerbegebiete",
                               "Digitale Sprechstunde im Rathaus"], ["Tablets für die Grundschule"]]
    expect(page.locator(".measure")).to_have_count(4)
    expect(page.locator("#draft-measures")).to_contain_text("Schnelles Netz überall")
    checks.axe(page, "draft: started from accepted ideas")

    # Merge 1.2 and 2.1: the first by number stays and names both ideas.
    ids = state["by_title"]
    _merge(page, ids["Tablets für die Grundschule"], ids["Glasfaser für Gewerbegebiete"])
    checks.axe(page, "draft: merge confirmation")
    page.click("button[name=confirm]")
    page.wait_for_url(re.compile(rf"/strategy/drafts/{draft_id}(#.*)?$"))
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator(".measure")).to_have_count(3)
    state = _draft_state(live_app, draft_id)
    assert state["sources"]["Glasfaser für Gewerbegebiete"] == ["Glasfaser für Gewerbegebiete", "Tablets für die Grundschule"]
    checks.axe(page, "draft: after merging")

    # Move 1.3 up with htmx: the list is swapped in place, focus stays on the button, the change is announced.
    mover = ids["Digitale Sprechstunde im Rathaus"]
    page.evaluate("window.stillTheSamePage = true")
    page.click(f"#move-measure-{mover}-up")
    wait_for_htmx(page)
    assert _draft_state(live_app, draft_id)["numbers"]["Digitale Sprechstunde im Rathaus"] == "1.2"
    expect(page.locator(f"#measure-{mover} .measure-number")).to_have_text("1.2")
    assert page.evaluate("document.activeElement.id") == f"move-measure-{mover}-up"
    expect(page.locator("#draft-status")).not_to_be_empty()
    assert page.evaluate("window.stillTheSamePage === true")  # swapped in place, no page load
    checks.axe(page, "draft: after moving a measure")

    # Freeze a version: an empty name is refused, a name is kept.
    page.click("#versions [type=submit]")
    expect(page.locator("#label-error")).to_be_visible()
    checks.axe(page, "draft: freeze without a name")
    page.fill("#label", "Vorlage für den Stadtrat")
    page.click("#versions [type=submit]")
    page.wait_for_url(re.compile(r"#versions$"))
    expect(page.locator(".versions-table tbody tr")).to_have_count(1)
    assert _draft_state(live_app, draft_id)["versions"] == ["Vorlage für den Stadtrat"]
    checks.axe(page, "draft: with a frozen version")
    shot(page, "drafts-01-draft-desktop")

    phone = new_page(viewport=PHONE, storage_state=page.context.storage_state())
    phone.goto(f"/strategy/drafts/{draft_id}")
    checks.axe(phone, "draft: phone")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(phone, "drafts-02-draft-phone")
    phone.goto(f"/strategy/drafts/{draft_id}/measures/{mover}/edit")
    checks.axe(phone, "draft: edit measure (phone)")
    phone.fill("#ideas", "2099-99999")
    phone.click("form.strategy-form [type=submit]")
    expect(phone.locator("#ideas-error")).to_be_visible()
    checks.axe(phone, "draft: edit measure with an unknown idea (phone)")

    # Publish: citizens see the draft, and the idea names its measure.
    page.goto(f"/strategy/drafts/{draft_id}")
    page.click(f"form[action$='/strategy/drafts/{draft_id}/publish'] button")
    expect(page.locator(".flash-success")).to_be_visible()
    citizen = new_page(viewport=PHONE)
    citizen.goto(f"/processes/{seed['slug']}/strategy")
    expect(citizen.locator(".measure")).to_have_count(3)
    checks.axe(citizen, "public strategy page (phone)")
    shot(citizen, "drafts-03-public-phone")
    citizen.goto(f"/ideas/{seed['ideas']['Tablets für die Grundschule']}")
    link = citizen.locator(".taken-up a")
    expect(link).to_contain_text("1.3")
    checks.axe(citizen, "idea page with its measure (phone)")
    link.click()
    citizen.wait_for_url(re.compile(rf"/strategy#measure-{ids['Glasfaser für Gewerbegebiete']}$"))


def test_team_drafts_a_strategy_without_javascript(live_app, new_page, browser_checks):
    seed = _seed(live_app)
    page = new_page(js=False)
    login(page, "tina@example.org", PASSWORD)
    _start_draft(page, seed["process"], "Digitalstrategie ohne Skripte")
    draft_id = _latest_draft(live_app)
    ids = _draft_state(live_app, draft_id)["by_title"]

    _merge(page, ids["Freies WLAN am Marktplatz"], ids["Digitale Sprechstunde im Rathaus"])
    page.click("button[name=confirm]")
    page.wait_for_url(re.compile(rf"/strategy/drafts/{draft_id}#measure-{ids['Freies WLAN am Marktplatz']}$"))
    expect(page.locator(".measure")).to_have_count(3)

    page.click(f"#move-measure-{ids['Glasfaser für Gewerbegebiete']}-up")
    page.wait_for_url(re.compile(rf"#measure-{ids['Glasfaser für Gewerbegebiete']}$"))
    expect(page.locator(".flash-success")).to_be_visible()

    page.fill("#label", "Stand ohne JavaScript")
    page.click("#versions [type=submit]")
    page.wait_for_url(re.compile(r"#versions$"))
    state = _draft_state(live_app, draft_id)
    assert state["order"] == [["Glasfaser für Gewerbegebiete", "Freies WLAN am Marktplatz"], ["Tablets für die Grundschule"]]
    assert state["sources"]["Freies WLAN am Marktplatz"] == ["Digitale Sprechstunde im Rathaus", "Freies WLAN am Marktplatz"]
    assert state["versions"] == ["Stand ohne JavaScript"]
    shot(page, "drafts-04-draft-nojs")

    twin = new_page(storage_state=page.context.storage_state())
    twin.goto(f"/strategy/drafts/{draft_id}")
    browser_checks.axe(twin, "draft: after the steps without JavaScript")
