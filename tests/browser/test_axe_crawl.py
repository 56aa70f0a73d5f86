"""Every page, as every role, in both languages, passes axe-core (WCAG 2.1 A/AA).

The Musterstadt demo is loaded into the live app; then each role crawls the site like a visitor who
clicks everything: breadth-first over same-host links and the default submission of every GET form
(filters, search), starting at / and the role's own start pages. URLs are grouped by their Flask
URL rule and at most a few are scanned per rule, role and language, so the 60 idea pages of the
demo cost two scans, not sixty. Nothing that changes data is ever requested: every change in the
app is a POST, and the crawler never submits a POST form.

Coverage is derived from the URL map: every GET rule must have been scanned by some role, unless
NOT_CRAWLED below says why it cannot be (one-off links, downloads, JSON). A new page therefore
is covered automatically, or this test fails and says which rule nobody reached.

The counts go to build/axe-report.json and the terminal summary (see conftest.py).
"""
import re
import time
from collections import Counter, deque
from urllib.parse import urljoin, urlsplit, urlunsplit

import pytest
from playwright.sync_api import Error as PlaywrightError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from tests.browser.helpers import AXE_STATS, axe_source, login, run_axe, seed_demo_site, wait_for_htmx
from tests.conftest import make_idea, make_process

pytestmark = pytest.mark.browser

PASSWORD = "ideenfenster-demo"  # ideas/demo.py: the documented demo password
ROLES = {  # role -> (login e-mail or None, start pages besides /)
    "anonymous": (None, ["/login", "/register", "/reset", "/ideas"]),
    # /account/consent: shown when the terms change, so no link leads there
    "citizen": ("buerger@example.org", ["/account", "/ideas/new", "/account/consent"]),
    "moderator": ("moderation@example.org", ["/moderation/", "/account"]),
    "team": ("team@example.org", ["/strategy/processes", "/moderation/"]),
    "admin": ("admin@example.org", ["/admin/", "/strategy/processes"]),
}
LANGUAGES = ("de", "en")
# German, the default, is scanned as every role with up to two URLs per rule (an idea with and one
# without answer, a list with and without filters). English changes only the texts, so each rule is
# scanned once in English by the first role that reaches it: a third of the pages, same coverage.
PER_RULE_AND_ROLE = 2

# GET rules that are not crawled, and why. Everything else in the URL map must be scanned.
NOT_CRAWLED = {
    # files and data, not pages
    "static": "CSS, JS and images",
    "participation.healthz": "plain-text health check for the load balancer",
    "api.openapi": "JSON", "api.processes": "JSON", "api.action_fields": "JSON",
    "api.ideas": "JSON", "api.idea": "JSON",
    "api.open_data_csv": "CSV download", "api.open_data_json": "JSON download",
    "exports.download": "CSV/XLSX/… downloads",
    "auth.download_data": "the person's data as a JSON download",
    "moderation.import_template": "CSV/XLSX template download",
    "strategy.draft_export": "DOCX/Markdown download",
    "strategy.version_export": "DOCX/Markdown download",
    "strategy.dot_sheet": "printable dot sheet download (PDF/XLSX)",
    # one-off links that act on GET and then redirect: opening them would change the data
    "auth.verify": "confirms the address from the mail, then redirects (no page of its own)",
    "auth.confirm_email_change": "changes the address from the mail, then redirects",
    # not pages: parts of a page that htmx swaps in; test_citizen_journey.py scans them in place
    "participation.similar": "htmx fragment of /ideas/new (similar ideas while typing the title)",
    # states a crawler cannot reach by clicking; test_account_security.py scans them with axe
    "totp.login_code": "only between password and code for an account with two-factor login",
    "totp.recovery_codes": "shown once, right after two-factor login was switched on",
}
# Links the crawler must not follow even if a page offers them as GET.
NOT_FOLLOWED = set(NOT_CRAWLED) | {"auth.logout"}

# The page's language and where one can go from it: links, and GET forms submitted as they are.
LINKS_JS = """() => {
  const out = [];
  for (const a of document.querySelectorAll('a[href]')) out.push(a.href);
  for (const form of document.querySelectorAll('form')) {
    if ((form.getAttribute('method') || 'get').toLowerCase() !== 'get') continue;
    const url = new URL(form.action, location.href);
    url.search = new URLSearchParams(new FormData(form)).toString();
    out.push(url.href);
  }
  return {lang: document.documentElement.lang, links: out};
}"""


