"""Evaluation: moderators answer ideas in public (prepared first or at once), use answer templates,
release the answers of an action field together, and file ideas under action fields."""
import html
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from ideas import discussion, voting, workflow
from ideas.extensions import db
from ideas.models import NetiquetteReason, AnswerTemplate, IdeaStatus, ModerationEvent, OutboxMail
from tests.conftest import count, fresh, make_idea, make_process, make_user

S = IdeaStatus
STALE = "Someone else has just changed this idea. Please reload the page."
ANSWER = "Vielen Dank! Wir setzen die Idee im nächsten Haushaltsjahr um."


# Assert on the English texts, whatever catalog has been compiled meanwhile.
pytestmark = pytest.mark.usefixtures("english")


def events(idea, *where) -> list[ModerationEvent]:
    return list(db.session.scalars(
        select(ModerationEvent).where(ModerationEvent.idea_id == idea.id, *where).order_by(ModerationEvent.id)))


def mail_kinds(user) -> list[str]:
    return list(db.session.scalars(select(OutboxMail.kind).where(OutboxMail.user_id == user.id)
                                   .order_by(OutboxMail.id)))


def flashes_after(client, response) -> list[str]:
    assert response.status_code == 302, response.status_code
    page = client.get(response.headers["Location"])
    return [html.unescape(m) for m in re.findall(r'<p class="flash flash-\w+" role="\w+">(.*?)</p>', page.text)]


def answer_data(idea, decision="accepted", text=ANSWER, button="save", **extra) -> dict:
    return {"answer-decision": decision, "answer-answer": text, "answer-expected": idea.status.value,
            f"answer-{button}": "1", **extra}


def decision_options(page: str) -> list[str]:
    select_html = re.search(r'<select[^>]*name="answer-decision"[^>]*>(.*?)</select>', page, re.DOTALL).group(1)
    return re.findall(r'value="(\w+)"', select_html)


def public_answer_shown(client, idea) -> bool:
    return "Answer of the project team" in client.get(f"/ideas/{idea.id}").text


# The answer form on the staff idea page

@pytest.mark.parametrize("status, choices", [
    (S.published, ["under_review", "accepted", "rejected"]),
    (S.under_review, ["under_review", "accepted", "rejected"]),
    (S.accepted, ["under_review", "accepted", "implemented"]),
    (S.rejected, ["under_review", "rejected"]),
])
def test_the_decisions_offered_are_those_the_workflow_allows(client, auth, status, choices):
    idea = make_idea(status=status)
    auth.login_as("moderator")
    page = client.get(f"/moderation/ideas/{idea.id}").text
    assert decision_options(page) == choices
    assert f'name="answer-expected" type="hidden" value="{status.value}"' in page


@pytest.mark.parametrize("status", [S.hidden, S.merged, S.withdrawn, S.implemented])
def test_no_answer_form_for_ideas_that_cannot_be_answered(client, auth, status):
    idea = make_idea(status=status)
    auth.login_as("moderator")
    assert client.get(f"/moderation/ideas/{idea.id}").status_code == 200
    assert 'name="answer-answer"' not in client.get(f"/moderation/ideas/{idea.id}").text
    response = client.post(f"/moderation/ideas/{idea.id}/answer", data=answer_data(idea, "under_review"))
    assert flashes_after(client, response) == ["This idea cannot be answered in its current status."]
    assert fresh(idea).answer_source is None


def test_pending_ideas_have_no_answer_form(client, auth):
    idea = make_idea(make_process(mode="pre"), status=S.pending)
    auth.login_as("moderator")
    assert 'name="answer-answer"' not in client.get(f"/moderation/ideas/{idea.id}").text


