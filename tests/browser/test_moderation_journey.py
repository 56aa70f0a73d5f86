"""The moderation area in a real browser, journey by journey, as the issue's "Done when" lists them:
pre-moderation with a returned and resubmitted idea, a comment hidden after three reports,
merging duplicates, answers released per action field, importing pin-board ideas from an
Excel file, and bulk publishing in the queue without JavaScript.

Every moderation page state (and the citizen pages that show a moderation decision) is
checked with axe-core; screenshots go to screenshots/moderation-*.png.
"""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import create_user, login, shot, translated, wait_for_htmx
from tests.conftest import make_idea, make_process, make_user

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": {"width": 375, "height": 800}, "desktop": {"width": 1280, "height": 900}}
PASSWORD = "ein langer Satz für den Test"
SERVER_ERRORS = ("status of 422", "status of 409")  # Chromium logs answers with these codes


# --- small helpers --------------------------------------------------------------------------

def make_staff(app, email: str, name: str, role: str = "moderator") -> int:
    """A staff member with a real password hash, to log in through the form."""
    from ideas.passwords import hash_password

    with app.app_context():
        return make_user(role=role, email=email, display_name=name,
                         password_hash=hash_password(PASSWORD)).id


def citizen(app, email: str, name: str) -> int:
    return create_user(app, email, PASSWORD, name)


def browser_as(new_page, email: str, **kwargs):
    """A fresh browser context, logged in through the login form."""
    page = new_page(**kwargs)
    login(page, email, PASSWORD)
    return page


def translated_n(app, singular: str, plural: str, num: int, locale: str = "de", **variables) -> str:
    from flask_babel import force_locale, ngettext

    with app.test_request_context(), force_locale(locale):
        return ngettext(singular, plural, num, **variables)


def outbox_rows(app, email: str) -> list[tuple[str, str]]:
    """(kind, status) of every mail written to the outbox for an address, oldest first."""
    from sqlalchemy import select

    from ideas.extensions import db
    from ideas.models import OutboxMail

    with app.app_context():
        rows = db.session.execute(
            select(OutboxMail.kind, OutboxMail.status).where(OutboxMail.to_email == email)
            .order_by(OutboxMail.id)).all()
        return [(kind, status.value) for kind, status in rows]


def delivered(app, email: str) -> list:
    """The messages that went out to an address (MAIL_BACKEND=memory)."""
    from ideas.mail import outbox

    with app.app_context():
        return [m for m in outbox() if m["To"] == email]


def idea_state(app, idea_id: int):
    from ideas.extensions import db
    from ideas.models import Idea

    with app.app_context():
        idea = db.session.get(Idea, idea_id)
        return idea.status.value, idea.support_count


# --- 1. Pre-moderation: returned with a reason, revised, resubmitted, published -------------

TITLE_FIRST = "Sprechstunde per Video im Bürgerbüro"
TITLE_REVISED = "Videosprechstunde im Bürgerbüro anbieten"
BODY_FIRST = ("Man sollte Termine im Bürgerbüro auch per Video wahrnehmen können. "
              "Frau Beispiel aus der Hauptstraße 5 hat das auch schon gesagt.")
BODY_REVISED = ("Man sollte Termine im Bürgerbüro auch per Video wahrnehmen können, "
                "zum Beispiel für Menschen, die nicht gut zu Fuß sind.")
DECLINE_NOTE = "Bitte nennen Sie keine Namen und Adressen anderer Menschen."
INTERNAL_NOTE = "Gute Idee, nur der Name muss raus. Nicht öffentlich!"


