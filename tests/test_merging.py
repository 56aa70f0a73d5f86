"""Merging duplicates from the staff idea page: supports add up (a person counts once),
comments stay readable, authors become co-authors, nothing is deleted."""
import html
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from ideas import discussion, voting
from ideas.extensions import db
from ideas.models import Comment, Idea, IdeaStatus, ModerationEvent, OutboxMail, Vote
from tests.conftest import count, fresh, make_idea, make_process, make_user

S = IdeaStatus


# Assert on the English texts, whatever catalog has been compiled meanwhile.
pytestmark = pytest.mark.usefixtures("english")


def mail_kinds(user) -> list[str]:
    return list(db.session.scalars(select(OutboxMail.kind).where(OutboxMail.user_id == user.id)
                                   .order_by(OutboxMail.id)))


def flashes_after(client, response) -> list[str]:
    assert response.status_code == 302, response.status_code
    page = client.get(response.headers["Location"])
    return [html.unescape(m) for m in re.findall(r'<p class="flash flash-\w+" role="\w+">(.*?)</p>', page.text)]


def support(idea, people) -> None:
    for person in people:
        assert voting.add_support(person, idea)
    db.session.commit()


def assert_counters_match(*ideas) -> None:
    for idea in ideas:
        assert fresh(idea).support_count == count(Vote, Vote.idea_id == idea.id), idea


def confirm_fields(page: str) -> dict:
    """The hidden fields of the confirmation form, as the browser would send them."""
    form = re.search(r'<form action="(/moderation/ideas/\d+/merge/confirm)" method="post">(.*?)</form>', page, re.DOTALL)
    fields = re.findall(r'<input type="hidden" name="(sources|note|back)" value="([^"]*)">', form.group(2))
    data: dict = {}
    for name, value in fields:
        data.setdefault(name, []).append(html.unescape(value))
    return form.group(1), data


@pytest.fixture
def duplicates(app):
    """A with 3 supports, B with 4; one person supports both."""
    process = make_process()
    a = make_idea(process, title="Freies WLAN auf dem Marktplatz")
    b = make_idea(process, title="WLAN für alle in der Innenstadt")
    both = make_user(display_name="Beide Unterstützt")
    only_a = [make_user(display_name=f"Nur A {n}") for n in range(2)]
    only_b = [make_user() for _ in range(3)]
    support(a, [both, *only_a])
    support(b, [both, *only_b])
    discussion.add_comment(make_user(), a, "Das wäre für Touristen sehr praktisch.")
    db.session.commit()
    return SimpleNamespace(process=process, a=a, b=b, both=both, only_a=only_a)


def test_merging_a_duplicate_from_its_page(client, auth, duplicates):
    a, b, both, only_a = duplicates.a, duplicates.b, duplicates.both, duplicates.only_a
    moderator = auth.login_as("moderator")
    page = client.get(f"/moderation/ideas/{a.id}").text
    assert "Merge this idea into another one" in page and 'name="merge-reference"' in page

    response = client.post(f"/moderation/ideas/{a.id}/merge",
                           data={"merge-reference": b.reference, "merge-note": "Gleiche Idee"})
    assert response.status_code == 200
    text = html.unescape(response.text)
    assert "Merge ideas?" in text and a.title in text and b.title in text
    assert "3 supports" in text and "4 supports" in text
    assert f"2 supports move to the idea No. {b.reference}." in text
    assert "1 support comes from a person who already supports the idea that stays" in text
    assert f"Afterwards the idea No. {b.reference} has 6 supports." in text
    assert fresh(a).status == S.published and count(Vote) == 7, "nothing changes before the confirmation"

    action, data = confirm_fields(response.text)
    assert action == f"/moderation/ideas/{b.id}/merge/confirm"
    response = client.post(action, data=data)
    assert response.headers["Location"].endswith(f"/moderation/ideas/{b.id}#merge")
    assert flashes_after(client, response) == ["1 idea has been merged into this one. Its supports count here now."]

    a, b = fresh(a), fresh(b)
    assert (a.status, a.merged_into_id) == (S.merged, b.id)
    assert b.support_count == 6 and a.support_count == 0
    assert_counters_match(a, b)
    voters = db.session.scalars(select(Vote.user_id).where(Vote.idea_id == b.id)).all()
    assert len(voters) == len(set(voters)) == 6, "one vote per person"
    assert a.author in b.coauthors
    [event] = db.session.scalars(select(ModerationEvent).where(ModerationEvent.idea_id == a.id,
                                                               ModerationEvent.to_status == S.merged)).all()
    assert (event.actor_id, event.note) == (moderator.id, "Gleiche Idee")

    assert mail_kinds(a.author) == ["idea_merged"] and mail_kinds(b.author) == ["idea_merged"]
    assert all(mail_kinds(person) == ["idea_merged_supporter"] for person in only_a)
    assert mail_kinds(both) == [], "nothing moved for a person who supported both"

    assert count(Idea) == 2 and count(Comment, Comment.idea_id == a.id) == 1, "nothing is deleted"
    staff_b = html.unescape(client.get(f"/moderation/ideas/{b.id}").text)
    assert "Merged into this idea" in staff_b and a.title in staff_b and a.author.display_name in staff_b

    auth.logout()
    source_page = html.unescape(client.get(f"/ideas/{a.id}").text)
    assert "This idea has been merged with a similar one." in source_page
    assert f'href="/ideas/{b.id}"' in source_page and b.reference in source_page
    assert "Das wäre für Touristen sehr praktisch." in source_page, "the comments stay readable"
    target_page = html.unescape(client.get(f"/ideas/{b.id}").text)
    assert a.author.display_name in target_page, "the co-author is named"
    assert a.title not in client.get("/ideas").text, "the merged idea leaves the public list"


