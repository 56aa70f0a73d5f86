"""200 % zoom and the keyboard: the main pages of every role, on the Musterstadt demo.

A 1280 px wide window zoomed to 200 % lays pages out at 640 CSS px with two device pixels per CSS
pixel; that is the context used here (WCAG 1.4.4 Resize Text, 1.4.10 Reflow). On every page:
no sideways scrolling, every visible control lies inside the window and on no other control, no
block cuts its text off; and Tab reaches every control, each with a visible focus indicator (an
outline or a box shadow that it does not have unfocused) inside the window (2.1.1, 2.4.7).
"""
import pytest

from tests.browser.helpers import login, seed_demo_site, shot

pytestmark = pytest.mark.browser

ZOOM_200 = {"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2}
PASSWORD = "ideenfenster-demo"  # ideas/demo.py
ROLES = {  # role -> (e-mail, pages: name -> path with {placeholders} from seed_demo_site)
    "anonymous": (None, {
        "landing": "/", "feed": "/ideas", "idea": "/ideas/{idea_id}", "imprint": "/impressum",
        "privacy": "/datenschutz", "accessibility": "/barrierefreiheit", "easy-language": "/leichte-sprache",
        "login": "/login", "register": "/register",
    }),
    "citizen": ("buerger@example.org", {
        "landing": "/", "idea": "/ideas/{idea_id}", "submit": "/ideas/new", "account": "/account",
    }),
    "moderator": ("moderation@example.org", {
        "queue": "/moderation/", "staff-idea": "/moderation/ideas/{idea_id}",
    }),
    "team": ("team@example.org", {
        "draft-editor": "/strategy/drafts/{draft_id}", "workshops": "/strategy/processes/{process_id}/workshops",
        "workshop-dots": "/strategy/workshops/{workshop_id}/dots",
    }),
    "admin": ("admin@example.org", {"users": "/admin/users", "settings": "/admin/settings"}),
}

INTERACTIVE = "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]"
# Shared by the two scripts below: what counts as shown, and a readable name for an element.
COMMON_JS = """
const W = document.documentElement.clientWidth;
const shown = e => {
  // checkVisibility: not inside a closed <details>, whose content still has boxes in Chromium
  const r = e.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && e.checkVisibility({visibilityProperty: true}) && !e.closest('[inert]');
};
const name = e => {
  const cls = typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\\s+/).join('.') : '';
  const text = (e.innerText || e.value || e.getAttribute('aria-label') || e.name || '').trim().replace(/\\s+/g, ' ');
  return `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${cls} "${text.slice(0, 40)}"`;
};
"""

LAYOUT_JS = """(selector) => {""" + COMMON_JS + """
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > W) problems.push(`the page scrolls sideways: ${root.scrollWidth} px wide in a ${W} px window`);
  // the skip link waits above the window until it gets focus; the focus walk checks it there
  const controls = [...document.querySelectorAll(selector)].filter(e => shown(e) && !e.closest('.skip-link'));
  const boxes = controls.map(e => e.getBoundingClientRect());
  controls.forEach((e, i) => {
    const r = boxes[i];
    if (r.left < -0.5 || r.right > W + 0.5)
      problems.push(`${name(e)} lies outside the window: ${Math.round(r.left)} to ${Math.round(r.right)} px of ${W}`);
  });
  for (let i = 0; i < controls.length; i++) {
    for (let j = i + 1; j < controls.length; j++) {
      const a = controls[i], b = controls[j];
      if (a.contains(b) || b.contains(a) || a.closest('.visually-hidden') || b.closest('.visually-hidden')) continue;
      const w = Math.min(boxes[i].right, boxes[j].right) - Math.max(boxes[i].left, boxes[j].left);
      const h = Math.min(boxes[i].bottom, boxes[j].bottom) - Math.max(boxes[i].top, boxes[j].top);
      if (w > 2 && h > 2) problems.push(`${name(a)} and ${name(b)} overlap by ${Math.round(w)}×${Math.round(h)} px`);
    }
  }
  const blocks = 'main, header, footer, nav, section, article, aside, form, fieldset, div, p, li, dt, dd, '
    + 'h1, h2, h3, h4, label, legend, td, th, button, a, summary, pre, blockquote';
  for (const e of document.querySelectorAll(blocks)) {
    if (!shown(e) || e.closest('.visually-hidden') || e.clientWidth === 0) continue;
    const s = getComputedStyle(e);
    if (s.display.startsWith('inline') && s.display !== 'inline-block' && s.display !== 'inline-flex') continue;
    if (/(auto|scroll)/.test(s.overflowX)) continue;  // a scroll region by design (wide tables)
    if (e.scrollWidth > e.clientWidth + 1)
      problems.push(`${name(e)} cuts or spills its content: ${e.scrollWidth} px in ${e.clientWidth} px`);
  }
  return [...new Set(problems)];
}"""

# Records every element that gets focus, with its look, while the test presses Tab.
FOCUS_SETUP_JS = """(selector) => {""" + COMMON_JS + """
  document.activeElement?.blur();  // an autofocused field would otherwise look focused "before"
  const look = e => { const s = getComputedStyle(e);
    return {outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`, shadow: s.boxShadow}; };
  const expected = [...document.querySelectorAll(selector)].filter(e =>
    shown(e) && !e.disabled && e.tabIndex >= 0);
  // In a group of radio buttons only one is a Tab stop.
  const groups = new Set();
  const stops = expected.filter(e => {
    if (e.type !== 'radio') return true;
    const key = (e.form ? 'f' : '') + e.name;
    if (groups.has(key)) return false;
    groups.add(key);
    return true;
  });
  const unfocused = new Map(stops.map(e => [e, look(e)]));
  const seen = new Set();
  window.__focusWalk = {stops, seen, log: []};
  document.addEventListener('focusin', event => {
    const e = event.target;
    if (seen.has(e)) return;
    seen.add(e);
    const s = getComputedStyle(e), now = look(e), before = unfocused.get(e) || look(document.body);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1
      && !/rgba\\(.*,\\s*0\\)$/.test(s.outlineColor) && now.outline !== before.outline;
    const shadow = s.boxShadow !== 'none' && now.shadow !== before.shadow;
    const r = e.getBoundingClientRect();
    window.__focusWalk.log.push({label: name(e), visible: outline || shadow, style: `outline ${now.outline}; box-shadow ${now.shadow}`,
                                 inside: r.left >= -0.5 && r.right <= W + 0.5 && r.width > 0});
  });
  return stops.length;
}"""

FOCUS_RESULT_JS = """() => {""" + COMMON_JS + """
  const walk = window.__focusWalk;
  return {log: walk.log, missed: walk.stops.filter(e => !walk.seen.has(e)).map(name)};
}"""


@pytest.fixture
def demo(live_app):
    return seed_demo_site(live_app)


def _focus_walk(page) -> list[str]:
    """Tab through the page once; every stop must show a focus indicator inside the window."""
    stops = page.evaluate(FOCUS_SETUP_JS, INTERACTIVE)
    for _ in range(stops + 3):  # and a few more: focus leaves the page and comes back to the start
        page.keyboard.press("Tab")
    result = page.evaluate(FOCUS_RESULT_JS)
    problems = [f"no visible focus indicator on {s['label']} ({s['style']})" for s in result["log"] if not s["visible"]]
    problems += [f"{s['label']} has focus outside the window" for s in result["log"] if not s["inside"]]
    problems += [f"Tab never reaches {label}" for label in result["missed"]]
    assert len(result["log"]) >= min(stops, 3), f"Tab moved focus only {len(result['log'])} times: {result}"
    print(f"{page.url}: {len(result['log'])} Tab stops")
    return problems


@pytest.mark.parametrize("role", list(ROLES))
def test_pages_at_200_percent_zoom_and_by_keyboard(new_page, demo, role):
    email, pages = ROLES[role]
    page = new_page(**ZOOM_200)
    if email:
        login(page, email, PASSWORD)
    problems = []
    for name, path in pages.items():
        response = page.goto(path.format(**demo))
        assert response.status == 200, f"{path}: {response.status}"
        assert page.evaluate("() => [innerWidth, devicePixelRatio]") == [640, 2]
        shot(page, f"zoom-200-{role}-{name}")
        problems += [f"{name} ({path}): {p}" for p in page.evaluate(LAYOUT_JS, INTERACTIVE)]
        problems += [f"{name} ({path}): {p}" for p in _focus_walk(page)]
    assert not problems, f"{role} at 200 % zoom (640 CSS px):\n  " + "\n  ".join(problems)


def test_the_checks_see_a_wide_control_and_a_hidden_focus(new_page, live_server):
    """The scripts above find what they look for: a button wider than the window, one on top of
    another, text cut off, and a link whose focus outline is switched off."""
    page = new_page(**ZOOM_200)
    page.goto("/impressum")
    page.evaluate("""() => {  // styles set through the CSSOM: the CSP forbids style attributes
      const add = (parent, tag, attrs, style) => {
        const e = Object.assign(document.createElement(tag), attrs);
        for (const [k, v] of Object.entries(style)) e.style.setProperty(k, v, 'important');
        return parent.appendChild(e);
      };
      const main = document.querySelector('main');
      add(main, 'button', {id: 'wide', textContent: 'Breit'}, {width: '900px'});
      const box = add(main, 'div', {}, {position: 'relative'});
      add(box, 'button', {id: 'under', textContent: 'Unten'}, {});
      add(box, 'button', {id: 'over', textContent: 'Oben'}, {position: 'absolute', left: '0', top: '0'});
      add(main, 'p', {id: 'cut', textContent: 'Ein sehr langer Satz, der abgeschnitten wird'},
          {overflow: 'hidden', 'white-space': 'nowrap', width: '100px'});
      add(main, 'a', {id: 'bare', href: '#x', textContent: 'Ohne Fokus'}, {outline: 'none', 'box-shadow': 'none'});
    }""")
    layout = "\n".join(page.evaluate(LAYOUT_JS, INTERACTIVE))
    assert "the page scrolls sideways" in layout
    assert 'button#wide "Breit" lies outside the window' in layout
    assert 'button#under "Unten" and button#over "Oben" overlap' in layout
    assert 'p#cut "Ein sehr langer Satz' in layout
    focus = "\n".join(_focus_walk(page))
    assert 'no visible focus indicator on a#bare "Ohne Fokus"' in focus
    assert 'button#wide "Breit" has focus outside the window' in focus
