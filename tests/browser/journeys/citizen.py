"""The citizen's journey: choose the language, register, confirm the address from the mail,
submit an idea after seeing similar ones, find it, get it supported (and the support taken back)
by someone else, discuss it, and switch the language back and forth on the way out."""
import re

from playwright.sync_api import expect

from tests.browser.helpers import create_user, shot, wait_for_htmx
from tests.conftest import make_idea, make_process, make_user

SIMILAR_TITLE = "Freies WLAN in der Innenstadt"
OTHER_TITLE = "Online-Termine im Bürgerbüro"
NEW_TITLE = "Kostenloses WLAN am Bahnhof"
NEW_BODY = "Am Bahnhof warten viele Menschen lange. Ein freies WLAN würde helfen."
ANNA_PASSWORD = "ein langer Satz im Garten"
BERTA_PASSWORD = "noch ein langer Satz"
REGISTER_FIELDS = ["email", "display_name", "password", "password2", "accept_terms"]


def seed(app) -> dict:
    with app.app_context():
        # Fixed slugs and names: the runs with and without JavaScript then show the same markup
        # (Run.check checks markup it has seen once only once).
        process = make_process(fields=3, slug="musterstadt")
        author = make_user(email="carl@example.org", display_name="Carl Citoyen")
        similar = make_idea(process, author=author, title=SIMILAR_TITLE, field=process.action_fields[0])
        make_idea(process, author=author, title=OTHER_TITLE, field=process.action_fields[2],
                  body="Termine im Bürgerbüro sollte man online buchen können, auch am Samstag.")
        field = process.action_fields[1]
        return {"field_id": field.id, "field_slug": field.slug, "similar_id": similar.id}


def journey(run) -> None:
    data = seed(run.app)
    anna = run.browser(chosen=False)
    choose_language(run, anna)
    register(run, anna, "anna@example.org")
    confirm_address(run, anna, "anna@example.org")
    idea_id = submit_idea(run, anna, data)
    search(run, anna, data)
    berta = log_in(run, "berta@example.org")
    support_and_withdraw(run, berta, idea_id)
    comment_id = comment(run, berta, idea_id)
    reply(run, anna, idea_id, comment_id)
    switch_language(run, anna)


def choose_language(run, page) -> None:
    """The site opens in German; in the English run the visitor picks English in the header."""
    response = page.goto("/")
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "de")
    if run.lang == "en":
        page.locator(".lang-switch button").click()
        page.wait_for_url(re.compile(r"/$"))
    run.check(page, "home (anonymous)")
    shot(page, f"matrix-citizen-{run.name}-01-home")


def register(run, page, email: str) -> None:
    """The empty form first (every error in the summary, tied to its field), then for real."""
    page.goto("/register")
    run.check(page, "register")
    run.checks.allow_console("the server responded with a status of 422")  # Chromium notes the 422
    page.click("form.narrow-form [type=submit]")
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    if run.js:
        expect(summary).to_be_focused()  # site.js moves focus to the list of errors
    for name in REGISTER_FIELDS:
        control = page.locator(f"#{name}")
        expect(control).to_have_attribute("aria-invalid", "true")
        assert f"{name}-error" in (control.get_attribute("aria-describedby") or "").split()
        expect(page.locator(f"#{name}-error")).not_to_be_empty()
        expect(summary.locator(f'a[href="#{name}"]')).to_have_count(1)
    expect(page.locator("#accept_terms-error")).to_contain_text(run.msg("Error:"))
    run.check(page, "register with errors")
    shot(page, f"matrix-citizen-{run.name}-02-register-errors")
    page.fill("#email", email)
    page.fill("#display_name", "Anna Muster")
    page.fill("#password", ANNA_PASSWORD)
    page.fill("#password2", ANNA_PASSWORD)
    page.check("#accept_terms")
    page.click("form.narrow-form [type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    run.expect_flash(page, "Welcome! We have sent you an e-mail. Please click the link in it "
                           "to confirm your address.")
    run.check(page, "home after registering")


def confirm_address(run, page, email: str) -> None:
    """The mail comes in the language the citizen registered in; its link confirms the address."""
    from ideas.mail import outbox

    with run.app.app_context():
        mails = [m for m in outbox() if m["To"] == email]
    assert len(mails) == 1, [m["To"] for m in mails]
    assert mails[0]["Subject"] == run.msg("Please confirm your e-mail address")
    link = re.search(r"https?://\S+/verify/\S+", mails[0].get_content()).group(0)
    assert link.startswith(run.base_url), f"link {link} does not point to the site"
    page.goto(link)
    page.wait_for_url(re.compile(r"/$"))
    run.expect_flash(page, "Thank you, your e-mail address is confirmed.")
    run.check(page, "home after confirming the address")