@pytest.mark.parametrize("typed", ["{ref}", " #{ref} ", "No. {ref}", "Nr. {year}-{short}"])
def test_the_number_can_be_typed_as_people_write_it(client, auth, duplicates, typed):
    a, b = duplicates.a, duplicates.b
    auth.login_as("moderator")
    year, number = b.reference.split("-")
    value = typed.format(ref=b.reference, year=year, short=int(number))
    response = client.post(f"/moderation/ideas/{a.id}/merge", data={"merge-reference": value})
    assert response.status_code == 200 and "Merge ideas?" in response.text


def test_merging_several_similar_ideas_into_the_one_that_stays(client, auth):
    process = make_process()
    target = make_idea(process, title="Freies WLAN in der Innenstadt")
    first = make_idea(process, title="WLAN in der Innenstadt kostenlos")
    second = make_idea(process, title="Kostenloses WLAN Innenstadt Marktplatz")
    unrelated = make_idea(process, title="Mehr Bänke im Stadtpark",
                          body="Im Stadtpark fehlen Sitzplätze für ältere Menschen.")
    elsewhere = make_idea(make_process(), title="Freies WLAN in der Innenstadt bitte")
    fan, target_fan = make_user(), make_user()
    support(first, [fan, target_fan])
    support(second, [fan])
    support(target, [target_fan])
    auth.login_as("moderator")

    page = html.unescape(client.get(f"/moderation/ideas/{target.id}").text)
    assert "Similar ideas" in page and "<legend>Merge into this idea</legend>" in page
    assert first.title in page and second.title in page
    assert unrelated.title not in page and elsewhere.title not in page

    response = client.post(f"/moderation/ideas/{target.id}/merge-similar",
                           data={"similar-sources": [str(first.id), str(second.id)]})
    assert response.status_code == 200
    text = html.unescape(response.text)
    assert "These 2 ideas are merged" in text
    assert "1 support moves" in text, "the fan counts once, the target's own supporter is there already"
    assert "2 supports come from people who already support" in text
    assert f"Afterwards the idea No. {target.reference} has 2 supports." in text

    action, data = confirm_fields(response.text)
    assert data["sources"] == [str(first.id), str(second.id)] and data["back"] == [str(target.id)]
    response = client.post(action, data=data)
    assert flashes_after(client, response) == ["2 ideas have been merged into this one. Their supports count here now."]
    target, first, second = fresh(target), fresh(first), fresh(second)
    assert first.merged_into_id == second.merged_into_id == target.id
    assert first.status == second.status == S.merged
    assert target.support_count == 2
    assert_counters_match(target, first, second)
    assert {u.id for u in target.coauthors} == {first.author_id, second.author_id}


def test_nothing_chosen_is_a_message(client, auth, duplicates):
    b = duplicates.b
    auth.login_as("moderator")
    response = client.post(f"/moderation/ideas/{b.id}/merge-similar", data={})
    assert response.status_code == 422
    assert "Please choose at least one idea to merge into this one." in response.text


@pytest.mark.parametrize("sources", [["abc"], ["-1"], ["99999999999999"], ["0"]])
def test_broken_ids_are_a_message_not_an_error(client, auth, duplicates, sources):
    a, b = duplicates.a, duplicates.b
    auth.login_as("moderator")
    response = client.post(f"/moderation/ideas/{b.id}/merge-similar", data={"similar-sources": sources})
    assert response.status_code == 422
    response = client.post(f"/moderation/ideas/{b.id}/merge/confirm", data={"sources": sources, "back": "x"})
    assert flashes_after(client, response) == ["Please choose the ideas to merge again."]
    assert fresh(a).status == S.published and count(Vote) == 7