def test_a_prepared_answer_stays_private_until_it_is_released(client, auth):
    idea = make_idea(title="Freies WLAN im Rathaus")
    supporter = make_user()
    voting.add_support(supporter, idea)
    db.session.commit()
    moderator = auth.login_as("moderator")

    response = client.post(f"/moderation/ideas/{idea.id}/answer", data=answer_data(idea, "accepted"))
    assert flashes_after(client, response) == ["The answer is saved. Citizens will see it once it is published."]
    idea = fresh(idea)
    assert (idea.status, idea.planned_status, idea.answer_published_at) == (S.published, S.accepted, None)
    assert (idea.prepared_answer, idea.answer_source) == (ANSWER, None)
    assert count(OutboxMail) == 0, "nobody is told before the answer is public"

    staff_page = client.get(f"/moderation/ideas/{idea.id}").text
    assert "Prepared answer – not public yet" in staff_page
    assert "Publish this answer now" in staff_page and ">Discard<" in staff_page
    assert ANSWER in staff_page
    assert decision_options(staff_page)[1] == "accepted"
    assert re.search(r'<option selected value="accepted">', staff_page), "the planned decision is preselected"

    auth.logout()
    assert not public_answer_shown(client, idea)
    assert ANSWER not in client.get(f"/ideas/{idea.id}").text

    auth.login_as(moderator)
    response = client.post(f"/moderation/ideas/{idea.id}/answer/release", data={"expected": "published"})
    assert flashes_after(client, response)[0].startswith("The answer is now public.")
    idea = fresh(idea)
    assert idea.status == S.accepted and idea.planned_status is None
    assert idea.answer_published_at is not None and idea.decided_at is not None
    [event] = events(idea, ModerationEvent.to_status == S.accepted)
    assert (event.from_status, event.actor_id) == (S.published, moderator.id)
    assert mail_kinds(idea.author) == ["idea_answered"]
    assert mail_kinds(supporter) == ["idea_answered_follower"]

    auth.logout()
    assert public_answer_shown(client, idea)
    assert ANSWER in client.get(f"/ideas/{idea.id}").text


def test_publish_now_prepares_and_releases_in_one_step(client, auth):
    idea = make_idea(status=S.under_review)
    auth.login_as("team")
    response = client.post(f"/moderation/ideas/{idea.id}/answer",
                           data=answer_data(idea, "rejected", button="publish"))
    assert flashes_after(client, response)[0].startswith("The answer is now public.")
    idea = fresh(idea)
    assert idea.status == S.rejected and idea.answer_published_at is not None
    assert mail_kinds(idea.author) == ["idea_answered"]
    auth.logout()
    assert public_answer_shown(client, idea)


def test_an_answer_can_keep_the_current_status(client, auth):
    idea = make_idea(status=S.under_review)
    auth.login_as("moderator")
    client.post(f"/moderation/ideas/{idea.id}/answer", data=answer_data(idea, "under_review", button="publish"))
    idea = fresh(idea)
    assert idea.status == S.under_review and idea.answer_published_at is not None
    assert events(idea, ModerationEvent.from_status == S.under_review) == []


@pytest.mark.parametrize("data, message", [
    ({"answer-answer": "Zu kurz."}, "The answer must be between 20 and 3000 characters long."),
    ({"answer-answer": "x" * 3001}, "The answer must be between 20 and 3000 characters long."),
    ({"answer-answer": "   "}, "Please write an answer."),
    ({"answer-decision": "implemented"}, "Please choose a decision that is possible for this idea."),
    ({"answer-decision": "hidden"}, "Please choose a decision that is possible for this idea."),
    ({"answer-decision": "<script>"}, "Please choose a decision that is possible for this idea."),
])
def test_invalid_answers_are_refused_with_a_message(client, auth, data, message):
    idea = make_idea()
    auth.login_as("moderator")
    response = client.post(f"/moderation/ideas/{idea.id}/answer", data={**answer_data(idea), **data})
    assert response.status_code == 422
    assert message in html.unescape(response.text)
    assert 'aria-invalid="true"' in response.text
    idea = fresh(idea)
    assert idea.answer_source is None and idea.planned_status is None


def test_answers_are_sanitised(client, auth):
    idea = make_idea()
    auth.login_as("moderator")
    payload = '<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) **Danke** fürs Mitmachen'
    client.post(f"/moderation/ideas/{idea.id}/answer", data=answer_data(idea, button="publish", text=payload))
    idea = fresh(idea)
    assert "<script" not in idea.answer_html and "onerror=" not in idea.answer_html.replace("onerror=alert", "")
    assert "<strong>Danke</strong>" in idea.answer_html
    page = client.get(f"/ideas/{idea.id}").text
    assert "<script>alert(1)" not in page and "javascript:" not in page


