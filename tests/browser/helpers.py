"""Stateless helpers for the browser tests: screenshots, axe-core, logging in, seeding."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = ROOT / "screenshots"  # git-ignored; for humans to look at
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_axe = None


def shot(page, name: str) -> Path:
    """Save a full-page PNG of the page to screenshots/<name>.png."""
    SCREENSHOT_DIR.mkdir(exist_ok=True)
    path = SCREENSHOT_DIR / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def run_axe(page) -> list[dict]:
    """Run axe-core (bundled with axe-playwright-python) on the page; return its violations."""
    global _axe
    if _axe is None:
        from axe_playwright_python.sync_playwright import Axe
        _axe = Axe()
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    return _axe.run(page, options=options).response["violations"]


def format_violations(violations: list[dict], where: str) -> str:
    """One readable block per violation: rule, impact, help, and each element with its problem."""
    lines = []
    for v in violations:
        lines.append(f"[{where}] {v['id']} ({v.get('impact')}): {v['help']}  <{v.get('helpUrl', '')}>")
        for node in v["nodes"]:
            target = ", ".join(str(t) for t in node["target"])
            lines.append(f"    element: {target}")
            lines.append(f"      html: {node.get('html', '').strip()[:300]}")
            summary = (node.get("failureSummary") or "").replace("\n", " / ")
            if summary:
                lines.append(f"      why:  {summary[:500]}")
    return "\n".join(lines)


def assert_no_axe_violations(page, where: str) -> None:
    """Strict variant: fail at once if axe finds anything on the page."""
    violations = run_axe(page)
    report = format_violations(violations, where)
    if report:
        print(report)
    assert not violations, f"axe found {len(violations)} violation(s) on {where}:\n{report}"


def wait_for_htmx(page) -> None:
    """Wait until htmx has no request in flight and has finished swapping and settling."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def login(page, email: str, password: str) -> None:
    """Log in through the real login form."""
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("form.narrow-form [type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def create_user(app, email: str, password: str, display_name: str) -> int:
    """A verified citizen with a real password hash; returns the id."""
    from ideas.passwords import hash_password
    from tests.conftest import make_user

    with app.app_context():
        return make_user(email=email, display_name=display_name,
                         password_hash=hash_password(password)).id


def translated(app, message: str, locale: str = "de", **variables) -> str:
    """What the app says for a message in a language (the live app's own catalogs)."""
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale(locale):
        return gettext(message, **variables)


def html_lang(page) -> str:
    return page.evaluate("document.documentElement.lang")