def submit_idea(run, page, data) -> int:
    """Similar ideas show up while typing the title (htmx) or with "Check" (a round trip that
    keeps what was typed); then the idea is sent."""
    page.goto("/ideas/new")
    run.check(page, "new idea (empty)")
    similar = page.locator("#similar")
    if run.js:
        page.locator("#title").press_sequentially(NEW_TITLE, delay=40)
        expect(similar.get_by_role("link", name=SIMILAR_TITLE)).to_be_visible()
        wait_for_htmx(page)
        asked = [u for u in run.checks.requests if "/ideas/similar" in u]
        assert len(asked) <= 2, f"the title check is not debounced: {asked}"
        expect(page.locator("#live-region")).to_have_text(
            run.msg_n("%(num)d similar idea found", "%(num)d similar ideas found", 1))
        assert run.focused_id(page) == "title", "typing lost the focus when the similar ideas came in"
        page.fill("#body", NEW_BODY)
    else:
        page.fill("#title", NEW_TITLE)
        page.fill("#body", NEW_BODY)
        page.click("#check")
        expect(similar.get_by_role("link", name=SIMILAR_TITLE)).to_be_visible()
        expect(page.locator("#title")).to_have_value(NEW_TITLE)
        expect(page.locator("#body")).to_have_value(NEW_BODY)
        assert not [u for u in run.checks.requests if "/ideas/similar" in u], "htmx ran without JavaScript"
    expect(similar.locator("#similar-title")).to_be_visible()
    expect(similar.get_by_role("link", name=OTHER_TITLE)).to_have_count(0)
    run.check(page, "new idea with similar ideas")
    shot(page, f"matrix-citizen-{run.name}-03-new-idea-similar")
    page.select_option("#action_field", str(data["field_id"]))
    page.click("#submit")
    page.wait_for_url(re.compile(r"/ideas/\d+$"))
    expect(page.locator("h1")).to_have_text(NEW_TITLE)
    run.expect_flash(page, "Thank you! Your idea is now published.")
    run.check(page, "own idea page")
    return int(re.search(r"/ideas/(\d+)$", page.url).group(1))


def search(run, page, data) -> None:
    """The search box and the topic filter: htmx swaps the results in place, or the form loads
    the page again; either way the search is in the address."""
    page.goto("/ideas")
    run.check(page, "feed")
    cards = page.locator("#feed-results .idea-card")
    expect(cards).to_have_count(3)
    page.fill("#q", "WLAN")
    if run.js:
        page.press("#q", "Enter")
        expect(cards).to_have_count(2)
        wait_for_htmx(page)
        assert run.focused_id(page) == "q", "the search box lost the focus when the results came in"
        expect(page.locator("#live-region")).to_have_text(
            run.msg_n("%(num)d idea found", "%(num)d ideas found", 2))
        page.focus("#field")  # as a keyboard user would, to check the swap keeps it there
        page.select_option("#field", data["field_slug"])  # htmx sends on change
        expect(cards).to_have_count(1)
        wait_for_htmx(page)
        assert run.focused_id(page) == "field", "the topic filter lost the focus"
    else:
        page.select_option("#field", data["field_slug"])
        page.click("form.filters [type=submit]")
        page.wait_for_url(re.compile(r"/ideas\?.*q=WLAN"))
        expect(cards).to_have_count(1)
    assert "q=WLAN" in page.url and f"field={data['field_slug']}" in page.url, page.url
    expect(page.locator("#results-title")).to_have_text(run.msg_n("%(num)d idea found", "%(num)d ideas found", 1))
    expect(cards.get_by_role("link", name=NEW_TITLE)).to_be_visible()
    expect(page.locator("#q")).to_have_value("WLAN")
    run.check(page, "feed after searching")
    shot(page, f"matrix-citizen-{run.name}-04-feed-search")


