"""Online dot voting in the browser: give and take points with the keyboard, on a phone and a
desktop, with htmx (focus stays, the live region speaks) and with JavaScript off."""
import re

import pytest
from flask_babel import force_locale
from playwright.sync_api import expect

from tests.browser.helpers import create_user, login, shot, wait_for_htmx
from tests.conftest import make_idea, make_process

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": {"width": 375, "height": 800}, "desktop": {"width": 1280, "height": 900}}
PASSWORD = "Dora verteilt ihre Punkte gern"


@pytest.fixture
def seeded(live_app):
    with live_app.app_context():
        process = make_process(dot_points=10, dot_max_per_idea=3)
        first = make_idea(process, title="Freies WLAN in der Innenstadt")
        second = make_idea(process, title="Online-Termine im Bürgerbüro")
        seeded = {"slug": process.slug, "first": first.id, "second": second.id}
    create_user(live_app, "dora@example.org", PASSWORD, "Dora Dots")
    return seeded


def said(app, given: int, used: int) -> str:
    """The announcement the site makes after a change, in the page's language."""
    from ideas.dotvoting import Dots, _announce

    with app.test_request_context(), force_locale("de"):
        return _announce(given, Dots(budget=10, limit=3, used=used, given=given))


def press(page, selector: str) -> None:
    page.focus(selector)
    page.keyboard.press("Enter")
    wait_for_htmx(page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_give_and_take_points_with_the_keyboard(new_page, live_app, browser_checks, seeded, viewport):
    page = new_page(viewport=VIEWPORTS[viewport])
    login(page, "dora@example.org", PASSWORD)
    idea = seeded["first"]
    page.goto(f"/ideas/{idea}")
    browser_checks.axe(page, f"idea page with points ({viewport})")
    page.evaluate("window.notReloaded = true")
    live = page.locator("#live-region")
    plus, minus = f"#dots-plus-{idea}", f"#dots-minus-{idea}"

    press(page, plus)
    expect(live).to_have_text(said(live_app, 1, 1))
    expect(page.locator(plus)).to_be_focused()
    page.keyboard.press("Enter")
    wait_for_htmx(page)
    expect(live).to_have_text(said(live_app, 2, 2))
    expect(page.locator(plus)).to_be_focused()
    expect(page.locator(f"#dots-{idea} .points-total")).to_contain_text("2")

    page.keyboard.press("Shift+Tab")
    expect(page.locator(minus)).to_be_focused()
    page.keyboard.press("Enter")
    wait_for_htmx(page)
    expect(live).to_have_text(said(live_app, 1, 1))
    expect(page.locator(minus)).to_be_focused()

    number = page.locator(f"#dots-points-{idea}")
    number.fill("3")
    number.press("Enter")
    wait_for_htmx(page)
    expect(live).to_have_text(said(live_app, 3, 3))
    expect(number).to_be_focused()
    expect(number).to_have_value("3")

    # One more than M: refused, said in the widget and in the live region, focus stays.
    press(page, plus)
    error = page.locator(f"#dots-{idea} .error-message")
    expect(error).to_be_visible()
    expect(live).to_have_text(error.inner_text())
    expect(page.locator(plus)).to_be_focused()
    assert page.evaluate("window.notReloaded") is True, "htmx should swap the widget, not reload the page"
    browser_checks.axe(page, f"idea page after a refusal ({viewport})")
    shot(page, f"dots-idea-{viewport}")

    page.goto(f"/processes/{seeded['slug']}/points")
    expect(page.locator("#dots-summary")).to_contain_text("3")
    expect(page.locator(".points-ranking tbody tr")).to_have_count(1)
    browser_checks.axe(page, f"points page ({viewport})")
    press(page, minus)
    expect(page.locator("#dots-summary")).to_contain_text("2")
    expect(page.locator(minus)).to_be_focused()
    expect(live).to_have_text(said(live_app, 2, 2))
    browser_checks.axe(page, f"points page after a change ({viewport})")
    shot(page, f"dots-points-{viewport}")


def test_points_without_javascript(new_page, live_app, seeded):
    page = new_page(js=False)
    login(page, "dora@example.org", PASSWORD)
    idea = seeded["second"]
    page.goto(f"/ideas/{idea}")
    page.focus(f"#dots-plus-{idea}")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/ideas/{idea}#dots-{idea}$"))
    expect(page.locator(".flash-success")).to_have_text(said(live_app, 1, 1))
    expect(page.locator(f"#dots-points-{idea}")).to_have_value("1")

    page.fill(f"#dots-points-{idea}", "7")
    page.press(f"#dots-points-{idea}", "Enter")
    page.wait_for_url(re.compile(rf"/ideas/{idea}#dots-{idea}$"))
    expect(page.locator(".flash-error")).to_be_visible()
    expect(page.locator(f"#dots-points-{idea}")).to_have_value("1")

    page.goto(f"/processes/{seeded['slug']}/points")
    expect(page.locator(".points-ranking tbody tr")).to_have_count(1)
    page.click(f"#dots-minus-{idea}")
    page.wait_for_url(re.compile(rf"/processes/{seeded['slug']}/points#dots-{idea}$"))
    expect(page.locator(".flash-success")).to_have_text(said(live_app, 0, 0))
    expect(page.locator(".points-ranking tbody tr")).to_have_count(0)
    shot(page, "nojs-dots-points")
