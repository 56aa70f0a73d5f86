"""Browser tests: headless Debian Chromium (Playwright) against the app on a real HTTP server.

Off by default. Run them with

    BROWSER_TESTS=1 .venv/bin/python -m pytest tests/browser -q -p no:cacheprovider

They need /usr/bin/chromium (`apt-get install chromium`; Playwright's own browser download is
not used). Without it they are skipped, except with REQUIRE_BROWSER=1 (CI), where they fail.

Every page a test opens is watched: a request to any host but the test server, a console
error (which includes CSP violations) or an uncaught JS error fails the test. Accessibility
checks with axe-core are collected during the test and fail it at the end with a list of every
violation on every page, so one run shows them all.
"""
import json
import os
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.browser.helpers import AXE_STATS, ROOT, SWAP_JS, WATCHERS, format_violations, run_axe

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
]
HERE = Path(__file__).resolve().parent
REQUIRED = os.environ.get("REQUIRE_BROWSER") == "1"
ENABLED = os.environ.get("BROWSER_TESTS") == "1" or REQUIRED
HAVE_CHROMIUM = os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE not in Path(str(item.fspath)).resolve().parents:
            continue
        item.add_marker(pytest.mark.browser)
        if REQUIRED:
            continue  # a missing Chromium fails in _require_chromium
        if not ENABLED:
            item.add_marker(pytest.mark.skip(
                reason="browser tests are off: set BROWSER_TESTS=1 to run them (they need /usr/bin/chromium)"))
        elif not HAVE_CHROMIUM:
            item.add_marker(pytest.mark.skip(
                reason=f"{CHROMIUM} is missing: apt-get install chromium (BROWSER_TESTS=1 is set)"))


@pytest.fixture(autouse=True)
def _require_chromium():
    if REQUIRED and not HAVE_CHROMIUM:
        pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing: apt-get install chromium")


# --- the app on a real server -------------------------------------------------------------

