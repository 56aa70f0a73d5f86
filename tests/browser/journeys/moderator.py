"""The moderator's journey: filter the queue, file a waiting idea under action fields, publish
it, answer it in public (its author reads the answer and gets mails in her language), and deal
with a comment a citizen reported."""
import re

from playwright.sync_api import expect

from tests.browser.helpers import shot, wait_for_htmx
from tests.browser.journeys.run import PASSWORD
from tests.conftest import make_idea, make_process, make_user

WAITING_TITLE = "Videosprechstunde im Bürgerbüro anbieten"
DISCUSSED_TITLE = "Sitzbänke mit Solarladestation"
RUDE_COMMENT = "So ein Quatsch, wer sowas vorschlägt, hat keine Ahnung."
ANSWER = "Danke für den Vorschlag. Der Rat hat zugestimmt, wir setzen ihn 2027 um."


def seed(run) -> dict:
    """A process with pre-moderation: an idea waiting for review and a published one with a rude
    comment. Clara (author), Rita (reports) and Mona (moderator) read the site in the run's language."""
    from ideas import discussion, workflow
    from ideas.extensions import db
    from ideas.models import IdeaStatus
    from ideas.passwords import hash_password

    with run.app.app_context():
        secret = hash_password(PASSWORD)
        process = make_process(mode="pre", fields=3, slug="musterstadt")  # fixed: see citizen.seed
        people = {key: make_user(role=role, email=f"{key}@example.org", display_name=name,
                                 password_hash=secret, locale=run.lang)
                  for key, role, name in [("clara", "citizen", "Clara Bürger"), ("rita", "citizen", "Rita Rat"),
                                          ("mona", "moderator", "Mona Moderatorin")]}
        waiting = make_idea(process, author=people["clara"], status=IdeaStatus.pending, title=WAITING_TITLE,
                            field=process.action_fields[0],
                            body="Man sollte Termine im Bürgerbüro auch per Video wahrnehmen können.")
        discussed = make_idea(process, author=make_user(email="bernd@example.org", display_name="Bernd Bank"),
                              title=DISCUSSED_TITLE)
        workflow.publish(discussed, people["mona"])  # pre-moderation holds every new idea back
        rudi = make_user(email="rudi@example.org", display_name="Rudi Rüpel")
        rude = discussion.add_comment(rudi, discussed, RUDE_COMMENT)
        db.session.commit()
        fields = process.action_fields
        return {"emails": {key: user.email for key, user in people.items()}, "waiting": waiting.id,
                "discussed": discussed.id, "rude": rude.id, "field_slug": fields[0].slug,
                "primary_id": fields[2].id, "primary": fields[2].name, "further": fields[1].name}


def journey(run) -> None:
    data = seed(run)
    for message in ("status of 422", "status of 409"):
        run.checks.allow_console(message)  # Chromium logs answers with these codes
    mona = run.browser(data["emails"]["mona"])
    queue(run, mona, data)
    tag(run, mona, data)
    publish(run, mona, data)
    answer(run, mona, data)
    clara = run.browser(data["emails"]["clara"])
    read_answer(run, clara, data)
    rita = run.browser(data["emails"]["rita"])
    report(run, rita, data)
    hide_reported_comment(run, mona, data)
    expect_comment_hidden(run, rita, data)


def queue(run, page, data) -> None:
    """The queue, narrowed to one action field: htmx swaps the results and keeps the focus on
    the filter; without JavaScript the "Show" button loads the page again."""
    page.goto("/moderation/")
    expect(page.locator(".queue-tabs a[aria-current=page]")).to_contain_text(run.msg("New"))
    rows = page.locator(".queue-table tbody tr")
    expect(rows).to_have_count(1)
    run.check(page, "queue: new")
    if run.js:
        page.focus("#queue-field")
        page.select_option("#queue-field", data["field_slug"])
        page.wait_for_url(re.compile(rf"field={data['field_slug']}"))
        wait_for_htmx(page)
        assert run.focused_id(page) == "queue-field", "the filter lost the focus when the results came in"
        expect(page.locator("#live-region")).to_have_text(f"{run.msg('New')}: 1")
    else:
        page.select_option("#queue-field", data["field_slug"])
        page.click("form.queue-filters [type=submit]")
        page.wait_for_url(re.compile(rf"field={data['field_slug']}"))
    expect(page.locator("#queue-results-title")).to_have_text(
        f"{run.msg('New')}: " + run.msg_n("%(num)d idea", "%(num)d ideas", 1))
    expect(rows).to_have_count(1)
    run.check(page, "queue: new, one action field")
    shot(page, f"matrix-moderator-{run.name}-01-queue")
    rows.get_by_role("link", name=WAITING_TITLE).click()
    page.wait_for_url(re.compile(rf"/moderation/ideas/{data['waiting']}$"))
    expect(page.locator("h1")).to_have_text(WAITING_TITLE)
    run.check(page, "staff idea page (waiting)")


