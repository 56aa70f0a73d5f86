"""The citizen, moderator and team journeys in every combination the site promises to support:
German and English, a 375 px phone and a 1280 px desktop, JavaScript on and off (3 × 8 runs).

Each journey lives in tests/browser/journeys/ as step functions; Run (journeys/run.py) gives
them browsers in the run's setting and checks every page state: the page's language, no
sideways scrolling on the phone, axe-core, and (through browser_checks) no request to another
host and no JavaScript error. Screenshots go to screenshots/matrix-*.png.
"""
import pytest

from tests.browser.journeys import citizen, moderator, team
from tests.browser.journeys.run import Run

pytestmark = pytest.mark.browser

SETTINGS = [(lang, width, js) for lang in ("de", "en") for width in (375, 1280) for js in (True, False)]
IDS = [f"{lang}-{width}-{'js' if js else 'nojs'}" for lang, width, js in SETTINGS]


@pytest.fixture(params=SETTINGS, ids=IDS)
def run(request, live_app, live_server, new_page, browser_checks) -> Run:
    lang, width, js = request.param
    return Run(live_app, new_page, browser_checks, live_server, lang, width, js)


def test_citizen(run):
    citizen.journey(run)


def test_moderator(run):
    moderator.journey(run)


def test_team(run):
    team.journey(run)