@pytest.fixture(scope="session")
def translations_dir(tmp_path_factory):
    """The .po catalogs compiled into a temporary folder, so the pages use the current texts
    even when `make translations` has not been run (compiled .mo files are git-ignored)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    sources = sorted((ROOT / "ideas" / "translations").glob("*/LC_MESSAGES/messages.po"))
    if not sources:
        return None
    out = tmp_path_factory.mktemp("translations")
    for po in sources:
        locale = po.parent.parent.name
        with po.open("rb") as f:
            catalog = read_po(f, locale=locale)
        target = out / locale / "LC_MESSAGES"
        target.mkdir(parents=True)
        with (target / "messages.mo").open("wb") as f:
            write_mo(f, catalog, use_fuzzy=True)  # as `make translations` does
    return out


@pytest.fixture
def live_app(tmp_path, translations_dir):
    """The app on its own SQLite file, CSRF on. Set up data with make_* inside its app context;
    read mails with ideas.mail.outbox() inside its app context."""
    from ideas import create_app
    from ideas.extensions import db

    config = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'b.sqlite'}", "WTF_CSRF_ENABLED": True}
    if translations_dir is not None:
        config["BABEL_TRANSLATION_DIRECTORIES"] = str(translations_dir)
    app = create_app(config, config_name="testing")
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def live_server(live_app):
    """The base URL of live_app served by werkzeug in a background thread."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):
            pass

    server = make_server("127.0.0.1", 0, live_app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


# --- the browser --------------------------------------------------------------------------

@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    from playwright.sync_api import expect

    expect.set_options(timeout=5_000)
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class BrowserChecks:
    """What went wrong in the browser during one test: foreign requests, JS errors, axe findings."""

    def __init__(self, base_url: str):
        self.origin = urlparse(base_url).netloc
        self.requests: list[str] = []
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.violations: list[tuple[str, list[dict]]] = []
        self.allowed_console: list[str] = []
        self.axe_runs = 0
        self.no_js_contexts: list = []
        self.swaps: dict[str, tuple[int, str]] = {}  # document -> (htmx swaps so far, URL)
        self.swaps_scanned: dict[str, int] = {}  # document -> swaps that wait_for_htmx scanned

    # wiring
    def watch(self, context) -> None:
        context.on("request", self._on_request)
        context.on("page", self._watch_page)
        context.add_init_script(SWAP_JS)
        context.expose_binding("__htmxSwapSeen", self._on_swap)
        WATCHERS[context] = self

    def _watch_page(self, page) -> None:
        page.on("console", lambda msg: self._on_console(page, msg))
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught JS error on {page.url}: {exc}"))

    def _on_request(self, request) -> None:
        url = request.url
        self.requests.append(url)
        parsed = urlparse(url)
        if parsed.scheme in ("data", "blob", "about"):
            return
        if parsed.netloc != self.origin:
            self.foreign.append(f"{request.method} {url} (from {request.frame.url if request.frame else '?'})")

    def _on_swap(self, _source, doc: str, settled: int, url: str) -> None:
        self.swaps[doc] = (max(settled, self.swaps.get(doc, (0, ""))[0]), url)

    def unscanned_swaps(self) -> list[str]:
        """Pages where htmx swapped content after the last wait_for_htmx (which runs axe)."""
        return [f"{url} ({settled - self.swaps_scanned.get(doc, 0)} swap(s) not scanned)"
                for doc, (settled, url) in self.swaps.items() if self.swaps_scanned.get(doc, 0) < settled]

    def _on_console(self, page, msg) -> None:
        if msg.type != "error":
            return
        text = msg.text
        if any(pattern in text for pattern in self.allowed_console):
            return
        self.errors.append(f"console error on {page.url}: {text}")

    # use in tests
    def allow_console(self, substring: str) -> None:
        """Let one expected console message pass, e.g. the browser's note about a 422 response."""
        self.allowed_console.append(substring)

    def axe(self, page, where: str) -> list[dict]:
        """Run axe on the page; findings are printed now and fail the test at its end."""
        if page.context in self.no_js_contexts:
            raise RuntimeError("axe-core cannot run in a page with JavaScript disabled (axe.run never resolves)")
        violations = run_axe(page)
        self.axe_runs += 1
        if violations:
            print(format_violations(violations, f"{where} {page.url}"))
            self.violations.append((where, violations))
        return violations

    def axe_summary(self) -> str:
        """Each rule once, each element once, with the pages it was found on."""
        rules: dict[str, dict] = {}
        for where, violations in self.violations:
            for v in violations:
                rule = rules.setdefault(v["id"], {"v": v, "nodes": {}})
                for node in v["nodes"]:
                    key = ", ".join(str(t) for t in node["target"])
                    entry = rule["nodes"].setdefault(key, {"node": node, "pages": []})
                    if where not in entry["pages"]:
                        entry["pages"].append(where)
        lines = []
        for rule_id, rule in rules.items():
            v = rule["v"]
            lines.append(f"{rule_id} ({v.get('impact')}): {v['help']}  <{v.get('helpUrl', '').split('?')[0]}>")
            for target, entry in rule["nodes"].items():
                node = entry["node"]
                summary = (node.get("failureSummary") or "").replace("\n", " ").replace("Fix all of the following:", "").replace("Fix any of the following:", "").strip()
                lines.append(f"  {target}: {summary[:300]}")
                lines.append(f"      html: {node.get('html', '').strip()[:200]}")
                lines.append(f"      on:   {'; '.join(entry['pages'])}")
        return "\n".join(lines)

    def problems(self) -> list[str]:
        out = []
        if self.foreign:
            out.append("Requests to other hosts (only the test server is allowed):\n  " + "\n  ".join(self.foreign))
        if self.errors:
            out.append("JavaScript/console errors:\n  " + "\n  ".join(self.errors))
        if self.violations:
            out.append("axe-core accessibility violations (WCAG 2.1 A/AA):\n" + self.axe_summary())
        if self.unscanned_swaps():
            out.append("htmx swapped content that axe never saw; call wait_for_htmx(page) after the action:\n  "
                       + "\n  ".join(self.unscanned_swaps()))
        return out

    def assert_clean(self) -> None:
        problems = self.problems()
        if problems:
            pytest.fail("\n\n".join(problems), pytrace=False)


@pytest.fixture
def browser_checks(live_server):
    return BrowserChecks(live_server)


@pytest.fixture
def new_page(browser, live_server, browser_checks):
    """Make a page in a fresh browser context (own cookies): new_page(viewport=..., js=...)."""
    contexts = []

    def make(viewport=None, js=True, **kwargs):
        context = browser.new_context(
            base_url=live_server, viewport=viewport or {"width": 1280, "height": 900},
            java_script_enabled=js, locale="de-DE", **kwargs,
        )
        context.set_default_timeout(10_000)
        browser_checks.watch(context)
        if not js:
            browser_checks.no_js_contexts.append(context)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After the test body: fail on foreign requests, JS errors and axe violations."""
    checks = getattr(item, "funcargs", {}).get("browser_checks")
    try:
        result = yield
    except BaseException:
        if checks is not None and checks.problems():
            item.add_report_section("call", "browser", "\n\n".join(checks.problems()))
        raise
    if checks is not None:
        checks.assert_clean()
    return result


def pytest_terminal_summary(terminalreporter):
    """The axe counts of this run (crawl and htmx swaps), also in build/axe-report.json."""
    crawl = AXE_STATS.get("crawl")
    if not crawl and not AXE_STATS["swap_scans"]:
        return
    terminalreporter.section("axe-core (WCAG 2.1 A/AA)")
    if crawl:
        terminalreporter.write_line(
            f"crawl: {crawl['pages_scanned']} pages scanned, {crawl['rules_covered']}/{crawl['rules_needed']} "
            f"GET rules covered, {crawl['violations']} violation(s) on {crawl['pages_with_violations']} page(s), "
            f"{crawl['seconds']} s")
        for role, counts in crawl["pages_by_role"].items():
            terminalreporter.write_line(f"  {role}: " + ", ".join(f"{lang} {n}" for lang, n in counts.items()))
    terminalreporter.write_line(
        f"after htmx swaps: {AXE_STATS['swap_scans']} scan(s), {AXE_STATS['swap_violations']} violation(s)")
    out = ROOT / "build" / "axe-report.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(AXE_STATS, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    terminalreporter.write_line(f"written to {out.relative_to(ROOT)}")