def tag(run, page, data) -> None:
    """File the idea under a primary action field and a further one."""
    panel = page.locator("#tags")
    panel.get_by_label(run.msg("Primary action field")).select_option(str(data["primary_id"]))
    panel.get_by_label(data["further"]).check()
    panel.get_by_role("button", name=run.msg("Save action fields")).click()
    page.wait_for_url(re.compile(rf"/moderation/ideas/{data['waiting']}#tags$"))
    run.expect_flash(page, "The action fields are saved.")
    expect(panel.get_by_label(data["further"])).to_be_checked()
    run.check(page, "staff idea page after filing under action fields")
    from ideas.extensions import db
    from ideas.models import Idea

    with run.app.app_context():
        idea = db.session.get(Idea, data["waiting"])
        assert (idea.action_field.name, [f.name for f in idea.further_fields]) == \
            (data["primary"], [data["further"]])


def publish(run, page, data) -> None:
    page.locator("#netiquette").get_by_role("button", name=run.msg("Publish"), exact=True).click()
    page.wait_for_url(re.compile(r"/moderation/\?tab=new$"))
    run.expect_flash(page, "The idea is published.")
    expect(page.locator("#queue-results")).to_contain_text(run.msg("Nothing is waiting here."))
    run.check(page, "queue: new, empty after publishing")


def answer(run, page, data) -> None:
    """The public answer with its decision, published at once; an empty one is refused first."""
    page.goto(f"/moderation/ideas/{data['waiting']}")
    panel = page.locator("#answer")
    publish_now = panel.get_by_role("button", name=run.msg("Publish answer now"))
    publish_now.click()
    expect(panel.locator("#error-summary")).to_be_visible()
    expect(page.locator("#answer-answer")).to_have_attribute("aria-invalid", "true")
    run.check(page, "staff idea page: answer without text (errors)")
    panel.get_by_label(run.msg("Decision")).select_option("accepted")
    panel.get_by_label(run.msg("Public answer")).fill(ANSWER)
    publish_now.click()
    page.wait_for_url(re.compile(rf"/moderation/ideas/{data['waiting']}#answer$"))
    run.expect_flash(page, "The answer is now public. The author and the people following the idea get an e-mail.")
    expect(page.locator(".published-answer .user-content")).to_have_text(ANSWER)
    run.check(page, "staff idea page with the published answer")
    shot(page, f"matrix-moderator-{run.name}-02-answered")


def read_answer(run, page, data) -> None:
    """The author reads the decision on the public page, and got both mails in her language."""
    page.goto(f"/ideas/{data['waiting']}")
    expect(page.locator("section.answer .user-content")).to_have_text(ANSWER)
    expect(page.locator(".idea .meta .badge")).to_have_text(run.msg("Accepted"))
    expect(page.locator(".idea header .meta")).to_contain_text(data["primary"])
    run.check(page, "public idea page with the answer")
    from ideas.mail import outbox

    with run.app.app_context():
        subjects = [m["Subject"] for m in outbox() if m["To"] == data["emails"]["clara"]]
    assert subjects == [run.msg("Your idea is now published"), run.msg("Your idea has been answered")], subjects


def report(run, page, data) -> None:
    page.goto(f"/ideas/{data['discussed']}")
    page.locator(f"#comment-{data['rude']} a[href$='/comments/{data['rude']}/report']").click()
    page.wait_for_url(re.compile(rf"/comments/{data['rude']}/report$"))
    expect(page.locator("blockquote.reported")).to_have_text(RUDE_COMMENT)
    run.check(page, "report a comment")
    page.select_option("#reason", "offensive")
    page.fill("#note", "Beleidigend.")
    page.click("#submit")
    page.wait_for_url(re.compile(rf"/ideas/{data['discussed']}$"))
    run.expect_flash(page, "Thank you. The moderators will look at your report.")
    run.check(page, "idea page after reporting")


def hide_reported_comment(run, page, data) -> None:
    """The report in the queue; the moderator hides the comment with a reason."""
    page.goto("/moderation/?tab=reported")
    rows = page.locator(".queue-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.locator(".queue-quote")).to_have_text(RUDE_COMMENT)
    expect(rows).to_contain_text(run.msg_n("%(num)d person", "%(num)d people", 1))
    run.check(page, "queue: reported")
    shot(page, f"matrix-moderator-{run.name}-03-reported")
    rows.get_by_role("link", name=DISCUSSED_TITLE).click()
    page.wait_for_url(re.compile(rf"/moderation/ideas/{data['discussed']}$"))
    expect(page.locator("section[aria-labelledby=reports-title]")).to_contain_text(
        run.msg("“%(text)s”", text=RUDE_COMMENT))  # quoted the way the language quotes
    comments = page.locator("#moderated-comments")
    expect(comments.locator(".comment-body")).to_have_text(RUDE_COMMENT)
    run.check(page, "staff idea page with a reported comment")
    comments.get_by_label(run.msg("Reason for hiding the comment")).select_option("personal_attack")
    comments.get_by_role("button", name=run.msg("Hide comment")).click()
    page.wait_for_url(re.compile(rf"/moderation/ideas/{data['discussed']}#moderated-comments$"))
    run.expect_flash(page, "The comment is hidden. Its author has been told why.")
    expect(comments.locator(".badge.status-hidden")).to_contain_text(run.msg("Hidden"))
    run.check(page, "staff idea page after hiding the comment")


def expect_comment_hidden(run, page, data) -> None:
    page.goto(f"/ideas/{data['discussed']}")
    expect(page.locator(f"#comment-{data['rude']} .comment-removed")).to_have_text(
        run.msg("This comment has been hidden by the moderators."))
    expect(page.locator("main")).not_to_contain_text(RUDE_COMMENT)
    run.check(page, "idea page with the hidden comment")