@pytest.fixture
def demo(live_app):
    return seed_demo_site(live_app)


class Crawler:
    """One role in one browser context: crawls in one language after the other."""

    def __init__(self, app, base_url: str, page, checks, role: str, english_done: Counter | None = None):
        self.adapter = app.url_map.bind(urlsplit(base_url).netloc)
        self.host = urlsplit(base_url).netloc
        self.base_url, self.page, self.checks, self.role = base_url, page, checks, role
        self.english_done = english_done if english_done is not None else Counter()  # shared by the roles
        self.scanned: dict[str, list[str]] = {}  # endpoint -> "lang URL" scanned for it
        self.broken: list[str] = []
        self.wrong_language: list[str] = []
        self.not_html: dict[str, str] = {}

    def rule(self, url: str):
        """The URL rule a same-host URL belongs to, or None (other host, unknown path, POST only)."""
        parts = urlsplit(url)
        if parts.netloc != self.host:
            return None
        try:
            rule, _args = self.adapter.match(parts.path, method="GET", return_rule=True)
        except (MethodNotAllowed, HTTPException):
            return None
        return rule

    def crawl(self, lang: str, starts: list[str]) -> int:
        """Breadth-first over links and GET forms; returns how many pages were scanned."""
        page = self.page
        page.context.add_cookies([{"name": "lang", "value": lang, "url": self.base_url}])
        budget = Counter() if lang == "de" else self.english_done
        limit = PER_RULE_AND_ROLE if lang == "de" else 1
        queue = deque((urljoin(self.base_url, s), "start") for s in starts)
        seen, pages = set(), 0
        while queue:
            url, came_from = queue.popleft()
            url = urlunsplit(urlsplit(url)._replace(fragment=""))
            if url in seen:
                continue
            seen.add(url)
            rule = self.rule(url)
            if rule is None or rule.endpoint in NOT_FOLLOWED or budget[rule.rule] >= limit:
                continue
            budget[rule.rule] += 1
            try:
                response = page.goto(url)
            except PlaywrightError as exc:  # a download starts instead of a page
                self.not_html[rule.endpoint] = str(exc).splitlines()[0]
                continue
            if response is None or response.status >= 400:
                self.broken.append(f"{response.status if response else '?'} {url} (linked from {came_from})")
                continue
            if not response.headers.get("content-type", "").startswith("text/html"):
                self.not_html[rule.endpoint] = response.headers.get("content-type", "")
                continue
            self.checks.axe(page, f"{self.role}/{lang} {urlsplit(page.url).path}")
            pages += 1
            # A rule that redirects (/admin/ -> /admin/users) is covered by the page it leads to.
            for endpoint in {rule.endpoint, getattr(self.rule(page.url), "endpoint", rule.endpoint)}:
                self.scanned.setdefault(endpoint, []).append(f"{lang} {page.url}")
            found = page.evaluate(LINKS_JS)
            if found["lang"] != lang:
                self.wrong_language.append(f"{page.url} is lang={found['lang']!r} in the {lang} crawl")
            queue.extend((link, url) for link in found["links"])
        return pages


def _get_rules(app) -> set[str]:
    return {r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods}