def test_a_stale_decision_is_refused_on_release(client, auth):
    idea = make_idea()
    auth.login_as("moderator")
    flashes_after(client, client.post(f"/moderation/ideas/{idea.id}/answer", data=answer_data(idea, "accepted")))
    # Another moderator moves the idea on while the first one still has the old page open.
    workflow.change_status(fresh(idea), S.under_review, make_user(role="moderator"))
    db.session.commit()
    response = client.post(f"/moderation/ideas/{idea.id}/answer/release", data={"expected": "published"})
    assert flashes_after(client, response) == [STALE]
    idea = fresh(idea)
    assert idea.status == S.under_review and idea.answer_published_at is None
    assert idea.planned_status == S.accepted, "the prepared answer is kept"
    assert count(OutboxMail) == 0


@pytest.mark.parametrize("expected", ["published", "nonsense", ""])
def test_a_stale_or_broken_expected_status_is_refused(client, auth, expected):
    idea = make_idea(status=S.under_review)
    auth.login_as("moderator")
    data = {**answer_data(idea, "accepted", button="publish"), "answer-expected": expected}
    response = client.post(f"/moderation/ideas/{idea.id}/answer", data=data)
    assert flashes_after(client, response) == [STALE]
    idea = fresh(idea)
    assert idea.status == S.under_review and idea.answer_source is None
    response = client.post(f"/moderation/ideas/{idea.id}/answer/release", data={"expected": expected})
    assert response.status_code == 302


def test_release_without_a_prepared_answer_is_refused(client, auth):
    idea = make_idea()
    auth.login_as("moderator")
    response = client.post(f"/moderation/ideas/{idea.id}/answer/release", data={"expected": "published"})
    assert flashes_after(client, response) == ["There is no prepared answer for this idea."]
    assert fresh(idea).status == S.published


def test_a_prepared_answer_can_be_discarded_but_not_a_released_one(client, auth):
    idea = make_idea()
    auth.login_as("moderator")
    flashes_after(client, client.post(f"/moderation/ideas/{idea.id}/answer", data=answer_data(idea, "rejected")))
    response = client.post(f"/moderation/ideas/{idea.id}/answer/discard")
    assert flashes_after(client, response) == ["The prepared answer has been discarded."]
    idea = fresh(idea)
    assert (idea.answer_source, idea.answer_html, idea.planned_status, idea.status) == (None, None, None, S.published)

    flashes_after(client, client.post(f"/moderation/ideas/{idea.id}/answer",
                                      data=answer_data(idea, "rejected", button="publish")))
    response = client.post(f"/moderation/ideas/{idea.id}/answer/discard")
    assert flashes_after(client, response) == ["There is no prepared answer to discard."]
    idea = fresh(idea)
    assert idea.answer_source == ANSWER and idea.answer_published_at is not None
    assert "Published answer" in client.get(f"/moderation/ideas/{idea.id}").text


# Answer templates

def make_template(title="Danke, wir prüfen", body="Danke für „{title}“ (Nr. {reference}) zum Thema {field}."):
    template = AnswerTemplate(title=title, body=body)
    db.session.add(template)
    db.session.commit()
    return template


def test_use_template_fills_the_placeholders_without_javascript(client, auth):
    process = make_process()
    idea = make_idea(process, title="Bänke mit Steckdosen", field=process.action_fields[1])
    template = make_template()
    auth.login_as("moderator")
    page = client.get(f"/moderation/ideas/{idea.id}").text
    assert "Insert answer template" in page and "Danke, wir prüfen" in page

    data = {"answer-decision": "accepted", "answer-answer": "", "answer-template": str(template.id),
            "answer-expected": "published", "answer-use_template": "Use template"}
    response = client.post(f"/moderation/ideas/{idea.id}/answer", data=data)
    assert response.status_code == 200
    assert "<html" in response.text, "a full page without JavaScript"
    text = html.unescape(response.text)
    assert f"Danke für „Bänke mit Steckdosen“ (Nr. {idea.reference}) zum Thema Bildung und Jugend." in text
    assert '<option selected value="accepted">' in response.text, "the chosen decision is kept"
    assert fresh(idea).answer_source is None, "nothing is saved yet"


