"""The project team's journey: a strategy draft from the accepted ideas, a measure edited, two
merged and one moved, a version frozen, the documents and exports downloaded, and the draft
published for citizens."""
import csv
import io
import re

from playwright.sync_api import expect

from tests.browser.helpers import shot, wait_for_htmx
from tests.browser.journeys.run import PASSWORD
from tests.conftest import make_idea, make_process, make_user

WLAN, FIBRE, CONSULT, TABLETS = ("Freies WLAN am Marktplatz", "Glasfaser für Gewerbegebiete",
                                 "Digitale Sprechstunde im Rathaus", "Tablets für die Grundschule")
CONSULT_EDITED = "Digitale Sprechstunde im Rathaus, auch abends"
DRAFT_TITLE = "Digitalstrategie 2030"
VERSION = "Vorlage für den Stadtrat"


def seed(run) -> dict:
    """Two action fields, four accepted ideas and Tina from the project team."""
    from ideas.extensions import db
    from ideas.models import IdeaStatus
    from ideas.passwords import hash_password

    with run.app.app_context():
        process = make_process(fields=2, title="Digitalstrategie Musterstadt", slug="musterstadt")  # see citizen.seed
        author = make_user(email="carl@example.org", display_name="Carl Citoyen")
        digital, school = process.action_fields
        digital.goals, digital.responsible_office = ["Schnelles Netz überall"], "Amt für Digitales"
        ideas = {}
        for title, field, supports in [(WLAN, digital, 9), (FIBRE, digital, 5), (CONSULT, digital, 2),
                                       (TABLETS, school, 7)]:
            ideas[title] = make_idea(process, author=author, status=IdeaStatus.accepted, title=title,
                                       field=field)
            ideas[title].support_count = supports
        db.session.commit()
        tina = make_user(role="team", email="tina@example.org", display_name="Tina Team",
                         password_hash=hash_password(PASSWORD), locale=run.lang)
        return {"process": process.id, "slug": process.slug, "email": tina.email,
                "ideas": {t: i.id for t, i in ideas.items()}}


def state(app, draft_id: int) -> dict:
    from ideas import drafts, measures

    with app.app_context():
        draft = drafts.load(draft_id)
        numbers = measures.numbers(draft)
        return {
            "order": [[m.title for m in items] for _s, items in measures.grouped(draft)],
            "ids": {m.title: m.id for m in draft.measures},
            "sources": {m.title: sorted(i.title for i in m.ideas) for m in draft.measures},
            "numbers": {m.title: numbers[m.id] for m in draft.measures},
            "versions": [v.label for v in drafts.versions(draft)],
        }


def journey(run) -> None:
    data = seed(run)
    run.checks.allow_console("status of 422")  # Chromium logs the answer to a refused form
    tina = run.browser(data["email"])
    draft_id = start_draft(run, tina, data)
    edit_measure(run, tina, draft_id)
    merge(run, tina, draft_id)
    move(run, tina, draft_id)
    freeze(run, tina, draft_id)
    documents(run, tina, draft_id)
    exports(run, tina, data)
    publish(run, tina, draft_id, data)


def start_draft(run, page, data) -> int:
    page.goto(f"/strategy/processes/{data['process']}/drafts")
    run.check(page, "drafts: empty list")
    page.click(f"a[href$='/strategy/processes/{data['process']}/drafts/new']")
    run.check(page, "drafts: new draft form")
    page.click("form.strategy-form [type=submit]")  # no title
    expect(page.locator("#error-summary")).to_be_visible()
    if run.js:
        expect(page.locator("#error-summary")).to_be_focused()
    run.check(page, "drafts: new draft form with an error")
    page.fill("#title", DRAFT_TITLE)
    expect(page.locator("#from_accepted")).to_be_checked()
    page.click("form.strategy-form [type=submit]")
    page.wait_for_url(re.compile(r"/strategy/drafts/\d+$"))
    draft_id = int(re.search(r"/drafts/(\d+)$", page.url).group(1))
    expect(page.locator(".flash-success")).to_have_text(run.msg_n(
        "The draft “%(title)s” has been created with %(num)d measure.",
        "The draft “%(title)s” has been created with %(num)d measures.", 4, title=DRAFT_TITLE))
    assert state(run.app, draft_id)["order"] == [[WLAN, FIBRE, CONSULT], [TABLETS]]
    expect(page.locator(".measure")).to_have_count(4)
    expect(page.locator("#draft-measures")).to_contain_text("Schnelles Netz überall")
    run.check(page, "draft: started from accepted ideas")
    return draft_id


