"""Legal and accessibility pages in the browser: axe-clean in both languages and widths; the feedback form works."""
import time

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PAGES = ["/datenschutz", "/impressum", "/barrierefreiheit", "/leichte-sprache"]
WIDTHS = [{"width": 1280, "height": 900}, {"width": 375, "height": 800}]


def open_in(new_page, live_server, lang, viewport):
    page = new_page(viewport=viewport)
    page.context.add_cookies([{"name": "lang", "value": lang, "url": live_server}])
    return page


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("viewport", WIDTHS, ids=["1280", "375"])
def test_the_pages_have_no_axe_violations(new_page, live_server, browser_checks, lang, viewport):
    page = open_in(new_page, live_server, lang, viewport)
    page.goto("/")
    for url in PAGES:
        page.goto(url)
        expect(page.locator("html")).to_have_attribute("lang", lang)
        expect(page.locator("h1")).to_have_count(1)
        browser_checks.axe(page, f"{url} {lang} {viewport['width']}")
    assert browser_checks.axe_runs == len(PAGES)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_footer_leads_to_every_page(new_page, live_server, lang):
    page = open_in(new_page, live_server, lang, WIDTHS[1])
    page.goto("/")
    hrefs = page.locator("footer nav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert sorted(hrefs) == sorted(PAGES)


@pytest.mark.parametrize("viewport", WIDTHS, ids=["1280", "375"])
def test_feedback_form_with_keyboard_errors_and_success(live_app, new_page, live_server, browser_checks, viewport):
    live_app.config["MIN_FILL_SECONDS"] = 1
    browser_checks.allow_console("422")
    page = open_in(new_page, live_server, "en", viewport)
    page.goto("/barrierefreiheit")
    # The honeypot is out of reach: Tab never lands on it.
    expect(page.locator("#website")).to_have_attribute("tabindex", "-1")
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.get_by_label("What is difficult to use?")).to_have_attribute("aria-invalid", "true")
    browser_checks.axe(page, "feedback form with errors")
    page.get_by_label("What is difficult to use?").fill("The contrast of the footer links is too weak.")
    page.get_by_label("Your e-mail address (optional)").fill("erika@example.org")
    time.sleep(1.1)
    page.get_by_role("button", name="Send feedback").click()
    expect(page.locator(".flash-success")).to_contain_text("has been sent")
    browser_checks.axe(page, "feedback sent")
    with live_app.app_context():
        from sqlalchemy import select

        from ideas.extensions import db
        from ideas.models import OutboxMail
        mails = db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "accessibility_feedback")).all()
    assert len(mails) == 1 and "contrast of the footer" in mails[0].body_text