# About 3 minutes on a quiet 2-core machine (314 pages); 8 when it is shared, hence the long limit.
@pytest.mark.timeout(900)
def test_every_page_as_every_role_passes_axe(browser, live_app, live_server, browser_checks, demo):
    started = time.monotonic()
    report = {"roles": {}, "scanned_by_rule": {}}
    broken, not_html, english_done = [], {}, Counter()
    for role, (email, starts) in ROLES.items():
        context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900},
                                      locale="de-DE")
        context.set_default_timeout(10_000)
        context.add_init_script(axe_source())  # compiled with each page, not sent again for each scan
        browser_checks.watch(context)
        page = context.new_page()
        if email:
            login(page, email, PASSWORD)
        crawler = Crawler(live_app, live_server, page, browser_checks, role, english_done)
        extra = demo["mail_links"] if email is None else []
        counts = {lang: crawler.crawl(lang, ["/", *starts, *extra]) for lang in LANGUAGES}
        context.close()
        report["roles"][role] = {"pages": counts, "rules": sorted(crawler.scanned)}
        for endpoint, urls in crawler.scanned.items():
            report["scanned_by_rule"].setdefault(endpoint, []).extend(f"{role} {u}" for u in urls)
        broken += [f"{role}: {b}" for b in crawler.broken + crawler.wrong_language]
        not_html.update(crawler.not_html)

    needed = _get_rules(live_app) - set(NOT_CRAWLED)
    missing = sorted(needed - set(report["scanned_by_rule"]))
    pages = sum(sum(r["pages"].values()) for r in report["roles"].values())
    violations = sum(len(v) for _where, v in browser_checks.violations)
    AXE_STATS["crawl"] = {
        "pages_scanned": pages,
        "pages_by_role": {role: r["pages"] for role, r in report["roles"].items()},
        "rules_needed": len(needed), "rules_covered": len(needed) - len(missing), "rules_missing": missing,
        "pages_with_violations": len(browser_checks.violations), "violations": violations,
        "violation_rules": sorted({v["id"] for _w, vs in browser_checks.violations for v in vs}),
        "seconds": round(time.monotonic() - started, 1),
        "rules_by_role": {role: r["rules"] for role, r in report["roles"].items()},
    }
    print(f"\naxe crawl: {pages} pages, {len(needed) - len(missing)}/{len(needed)} rules, "
          f"{violations} violation(s) in {AXE_STATS['crawl']['seconds']} s")
    assert not broken, "links that lead to an error page, pages in the wrong language:\n  " + "\n  ".join(broken)
    surprising = {e: t for e, t in not_html.items() if e not in NOT_CRAWLED}
    assert not surprising, f"these rules answer with files, add them to NOT_CRAWLED with a reason: {surprising}"
    assert not missing, (
        "no role reached these GET pages, so axe never checked them. Link them from a page, add a start "
        "page to ROLES, seed what they need in the demo fixture, or (for files and one-off links) add "
        "them to NOT_CRAWLED with a reason:\n  " + "\n  ".join(missing))
    assert pages >= 150, f"the crawl scanned only {pages} pages: is the demo data there?"
    # axe violations fail the test at its end through browser_checks, with one readable list


def test_the_crawler_normalises_urls_to_rules(live_app, live_server):
    """Idea pages and filters count as one rule each, other hosts and POST-only URLs as none."""
    crawler = Crawler(live_app, live_server, page=None, checks=None, role="test")
    assert crawler.rule(f"{live_server}/ideas/12").endpoint == "participation.idea"
    assert crawler.rule(f"{live_server}/ideas/99?x=1").rule == crawler.rule(f"{live_server}/ideas/1").rule
    assert crawler.rule(f"{live_server}/ideas?q=wlan&sort=new").endpoint == "participation.feed"
    assert crawler.rule("https://example.org/ideas") is None
    assert crawler.rule(f"{live_server}/logout") is None  # POST only
    assert crawler.rule(f"{live_server}/no-such-page") is None
    assert re.match(r"http://127\.0\.0\.1:\d+$", live_server)


def test_axe_and_the_swap_check_see_what_they_should(page, live_app, browser_checks):
    """run_axe reports an unlabelled field; an htmx swap nobody scanned is reported until
    wait_for_htmx has run axe on the swapped page."""
    with live_app.app_context():
        process = make_process(fields=2)
        make_idea(process, title="Freies WLAN in der Innenstadt")
        make_idea(process, title="Digitale Schulbuchausleihe", field=process.action_fields[1])
    page.goto("/ideas")
    page.evaluate("() => document.querySelector('main').appendChild(document.createElement('input'))")
    assert "label" in {v["id"] for v in run_axe(page)}
    page.evaluate("() => document.querySelector('main > input:last-child').remove()")

    scans = AXE_STATS["swap_scans"]
    page.select_option("#sort", index=1)  # hx-trigger="change from:select" swaps #feed-results
    page.wait_for_url(re.compile(r"sort="))
    page.wait_for_function("() => window.__htmxSwaps.settled > 0")
    assert browser_checks.unscanned_swaps(), browser_checks.swaps
    wait_for_htmx(page)
    assert not browser_checks.unscanned_swaps()
    assert AXE_STATS["swap_scans"] == scans + 1
