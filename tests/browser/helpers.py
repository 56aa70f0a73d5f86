"""Stateless helpers for the browser tests: screenshots, axe-core, logging in, seeding."""
import re
import weakref
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = ROOT / "screenshots"  # git-ignored; for humans to look at
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Counts for the test session's summary and build/axe-report.json (conftest.py writes them).
AXE_STATS: dict = {"swap_scans": 0, "swap_violations": 0}

_axe = None


def shot(page, name: str) -> Path:
    """Save a full-page PNG of the page to screenshots/<name>.png."""
    SCREENSHOT_DIR.mkdir(exist_ok=True)
    path = SCREENSHOT_DIR / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_source() -> str:
    """axe-core's JavaScript (bundled with axe-playwright-python), for page.evaluate or add_init_script."""
    global _axe
    if _axe is None:
        from axe_playwright_python.sync_playwright import Axe
        _axe = Axe().axe_script
    return _axe


def run_axe(page) -> list[dict]:
    """Run axe-core on the page; return its violations.

    axe is injected only if the document lacks it: after an htmx swap, or in a context that loads it
    with add_init_script (the crawl), sending and compiling its 570 kB again would double the time.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    return page.evaluate("options => axe.run(document, options).then(results => results.violations)", options)


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


# Counts every htmx swap in a page (conftest.BrowserChecks.watch adds it to each context), so a test
# that swaps without scanning afterwards is caught: wait_for_htmx marks the swaps it scanned.
SWAP_JS = """(() => {
  const state = {doc: Math.random().toString(36).slice(2), settled: 0};
  window.__htmxSwaps = state;
  document.addEventListener('htmx:afterSettle', () => {
    state.settled += 1;
    if (window.__htmxSwapSeen) window.__htmxSwapSeen(state.doc, state.settled, location.href);
  });
})()"""
# Browser context -> the test's BrowserChecks, so wait_for_htmx can add its findings to the test's list.
WATCHERS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def wait_for_htmx(page, where: str = "") -> None:
    """Wait until htmx has no request in flight and has finished swapping and settling, then run
    axe on the page as it is now: every state an htmx swap produces is checked (WCAG 2.1 A/AA)."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )
    label = f"after htmx swap {where}".strip()
    checks = WATCHERS.get(page.context)
    if checks is not None:
        violations = checks.axe(page, label)  # collected; the test fails at its end with all of them
    else:
        violations = run_axe(page)
        assert not violations, format_violations(violations, f"{label} {page.url}")
    AXE_STATS["swap_scans"] += 1
    AXE_STATS["swap_violations"] += len(violations)
    state = page.evaluate("() => window.__htmxSwaps && [window.__htmxSwaps.doc, window.__htmxSwaps.settled]")
    if checks is not None and state:
        checks.swaps_scanned[state[0]] = state[1]


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


def seed_demo_site(app) -> dict:
    """The Musterstadt demo (`flask seed-demo`) and what it lacks for reaching every page: a published
    strategy draft with a frozen version, an answer template, an older second process with dot voting,
    and mail links for Bernd. Returns the ids the tests open."""
    from datetime import timedelta

    from sqlalchemy import select

    from ideas import demo, drafts
    from ideas.extensions import db
    from ideas.models import AnswerTemplate, Idea, IdeaStatus, Process, StrategyDraft, User, Workshop
    from ideas.tokens import make_reset_token, make_unsubscribe_token
    from tests.conftest import make_idea, make_process

    with app.app_context(), app.test_request_context():
        demo.seed(echo=lambda *args: None)
        process = db.session.scalar(select(Process).where(Process.slug == demo.SLUG))
        users = {u.email.split("@")[0]: u for u in db.session.scalars(
            select(User).where(User.email.like("%@example.org")))}
        team, bernd = users["team"], users["buerger"]
        if db.session.scalar(select(StrategyDraft.id).limit(1)) is None:
            draft = drafts.create(process, "Digitalstrategie 2035", vision="Eine digitale Stadt für alle.",
                                  user=team)
            drafts.freeze(draft, "Entwurf für den Stadtrat", user=team)
            drafts.publish(draft)
        if db.session.scalar(select(AnswerTemplate.id).limit(1)) is None:
            db.session.add(AnswerTemplate(title="Dank und Prüfung", created_by_id=team.id,
                                          body="Vielen Dank für Ihre Idee „{title}“. Wir prüfen sie."))
        # Older than the demo, so the demo stays the site's current process.
        dots = make_process(title="Dorfplatz Oberdorf", slug="dorfplatz-oberdorf", fields=2)
        dots.dot_points, dots.dot_max_per_idea = 5, 3
        dots.created_at = process.created_at - timedelta(days=365)
        for title in ("Sitzbänke mit Ladestation", "Digitale Infotafel am Dorfplatz"):
            make_idea(dots, status=IdeaStatus.published, title=title).dot_points = 2
        db.session.commit()
        answered = db.session.scalar(select(Idea).where(Idea.process_id == process.id, Idea.answer_html.is_not(None),
                                                        Idea.comment_count > 0).order_by(Idea.id))
        return {
            "process_id": process.id, "slug": process.slug, "idea_id": answered.id,
            "draft_id": db.session.scalar(select(StrategyDraft.id).order_by(StrategyDraft.id)),
            "workshop_id": db.session.scalar(select(Workshop.id).order_by(Workshop.id)),
            "mail_links": [f"/reset/{make_reset_token(bernd)}", f"/unsubscribe/{make_unsubscribe_token(bernd)}"],
        }


def translated(app, message: str, locale: str = "de", **variables) -> str:
    """What the app says for a message in a language (the live app's own catalogs)."""
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale(locale):
        return gettext(message, **variables)


def html_lang(page) -> str:
    return page.evaluate("document.documentElement.lang")