def test_use_template_with_htmx_swaps_only_the_answer_form(client, auth):
    idea = make_idea(title="Freies WLAN")
    template = make_template(body="Zu {title}: {0.__class__} {unknown} bleibt stehen. {reference}")
    auth.login_as("moderator")
    data = {"answer-decision": "under_review", "answer-template": str(template.id),
            "answer-expected": "published", "answer-use_template": "Use template"}
    response = client.post(f"/moderation/ideas/{idea.id}/answer", data=data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text and response.text.lstrip().startswith(("<section", "{#"))
    assert 'id="answer"' in response.text and 'hx-swap-oob="innerHTML"' in response.text
    assert f"Zu Freies WLAN: {{0.__class__}} {{unknown}} bleibt stehen. {idea.reference}" in html.unescape(response.text)


@pytest.mark.parametrize("choice", ["", "999999", "abc", "99999999999999999999"])
def test_use_template_without_a_valid_template_says_so(client, auth, choice):
    idea = make_idea()
    auth.login_as("moderator")
    data = {"answer-decision": "accepted", "answer-template": choice, "answer-answer": ANSWER,
            "answer-expected": "published", "answer-use_template": "Use template"}
    response = client.post(f"/moderation/ideas/{idea.id}/answer", data=data, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "Please choose a template." in response.text
    assert ANSWER in html.unescape(response.text), "the text typed so far is kept"


def test_staff_manage_answer_templates(client, auth):
    user = auth.login_as("moderator")
    page = client.get("/moderation/templates")
    assert page.status_code == 200 and "There are no answer templates yet." in page.text
    assert "{title}" in html.unescape(page.text) and "{reference}" in html.unescape(page.text)

    response = client.post("/moderation/templates", data={"title": "Wird geprüft", "body": "Wir prüfen {title} gründlich."})
    assert flashes_after(client, response) == ["The template is saved."]
    template = db.session.scalar(select(AnswerTemplate))
    assert (template.title, template.body, template.created_by_id) == ("Wird geprüft", "Wir prüfen {title} gründlich.", user.id)
    assert "Wird geprüft" in client.get("/moderation/templates").text

    assert client.get(f"/moderation/templates/{template.id}").status_code == 200
    response = client.post(f"/moderation/templates/{template.id}", data={"title": "Geprüft", "body": "Wir haben {title} geprüft."})
    assert flashes_after(client, response) == ["The template is saved."]
    db.session.expire_all()
    assert db.session.get(AnswerTemplate, template.id).title == "Geprüft"

    response = client.post(f"/moderation/templates/{template.id}/delete")
    assert flashes_after(client, response) == ["The template has been deleted."]
    assert count(AnswerTemplate) == 0
    assert client.get(f"/moderation/templates/{template.id}").status_code == 404
    assert client.post(f"/moderation/templates/{template.id}/delete").status_code == 404
    assert client.get("/moderation/templates/99999999999").status_code == 404


@pytest.mark.parametrize("data, message", [
    ({"title": "ab", "body": "Ein ausreichend langer Text."}, "The name must be between 3 and 120 characters long."),
    ({"title": "x" * 121, "body": "Ein ausreichend langer Text."}, "The name must be between 3 and 120 characters long."),
    ({"title": "Gut", "body": "Zu kurz."}, "The text must be between 20 and 3000 characters long."),
    ({"title": "Gut", "body": "x" * 3001}, "The text must be between 20 and 3000 characters long."),
    ({"title": "", "body": ""}, "Please give the template a name."),
])
def test_template_input_is_checked(client, auth, data, message):
    auth.login_as("moderator")
    response = client.post("/moderation/templates", data=data)
    assert response.status_code == 422 and message in response.text
    template = make_template()
    response = client.post(f"/moderation/templates/{template.id}", data=data)
    assert response.status_code == 422 and message in response.text
    assert count(AnswerTemplate) == 1 and db.session.get(AnswerTemplate, template.id).title == "Danke, wir prüfen"


# Releasing the prepared answers of an action field together

@pytest.fixture
def prepared_field(app):
    """Three prepared answers in the first action field, one in the second, one already public."""
    process = make_process(fields=2)
    first, second = process.action_fields
    staff = make_user(role="moderator")
    ideas = [make_idea(process, field=first, title=f"Idee {n} zur Infrastruktur") for n in range(3)]
    other = make_idea(process, field=second, title="Idee zur Bildung")
    done = make_idea(process, field=first, title="Schon beantwortet")
    for idea, decision in zip(ideas + [other, done], [S.accepted, S.rejected, S.under_review, S.accepted, S.accepted]):
        workflow.prepare_answer(idea, staff, decision, ANSWER)
    workflow.release_answer(done, staff)
    db.session.commit()
    return SimpleNamespace(process=process, first=first, ideas=ideas, other=other)


def test_the_release_page_counts_prepared_answers_per_field(client, auth, prepared_field):
    process = prepared_field.process
    auth.login_as("moderator")
    page = client.get(f"/moderation/release?process={process.slug}")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "3 answers waiting" in text and "1 answer waiting" in text
    assert "Publish all 3 answers of this field" in text and "Publish the 1 answer of this field" in text
    assert client.get("/moderation/release").status_code == 200, "the newest process by default"
    assert client.get("/moderation/release?process=nope").status_code == 404


def test_release_asks_for_confirmation_first(client, auth, prepared_field):
    first, ideas = prepared_field.first, prepared_field.ideas
    auth.login_as("moderator")
    response = client.post(f"/moderation/release/{first.id}")
    assert response.status_code == 200
    text = html.unescape(response.text)
    assert "Publish 3 answers of Digitale Infrastruktur?" in text
    for idea in ideas:
        assert idea.title in text and f'name="ids" value="{idea.id}"' in response.text
    assert "Schon beantwortet" not in text and "Idee zur Bildung" not in text
    assert all(fresh(i).answer_published_at is None for i in ideas), "nothing happens before the confirmation"
    assert count(OutboxMail) == 1, "only the mail of the answer released before"


def test_releasing_a_field_publishes_its_answers_and_tells_followers(client, auth, prepared_field):
    first, ideas, other = prepared_field.first, prepared_field.ideas, prepared_field.other
    supporter, quiet, commenter = make_user(), make_user(notify_answers=False), make_user()
    for person in (supporter, quiet):
        voting.add_support(person, ideas[0])
    discussion.add_comment(commenter, ideas[0], "Gute Idee, bitte schnell umsetzen.")
    db.session.commit()
    moderator = auth.login_as("moderator")

    data = {"confirm": "1", "ids": [str(i.id) for i in ideas]}
    response = client.post(f"/moderation/release/{first.id}", data=data)
    assert flashes_after(client, response) == ["3 answers are now public. Authors and followers get an e-mail."]
    for idea, status in zip(ideas, [S.accepted, S.rejected, S.under_review]):
        idea = fresh(idea)
        assert idea.status == status and idea.answer_published_at is not None and idea.planned_status is None
        assert mail_kinds(idea.author) == ["idea_answered"]
    assert len(events(ideas[0], ModerationEvent.to_status == S.accepted, ModerationEvent.actor_id == moderator.id)) == 1
    assert len(events(ideas[1], ModerationEvent.to_status == S.rejected)) == 1
    assert mail_kinds(supporter) == ["idea_answered_follower"]
    assert mail_kinds(commenter) == ["idea_answered_follower"]
    assert mail_kinds(quiet) == [], "a supporter who opted out gets no mail"
    assert fresh(other).answer_published_at is None, "other fields wait"

    auth.logout()
    assert all(public_answer_shown(client, idea) for idea in ideas)
    assert not public_answer_shown(client, other)


def test_release_refuses_when_the_list_changed_meanwhile(client, auth, prepared_field):
    process, first, ideas = prepared_field.process, prepared_field.first, prepared_field.ideas
    auth.login_as("moderator")
    late = make_idea(process, field=first, title="Spät vorbereitet")
    workflow.prepare_answer(late, make_user(role="moderator"), S.accepted, ANSWER)
    db.session.commit()
    response = client.post(f"/moderation/release/{first.id}",
                           data={"confirm": "1", "ids": [str(i.id) for i in ideas]})
    assert response.status_code == 409
    assert "The list of prepared answers has changed meanwhile." in response.text
    assert "Spät vorbereitet" in html.unescape(response.text)
    assert all(fresh(i).answer_published_at is None for i in ideas + [late])
    response = client.post(f"/moderation/release/{first.id}", data={"confirm": "1", "ids": ["x", "-1"]})
    assert response.status_code == 409


def test_a_field_without_prepared_answers_has_nothing_to_release(client, auth):
    process = make_process()
    auth.login_as("moderator")
    response = client.post(f"/moderation/release/{process.action_fields[0].id}")
    assert flashes_after(client, response) == ["There are no prepared answers in this action field."]
    assert client.post("/moderation/release/99999").status_code == 404


def test_a_hidden_idea_waits_when_its_field_is_released(client, auth, prepared_field):
    first, ideas = prepared_field.first, prepared_field.ideas
    # Hidden after its answer was prepared: the release must neither fail nor show it again.
    workflow.hide(ideas[2], None, NetiquetteReason.other)
    db.session.commit()
    auth.login_as("moderator")
    stale = client.post(f"/moderation/release/{first.id}", data={"confirm": "1", "ids": [str(i.id) for i in ideas]})
    assert stale.status_code == 409, "the confirmed list no longer matches what waits"
    waiting = [str(i.id) for i in ideas[:2]]
    response = client.post(f"/moderation/release/{first.id}", data={"confirm": "1", "ids": waiting})
    assert response.status_code == 302
    assert all(fresh(i).answer_published_at is not None for i in ideas[:2])
    hidden = fresh(ideas[2])
    assert (hidden.status, hidden.answer_published_at, hidden.planned_status) == (S.hidden, None, S.under_review)


# Action fields

def test_tagging_sets_primary_and_further_fields(client, auth):
    process = make_process(fields=4)
    f0, _, f2, f3 = process.action_fields
    idea = make_idea(process, field=f2)
    moderator = auth.login_as("moderator")
    page = client.get(f"/moderation/ideas/{idea.id}").text
    assert f'<option selected value="{f2.id}">' in page, "the citizen's field is preselected"
    assert "<legend>Further action fields</legend>" in page

    response = client.post(f"/moderation/ideas/{idea.id}/tag",
                           data={"tag-primary": str(f0.id), "tag-further": [str(f0.id), str(f3.id), str(f3.id)]})
    assert flashes_after(client, response) == ["The action fields are saved."]
    idea = fresh(idea)
    assert idea.action_field_id == f0.id
    assert [f.id for f in idea.further_fields] == [f3.id], "the primary field is not repeated"
    assert idea.suggested_field_id == f2.id, "what the citizen suggested is kept"
    [event] = events(idea, ModerationEvent.reason == "tagged")
    assert event.actor_id == moderator.id and event.from_status == event.to_status == S.published
    assert "Action fields set" in client.get(f"/moderation/ideas/{idea.id}").text


@pytest.mark.parametrize("field_key", ["tag-primary", "tag-further"])
def test_a_field_of_another_process_is_refused(client, auth, field_key):
    process, elsewhere = make_process(), make_process()
    idea = make_idea(process)
    auth.login_as("moderator")
    data = {"tag-primary": str(process.action_fields[1].id), "tag-further": []}
    data[field_key] = str(elsewhere.action_fields[0].id)
    response = client.post(f"/moderation/ideas/{idea.id}/tag", data=data)
    assert response.status_code == 422
    assert "This action field does not belong to the process of this idea." in response.text
    idea = fresh(idea)
    assert idea.action_field_id == process.action_fields[0].id and idea.further_fields == []
    assert events(idea, ModerationEvent.reason == "tagged") == []


@pytest.mark.parametrize("data", [{}, {"tag-primary": "abc"}, {"tag-primary": "99999999999999999999"},
                                  {"tag-primary": "1", "tag-further": ["x"]}])
def test_broken_tag_input_is_a_message_not_an_error(client, auth, data):
    idea = make_idea()
    auth.login_as("moderator")
    response = client.post(f"/moderation/ideas/{idea.id}/tag", data=data)
    assert response.status_code == 422
    assert 'class="error-message"' in response.text


# Access

ENDPOINTS = [
    ("POST", "/moderation/ideas/{id}/answer"), ("POST", "/moderation/ideas/{id}/answer/release"),
    ("POST", "/moderation/ideas/{id}/answer/discard"), ("GET", "/moderation/templates"),
    ("POST", "/moderation/templates"), ("GET", "/moderation/templates/{template}"),
    ("POST", "/moderation/templates/{template}"), ("POST", "/moderation/templates/{template}/delete"),
    ("GET", "/moderation/release"), ("POST", "/moderation/release/{field}"),
    ("POST", "/moderation/ideas/{id}/tag"), ("POST", "/moderation/ideas/{id}/merge"),
    ("POST", "/moderation/ideas/{id}/merge-similar"), ("POST", "/moderation/ideas/{id}/merge/confirm"),
]


def _urls():
    idea = make_idea()
    workflow.prepare_answer(idea, make_user(role="moderator"), S.accepted, ANSWER)
    db.session.commit()
    template = make_template()
    values = {"id": idea.id, "template": template.id, "field": idea.action_field_id}
    return idea, [(method, url.format(**values)) for method, url in ENDPOINTS]


def test_citizens_are_refused_everywhere(client, auth):
    idea, urls = _urls()
    auth.login_as("citizen")
    for method, url in urls:
        assert client.open(url, method=method, data={"confirm": "1"}).status_code == 403, url
    idea = fresh(idea)
    assert idea.answer_published_at is None and count(AnswerTemplate) == 1


def test_anonymous_visitors_are_sent_to_the_login(client):
    _, urls = _urls()
    for method, url in urls:
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


@pytest.mark.parametrize("role", ["moderator", "team", "admin"])
def test_all_staff_can_release_answers(client, auth, role, prepared_field):
    first, ideas = prepared_field.first, prepared_field.ideas
    auth.login_as(role)
    assert client.get("/moderation/release").status_code == 200
    response = client.post(f"/moderation/release/{first.id}", data={"confirm": "1", "ids": [str(i.id) for i in ideas]})
    assert response.status_code == 302
    assert all(fresh(i).answer_published_at is not None for i in ideas)


def test_get_is_not_allowed_on_actions(client, auth):
    idea = make_idea()
    auth.login_as("moderator")
    for url in (f"/moderation/ideas/{idea.id}/answer", f"/moderation/ideas/{idea.id}/tag",
                f"/moderation/ideas/{idea.id}/merge", f"/moderation/release/{idea.action_field_id}"):
        assert client.get(url).status_code == 405, url


def test_the_forms_work_with_csrf_protection_on(client, auth, app):
    """The forms carry prefixed token fields; every POST still needs a token."""
    app.config["WTF_CSRF_ENABLED"] = True
    process = make_process(fields=2)
    idea = make_idea(process)
    auth.login_as("moderator")
    page = client.get(f"/moderation/ideas/{idea.id}").text
    token = re.search(r'name="answer-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post(f"/moderation/ideas/{idea.id}/answer", data=answer_data(idea)).status_code == 400
    response = client.post(f"/moderation/ideas/{idea.id}/answer",
                           data={**answer_data(idea), "answer-csrf_token": token})
    assert response.status_code == 302 and fresh(idea).planned_status == S.accepted
    tag_token = re.search(r'name="tag-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(f"/moderation/ideas/{idea.id}/tag",
                           data={"tag-primary": str(process.action_fields[1].id), "tag-csrf_token": tag_token})
    assert response.status_code == 302 and fresh(idea).action_field_id == process.action_fields[1].id
    for url in (f"/moderation/ideas/{idea.id}/answer/release", f"/moderation/ideas/{idea.id}/answer/discard",
                f"/moderation/ideas/{idea.id}/merge", f"/moderation/ideas/{idea.id}/merge-similar",
                f"/moderation/ideas/{idea.id}/merge/confirm", f"/moderation/release/{idea.action_field_id}",
                "/moderation/templates"):
        assert client.post(url, data={"expected": "published", "confirm": "1"}).status_code == 400, url
    assert fresh(idea).answer_published_at is None


@pytest.mark.parametrize("status", [S.merged, S.withdrawn])
def test_merged_and_withdrawn_ideas_are_not_tagged(client, auth, status):
    process = make_process()
    idea = make_idea(process, status=status)
    auth.login_as("moderator")
    assert 'name="tag-primary"' not in client.get(f"/moderation/ideas/{idea.id}").text
    response = client.post(f"/moderation/ideas/{idea.id}/tag", data={"tag-primary": str(process.action_fields[1].id)})
    assert flashes_after(client, response) == ["The action fields of this idea can no longer be changed."]
    assert fresh(idea).action_field_id == process.action_fields[0].id