def log_in(run, email: str):
    """Another citizen, in her own browser, through the login form."""
    create_user(run.app, email, BERTA_PASSWORD, "Berta Beispiel")
    page = run.browser()
    page.goto("/login")
    run.check(page, "login")
    page.fill("#email", email)
    page.fill("#password", BERTA_PASSWORD)
    page.click("form.narrow-form [type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    run.expect_flash(page, "You are logged in.")
    return page


def _supported(run, page, idea_id: int, count: str, message: str) -> None:
    expect(page.locator(f"#vote-{idea_id} .support-count strong")).to_have_text(count)
    if run.js:
        wait_for_htmx(page)
        assert run.focused_id(page) == f"vote-button-{idea_id}", "focus left the support button after the swap"
        live = page.locator("#live-region")
        expect(live).to_have_attribute("role", "status")
        expect(live).to_have_text(run.msg(message))
    else:
        page.wait_for_url(re.compile(rf"/ideas/{idea_id}$"))
        run.expect_flash(page, message)


def support_and_withdraw(run, page, idea_id: int) -> None:
    """Another citizen supports the idea and takes the support back."""
    page.goto(f"/ideas/{idea_id}")
    run.check(page, "idea page (other citizen)")
    button = page.locator(f"#vote-button-{idea_id}")
    expect(button).to_have_text(run.msg("Support this idea"))
    button.click()
    _supported(run, page, idea_id, "1", "Thank you for your support.")
    expect(button).to_have_text(run.msg("Supported – withdraw support"))
    expect(page.locator(f"#vote-{idea_id} .supporters")).to_have_text(
        run.msg("Supported by %(names)s", names="Berta Beispiel"))
    run.check(page, "idea page after supporting")
    shot(page, f"matrix-citizen-{run.name}-05-supported")
    button.click()
    _supported(run, page, idea_id, "0", "Your support has been withdrawn.")
    expect(button).to_have_text(run.msg("Support this idea"))
    run.check(page, "idea page after withdrawing")


def comment(run, page, idea_id: int) -> int:
    text = "Gute Idee, am Bahnhof fehlt das wirklich."
    page.fill("form.comment-form textarea[name=body]", text)
    page.click("form.comment-form [type=submit]")
    page.wait_for_url(re.compile(rf"/ideas/{idea_id}#comment-\d+$"))
    comment_id = int(re.search(r"#comment-(\d+)$", page.url).group(1))
    expect(page.locator(f"#comment-{comment_id} .comment-body")).to_have_text(text)
    run.expect_flash(page, "Thank you, your comment is published.")
    run.check(page, "idea page with a comment")
    return comment_id


def reply(run, page, idea_id: int, comment_id: int) -> None:
    """The reply form sits in a <details>, which opens without JavaScript too."""
    page.goto(f"/ideas/{idea_id}")
    text = "Danke! Vielleicht auch am Busbahnhof."
    page.locator(f"#comment-{comment_id} details.reply summary").click()
    page.get_by_label(run.msg("Your reply to %(name)s", name="Berta Beispiel")).fill(text)
    run.check(page, "idea page with the reply form open")
    page.locator(f"#comment-{comment_id} details.reply [type=submit]").click()
    page.wait_for_url(re.compile(rf"/ideas/{idea_id}#comment-\d+$"))
    expect(page.locator(".replies .comment-body")).to_have_text(text)
    run.expect_flash(page, "Thank you, your comment is published.")
    run.check(page, "idea page with a reply")
    shot(page, f"matrix-citizen-{run.name}-06-reply")


def switch_language(run, page) -> None:
    """The switch in the header, on a search: to the other language and back, staying on the
    page with the search as it was."""
    page.goto("/ideas?q=WLAN")
    nav = page.locator(".main-nav a[href='/ideas']")
    switch = page.locator(".lang-switch button")
    names = {"de": "Deutsch", "en": "English"}
    expect(nav).to_have_text(run.msg("All ideas"))
    expect(switch).to_have_text(names[run.other_lang])
    switch.click()
    expect(page.locator("html")).to_have_attribute("lang", run.other_lang)
    assert page.url.endswith("/ideas?q=WLAN"), f"the switch lost the page or its search: {page.url}"
    expect(nav).to_have_text(run.msg("All ideas", lang=run.other_lang))
    expect(switch).to_have_text(names[run.lang])
    expect(page.locator("#q")).to_have_value("WLAN")
    assert run.msg("All ideas", lang="de") != "All ideas", "the German catalog has no text for 'All ideas'"
    switch.click()
    expect(page.locator("html")).to_have_attribute("lang", run.lang)
    expect(nav).to_have_text(run.msg("All ideas"))
    assert page.url.endswith("/ideas?q=WLAN"), page.url
    run.check(page, "feed after switching the language back")