def edit_measure(run, page, draft_id: int) -> None:
    """A source that is not an idea of the process is refused; then the new title is saved."""
    measure_id = state(run.app, draft_id)["ids"][CONSULT]
    page.click(f"#measure-{measure_id} a[href$='/measures/{measure_id}/edit']")
    page.wait_for_url(re.compile(rf"/measures/{measure_id}/edit$"))
    run.check(page, "draft: edit measure")
    sources = page.locator("#ideas").input_value()
    page.fill("#ideas", "2099-99999")
    page.click("form.strategy-form [type=submit]")
    expect(page.locator("#ideas-error")).to_contain_text(run.msg_n(
        "%(refs)s is not the number of an idea in this process.",
        "%(refs)s are not numbers of ideas in this process.", 1, refs="2099-99999"))
    run.check(page, "draft: edit measure with an unknown idea")
    page.fill("#ideas", sources)
    page.fill("#title", CONSULT_EDITED)
    page.fill("#time_frame", "2027")
    page.click("form.strategy-form [type=submit]")
    page.wait_for_url(re.compile(rf"/strategy/drafts/{draft_id}#measure-{measure_id}$"))
    run.expect_flash(page, "The measure “%(title)s” has been saved.", title=CONSULT_EDITED)
    expect(page.locator(f"#measure-{measure_id} .measure-title")).to_contain_text(CONSULT_EDITED)
    run.check(page, "draft: after editing a measure")


def merge(run, page, draft_id: int) -> None:
    """Merge 1.2 and 2.1: the first by number stays and names both ideas."""
    ids = state(run.app, draft_id)["ids"]
    page.check(f"#merge-{ids[TABLETS]}")
    page.check(f"#merge-{ids[FIBRE]}")
    page.click("#merge-form button[type=submit]")
    page.wait_for_url(re.compile(r"/merge$"))
    run.check(page, "draft: merge confirmation")
    page.click("button[name=confirm]")
    page.wait_for_url(re.compile(rf"/strategy/drafts/{draft_id}#measure-{ids[FIBRE]}$"))
    expect(page.locator(".flash-success")).to_have_text(run.msg_n(
        "Measure %(merged)s has been merged into measure %(number)s “%(title)s”.",
        "Measures %(merged)s have been merged into measure %(number)s “%(title)s”.", 1,
        merged=run.msg("%(number)s “%(title)s”", number="2.1", title=TABLETS), number="1.2", title=FIBRE))
    expect(page.locator(".measure")).to_have_count(3)
    assert state(run.app, draft_id)["sources"][FIBRE] == [FIBRE, TABLETS]
    run.check(page, "draft: after merging")


def move(run, page, draft_id: int) -> None:
    """Move 1.3 up: htmx swaps the list in place, keeps the focus on the button and announces the
    change; without JavaScript the page comes back at the measure with the same message."""
    mover = state(run.app, draft_id)["ids"][CONSULT_EDITED]
    said = run.msg("“%(title)s” is now measure %(number)s.", title=CONSULT_EDITED, number="1.2")
    if run.js:
        page.evaluate("window.stillTheSamePage = true")
    page.click(f"#move-measure-{mover}-up")
    if run.js:
        expect(page.locator(f"#measure-{mover} .measure-number")).to_have_text("1.2")
        wait_for_htmx(page)
        assert run.focused_id(page) == f"move-measure-{mover}-up", "focus left the button after the swap"
        expect(page.locator("#draft-status")).to_have_text(said)
        assert page.evaluate("window.stillTheSamePage === true"), "the page was loaded again"
    else:
        page.wait_for_url(re.compile(rf"/strategy/drafts/{draft_id}#measure-{mover}$"))
        expect(page.locator(".flash-success")).to_have_text(said)
        expect(page.locator(f"#measure-{mover} .measure-number")).to_have_text("1.2")
    assert state(run.app, draft_id)["order"][0] == [WLAN, CONSULT_EDITED, FIBRE]
    run.check(page, "draft: after moving a measure")


