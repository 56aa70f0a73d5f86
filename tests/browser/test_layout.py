"""Layout and keyboard: no sideways scrolling at 320 CSS px, a working skip link, visible focus."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import create_user, login, shot
from tests.conftest import make_idea, make_process

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 720}
EMAIL, PASSWORD = "dora@example.org", "Dora tippt einen langen Satz"

OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const culprits = [...document.querySelectorAll('body *')]
    .filter(e => !e.closest('.visually-hidden') && e.getBoundingClientRect().width > 0
                 && e.getBoundingClientRect().right > width + 0.5)
    .map(e => {
      const r = e.getBoundingClientRect();
      const cls = typeof e.className === 'string' && e.className.trim()
        ? '.' + e.className.trim().split(/\\s+/).join('.') : '';
      return `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${cls} (right edge ${Math.round(r.right)}px)`;
    });
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, culprits: culprits.slice(0, 12)};
}"""

FOCUS_JS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const label = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\\s+/).join('.') : '')
    + ' "' + (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 30) + '"';
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  return {label, outline, shadow, style: `outline: ${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}; box-shadow: ${s.boxShadow}`};
}"""


@pytest.fixture
def site(live_app):
    """A process with a few ideas, a discussion, and a citizen who can log in."""
    from ideas import discussion
    from ideas.extensions import db
    from tests.conftest import make_user

    with live_app.app_context():
        process = make_process(fields=5, description=(
            "Wie soll Musterstadt digitaler werden? Sammeln Sie mit uns Ideen für die Digitalisierungsstrategie."))
        idea = make_idea(process, title="Freies WLAN in der Innenstadt und im Bürgerbüro")
        make_idea(process, title="Online-Terminvergabe für das Einwohnermeldeamt", field=process.action_fields[2])
        make_idea(process, title="Digitale Schulbuchausleihe an allen Grundschulen", field=process.action_fields[1])
        writer = make_user(display_name="Erika Mustermann-Schulze")
        first = discussion.add_comment(writer, idea, "Sehr gute Idee! Das würde auch den Geschäften helfen.")
        discussion.add_comment(make_user(), idea, "Stimmt, besonders samstags auf dem Wochenmarkt.", first)
        db.session.commit()
        idea_id = idea.id
    create_user(live_app, EMAIL, PASSWORD, "Dora Digital")
    return {"idea_id": idea_id}


PAGES = {
    "home": ("/", False),
    "feed": ("/ideas", False),
    "idea": ("/ideas/{idea_id}", True),
    "new-idea": ("/ideas/new", True),
    "register": ("/register", False),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_no_horizontal_scrolling_at_320px(new_page, site, name):
    path, logged_in = PAGES[name]
    page = new_page(viewport=NARROW)
    if logged_in:
        login(page, EMAIL, PASSWORD)
    response = page.goto(path.format(**site))
    assert response.status == 200
    shot(page, f"layout-320-{name}")
    result = page.evaluate(OVERFLOW_JS)
    assert result["scrollWidth"] <= result["innerWidth"], (
        f"{name} scrolls sideways at 320px: scrollWidth {result['scrollWidth']} > {result['innerWidth']}; "
        f"too wide: {result['culprits']}")


def test_skip_link_is_first_and_moves_focus_to_main(page, site):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box and box["y"] >= 0 and box["x"] >= 0, f"the focused skip link is off screen: {box}"
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    assert page.url.endswith("#main")
    page.keyboard.press("Tab")  # the next stop is inside the content, not the header again
    assert page.evaluate("!!document.activeElement.closest('main')"), \
        page.evaluate("document.activeElement.outerHTML.slice(0, 120)")


@pytest.mark.parametrize("where", ["register", "idea"])
def test_every_focus_stop_is_visible(new_page, site, where):
    page = new_page()
    if where == "idea":
        login(page, EMAIL, PASSWORD)
        page.goto(f"/ideas/{site['idea_id']}")
    else:
        page.goto("/register")
    seen, invisible = [], []
    for _ in range(60):
        page.keyboard.press("Tab")
        info = page.evaluate(FOCUS_JS)
        if info is None or (seen and info["label"] == seen[0]):
            break  # back at the start: every stop visited
        seen.append(info["label"])
        if not (info["outline"] or info["shadow"]):
            invisible.append(f"{info['label']}: {info['style']}")
    print(f"focus stops on {where}:", *seen, sep="\n  ")
    assert len(seen) >= 8, f"too few focus stops on {where}: {seen}"
    for needed in ["a.skip-link", "button.link-button"]:
        assert any(label.startswith(needed) for label in seen), f"{needed} not reachable by Tab on {where}: {seen}"
    assert not invisible, f"focus is not visible on {where}:\n" + "\n".join(invisible)
    if where == "register":
        assert any(re.match(r"input#(email|accept_terms)", label) for label in seen)
