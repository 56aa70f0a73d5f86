"""A citizen's way through the site with JavaScript on, on a phone and on a desktop:
register, confirm the address, submit an idea after seeing similar ones, find it, get it
supported by someone else, discuss it, and read the site in English."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import create_user, html_lang, login, shot, translated, wait_for_htmx
from tests.conftest import make_idea, make_process

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": {"width": 375, "height": 800}, "desktop": {"width": 1280, "height": 900}}
SIMILAR_TITLE = "Freies WLAN in der Innenstadt"
OTHER_TITLE = "Online-Termine im Bürgerbüro"
NEW_TITLE = "Kostenloses WLAN am Bahnhof"


@pytest.fixture
def seeded(live_app):
    with live_app.app_context():
        process = make_process(fields=3)
        make_idea(process, title=SIMILAR_TITLE)
        make_idea(process, title=OTHER_TITLE,
                  body="Termine im Bürgerbüro sollte man online buchen können, auch am Samstag.")
        return {"field_id": process.action_fields[1].id}


def check_register_errors(page, checks):
    """Submitting the empty form: every error in the summary, each tied to its field."""
    checks.allow_console("the server responded with a status of 422")  # Chromium notes the 422 answer in the console
    page.click("form.narrow-form [type=submit]")
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()  # site.js moves focus to the list of errors
    fields = ["email", "display_name", "password", "password2", "accept_terms"]
    for name in fields:
        control = page.locator(f"#{name}")
        expect(control).to_have_attribute("aria-invalid", "true")
        described = (control.get_attribute("aria-describedby") or "").split()
        assert f"{name}-error" in described, f"#{name} aria-describedby={described}"
        error = page.locator(f"#{name}-error")
        expect(error).to_be_visible()
        assert error.inner_text().strip(), f"#{name}-error is empty"
        expect(summary.locator(f'a[href="#{name}"]')).to_have_count(1)
    checks.axe(page, "register with errors")


@pytest.mark.parametrize("vp", list(VIEWPORTS))
def test_citizen_journey(new_page, live_app, browser_checks, seeded, vp):
    checks = browser_checks
    viewport = VIEWPORTS[vp]
    anna = new_page(viewport=viewport)

    # Home
    response = anna.goto("/")
    assert response.status == 200
    expect(anna.locator("html")).to_have_attribute("lang", "de")
    checks.axe(anna, "home (anonymous)")
    shot(anna, f"journey-{vp}-01-home")

    # Register: first the empty form, then for real
    anna.goto("/register")
    checks.axe(anna, "register")
    check_register_errors(anna, checks)
    shot(anna, f"journey-{vp}-02-register-errors")
    email = f"anna-{vp}@example.org"
    anna.fill("#email", email)
    anna.fill("#display_name", "Anna Muster")
    anna.fill("#password", "ein langer Satz im Garten")
    anna.fill("#password2", "ein langer Satz im Garten")
    anna.check("#accept_terms")
    anna.click("form.narrow-form [type=submit]")
    anna.wait_for_url(re.compile(r"/$"))
    expect(anna.locator(".flash-success")).to_be_visible()
    checks.axe(anna, "home after registering")

    # The confirmation mail and its link
    from ideas.mail import outbox
    with live_app.app_context():
        mails = [m for m in outbox() if m["To"] == email]
    assert len(mails) == 1, [m["To"] for m in outbox()]
    link = re.search(r"https?://\S+/verify/\S+", mails[0].get_content()).group(0)
    assert link.startswith(anna.url.rstrip("/")), f"link {link} does not point to the site"
    anna.goto(link)
    anna.wait_for_url(re.compile(r"/$"))
    expect(anna.locator(".flash-success")).to_have_text(translated(live_app, "Thank you, your e-mail address is confirmed."))
    checks.axe(anna, "home after confirming the address")

    # A new idea; the similar ideas show up while typing the title
    anna.goto("/ideas/new")
    checks.axe(anna, "new idea (empty)")
    similar_requests = lambda: [u for u in checks.requests if "/ideas/similar" in u]  # noqa: E731
    anna.locator("#title").press_sequentially(NEW_TITLE, delay=60)
    similar = anna.locator("#similar")
    expect(similar.locator("#similar-title")).to_be_visible()
    expect(similar.get_by_role("link", name=SIMILAR_TITLE)).to_be_visible()
    expect(similar.get_by_role("link", name=OTHER_TITLE)).to_have_count(0)
    wait_for_htmx(anna)
    assert len(similar_requests()) <= 2, f"the title check is not debounced: {similar_requests()}"
    checks.axe(anna, "new idea with similar ideas")
    shot(anna, f"journey-{vp}-03-new-idea-similar")
    anna.fill("#body", "Am Bahnhof warten viele Menschen lange. Ein freies WLAN würde helfen.")
    anna.select_option("#action_field", str(seeded["field_id"]))
    anna.click("#submit")
    anna.wait_for_url(re.compile(r"/ideas/\d+$"))
    idea_id = int(re.search(r"/ideas/(\d+)$", anna.url).group(1))
    expect(anna.locator("h1")).to_have_text(NEW_TITLE)
    expect(anna.locator(".flash-success")).to_be_visible()
    checks.axe(anna, "own idea page")

    # Find it in the feed with the search box (htmx swaps the results)
    anna.goto("/ideas")
    checks.axe(anna, "feed")
    shot(anna, f"journey-{vp}-04-feed")
    expect(anna.locator("#feed-results .idea-card")).to_have_count(3)
    anna.fill("#q", "Bahnhof")
    anna.press("#q", "Enter")
    cards = anna.locator("#feed-results .idea-card")
    expect(cards).to_have_count(1)
    expect(cards.get_by_role("link", name=NEW_TITLE)).to_be_visible()
    wait_for_htmx(anna)
    assert "q=Bahnhof" in anna.url, "the search is not in the address (hx-push-url)"
    expect(anna.locator("#live-region")).to_contain_text("1")  # "1 idea found", announced
    checks.axe(anna, "feed after search (htmx)")
    shot(anna, f"journey-{vp}-05-feed-search")

    # Berta, in her own browser, supports the idea and takes the support back
    create_user(live_app, f"berta-{vp}@example.org", "noch ein langer Satz", "Berta Beispiel")
    berta = new_page(viewport=viewport)
    berta.goto("/login")
    checks.axe(berta, "login")
    login(berta, f"berta-{vp}@example.org", "noch ein langer Satz")
    berta.goto(f"/ideas/{idea_id}")
    checks.axe(berta, "idea page (other citizen)")
    button = berta.locator(f"#vote-button-{idea_id}")
    count = berta.locator(f"#vote-{idea_id} .support-count strong")
    live = berta.locator("#live-region")
    expect(count).to_have_text("0")
    before = button.inner_text()
    button.click()
    expect(count).to_have_text("1")
    expect(button).not_to_have_text(before)
    wait_for_htmx(berta)
    assert berta.evaluate("document.activeElement && document.activeElement.id") == f"vote-button-{idea_id}", \
        "focus left the support button after the htmx swap"
    expect(live).to_have_attribute("role", "status")
    expect(live).to_have_text(translated(live_app, "Thank you for your support."))
    checks.axe(berta, "idea page after supporting (htmx)")
    shot(berta, f"journey-{vp}-06-idea-supported")
    after = button.inner_text()
    button.click()
    expect(count).to_have_text("0")
    expect(button).not_to_have_text(after)
    wait_for_htmx(berta)
    assert berta.evaluate("document.activeElement && document.activeElement.id") == f"vote-button-{idea_id}", \
        "focus left the support button after withdrawing"
    expect(live).to_have_text(translated(live_app, "Your support has been withdrawn."))
    checks.axe(berta, "idea page after withdrawing (htmx)")

    # Berta comments, Anna replies
    comment = "Gute Idee, am Bahnhof fehlt das wirklich."
    berta.fill("form.comment-form textarea[name=body]", comment)
    berta.click("form.comment-form [type=submit]")
    berta.wait_for_url(re.compile(rf"/ideas/{idea_id}#comment-\d+$"))
    comment_id = int(re.search(r"#comment-(\d+)$", berta.url).group(1))
    expect(berta.locator(f"#comment-{comment_id} .comment-body")).to_have_text(comment)
    checks.axe(berta, "idea page with a comment")

    anna.goto(f"/ideas/{idea_id}")
    reply = "Danke! Vielleicht auch am Busbahnhof."
    anna.locator(f"#comment-{comment_id} details.reply summary").click()
    anna.fill(f"#reply-{comment_id}", reply)
    checks.axe(anna, "idea page with the reply form open")
    anna.locator(f"#comment-{comment_id} details.reply [type=submit]").click()
    anna.wait_for_url(re.compile(rf"/ideas/{idea_id}#comment-\d+$"))
    expect(anna.locator(".replies .comment-body")).to_have_text(reply)
    checks.axe(anna, "idea page with a reply")

    # English and back to German with the button in the header
    german_nav = anna.locator(".main-nav a[href='/ideas']").inner_text()
    anna.locator(".lang-switch button").click()
    expect(anna.locator("html")).to_have_attribute("lang", "en")
    assert anna.url.endswith(f"/ideas/{idea_id}"), f"the switch did not return to the page: {anna.url}"
    expect(anna.locator(".main-nav a[href='/ideas']")).to_have_text("All ideas")
    expect(anna.locator(".lang-switch button")).to_have_text("Deutsch")
    checks.axe(anna, "idea page in English")
    shot(anna, f"journey-{vp}-07-idea-english")
    anna.locator(".lang-switch button").click()
    expect(anna.locator("html")).to_have_attribute("lang", "de")
    expect(anna.locator(".lang-switch button")).to_have_text("English")
    assert html_lang(anna) == "de"
    assert german_nav == anna.locator(".main-nav a[href='/ideas']").inner_text()
    assert german_nav != "All ideas", (
        "the German page shows the English text 'All ideas': the German catalog "
        "(ideas/translations/de/LC_MESSAGES/messages.po) has no translation for it")