@pytest.mark.parametrize("vp", list(VIEWPORTS))
def test_pre_moderation_journey(new_page, live_app, browser_checks, vp):
    checks = browser_checks
    viewport = VIEWPORTS[vp]
    for message in SERVER_ERRORS:
        checks.allow_console(message)
    with live_app.app_context():
        process = make_process(mode="pre", fields=3)
        field_id = process.action_fields[2].id
    clara_mail, mona_mail = f"clara-{vp}@example.org", f"mona-{vp}@example.org"
    citizen(live_app, clara_mail, "Clara Bürger")
    make_staff(live_app, mona_mail, "Mona Moderatorin")

    # The citizen submits an idea; it waits for review
    clara = browser_as(new_page, clara_mail, viewport=viewport)
    clara.goto("/ideas/new")
    clara.fill("#title", TITLE_FIRST)
    clara.fill("#body", BODY_FIRST)
    clara.select_option("#action_field", str(field_id))
    # The similar-ideas check starts 600 ms after typing; wait for its answer, then scan it.
    expect(clara.locator("#similar")).to_have_class(re.compile(r"\bhas-results\b"))
    wait_for_htmx(clara)
    clara.click("#submit")
    clara.wait_for_url(re.compile(r"/ideas/\d+$"))
    idea_id = int(re.search(r"/ideas/(\d+)$", clara.url).group(1))
    expect(clara.locator("main .notice[role=status]")).to_have_text(translated(
        live_app, "This idea is waiting for review by our moderators. Until then only you and the project team can see it."))
    assert idea_state(live_app, idea_id)[0] == "pending"

    # The moderator finds it in the queue ("new") and opens the staff page
    mona = browser_as(new_page, mona_mail, viewport=viewport)
    mona.goto("/moderation/")
    expect(mona.locator(".queue-tabs a[aria-current=page]")).to_contain_text(translated(live_app, "New"))
    rows = mona.locator(".queue-table tbody tr")
    expect(rows).to_have_count(1)
    checks.axe(mona, "queue: new (one idea)")
    shot(mona, f"moderation-pre-{vp}-01-queue-new")
    rows.get_by_role("link", name=TITLE_FIRST).click()
    mona.wait_for_url(re.compile(rf"/moderation/ideas/{idea_id}$"))
    expect(mona.locator("h1")).to_have_text(TITLE_FIRST)
    checks.axe(mona, "staff idea page (pending)")
    shot(mona, f"moderation-pre-{vp}-02-staff-idea-pending")

    # An internal note, which the citizen must never see
    mona.fill("#body", INTERNAL_NOTE)
    mona.locator("#notes form [type=submit]").click()
    mona.wait_for_url(re.compile(rf"/moderation/ideas/{idea_id}#notes$"))
    expect(mona.locator("#notes .note .comment-body")).to_have_text(INTERNAL_NOTE)
    expect(mona.locator(".flash-success")).to_have_text(translated(live_app, "Your note is saved."))
    checks.axe(mona, "staff idea page with an internal note")

    # Returning it without a reason is refused, with the errors tied to the fields
    mona.click("#decline-submit")
    mona.wait_for_load_state()
    summary = mona.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(mona.locator("#decline-reason")).to_have_attribute("aria-invalid", "true")
    expect(summary.locator('a[href="#decline-reason"]')).to_have_count(1)
    assert idea_state(live_app, idea_id)[0] == "pending"
    checks.axe(mona, "staff idea page: return without a reason (errors)")
    shot(mona, f"moderation-pre-{vp}-03-decline-errors")

    # ... and with a reason and a note for the author it goes back to her
    mona.select_option("#decline-reason", "personal_data")
    mona.fill("#decline-note", DECLINE_NOTE)
    mona.click("#decline-submit")
    # the form's "#netiquette" stays on the address across the redirect, as browsers do
    mona.wait_for_url(re.compile(r"/moderation/\?tab=new(#netiquette)?$"))
    expect(mona.locator(".flash-success")).to_have_text(
        translated(live_app, "The idea has been returned to its author for revision."))
    expect(mona.locator(".queue-table")).to_have_count(0)
    expect(mona.locator("#queue-results")).to_contain_text(translated(live_app, "Nothing is waiting here."))
    checks.axe(mona, "queue: new (empty, after returning the idea)")
    assert idea_state(live_app, idea_id)[0] == "declined"

    # The citizen sees the reason and the note on "my ideas" and on the idea page
    reason = translated(live_app, "Personal data of others")
    clara.goto("/account")
    row = clara.locator("section[aria-labelledby=my-ideas] tbody tr", has_text=TITLE_FIRST)
    expect(row.locator(".moderation-decision")).to_contain_text(reason)
    expect(row.locator(".moderation-note")).to_contain_text(DECLINE_NOTE)
    expect(row.locator(".badge")).to_have_text(translated(live_app, "Returned for revision"))
    checks.axe(clara, "account: my ideas with a returned idea")
    shot(clara, f"moderation-pre-{vp}-04-account-returned")
    clara.goto(f"/ideas/{idea_id}")
    decision = clara.locator("#moderation-decision")
    expect(decision).to_contain_text(reason)
    expect(decision.locator(".moderation-note")).to_contain_text(DECLINE_NOTE)
    expect(clara.locator("main")).not_to_contain_text(INTERNAL_NOTE)
    checks.axe(clara, "own idea page, returned for revision")
    shot(clara, f"moderation-pre-{vp}-05-idea-returned")

    # She revises it and sends it again
    decision.get_by_role("link", name=translated(live_app, "Edit and resubmit")).click()
    clara.wait_for_url(re.compile(rf"/ideas/{idea_id}/edit$"))
    expect(clara.locator("#title")).to_have_value(TITLE_FIRST)
    checks.axe(clara, "edit a returned idea")
    clara.fill("#title", TITLE_REVISED)
    clara.fill("#body", BODY_REVISED)
    clara.locator("main button[name=submit]").click()
    clara.wait_for_url(re.compile(rf"/ideas/{idea_id}$"))
    expect(clara.locator(".flash-success")).to_have_text(translated(live_app, "Your changes are saved."))
    expect(clara.locator("h1")).to_have_text(TITLE_REVISED)
    expect(clara.locator("#moderation-decision")).to_have_count(0)
    assert idea_state(live_app, idea_id)[0] == "pending"

    # Back in the queue ("new"); the moderator publishes it
    mona.goto("/moderation/?tab=new")
    rows = mona.locator(".queue-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.get_by_role("link", name=TITLE_REVISED)).to_be_visible()
    checks.axe(mona, "queue: new (resubmitted idea)")
    rows.get_by_role("link", name=TITLE_REVISED).click()
    mona.wait_for_url(re.compile(rf"/moderation/ideas/{idea_id}$"))
    history = mona.locator("section[aria-labelledby=history-title] tbody tr")
    expect(history).to_have_count(3)  # submitted, returned, resubmitted
    expect(history.nth(1)).to_contain_text(DECLINE_NOTE)
    checks.axe(mona, "staff idea page (resubmitted)")
    shot(mona, f"moderation-pre-{vp}-06-staff-idea-resubmitted")
    mona.locator("#netiquette button[name=trust][value='0']").click()
    mona.wait_for_url(re.compile(r"/moderation/\?tab=new$"))
    expect(mona.locator(".flash-success")).to_have_text(translated(live_app, "The idea is published."))
    checks.axe(mona, "queue: new after publishing")
    assert idea_state(live_app, idea_id)[0] == "published"

    # Public now: an anonymous visitor finds it in the feed
    visitor = new_page(viewport=viewport)
    visitor.goto("/ideas")
    expect(visitor.locator("#feed-results .idea-card").get_by_role("link", name=TITLE_REVISED)).to_be_visible()
    visitor.goto(f"/ideas/{idea_id}")
    expect(visitor.locator("h1")).to_have_text(TITLE_REVISED)
    expect(visitor.locator("main")).not_to_contain_text(DECLINE_NOTE)
    expect(visitor.locator("main")).not_to_contain_text(INTERNAL_NOTE)
    shot(visitor, f"moderation-pre-{vp}-07-public-idea")

    # Her mails: returned (with reason and note), then published
    assert outbox_rows(live_app, clara_mail) == [("idea_declined", "sent"), ("idea_published", "sent")]
    declined, published = delivered(live_app, clara_mail)
    assert declined["Subject"] == translated(live_app, "Please revise your idea")
    assert reason in declined.get_content() and DECLINE_NOTE in declined.get_content()
    assert f"/ideas/{idea_id}/edit" in declined.get_content()
    assert INTERNAL_NOTE not in declined.get_content()
    assert published["Subject"] == translated(live_app, "Your idea is now published")
    assert f"/ideas/{idea_id}" in published.get_content()


# --- 2. Three reports hide a comment --------------------------------------------------------

RUDE_COMMENT = "So ein Quatsch, wer sowas vorschlägt, hat keine Ahnung."
KIND_COMMENT = "Ich fände das auch am Bahnhof gut."


def test_three_reports_hide_a_comment(new_page, live_app, browser_checks):
    checks = browser_checks
    from ideas import discussion
    from ideas.extensions import db

    with live_app.app_context():
        process = make_process()
        idea = make_idea(process, title="Sitzbänke mit Solarladestation")
        rude = discussion.add_comment(make_user(display_name="Rudi Rüpel"), idea, RUDE_COMMENT)
        kind = discussion.add_comment(make_user(display_name="Karla Kind"), idea, KIND_COMMENT)
        db.session.commit()
        idea_id, rude_id, kind_id = idea.id, rude.id, kind.id
    reporters = [f"melder{n}@example.org" for n in range(1, 4)]
    for n, email in enumerate(reporters, start=1):
        citizen(live_app, email, f"Melder {n}")
    moderator_mail, team_mail = "moritz@example.org", "tina@example.org"
    make_staff(live_app, moderator_mail, "Moritz Moderator")
    make_staff(live_app, team_mail, "Tina Team", role="team")  # the project team gets no report mails

    for n, email in enumerate(reporters, start=1):
        page = browser_as(new_page, email)
        page.goto(f"/ideas/{idea_id}")
        expect(page.locator(f"#comment-{rude_id} .comment-body")).to_have_text(RUDE_COMMENT)
        page.locator(f"#comment-{rude_id} a[href$='/comments/{rude_id}/report']").click()
        page.wait_for_url(re.compile(rf"/comments/{rude_id}/report$"))
        expect(page.locator("blockquote.reported")).to_have_text(RUDE_COMMENT)
        if n == 1:
            checks.axe(page, "report a comment")
            shot(page, "moderation-report-01-form")
        page.select_option("#reason", "offensive")
        page.fill("#note", f"Beleidigend (Meldung {n}).")
        page.click("#submit")
        page.wait_for_url(re.compile(rf"/ideas/{idea_id}$"))
        expect(page.locator(".flash-success")).to_have_text(
            translated(live_app, "Thank you. The moderators will look at your report."))
        if n < 3:
            expect(page.locator(f"#comment-{rude_id} .comment-body")).to_have_text(RUDE_COMMENT)
        else:
            checks.axe(page, "idea page after the third report")
            shot(page, "moderation-report-02-after-third-report")
        page.context.close()

    # Gone from the public page: the text is not shown (the notice is checked at the end)
    visitor = new_page()
    visitor.goto(f"/ideas/{idea_id}")
    main = visitor.locator("main")
    expect(visitor.locator(f"#comment-{kind_id} .comment-body")).to_have_text(KIND_COMMENT)
    expect(main).not_to_contain_text(RUDE_COMMENT)
    expect(visitor.locator("#comments-title")).to_have_text(
        translated_n(live_app, "%(num)d comment", "%(num)d comments", 1))
    shot(visitor, "moderation-report-03-public-idea")

    # The moderators were told; the project team was not
    kinds = [kind for kind, _ in outbox_rows(live_app, moderator_mail)]
    assert kinds == ["report_received", "report_received", "auto_hidden"], kinds
    assert outbox_rows(live_app, team_mail) == []
    [mail] = [m for m in delivered(live_app, moderator_mail)
              if m["Subject"] == translated(live_app, "A contribution was hidden after reports")]
    assert "/moderation/?tab=reported" in mail.get_content()

    # The moderator sees it in the queue ("reported") and on the staff page
    moritz = browser_as(new_page, moderator_mail)
    moritz.goto("/moderation/?tab=reported")
    rows = moritz.locator(".queue-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.locator(".queue-quote")).to_have_text(RUDE_COMMENT)
    expect(rows.locator(".badge.status-hidden")).to_be_visible()
    checks.axe(moritz, "queue: reported (auto-hidden comment)")
    shot(moritz, "moderation-report-04-queue-reported")
    rows.get_by_role("link").first.click()
    moritz.wait_for_url(re.compile(rf"/moderation/ideas/{idea_id}$"))
    moderated = moritz.locator("#moderated-comments")
    expect(moderated.locator(".comment-body")).to_have_text(RUDE_COMMENT)
    expect(moderated.locator(".badge.status-hidden")).to_contain_text(translated(live_app, "Reported by several people"))
    checks.axe(moritz, "staff idea page with an auto-hidden comment")
    shot(moritz, "moderation-report-05-staff-idea")

    # Last, so that everything above is checked as well: the hidden comment keeps its place
    # in the thread with a notice (templates/macros/comments.html has one for it)
    expect(visitor.locator(f"#comment-{rude_id} .comment-removed")).to_have_text(
        translated(live_app, "This comment has been hidden by the moderators."))


# --- 3. Merging two duplicates ------------------------------------------------------------

TARGET_TITLE = "Kostenloses WLAN auf dem Marktplatz"
SOURCE_TITLE = "Freies WLAN für den Marktplatz"


def test_merging_duplicates(new_page, live_app, browser_checks):
    checks = browser_checks
    from ideas import voting
    from ideas.extensions import db

    with live_app.app_context():
        process = make_process()
        target = make_idea(process, title=TARGET_TITLE,
                           body="Auf dem Marktplatz sollte es kostenloses WLAN für alle geben.")
        source = make_idea(process, title=SOURCE_TITLE,
                           body="Ein freies WLAN auf dem Marktplatz würde Gäste und Händler freuen.")
        only_target, only_source, both = make_user(), make_user(), make_user(display_name="Doppelt Dora")
        for person, idea in ((only_target, target), (both, target), (only_source, source), (both, source)):
            assert voting.add_support(person, idea)
        db.session.commit()
        target_id, source_id = target.id, source.id
        target_ref, source_ref = target.reference, source.reference
    assert idea_state(live_app, target_id) == ("published", 2)
    assert idea_state(live_app, source_id) == ("published", 2)
    make_staff(live_app, "mia@example.org", "Mia Moderatorin")

    mia = browser_as(new_page, "mia@example.org")
    mia.goto(f"/moderation/ideas/{source_id}")
    merge = mia.locator("#merge")
    expect(merge).to_be_visible()
    checks.axe(mia, "staff idea page with the merge panel")
    mia.fill("#merge-reference", f"Nr. {target_ref}")
    mia.fill("#merge-note", "Gleiche Idee wie die ältere.")
    mia.click("#merge-submit")
    mia.wait_for_url(re.compile(rf"/moderation/ideas/{source_id}/merge#merge$"))

    # The confirmation shows both sides and how the supports add up
    expect(mia.locator("h1")).to_have_text(translated(live_app, "Merge ideas?"))
    expect(mia.locator("section[aria-labelledby=merge-sources-title]")).to_contain_text(SOURCE_TITLE)
    expect(mia.locator(".merge-target")).to_contain_text(TARGET_TITLE)
    effect = mia.locator("section[aria-labelledby=merge-effect-title]")
    expect(effect).to_contain_text(translated_n(
        live_app, "Afterwards the idea No. %(ref)s has %(num)d support.",
        "Afterwards the idea No. %(ref)s has %(num)d supports.", 3, ref=target_ref))
    assert idea_state(live_app, source_id) == ("published", 2), "the merge happened before it was confirmed"
    checks.axe(mia, "merge confirmation")
    shot(mia, "moderation-merge-01-confirm")
    effect.locator("form button[type=submit]").click()
    mia.wait_for_url(re.compile(rf"/moderation/ideas/{target_id}#merge$"))
    expect(mia.locator(".flash-success")).to_have_text(translated_n(
        live_app, "%(num)d idea has been merged into this one. Its supports count here now.",
        "%(num)d ideas have been merged into this one. Their supports count here now.", 1))
    expect(mia.locator("#merge")).to_contain_text(source_ref)
    checks.axe(mia, "staff page of the idea that stays, after merging")
    shot(mia, "moderation-merge-02-target-staff")

    # Supports summed, the double supporter counted once
    assert idea_state(live_app, target_id) == ("published", 3)
    assert idea_state(live_app, source_id) == ("merged", 0)
    visitor = new_page()
    visitor.goto(f"/ideas/{target_id}")
    expect(visitor.locator(f"#vote-{target_id} .support-count strong")).to_have_text("3")
    shot(visitor, "moderation-merge-03-target-public")

    # The merged idea says where it went and links there; it has left the feed
    visitor.goto(f"/ideas/{source_id}")
    notice = visitor.locator("main .notice")
    expect(notice).to_contain_text(translated(
        live_app, "This idea has been merged with a similar one. Supports and discussion continue there:"))
    link = notice.get_by_role("link")
    expect(link).to_have_attribute("href", f"/ideas/{target_id}")
    expect(link).to_contain_text(TARGET_TITLE)
    shot(visitor, "moderation-merge-04-source-public")
    link.click()
    visitor.wait_for_url(re.compile(rf"/ideas/{target_id}$"))
    visitor.goto("/ideas")
    cards = visitor.locator("#feed-results .idea-card")
    expect(cards).to_have_count(1)
    expect(cards.get_by_role("link", name=TARGET_TITLE)).to_be_visible()


# --- 4. Answers prepared, then released per action field ----------------------------------

ANSWER_IDEAS = [
    "Digitale Bürgersprechstunde am Abend",
    "Online-Formulare für die Hundesteuer",
    "Terminbuchung für das Standesamt",
    "Bauanträge digital einreichen",
    "Digitale Akteneinsicht für Bürger",
]


def test_answers_released_per_action_field(new_page, live_app, browser_checks):
    checks = browser_checks
    for message in SERVER_ERRORS:
        checks.allow_console(message)
    from ideas import voting, workflow
    from ideas.extensions import db
    from ideas.models import IdeaStatus

    with live_app.app_context():
        process = make_process(fields=3)
        field, other_field = process.action_fields[2], process.action_fields[0]
        ideas = [make_idea(process, title=title, field=field,
                           body=f"{title}: das würde vielen Menschen in der Stadt Wege sparen.")
                 for title in ANSWER_IDEAS]
        fan = make_user(email="fan@example.org", display_name="Fan aller Ideen")
        some = make_user(email="einige@example.org", display_name="Einige Ideen")
        for idea in ideas:
            voting.add_support(fan, idea)
        for idea in ideas[:2]:
            voting.add_support(some, idea)
        elsewhere = make_idea(process, title="Freies WLAN im Freibad", field=other_field)
        workflow.prepare_answer(elsewhere, None, IdeaStatus.under_review, "Wir prüfen das mit den Stadtwerken.")
        db.session.commit()
        ids = [idea.id for idea in ideas]
        authors = [idea.author.email for idea in ideas]
        field_name, field_id, elsewhere_id = field.name, field.id, elsewhere.id
    make_staff(live_app, "anton@example.org", "Anton Antwort")
    answers = {idea_id: f"Danke für den Vorschlag Nr. {n}. Der Rat hat zugestimmt, wir setzen ihn 2027 um."
               for n, idea_id in enumerate(ids, start=1)}

    anton = browser_as(new_page, "anton@example.org")
    for n, idea_id in enumerate(ids):
        anton.goto(f"/moderation/ideas/{idea_id}")
        if n == 0:
            checks.axe(anton, "staff idea page with the answer form")
            shot(anton, "moderation-answers-01-answer-form")
            anton.click("#answer-save")  # no text: refused
            anton.wait_for_load_state()
            expect(anton.locator("#answer #error-summary")).to_be_visible()
            expect(anton.locator("#answer-answer")).to_have_attribute("aria-invalid", "true")
            checks.axe(anton, "staff idea page: answer without text (errors)")
        anton.select_option("#answer-decision", "accepted")
        anton.fill("#answer-answer", answers[idea_id])
        anton.click("#answer-save")
        anton.wait_for_url(re.compile(rf"/moderation/ideas/{idea_id}#answer$"))
        expect(anton.locator(".flash-success")).to_have_text(
            translated(live_app, "The answer is saved. Citizens will see it once it is published."))
        expect(anton.locator(".prepared-answer .user-content")).to_contain_text(answers[idea_id])
        if n == 0:
            checks.axe(anton, "staff idea page with a prepared answer")
            shot(anton, "moderation-answers-02-prepared")

    # Prepared is not public
    visitor = new_page()
    visitor.goto(f"/ideas/{ids[0]}")
    expect(visitor.locator("section.answer")).to_have_count(0)
    expect(visitor.locator("main")).not_to_contain_text(answers[ids[0]])
    assert all(idea_state(live_app, i)[0] == "published" for i in ids)

    # The release page: five waiting in the field, then the confirmation step
    anton.goto("/moderation/release")
    row = anton.locator(".release-table tbody tr", has_text=field_name)
    expect(row).to_contain_text(translated_n(live_app, "%(num)d answer waiting", "%(num)d answers waiting", 5))
    checks.axe(anton, "release answers per action field")
    shot(anton, "moderation-answers-03-release")
    row.locator("button[type=submit]").click()
    anton.wait_for_url(re.compile(rf"/moderation/release/{field_id}$"))
    expect(anton.locator("h1")).to_have_text(translated_n(
        live_app, "Publish %(num)d answer of %(field)s?", "Publish %(num)d answers of %(field)s?", 5,
        field=field_name))
    expect(anton.locator(".release-table tbody tr")).to_have_count(5)
    assert all(idea_state(live_app, i)[0] == "published" for i in ids), "released before the confirmation"
    checks.axe(anton, "release confirmation")
    shot(anton, "moderation-answers-04-release-confirm")
    anton.locator("main form button[type=submit]").click()
    anton.wait_for_url(re.compile(r"/moderation/release\?process="))
    expect(anton.locator(".flash-success")).to_have_text(translated_n(
        live_app, "%(num)d answer is now public. Authors and followers get an e-mail.",
        "%(num)d answers are now public. Authors and followers get an e-mail.", 5))
    expect(anton.locator(".release-table tbody tr", has_text=field_name)).to_contain_text(
        translated(live_app, "Nothing to publish"))
    checks.axe(anton, "release page after publishing")
    shot(anton, "moderation-answers-05-released")

    # Public, with the decision; the other field's prepared answer still waits
    for idea_id in ids:
        visitor.goto(f"/ideas/{idea_id}")
        expect(visitor.locator("section.answer .user-content")).to_have_text(answers[idea_id])
        expect(visitor.locator(".idea .meta .badge")).to_have_text(translated(live_app, "Accepted"))
    shot(visitor, "moderation-answers-06-public-answer")
    visitor.goto(f"/ideas/{elsewhere_id}")
    expect(visitor.locator("section.answer")).to_have_count(0)

    # Mails: each author once, the supporters once per idea they support. The request sends
    # at most ten itself (mail.INLINE_LIMIT); `flask send-mail` sends the rest, as here.
    from ideas.mail import deliver_due

    with live_app.app_context():
        deliver_due()
    for email in authors:
        assert outbox_rows(live_app, email) == [("idea_answered", "sent")], email
    assert outbox_rows(live_app, "fan@example.org") == [("idea_answered_follower", "sent")] * 5
    assert outbox_rows(live_app, "einige@example.org") == [("idea_answered_follower", "sent")] * 2
    fan_mails = delivered(live_app, "fan@example.org")
    assert len(fan_mails) == 5
    for message in fan_mails:
        assert message["Subject"] == translated(live_app, "An idea you follow has been answered")
    assert sorted(answer for answer in answers.values()
                  if any(answer in m.get_content() for m in fan_mails)) == sorted(answers.values())


# --- 5. Importing pin-board ideas from an Excel file ---------------------------------------

def write_pinboard_sheet(path, field_name: str, rows: int = 20) -> list[str]:
    """An .xlsx file with the columns of docs/import-template.csv; returns the titles."""
    import csv
    from datetime import date

    from openpyxl import Workbook

    from tests.browser.helpers import ROOT

    header = next(csv.reader((ROOT / "docs" / "import-template.csv").read_text(encoding="utf-8-sig")
                             .splitlines(), delimiter=";"))
    assert header == ["Titel", "Beschreibung", "Kanal", "Datum", "Ort", "Handlungsfeld", "Notiz"], header
    day = (date.today() - timedelta(days=3)).strftime("%d.%m.%Y")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    titles = []
    for n in range(1, rows + 1):
        title = f"Pinnwand-Zettel {n:02d}: Mehr Ladestationen am Rathaus"
        titles.append(title)
        body = (f"Zettel Nummer {n} von der Pinnwand im Rathausfoyer: Ladestationen für "
                "Handys und E-Bikes wären praktisch.")
        sheet.append([title, body, "Pinnwand", day, "Pinnwand im Rathausfoyer", field_name,
                      f"Zettel {n} von {rows}"])
    workbook.save(path)
    return titles


def test_import_pinboard_ideas_from_xlsx(new_page, live_app, browser_checks, tmp_path):
    checks = browser_checks
    from sqlalchemy import select

    from ideas.extensions import db
    from ideas.models import Idea

    with live_app.app_context():
        process = make_process(fields=3)
        process_id, field_name = process.id, process.action_fields[0].name
    make_staff(live_app, "paula@example.org", "Paula Projektteam", role="team")
    sheet = tmp_path / "pinnwand.xlsx"
    titles = write_pinboard_sheet(sheet, field_name)

    paula = browser_as(new_page, "paula@example.org")
    paula.goto("/moderation/analog/import")
    checks.axe(paula, "import page")
    paula.select_option("#process_id", str(process_id))
    paula.set_input_files("#sheet", str(sheet))
    paula.click("#check")
    paula.wait_for_load_state()
    preview = paula.locator("#import-preview")
    expect(preview).to_be_visible()
    expect(preview.locator(".import-table tbody tr")).to_have_count(20)
    expect(preview.locator(".import-table tbody tr.row-valid")).to_have_count(20)
    expect(preview.locator(".import-table caption")).to_have_text(translated_n(
        live_app, "%(num)d row with an idea in the file", "%(num)d rows with ideas in the file", 20))
    expect(preview.locator(".import-table tbody tr").first).to_contain_text(titles[0])
    with live_app.app_context():
        assert db.session.scalar(select(db.func.count(Idea.id))) == 0, "the preview wrote ideas"
    checks.axe(paula, "import preview (20 valid rows)")
    shot(paula, "moderation-import-01-preview")
    paula.click("#confirm")
    paula.wait_for_url(re.compile(r"/moderation/analog/import$"))
    with live_app.app_context():
        imported = db.session.scalars(select(Idea).order_by(Idea.id)).all()
        first, last = imported[0].reference, imported[-1].reference
    expect(paula.locator(".flash-success")).to_have_text(
        translated_n(live_app, "%(num)d idea has been imported and published.",
                     "%(num)d ideas have been imported and published.", 20)
        + " " + translated(live_app, "Their numbers run from %(first)s to %(last)s.", first=first, last=last))
    checks.axe(paula, "import page after importing")
    shot(paula, "moderation-import-02-done")

    with live_app.app_context():
        imported = db.session.scalars(select(Idea).order_by(Idea.id)).all()
        assert [i.title for i in imported] == titles
        assert {(i.status.value, i.channel.value, i.author_id) for i in imported} == {("published", "pinboard", None)}
        assert all(i.entered_by.email == "paula@example.org" and i.action_field.name == field_name for i in imported)

    visitor = new_page()
    visitor.goto("/ideas")
    cards = visitor.locator("#feed-results .idea-card")
    expect(cards).to_have_count(20)
    for title in (titles[0], titles[9], titles[19]):
        expect(cards.get_by_role("link", name=title)).to_be_visible()
    shot(visitor, "moderation-import-03-feed")


# --- 6. Bulk publishing in the queue without JavaScript ----------------------------------

def test_bulk_publish_without_javascript(new_page, live_app, browser_checks):
    checks = browser_checks
    from ideas.models import IdeaStatus

    with live_app.app_context():
        process = make_process(mode="pre")
        titles = ["Wartende Idee Nummer eins", "Wartende Idee Nummer zwei",
                  "Wartende Idee Nummer drei", "Wartende Idee Nummer vier"]
        ids = [make_idea(process, title=t, status=IdeaStatus.pending).id for t in titles]
    make_staff(live_app, "bernd@example.org", "Bernd Bulk")

    bernd = new_page(js=False)
    login(bernd, "bernd@example.org", PASSWORD)
    bernd.goto("/moderation/?tab=new")
    rows = bernd.locator(".queue-table tbody tr")
    expect(rows).to_have_count(4)
    # axe needs JavaScript: the same state in a second, scripted browser with the same session
    twin = new_page(storage_state=bernd.context.storage_state())
    twin.goto("/moderation/?tab=new")
    expect(twin.locator(".queue-table tbody tr")).to_have_count(4)
    checks.axe(twin, "queue: new with four ideas (bulk form)")
    chosen = ids[:3]
    for idea_id in chosen:
        bernd.check(f"#select-{idea_id}")
    bernd.select_option("#action", "publish")
    shot(bernd, "moderation-bulk-nojs-01-selected")
    bernd.click("#submit")
    bernd.wait_for_url(re.compile(r"/moderation/\?"))
    expect(bernd.locator(".flash-success")).to_have_text(translated_n(
        live_app, "%(num)d idea was changed.", "%(num)d ideas were changed.", 3))
    rows = bernd.locator(".queue-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(titles[3])
    shot(bernd, "moderation-bulk-nojs-02-done")
    assert [idea_state(live_app, i)[0] for i in ids] == ["published"] * 3 + ["pending"]
    twin.goto(bernd.url)
    checks.axe(twin, "queue: new after the bulk action")
