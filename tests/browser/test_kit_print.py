"""The workshop kit as Chromium prints it: four cards to an A4 page, posters that continue with
their heading, a facilitator sheet of one or two pages; the screen versions pass axe."""
import math
import re
import shutil
import subprocess

import pytest

from tests.browser.helpers import SCREENSHOT_DIR, login, shot, translated
from tests.browser.test_layout import OVERFLOW_JS

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "tina@example.org", "Tina plant die Werkstatt gut"
CARD_IDEAS = 9          # three A4 pages of cards, the last with one card
LONG_FIELD_IDEAS = 26   # more than one poster page
LONG_TITLE = ("Digitale Bürgersprechstunde per Video für alle Ortsteile, damit ältere Menschen und Berufstätige "
              "ohne lange Wege und Wartezeiten mit der Verwaltung sprechen können, auch am Abend und Samstag früh")
LONG_BODY = ("Viele Menschen in den Ortsteilen haben keinen Bus am Abend. Eine Sprechstunde per Video wäre ein "
             "guter Anfang, wenn sie barrierefrei ist und auch per Telefon funktioniert. ") * 6


def _pdf_pages(path) -> list[str]:
    """The text of each page of a PDF (poppler's pdftotext, form feed between pages)."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return text.split("\f")[:-1]


def _pdf_size(path) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    width, height = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups()
    return float(width), float(height)


def _pngs(path, name):
    """Pages as small PNGs in screenshots/ for a human to look at."""
    SCREENSHOT_DIR.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(path), str(SCREENSHOT_DIR / name)], check=True)


@pytest.fixture
def kit_site(live_app):
    from ideas.extensions import db
    from ideas.models import IdeaStatus
    from ideas.passwords import hash_password
    from tests.conftest import make_idea, make_process, make_user

    with live_app.app_context():
        process = make_process(fields=3, title="Digitalstrategie Musterstadt 2030")
        short, long_field, empty = process.action_fields
        short.colour, long_field.colour, empty.colour = "teal", "orange", "purple"
        short.goals = ["Schnelles Internet in allen Ortsteilen", "Freies WLAN an öffentlichen Orten"]
        long_field.goals = ["Verwaltung rund um die Uhr erreichbar"]
        db.session.commit()
        author = make_user()
        for i in range(CARD_IDEAS):
            make_idea(process, author=author, status=IdeaStatus.accepted, field=short,
                      title=LONG_TITLE if i == 0 else f"Idee {i}: Glasfaser für den Ortsteil {i}",
                      body=LONG_BODY)
        for i in range(LONG_FIELD_IDEAS):
            make_idea(process, author=author, status=IdeaStatus.accepted, field=long_field,
                      title=LONG_TITLE if i % 7 == 0 else f"Online-Antrag Nummer {i} ohne Papier", body="Kurz.")
        make_user(role="team", email=EMAIL, password_hash=hash_password(PASSWORD))
        return {"process_id": process.id, "short_id": short.id, "long_id": long_field.id,
                "short_name": short.name, "long_name": long_field.name, "empty_name": empty.name}


@pytest.fixture
def team_page(new_page, kit_site):
    page = new_page()
    login(page, EMAIL, PASSWORD)
    return page


def _print(page, url, tmp_path, name):
    page.goto(url)
    path = tmp_path / f"{name}.pdf"
    page.pdf(path=str(path), format="A4", prefer_css_page_size=True, print_background=True)
    _pngs(path, f"kit-{name}")
    return path


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (pdftotext, pdfinfo, pdftoppm)")
def test_cards_print_four_to_an_a4_page_and_nothing_overflows(team_page, kit_site, tmp_path):
    page = team_page
    base = f"/strategy/processes/{kit_site['process_id']}/kit"
    path = _print(page, f"{base}/cards?field={kit_site['short_id']}", tmp_path, "cards")
    pages = _pdf_pages(path)
    assert len(pages) == math.ceil(CARD_IDEAS / 4)
    width, height = _pdf_size(path)
    assert (round(width), round(height)) == (595, 842)  # A4 portrait in points
    assert [len(re.findall(r"\d{4}-\d{5}", p)) for p in pages] == [4, 4, 1]
    assert "Werkstatt" not in pages[0] and "Ideenfenster" not in pages[0]  # no site header, no intro box

    page.emulate_media(media="print")
    overflow = page.evaluate("""() => [...document.querySelectorAll('.kit-card')].filter(card => {
        const box = card.getBoundingClientRect();
        const qr = card.querySelector('.kit-card-url').getBoundingClientRect();
        const clipped = [...card.querySelectorAll('.kit-card-title, .kit-card-text')]
          .some(e => e.scrollHeight > e.clientHeight + 1);  // the longest title and excerpt are not cut
        return clipped || card.scrollHeight > card.clientHeight + 1 || qr.bottom > box.bottom + 0.5 || box.height < 500;
      }).map(card => card.dataset.reference)""")
    assert overflow == []
    sizes = page.evaluate("""() => [...document.querySelectorAll('.kit-card .qr-code')].map(q => q.getBoundingClientRect().width)""")
    assert all(108 < s < 120 for s in sizes), sizes  # 30 mm at 96 px per inch


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (pdftotext, pdfinfo, pdftoppm)")
def test_posters_start_a_page_per_field_and_repeat_the_heading_when_they_continue(team_page, kit_site, tmp_path, live_app):
    path = _print(team_page, f"/strategy/processes/{kit_site['process_id']}/kit/posters", tmp_path, "posters")
    pages = _pdf_pages(path)
    width, height = _pdf_size(path)
    assert width > height  # landscape
    first_of = {name: next(i for i, p in enumerate(pages) if name in p)
                for name in (kit_site["short_name"], kit_site["long_name"], kit_site["empty_name"])}
    assert first_of[kit_site["short_name"]] == 0
    long_pages = pages[first_of[kit_site["long_name"]]:first_of[kit_site["empty_name"]]]
    assert len(long_pages) >= 2
    column = translated(live_app, "Reference")
    for text in long_pages:  # the field's band and the column headings on every page
        assert kit_site["long_name"] in text and column in text
    assert sum(len(re.findall(r"\d{4}-\d{5}", p)) for p in long_pages) == LONG_FIELD_IDEAS
    assert "Verwaltung rund um die Uhr erreichbar" in long_pages[0]


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils (pdftotext, pdfinfo, pdftoppm)")
def test_facilitator_sheet_fits_on_one_or_two_pages(team_page, kit_site, tmp_path):
    path = _print(team_page, f"/strategy/processes/{kit_site['process_id']}/kit/facilitator", tmp_path, "facilitator")
    pages = _pdf_pages(path)
    assert 1 <= len(pages) <= 2
    assert "Digitalstrategie Musterstadt 2030" in " ".join(pages[0].split())
    assert f"/strategy/processes/{kit_site['process_id']}/workshops" in "".join(pages)


@pytest.mark.parametrize("width", [1280, 375])
def test_kit_screens_pass_axe(new_page, kit_site, browser_checks, width):
    page = new_page(viewport={"width": width, "height": 900})
    login(page, EMAIL, PASSWORD)
    base = f"/strategy/processes/{kit_site['process_id']}/kit"
    for name, url in (("kit", base), ("cards", f"{base}/cards?ideas=public"), ("posters", f"{base}/posters"),
                      ("facilitator", f"{base}/facilitator")):
        response = page.goto(url)
        assert response.status == 200
        layout = page.evaluate(OVERFLOW_JS)
        assert layout["scrollWidth"] <= width, (name, layout["culprits"])
        if name != "kit":
            assert page.locator("button[data-print]").is_visible()  # shown by site.js
        browser_checks.axe(page, f"kit {name} {width}px")
        shot(page, f"kit-screen-{name}-{width}")
