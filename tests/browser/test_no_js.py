"""The same core path with JavaScript switched off: every action is a real form and link.

axe-core needs JavaScript in the page, so it runs in the other tests; the markup is the same."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import create_user, login, shot, translated
from tests.conftest import make_idea, make_process

pytestmark = pytest.mark.browser

SIMILAR_TITLE = "Freies WLAN in der Innenstadt"
OTHER_TITLE = "Online-Termine im Bürgerbüro"
NEW_TITLE = "Kostenloses WLAN am Bahnhof"


def test_core_path_without_javascript(new_page, live_app, browser_checks):
    checks = browser_checks
    with live_app.app_context():
        process = make_process(fields=3)
        wlan_id = make_idea(process, title=SIMILAR_TITLE).id
        make_idea(process, title=OTHER_TITLE, field=process.action_fields[1],
                  body="Termine im Bürgerbüro sollte man online buchen können, auch am Samstag.")
        field_id, field_slug = process.action_fields[0].id, process.action_fields[0].slug
    create_user(live_app, "clara@example.org", "Clara kennt einen langen Satz", "Clara Client")

    page = new_page(js=False)
    assert page.evaluate("1 + 1") == 2  # Playwright itself may still evaluate; the page's scripts may not
    login(page, "clara@example.org", "Clara kennt einen langen Satz")
    expect(page.locator(".flash-success")).to_have_text(translated(live_app, "You are logged in."))

    # New idea: "Check for similar ideas" is a full round trip that keeps what was typed
    page.goto("/ideas/new")
    body = "Am Bahnhof warten viele Menschen lange. Ein freies WLAN würde helfen."
    page.fill("#title", NEW_TITLE)
    page.fill("#body", body)
    page.click("#check")
    page.wait_for_load_state()
    expect(page.locator("#similar #similar-title")).to_be_visible()
    expect(page.locator("#similar").get_by_role("link", name=SIMILAR_TITLE)).to_be_visible()
    expect(page.locator("#similar").get_by_role("link", name=OTHER_TITLE)).to_have_count(0)
    expect(page.locator("#title")).to_have_value(NEW_TITLE)
    expect(page.locator("#body")).to_have_value(body)
    assert not [u for u in checks.requests if "/ideas/similar" in u], "htmx ran although JavaScript is off"
    shot(page, "nojs-01-new-idea-checked")
    page.select_option("#action_field", str(field_id))
    page.click("#submit")
    page.wait_for_url(re.compile(r"/ideas/\d+$"))
    expect(page.locator("h1")).to_have_text(NEW_TITLE)

    # Support another idea: a full POST, then back to the idea with the new count
    page.goto(f"/ideas/{wlan_id}")
    count = page.locator(f"#vote-{wlan_id} .support-count strong")
    button = page.locator(f"#vote-button-{wlan_id}")
    expect(count).to_have_text("0")
    before = button.inner_text()
    button.click()
    page.wait_for_url(re.compile(rf"/ideas/{wlan_id}$"))
    expect(count).to_have_text("1")
    expect(button).not_to_have_text(before)
    expect(page.locator(".flash-success")).to_have_text(translated(live_app, "Thank you for your support."))
    expect(page.locator(".supporters")).to_contain_text("Clara Client")

    # Comment
    comment = "Ohne JavaScript geht das auch."
    page.fill("form.comment-form textarea[name=body]", comment)
    page.click("form.comment-form [type=submit]")
    page.wait_for_url(re.compile(rf"/ideas/{wlan_id}#comment-\d+$"))
    expect(page.locator(".comment-body").filter(has_text=comment)).to_have_count(1)
    shot(page, "nojs-02-idea-commented")

    # Filter the feed with the Show button
    page.goto("/ideas")
    expect(page.locator("#feed-results .idea-card")).to_have_count(3)
    page.fill("#q", "WLAN")
    page.select_option("#field", field_slug)
    page.click("form.filters [type=submit]")
    page.wait_for_url(re.compile(r"/ideas\?.*q=WLAN"))
    assert f"field={field_slug}" in page.url
    cards = page.locator("#feed-results .idea-card")
    expect(cards).to_have_count(2)
    expect(cards.get_by_role("link", name=OTHER_TITLE)).to_have_count(0)
    expect(page.locator("#q")).to_have_value("WLAN")

    # Language, and back; the page and its filters stay
    page.locator(".lang-switch button").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".main-nav a[href='/ideas']")).to_have_text("All ideas")
    assert "q=WLAN" in page.url, f"the language switch lost the search: {page.url}"
    page.locator(".lang-switch button").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator(".main-nav a[href='/ideas']")).to_have_text(translated(live_app, "All ideas"))
