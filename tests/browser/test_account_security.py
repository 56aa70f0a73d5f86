"""A moderator secures the account in the browser, on a phone and on a desktop: sets up
two-factor login with the QR page, keeps the recovery codes, logs in with password and code,
and changes the password (first with a wrong current one). axe checks every page on the way."""
import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import shot

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": {"width": 375, "height": 800}, "desktop": {"width": 1280, "height": 900}}
EMAIL = "moderation@example.org"
PASSWORD = "ein langer Satz für die Moderation"
NEW_PASSWORD = "ein neuer langer Satz zum Merken"


@pytest.fixture
def moderator(live_app):
    from ideas.passwords import hash_password
    from tests.conftest import make_user

    with live_app.app_context():
        return make_user(role="moderator", email=EMAIL, display_name="Mona Moderation",
                         password_hash=hash_password(PASSWORD)).id


def submit(page, form="form.narrow-form"):
    page.locator(f"{form} [type=submit]").first.click()
    page.wait_for_load_state()


def log_in_with_password(page, password=PASSWORD):
    page.goto("/login")
    page.fill("#email", EMAIL)
    page.fill("#password", password)
    submit(page)


@pytest.mark.parametrize("vp", list(VIEWPORTS))
def test_two_factor_setup_login_and_password_change(new_page, browser_checks, moderator, vp):
    checks = browser_checks
    checks.allow_console("the server responded with a status of 422")
    page = new_page(viewport=VIEWPORTS[vp])

    log_in_with_password(page)
    expect(page).to_have_url(re.compile(r"/$"))

    # Setup: start, scan (read the key), confirm with a code.
    page.goto("/account/two-factor")
    checks.axe(page, f"two-factor intro {vp}")
    page.locator("form[action$='/account/two-factor/start'] button").click()
    qr = page.locator(".two-factor-qr svg")
    expect(qr).to_have_attribute("role", "img")
    expect(page.locator(".two-factor-secret")).to_be_visible()
    secret = page.locator(".two-factor-secret").inner_text().replace(" ", "")
    checks.axe(page, f"two-factor setup {vp}")
    shot(page, f"two-factor-setup-{vp}")

    page.fill("#code", "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    submit(page, "form[action$='/account/two-factor/confirm']")
    expect(page.locator("#code")).to_have_attribute("aria-invalid", "true")
    checks.axe(page, f"two-factor setup with an error {vp}")

    page.fill("#code", pyotp.TOTP(secret).now())
    submit(page, "form[action$='/account/two-factor/confirm']")
    expect(page).to_have_url(re.compile(r"/account/two\-factor/recovery\-codes$"))
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    checks.axe(page, f"recovery codes {vp}")
    page.locator("main a.button-primary").click()
    checks.axe(page, f"two-factor on {vp}")

    # Log out, log in again: the password, then the code.
    page.locator("form[action$='/logout'] button").click()
    log_in_with_password(page)
    expect(page).to_have_url(re.compile(r"/login/code$"))
    expect(page.locator("#code")).to_have_attribute("autocomplete", "one-time-code")
    checks.axe(page, f"login code {vp}")
    page.fill("#code", pyotp.TOTP(secret).at(time.time() + 30))  # the next code: the first is used up
    submit(page)
    expect(page).to_have_url(re.compile(r"/$"))

    # Change the password: a wrong current password first.
    page.goto("/account/password")
    checks.axe(page, f"change password {vp}")
    page.fill("#current_password", "geraten")
    page.fill("#password", NEW_PASSWORD)
    page.fill("#password2", NEW_PASSWORD)
    submit(page)
    expect(page.locator("#current_password")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#error-summary")).to_be_visible()
    checks.axe(page, f"change password with an error {vp}")
    shot(page, f"change-password-error-{vp}")

    page.fill("#current_password", PASSWORD)
    page.fill("#password", NEW_PASSWORD)
    page.fill("#password2", NEW_PASSWORD)
    submit(page)
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.locator(".flash-success")).to_be_visible()
    checks.axe(page, f"account after the change {vp}")
    assert checks.axe_runs >= 8


@pytest.mark.parametrize("vp", list(VIEWPORTS))
def test_administration_pages(new_page, live_app, browser_checks, vp):
    """An administrator searches an account, changes its role and requires two-factor login."""
    from ideas.passwords import hash_password
    from tests.conftest import make_user

    with live_app.app_context():
        make_user(role="admin", email="admin@example.org", display_name="Ada Admin",
                  password_hash=hash_password(PASSWORD))
        person = make_user(display_name="Bea Bürgerin", email="bea@example.org").id
    checks = browser_checks
    page = new_page(viewport=VIEWPORTS[vp])
    page.goto("/login")
    page.fill("#email", "admin@example.org")
    page.fill("#password", PASSWORD)
    submit(page)

    page.locator("nav.main-nav a[href='/admin/users']").click()
    page.fill("#q", "bea")
    page.locator("form.filters button").click()
    expect(page.locator("table.table tbody tr")).to_have_count(1)
    checks.axe(page, f"admin accounts {vp}")
    page.locator(f"a[href='/admin/users/{person}']").click()
    checks.axe(page, f"admin account {vp}")
    page.select_option("#role", "moderator")
    page.locator("form[action$='/role'] button").click()
    expect(page.locator(".flash-success")).to_be_visible()
    page.goto("/admin/settings")
    checks.axe(page, f"admin settings {vp}")
    shot(page, f"admin-settings-{vp}")