def test_merging_across_processes_is_refused(client, auth, duplicates):
    a, b = duplicates.a, duplicates.b
    other = make_idea(make_process(), title="WLAN in einem anderen Prozess")
    support(other, [make_user()])
    auth.login_as("moderator")
    message = "This idea belongs to another process. Only ideas of the same process can be merged."
    response = client.post(f"/moderation/ideas/{a.id}/merge", data={"merge-reference": other.reference})
    assert response.status_code == 422 and message in response.text
    response = client.post(f"/moderation/ideas/{b.id}/merge-similar", data={"similar-sources": [str(other.id)]})
    assert response.status_code == 422 and message in response.text
    # A forged confirmation is checked again.
    response = client.post(f"/moderation/ideas/{b.id}/merge/confirm", data={"sources": [str(other.id)]})
    assert flashes_after(client, response) == [message]
    assert fresh(other).status == S.published and fresh(b).support_count == 4 and count(Vote) == 8


def test_merging_into_itself_is_refused(client, auth, duplicates):
    a = duplicates.a
    auth.login_as("moderator")
    response = client.post(f"/moderation/ideas/{a.id}/merge", data={"merge-reference": a.reference})
    assert response.status_code == 422 and "An idea cannot be merged into itself." in response.text
    response = client.post(f"/moderation/ideas/{a.id}/merge/confirm", data={"sources": [str(a.id)]})
    assert flashes_after(client, response) == ["An idea cannot be merged into itself."]
    assert fresh(a).status == S.published


@pytest.mark.parametrize("value, message", [
    ("2026-99999", "There is no idea with this number."),
    ("irgendwas", "There is no idea with this number."),
    ("", "Please enter the number of the idea, for example 2026-00042."),
    ("1" * 40, "Please enter the number of the idea, for example 2026-00042."),
])
def test_an_unknown_number_is_a_message(client, auth, duplicates, value, message):
    a = duplicates.a
    auth.login_as("moderator")
    response = client.post(f"/moderation/ideas/{a.id}/merge", data={"merge-reference": value})
    assert response.status_code == 422 and message in response.text
    assert 'aria-invalid="true"' in response.text


@pytest.mark.parametrize("status", [S.pending, S.hidden, S.rejected, S.withdrawn])
def test_ideas_that_are_not_public_and_open_cannot_be_merged(client, auth, status, duplicates):
    process, a, b = duplicates.process, duplicates.a, duplicates.b
    mode = "pre" if status == S.pending else "post"
    source = make_idea(make_process(mode=mode) if status == S.pending else process, status=status)
    if status == S.pending:
        source.process_id = process.id
        db.session.commit()
    auth.login_as("moderator")
    page = client.get(f"/moderation/ideas/{source.id}").text
    assert 'name="merge-reference"' not in page
    response = client.post(f"/moderation/ideas/{source.id}/merge", data={"merge-reference": b.reference})
    assert "cannot be merged while its status is" in flashes_after(client, response)[0]
    response = client.post(f"/moderation/ideas/{source.id}/merge-similar", data={"similar-sources": [str(a.id)]})
    assert "Nothing can be merged into the idea" in flashes_after(client, response)[0]
    response = client.post(f"/moderation/ideas/{b.id}/merge/confirm", data={"sources": [str(source.id)]})
    assert "cannot be merged while its status is" in flashes_after(client, response)[0]
    assert fresh(source).status == status and fresh(b).support_count == 4
    # ... and nothing can be merged into them either.
    response = client.post(f"/moderation/ideas/{a.id}/merge", data={"merge-reference": source.reference})
    assert response.status_code == 422
    assert "Nothing can be merged into the idea" in html.unescape(response.text)
    assert fresh(a).status == S.published


def test_a_merged_idea_shows_where_it_went_on_the_staff_page(client, auth, duplicates):
    a, b = duplicates.a, duplicates.b
    auth.login_as("moderator")
    response = client.post(f"/moderation/ideas/{a.id}/merge", data={"merge-reference": b.reference})
    action, data = confirm_fields(response.text)
    client.post(action, data=data)
    page = html.unescape(client.get(f"/moderation/ideas/{a.id}").text)
    assert "This idea has been merged into:" in page and f'href="/moderation/ideas/{b.id}"' in page
    assert 'name="merge-reference"' not in page and 'name="answer-answer"' not in page
    # A second confirmation of the same merge is refused: the source is merged already.
    response = client.post(action, data=data)
    assert "cannot be merged while its status is" in flashes_after(client, response)[0]
    assert fresh(b).support_count == 6
