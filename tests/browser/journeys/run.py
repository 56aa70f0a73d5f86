"""One run of a journey: its language, width and JavaScript setting, and the checks every page
state goes through (language, no sideways scrolling on phones, axe-core)."""
import hashlib
import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

from playwright.sync_api import expect

from tests.browser.helpers import login, translated

PASSWORD = "ein langer Satz für den Test"
HEIGHT = {375: 800, 1280: 900}
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.IGNORECASE | re.DOTALL)
# What differs between two renderings of the same page state and cannot change axe's findings.
_VOLATILE = [
    (re.compile(r'(name="csrf_token" (?:type="hidden" )?value=")[^"]*'), r"\1"),
    (re.compile(r'(X-CSRFToken(?:&quot;|"): (?:&quot;|"))[^"&]*'), r"\1"),
    (re.compile(r"<time\b[^>]*>[^<]*</time>"), "<time></time>"),
]
# Markup already found free of violations at a width, by its hash: the runs with and without
# JavaScript mostly show the same page states, and axe's verdict on the same markup is the same.
_CLEAN: set[tuple[int, str]] = set()


@dataclass
class Run:
    """What a journey needs from the test: the app, browsers in the run's setting, and checks."""

    app: object
    new_page: object
    checks: object
    base_url: str
    lang: str
    width: int
    js: bool
    _twin: object = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return f"{self.lang}-{self.width}-{'js' if self.js else 'nojs'}"

    @property
    def other_lang(self) -> str:
        return "de" if self.lang == "en" else "en"

    def browser(self, email: str | None = None, password: str = PASSWORD, chosen: bool = True):
        """A fresh browser in this run's setting. `chosen`: the language was picked earlier, so the
        cookie the language switch sets is already there (German needs none: it is the default)."""
        page = self.new_page(viewport={"width": self.width, "height": HEIGHT[self.width]}, js=self.js)
        if chosen and self.lang != "de":
            page.context.add_cookies([{"name": "lang", "value": self.lang, "url": self.base_url}])
        if email:
            login(page, email, password)
        return page

    # --- texts in the run's language --------------------------------------------------------

    def msg(self, message: str, lang: str | None = None, **variables) -> str:
        return translated(self.app, message, lang or self.lang, **variables)

    def msg_n(self, singular: str, plural: str, num: int, **variables) -> str:
        from flask_babel import force_locale, ngettext

        with self.app.test_request_context(), force_locale(self.lang):
            return ngettext(singular, plural, num, **variables)

    def expect_flash(self, page, message: str, **variables) -> None:
        expect(page.locator(".flash-success")).to_have_text(self.msg(message, **variables))

    # --- what every page state must pass -----------------------------------------------------

    def check(self, page, where: str) -> None:
        """The page is in the run's language, fits a phone without sideways scrolling and has no
        axe-core violations (without JavaScript: checked on a copy of its markup, see _axe_copy)."""
        where = f"[{self.name}] {where}"
        expect(page.locator("html")).to_have_attribute("lang", self.lang)
        if self.width <= 375:
            overflow = page.evaluate(
                "() => [document.documentElement.scrollWidth, window.innerWidth,"
                " [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
                " > window.innerWidth + 1).slice(0, 5).map(e => e.outerHTML.slice(0, 160))]")
            assert overflow[0] <= overflow[1], f"{where}: the page scrolls sideways at 375 px: {overflow}"
        html = _SCRIPT.sub("", page.content())
        key = (self.width, hashlib.sha256(_normalized(html).encode()).hexdigest())
        if key in _CLEAN:
            return
        found = self.checks.axe(page, where) if self.js else self._axe_copy(page, html, where)
        if not found:
            _CLEAN.add(key)

    def focused_id(self, page) -> str:
        return page.evaluate("document.activeElement && document.activeElement.id")

    def _axe_copy(self, page, html: str, where: str) -> list:
        """axe-core needs JavaScript, so the markup this page got (scripts removed, so nothing
        changes it) is served at the same address to a scripted page of the same size."""
        if self._twin is None:
            self._twin = self.new_page(viewport={"width": self.width, "height": HEIGHT[self.width]})
        url = page.url.split("#")[0]

        def serve(route):
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)

        def matches(candidate: str) -> bool:
            return candidate.split("#")[0] == url

        assert urlparse(url).scheme in ("http", "https"), url
        self._twin.route(matches, serve)
        try:
            self._twin.goto(url)
            return self.checks.axe(self._twin, where + " (its markup without JavaScript)")
        finally:
            self._twin.unroute(matches, serve)


def _normalized(html: str) -> str:
    for pattern, replacement in _VOLATILE:
        html = pattern.sub(replacement, html)
    return html