def freeze(run, page, draft_id: int) -> None:
    """An empty name is refused, a name is kept."""
    versions = page.locator("#versions")
    versions.get_by_role("button").click()
    expect(page.locator("#label-error")).to_be_visible()
    run.check(page, "draft: freeze without a name")
    page.fill("#label", VERSION)
    page.locator("#versions").get_by_role("button").click()
    page.wait_for_url(re.compile(r"#versions$"))
    run.expect_flash(page, "The version “%(label)s” has been frozen. It stays as it is, whatever changes later.",
                     label=VERSION)
    expect(page.locator(".versions-table tbody tr")).to_have_count(1)
    assert state(run.app, draft_id)["versions"] == [VERSION]
    run.check(page, "draft: with a frozen version")
    shot(page, f"matrix-team-{run.name}-01-draft")


def _download(page, link) -> bytes:
    with page.expect_download() as info:
        link.click()
    with open(info.value.path(), "rb") as f:
        return f.read()


def documents(run, page, draft_id: int) -> None:
    """The draft as Word and Markdown, the frozen version as Word, and the print view: all in the
    language the team member reads the site in."""
    links = page.locator(".draft-links")
    docx = _download(page, links.get_by_role("link", name=run.msg("Download as Word (DOCX)")))
    assert docx.startswith(b"PK"), "not a DOCX (zip) file"
    markdown = _download(page, links.get_by_role("link", name=run.msg("Download as Markdown"))).decode("utf-8")
    assert markdown.startswith(f"# {DRAFT_TITLE}\n"), markdown[:200]
    assert f"## {run.msg('Participation in numbers')}\n" in markdown, markdown[:600]
    assert f"### 1.2 {CONSULT_EDITED}\n" in markdown
    version_docx = _download(page, page.locator(".versions-table a[href$='/export.docx']"))
    assert version_docx.startswith(b"PK")
    links.get_by_role("link", name=run.msg("Print view")).click()
    page.wait_for_url(re.compile(rf"/strategy/drafts/{draft_id}/print$"))
    expect(page.locator("h1")).to_contain_text(DRAFT_TITLE)
    run.check(page, "draft: print view")


def exports(run, page, data) -> None:
    """The team's spreadsheets: ideas as CSV (headings in the reader's language) and measures."""
    page.goto("/strategy/processes")
    run.check(page, "processes with their exports")
    process = page.locator(".strategy-list > li", has_text="Digitalstrategie Musterstadt")
    text = _download(page, process.get_by_role("link", name=run.msg("Ideas as CSV file"))).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:2] == [run.msg("Reference"), run.msg("Title")], rows[0]
    assert sorted(row[1] for row in rows[1:]) == sorted([WLAN, FIBRE, CONSULT, TABLETS])
    xlsx = _download(page, process.get_by_role("link", name=run.msg("Measures as Excel file")))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx), read_only=True).active
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert table[0][:2] == [run.msg("Draft"), run.msg("Number")], table[0]
    assert sorted(row[1] for row in table[1:]) == ["1.1", "1.2", "1.3"]


def publish(run, page, draft_id: int, data) -> None:
    """Citizens see the published draft, and an idea names the measure that took it up."""
    page.goto(f"/strategy/drafts/{draft_id}")
    page.locator(".draft-publish").get_by_role("button", name=run.msg("Publish for citizens")).click()
    run.expect_flash(page, "The draft is now public.")
    citizen = run.browser()
    citizen.goto(f"/processes/{data['slug']}/strategy")
    expect(citizen.locator(".measure")).to_have_count(3)
    run.check(citizen, "public strategy page")
    citizen.goto(f"/ideas/{data['ideas'][TABLETS]}")
    link = citizen.locator(".taken-up a")
    expect(link).to_contain_text("1.3")
    run.check(citizen, "idea page with its measure")
    fibre = state(run.app, draft_id)["ids"][FIBRE]
    link.click()
    citizen.wait_for_url(re.compile(rf"/strategy#measure-{fibre}$"))
