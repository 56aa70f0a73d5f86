"""The payload corpus in a real browser: typed into the new areas' forms, then every page showing it.

The team member fills drafts, measures and a workshop; a citizen registers with a payload as
display name and sends the accessibility feedback form. Then every page that shows those texts
is opened with a dialog listener: alert() firing anywhere fails the test, and browser_checks
fails it on any request that leaves the test server (an <iframe src=//evil.example>, say).
"""
import re

import pytest

from tests.browser.helpers import create_user, login
from tests.conftest import make_idea, make_process
from tests.test_sanitize import PAYLOADS

pytestmark = pytest.mark.browser

PASSWORD = "ein langer Satz für den Test"
CORPUS = "\n".join(PAYLOADS)  # every payload, one per line, for the multi-line fields


def one(n: int) -> str:
    """A single-line field's value: one payload of the corpus, in turn."""
    return f"F{n} {PAYLOADS[n % len(PAYLOADS)]}"


def _seed(app) -> dict:
    from ideas.extensions import db
    from ideas.models import IdeaStatus, Role, User

    with app.app_context():
        process = make_process(fields=2, title="Digitalstrategie Musterstadt", dot_points=5)
        idea = make_idea(process, status=IdeaStatus.accepted, title="Freies WLAN am Marktplatz",
                         field=process.action_fields[0])
        team_id = create_user(app, "tina@example.org", PASSWORD, "Tina Team")
        db.session.get(User, team_id).role = Role.team
        db.session.commit()
        return {"process": process.id, "slug": process.slug, "idea": idea.id, "reference": idea.reference}


def _submit(page, selector: str = "main #submit") -> None:
    with page.expect_navigation():
        page.click(selector)


def test_the_corpus_never_runs_in_the_new_areas(live_app, new_page, browser_checks):
    seed = _seed(live_app)
    dialogs: list[str] = []

    def watch(page):
        page.on("dialog", lambda dialog: (dialogs.append(f"{dialog.type} on {page.url}: {dialog.message}"),
                                          dialog.dismiss()))
        return page

    team = watch(new_page())
    login(team, "tina@example.org", PASSWORD)
    team.goto(f"/strategy/processes/{seed['process']}/drafts/new")
    team.fill("#title", one(0))
    team.fill("#vision", CORPUS)
    team.fill("#principles", CORPUS)
    _submit(team)
    draft_url = re.sub(r"[#?].*$", "", team.url)
    draft_id = int(draft_url.rsplit("/", 1)[1])

    team.click("text=Ziele bearbeiten >> nth=0")
    team.fill("#goals", CORPUS)
    _submit(team)
    team.goto(f"{draft_url}/measures/new")
    team.fill("#title", one(1))
    team.fill("#description", CORPUS)
    team.fill("#time_frame", one(2)[:80])
    team.fill("#responsible_office", one(3))
    team.fill("#ideas", seed["reference"])
    _submit(team)
    measure_id = int(re.search(r"#measure-(\d+)", team.url).group(1))
    team.fill("#label", one(4))
    _submit(team, "main form[action*='/versions'] [type=submit]")
    _submit(team, "main form[action$='/publish'] [type=submit]")

    team.goto(f"/strategy/processes/{seed['process']}/workshops/new")
    team.fill("#name", one(5))
    team.fill("#place", one(6))
    team.fill("#note", CORPUS)
    _submit(team)
    workshop_id = int(re.search(r"/workshops/(\d+)/dots", team.url).group(1))
    team.fill("#rows-0-reference", f"M-{measure_id}")
    team.fill("#rows-0-dots", "4")
    team.fill("#rows-1-reference", f"F7 {PAYLOADS[1]}")
    team.fill("#rows-1-dots", "2")
    _submit(team, "main [type=submit][name=save]")  # refused: shows the reference in its error

    citizen = watch(new_page())
    citizen.goto("/register")
    citizen.fill("#email", "bea@example.org")
    citizen.fill("#display_name", one(8))
    citizen.fill("#password", PASSWORD)
    citizen.fill("#password2", PASSWORD)
    citizen.check("#accept_terms")
    _submit(citizen)
    with live_app.app_context():
        from ideas.extensions import db
        from ideas.models import User, utcnow

        db.session.query(User).filter_by(email="bea@example.org").update({"email_verified_at": utcnow()})
        db.session.commit()
    citizen.goto(f"/ideas/{seed['idea']}")
    citizen.fill("#body", "Gute Idee, unbedingt umsetzen.")
    _submit(citizen, "main form[action$='/comments'] [type=submit]")
    citizen.goto("/barrierefreiheit")
    citizen.fill("#name", one(9))
    citizen.fill("#email", one(10))  # not an address: the form comes back with every value in it
    citizen.fill("#message", CORPUS)
    browser_checks.allow_console("422")
    _submit(citizen)
    citizen.fill("#email", "bea@example.org")
    _submit(citizen)

    team_pages = [
        draft_url, f"{draft_url}/edit", f"{draft_url}/measures/{measure_id}/edit", f"{draft_url}/print",
        f"/strategy/processes/{seed['process']}/drafts", f"/strategy/processes/{seed['process']}/workshops",
        f"/strategy/processes/{seed['process']}/workshops/{workshop_id}/edit",
        f"/strategy/workshops/{workshop_id}/dots",
    ]
    with live_app.app_context():
        from sqlalchemy import select

        from ideas.models import DraftSection, DraftVersion
        version_id = db.session.scalar(select(DraftVersion.id).where(DraftVersion.draft_id == draft_id))
        section_id = db.session.scalar(select(DraftSection.id).where(DraftSection.draft_id == draft_id))
    team_pages += [f"/strategy/versions/{version_id}/print", f"{draft_url}/sections/{section_id}/goals"]
    citizen_pages = [f"/processes/{seed['slug']}/strategy", f"/ideas/{seed['idea']}", "/account", "/ideas"]
    for page, urls in ((team, team_pages), (citizen, citizen_pages)):
        for url in urls:
            response = page.goto(url)
            assert response.status == 200, url
            page.wait_for_load_state("load")
    # The texts arrived (so the pages above really showed them), as text.
    team.goto(draft_url)
    assert PAYLOADS[0] in team.inner_text("main")
    citizen.goto(f"/ideas/{seed['idea']}")
    assert one(8) in citizen.inner_text("main")
    assert "F1 " in citizen.inner_text("main"), "taken up in the measure with a payload title"

    assert dialogs == []
    assert not [url for url in browser_checks.requests if url.endswith("/logout")]
    pages = len(team_pages) + len(citizen_pages)
    assert pages == 14
