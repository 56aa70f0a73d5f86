"""Access across the new areas (checklist Z1–Z3): ids of another process, draft, person or session.

Three kinds of cases: an object of process or draft A addressed under B's URL (404, nothing
changes), extra fields posted to every new form (ignored), and GET on every URL that only
takes POST (405, found from the URL map so a new route cannot be forgotten).
"""
import io
import re

import pyotp
import pytest
from sqlalchemy import select, text

from ideas import create_app, drafts
from ideas.extensions import db
from ideas.models import (
    AnswerTemplate,
    DotVote,
    DraftVersion,
    Idea,
    IdeaStatus,
    InternalNote,
    Measure,
    OutboxMail,
    Role,
    StrategyDraft,
    User,
    Workshop,
    WorkshopDots,
)
from tests.conftest import Auth, make_idea, make_process, make_user

pytestmark = pytest.mark.usefixtures("english")

# Every table the new areas write to: "nothing changed" compares all their rows.
WATCHED = ("strategy_draft", "draft_section", "measure", "measure_idea", "draft_version", "workshop",
           "workshop_dots", "action_field", "dot_vote", "idea", "user", "internal_note", "answer_template")


def rows() -> dict[str, list[tuple]]:
    db.session.expire_all()
    return {table: sorted(map(tuple, db.session.execute(text(f'SELECT * FROM "{table}"')).all()),  # noqa: S608
                          key=repr)
            for table in WATCHED}


def make_workshop(process, name="Digital-Werkstatt Stadthalle") -> Workshop:
    workshop = Workshop(process_id=process.id, name=name)
    db.session.add(workshop)
    db.session.commit()
    return workshop


def make_draft(process, title="Digitalstrategie 2030") -> StrategyDraft:
    """A draft from the process's accepted ideas, with a measure and a frozen version."""
    make_idea(process, status=IdeaStatus.accepted, title=f"Angenommene Idee für {title}")
    draft = drafts.create(process, title)
    db.session.flush()
    drafts.freeze(drafts.load(draft.id), "Erste Fassung")
    db.session.commit()
    return drafts.load(draft.id)


@pytest.fixture
def two_processes(client, auth):
    """Process A and B, each with a draft (sections, measures, a version) and a workshop with dots."""
    a, b = make_process(fields=2, title="Prozess A"), make_process(fields=2, title="Prozess B")
    worlds = []
    for process in (a, b):
        draft = make_draft(process, f"Entwurf {process.title}")
        workshop = make_workshop(process, f"Werkstatt {process.title}")
        db.session.add(WorkshopDots(workshop_id=workshop.id, measure_id=draft.measures[0].id, dots=4))
        db.session.commit()
        worlds.append((process, draft, workshop))
    auth.login_as("team")
    return worlds


# --- Objects of A under B's address: 404, and nothing changes -------------------------------------

def _cross_urls(a, b) -> list[tuple[str, str]]:
    """(method, url) with an object of A and the rest of the address from B."""
    (pa, da, wa), (pb, db_, _wb) = a, b
    section, measure, field = da.sections[0], da.measures[0], pa.action_fields[0]
    return [
        ("GET", f"/strategy/processes/{pb.id}/workshops/{wa.id}/edit"),
        ("POST", f"/strategy/processes/{pb.id}/workshops/{wa.id}/edit"),
        ("GET", f"/strategy/processes/{pb.id}/workshops/{wa.id}/delete"),
        ("POST", f"/strategy/processes/{pb.id}/workshops/{wa.id}/delete"),
        ("GET", f"/strategy/drafts/{db_.id}/sections/{section.id}/goals"),
        ("POST", f"/strategy/drafts/{db_.id}/sections/{section.id}/goals"),
        ("POST", f"/strategy/drafts/{db_.id}/sections/{section.id}/move"),
        ("GET", f"/strategy/drafts/{db_.id}/measures/{measure.id}/edit"),
        ("POST", f"/strategy/drafts/{db_.id}/measures/{measure.id}/edit"),
        ("POST", f"/strategy/drafts/{db_.id}/measures/{measure.id}/move"),
        ("GET", f"/strategy/drafts/{db_.id}/measures/{measure.id}/delete"),
        ("POST", f"/strategy/drafts/{db_.id}/measures/{measure.id}/delete"),
        ("POST", f"/strategy/drafts/{db_.id}/merge"),
        ("GET", f"/strategy/processes/{pb.id}/fields/{field.id}/edit"),
        ("POST", f"/strategy/processes/{pb.id}/fields/{field.id}/edit"),
        ("POST", f"/strategy/processes/{pb.id}/fields/{field.id}/move"),
        ("POST", f"/strategy/processes/{pb.id}/fields/{field.id}/delete"),
        ("GET", f"/strategy/processes/{pb.id}/kit/cards?field={field.id}"),
        ("GET", f"/strategy/processes/{pb.id}/kit/posters?field={field.id}"),
    ]


CROSS_CASES = 19


def _hostile_form(a, b) -> dict:
    (_pa, da, _wa), (pb, db_, _wb) = a, b
    measure_b = db_.measures[0]
    return {"title": "Überschrieben von B", "name": "Überschrieben von B", "goals": "Ziel von B",
            "direction": "up", "description": "von B", "priority": "high", "status": "done",
            "action_field": str(pb.action_fields[0].id), "measures": [str(da.measures[0].id), str(measure_b.id)],
            "confirm": "yes", "slug": "von-b", "colour": "red"}


def test_an_object_of_process_a_under_process_bs_address_is_not_found(client, two_processes):
    a, b = two_processes
    urls = _cross_urls(a, b)
    assert len(urls) == CROSS_CASES
    before = rows()
    for method, url in urls:
        response = client.open(url, method=method, data=_hostile_form(a, b) if method == "POST" else None)
        assert response.status_code == 404, (method, url, response.status_code)
    assert rows() == before


def test_the_same_addresses_work_for_the_right_process(client, two_processes):
    """The 404s above come from the mismatch, not from broken URLs."""
    (pa, da, wa), _b = two_processes
    section, measure, field = da.sections[0], da.measures[0], pa.action_fields[0]
    for url in (f"/strategy/processes/{pa.id}/workshops/{wa.id}/edit", f"/strategy/drafts/{da.id}/sections/"
                f"{section.id}/goals", f"/strategy/drafts/{da.id}/measures/{measure.id}/edit",
                f"/strategy/processes/{pa.id}/fields/{field.id}/edit", f"/strategy/processes/{pa.id}/kit/cards?field={field.id}"):
        assert client.get(url).status_code == 200, url


def test_measures_and_dots_take_no_idea_or_measure_of_another_process(client, two_processes):
    (pa, da, wa), (pb, db_, wb) = two_processes
    idea_b = make_idea(pb, status=IdeaStatus.accepted, title="Idee aus Prozess B")
    before = rows()
    response = client.post(f"/strategy/drafts/{da.id}/measures/new", data={
        "title": "Maßnahme mit fremder Quelle", "action_field": "", "priority": "medium", "status": "planned",
        "ideas": idea_b.reference})
    assert response.status_code == 200 and "is not the number of an idea in this process" in response.text
    for reference, message in ((idea_b.reference, "belongs to another process"),
                               (db_.measures[0].reference, "belongs to another process")):
        response = client.post(f"/strategy/workshops/{wa.id}/dots",
                               data={"rows-0-reference": reference, "rows-0-dots": "7"})
        assert response.status_code == 200 and message in response.text, reference
    assert rows() == before


def _signed_preview(client, workshop, reference) -> str:
    sheet = f"reference;dots\r\n{reference};5\r\n".encode()
    page = client.post(f"/strategy/workshops/{workshop.id}/upload", content_type="multipart/form-data",
                       data={"sheet": (io.BytesIO(sheet), "punkte.csv")}).text
    return re.search(r'name="payload" type="hidden" value="([^"]+)"', page).group(1)


def test_a_checked_upload_cannot_be_replayed_on_another_workshop_or_by_another_person(client, app, two_processes):
    (pa, da, wa), (pb, db_, wb) = two_processes
    other_in_a = make_workshop(pa, "Zweite Werkstatt A")
    token = _signed_preview(client, wa, da.measures[0].reference)
    colleague = app.test_client()
    colleague.set_cookie("lang", "en")
    Auth(colleague).login_as("team")
    before = rows()
    response = client.post(f"/strategy/workshops/{other_in_a.id}/upload", data={"payload": token})
    assert response.status_code == 400
    assert colleague.post(f"/strategy/workshops/{wa.id}/upload", data={"payload": token}).status_code == 400
    assert rows() == before
    assert client.post(f"/strategy/workshops/{wa.id}/upload", data={"payload": token}).status_code == 302


# --- Between citizens: dot points, data downloads, two-factor setup --------------------------------

def test_a_citizens_dot_points_cannot_be_changed_by_another(client, app):
    process = make_process(dot_points=5)
    idea = make_idea(process, title="Freies WLAN in allen Bürgerhäusern")
    alice, bob = make_user(), make_user()
    db.session.add(DotVote(user_id=alice.id, idea_id=idea.id, points=3))
    idea.dot_points = 3
    db.session.commit()
    Auth(client).login_as(bob)
    for data in ({"action": "remove"}, {"action": "set", "points": "0", "user_id": str(alice.id)},
                 {"action": "remove", "user_id": str(alice.id), "dot_vote_id": "1"}):
        client.post(f"/ideas/{idea.id}/dots", data=data)
    client.post(f"/ideas/{idea.id}/dots", data={"action": "set", "points": "2", "user_id": str(alice.id)})
    db.session.expire_all()
    votes = {(v.user_id, v.points) for v in db.session.scalars(select(DotVote))}
    assert votes == {(alice.id, 3), (bob.id, 2)}
    assert db.session.get(Idea, idea.id).dot_points == 5


def test_a_data_download_holds_only_ones_own_data(client, app):
    alice = make_user(display_name="Alice Anders", email="alice@example.org")
    make_idea(author=alice, title="Alices geheime Idee zum Radweg")
    bob = make_user(display_name="Bob Berger")
    Auth(client).login_as(bob)
    for url in ("/account/data", f"/account/data?user_id={alice.id}", f"/account/data?id={alice.id}"):
        body = client.get(url).text
        assert "bob" not in body.lower() or "Bob Berger" in body
        assert "alice" not in body.lower() and "Alices geheime Idee" not in body, url


def test_two_factor_setup_and_recovery_codes_stay_with_their_owner(client, app):
    alice = make_user("moderator")
    alice_browser = app.test_client()
    alice_browser.set_cookie("lang", "en")
    Auth(alice_browser).login_as(alice)
    alice_browser.post("/account/two-factor/start")
    secret = db.session.get(User, alice.id).totp_secret
    bob = Auth(client).login_as("moderator")
    setup_page = client.get("/account/two-factor").text
    assert secret[:8] not in setup_page.replace(" ", "")

    client.post("/account/two-factor/start", data={"user_id": str(alice.id)})
    db.session.expire_all()
    assert db.session.get(User, bob.id).totp_secret not in (None, secret)
    assert db.session.get(User, alice.id).totp_secret == secret
    alices_code = pyotp.TOTP(secret).now()
    response = client.post("/account/two-factor/confirm", data={"code": alices_code, "user_id": str(alice.id)})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, alice.id).totp_enabled_at is None
    assert db.session.get(User, bob.id).totp_enabled_at is None

    alice_browser.post("/account/two-factor/confirm", data={"code": alices_code})
    codes = re.findall(r"<code>([^<]+)</code>", alice_browser.get("/account/two-factor/recovery-codes").text)
    assert len(codes) >= 5, "Alice sees her recovery codes once"
    bobs_page = client.get("/account/two-factor/recovery-codes", follow_redirects=True).text
    assert not any(code in bobs_page for code in codes)
    assert db.session.get(User, bob.id).totp_recovery is None


@pytest.mark.parametrize("role", ["team", "moderator"])
def test_admin_actions_are_refused_to_other_staff(client, auth, role):
    target = make_user(display_name="Zielperson")
    auth.login_as(role)
    before = rows()
    for method, url, data in [
        ("GET", "/admin/users", None), ("GET", f"/admin/users/{target.id}", None),
        ("POST", f"/admin/users/{target.id}/role", {"role": "admin"}),
        ("POST", f"/admin/users/{target.id}/block", {}), ("POST", f"/admin/users/{target.id}/unblock", {}),
        ("GET", "/admin/settings", None), ("POST", "/admin/settings", {"require_two_factor": "y"}),
    ]:
        assert client.open(url, method=method, data=data).status_code == 403, (method, url)
    assert rows() == before


# --- Mass assignment: extra fields on every new form are ignored -----------------------------------

EXTRA = {"process_id": None, "draft_id": None, "published": "y", "frozen": "y", "status": "published",
         "workshop_dots": "999", "supports_count": "999", "support_count": "999", "dot_points": "999",
         "role": "admin", "author_id": None, "created_by_id": None, "is_blocked": "y", "blocked_at": "2020-01-01",
         "totp_secret": "JBSWY3DPEHPK3PXP", "totp_enabled_at": "2020-01-01", "id": "4242",
         "published_at": "2020-01-01", "snapshot": "{}", "position": "-5", "workshop_id": None, "user_id": None}


def extra(b, stranger) -> dict:
    """EXTRA with the ids filled in: process B, draft B, workshop B, someone else."""
    (pb, db_, wb) = b
    return {**EXTRA, "process_id": str(pb.id), "draft_id": str(db_.id), "workshop_id": str(wb.id),
            "author_id": str(stranger.id), "created_by_id": str(stranger.id), "user_id": str(stranger.id)}


MEASURE = {"title": "Freies WLAN an allen Schulen", "description": "", "action_field": "", "priority": "medium",
           "rank": "", "time_frame": "", "responsible_office": "", "ideas": "", "status": "planned"}


def test_extra_fields_on_the_draft_forms_are_ignored(client, two_processes):
    (pa, da, wa), b = two_processes
    me = db.session.scalar(select(User).where(User.role == Role.team))
    stranger = make_user()
    more = extra(b, stranger)
    cases = 0
    client.post(f"/strategy/processes/{pa.id}/drafts/new", data={
        **more, "title": "Neuer Entwurf", "support_weight": "1", "dot_weight": "1"})
    new = db.session.scalar(select(StrategyDraft).where(StrategyDraft.title == "Neuer Entwurf"))
    assert (new.process_id, new.status.value, new.created_by_id, new.published_at) == (pa.id, "draft", me.id, None)
    assert new.id != 4242
    cases += 1
    client.post(f"/strategy/drafts/{da.id}/edit", data={**more, "title": "Umbenannt", "support_weight": "1",
                                                        "dot_weight": "1"})
    db.session.expire_all()
    edited = db.session.get(StrategyDraft, da.id)
    assert (edited.title, edited.process_id, edited.status.value, edited.published_at) == \
        ("Umbenannt", pa.id, "draft", None)
    cases += 1
    response = client.post(f"/strategy/drafts/{da.id}/measures/new", data={**more, **MEASURE})
    assert response.status_code == 302
    measure = db.session.scalar(select(Measure).where(Measure.title == MEASURE["title"]))
    assert (measure.draft_id, measure.workshop_dots, measure.status.value) == (da.id, 0, "planned")
    assert measure.id != 4242 and measure.position >= 0
    cases += 1
    old = da.measures[0]
    dots_before = old.workshop_dots
    client.post(f"/strategy/drafts/{da.id}/measures/{old.id}/edit", data={**more, **MEASURE, "title": "Neu"})
    db.session.expire_all()
    old = db.session.get(Measure, old.id)
    assert (old.title, old.draft_id, old.workshop_dots, old.status.value) == ("Neu", da.id, dots_before, "planned")
    cases += 1
    section = da.sections[0]
    field_before = section.action_field_id
    client.post(f"/strategy/drafts/{da.id}/sections/{section.id}/goals",
                data={**more, "goals": "Ein Ziel", "action_field_id": str(b[0].action_fields[0].id)})
    db.session.expire_all()
    section = db.session.get(type(section), section.id)
    assert (section.goals, section.draft_id, section.action_field_id) == (["Ein Ziel"], da.id, field_before)
    cases += 1
    response = client.post(f"/strategy/drafts/{da.id}/versions", data={**more, "label": "Für den Rat"})
    assert response.status_code == 302, re.findall(r'class="field-error"[^>]*>([^<]*)', response.text)
    version = db.session.scalar(select(DraftVersion).where(DraftVersion.label == "Für den Rat"))
    assert (version.draft_id, version.created_by_id) == (da.id, me.id)
    assert version.snapshot["draft"]["id"] == da.id
    cases += 1
    assert cases == 6


def test_extra_fields_on_the_workshop_forms_are_ignored(client, two_processes):
    (pa, da, wa), b = two_processes
    (pb, db_, wb) = b
    more = extra(b, make_user())
    idea = make_idea(pa, status=IdeaStatus.accepted, title="Idee für die Werkstatt A")
    client.post(f"/strategy/processes/{pa.id}/workshops/new", data={**more, "name": "Neue Werkstatt"})
    new = db.session.scalar(select(Workshop).where(Workshop.name == "Neue Werkstatt"))
    assert new.process_id == pa.id and new.id != 4242
    client.post(f"/strategy/processes/{pa.id}/workshops/{wa.id}/edit", data={**more, "name": "Umbenannt"})
    db.session.expire_all()
    assert (db.session.get(Workshop, wa.id).name, db.session.get(Workshop, wa.id).process_id) == ("Umbenannt", pa.id)
    b_rows = db.session.execute(select(WorkshopDots.id, WorkshopDots.dots).where(WorkshopDots.workshop_id == wb.id)).all()
    client.post(f"/strategy/workshops/{wa.id}/dots", data={
        **more, "rows-0-reference": idea.reference, "rows-0-dots": "3", "rows-0-workshop_id": str(wb.id)})
    db.session.expire_all()
    assert db.session.scalar(select(WorkshopDots.workshop_id).where(WorkshopDots.idea_id == idea.id)) == wa.id
    assert db.session.execute(select(WorkshopDots.id, WorkshopDots.dots)
                              .where(WorkshopDots.workshop_id == wb.id)).all() == b_rows
    assert db.session.get(Idea, idea.id).workshop_dots == 3


def test_extra_fields_on_the_account_forms_are_ignored(client, app):
    process = make_process(dot_points=5)
    idea = make_idea(process, title="Freies WLAN in allen Bürgerhäusern")
    stranger = make_user("moderator")
    me = Auth(client).login_as(make_user())
    more = {**EXTRA, "user_id": str(stranger.id), "author_id": str(stranger.id), "process_id": str(process.id)}
    client.post("/account/email", data={**more, "email": "neu@example.org", "current_password": "falsch"})
    client.post(f"/ideas/{idea.id}/dots", data={**more, "action": "set", "points": "2"})
    client.post("/barrierefreiheit", data={**more, "message": "Die Schrift ist zu klein.", "to": "evil@example.org",
                                           "kind": "digest", "to_email": "evil@example.org"})
    db.session.expire_all()
    person = db.session.get(User, me.id)
    assert (person.role, person.blocked_at, person.totp_secret, person.totp_enabled_at) == (Role.citizen, None, None, None)
    assert db.session.get(User, stranger.id).role == Role.moderator
    assert db.session.get(Idea, idea.id).dot_points == 2
    assert {(v.user_id, v.points) for v in db.session.scalars(select(DotVote))} == {(me.id, 2)}
    [mail] = db.session.scalars(select(OutboxMail)).all()
    assert (mail.to_email, mail.kind) == (app.config["ACCESSIBILITY_CONTACT"], "accessibility_feedback")


def test_extra_fields_on_the_staff_account_forms_are_ignored(client, auth):
    target = make_user()
    auth.login_as("admin")
    client.post(f"/admin/users/{target.id}/role", data={**EXTRA, "role": "moderator", "email": "x@evil.example",
                                                       "display_name": "Umbenannt", "trusted": "y"})
    db.session.expire_all()
    target = db.session.get(User, target.id)
    assert (target.role, target.email.endswith("evil.example"), target.display_name, target.blocked_at,
            target.totp_secret, target.trusted) == (Role.moderator, False, target.display_name, None, None, False)
    assert target.display_name != "Umbenannt"
    staff = auth.login_as("moderator")
    client.post("/account/two-factor/start", data={**EXTRA})
    db.session.expire_all()
    staff = db.session.get(User, staff.id)
    assert staff.totp_secret and staff.totp_secret != EXTRA["totp_secret"] and staff.totp_enabled_at is None


def test_extra_fields_on_the_moderation_forms_are_ignored(client, auth):
    from tests.test_analog import entry

    process = make_process()
    idea, other = make_idea(process), make_idea(process, title="Eine ganz andere Idee")
    stranger = make_user("moderator")
    me = auth.login_as("moderator")
    more = {**EXTRA, "author_id": str(stranger.id), "created_by_id": str(stranger.id), "idea_id": str(other.id)}
    client.post(f"/moderation/ideas/{idea.id}/notes", data={**more, "body": "Intern: bitte prüfen"})
    note = db.session.scalar(select(InternalNote))
    assert (note.idea_id, note.author_id) == (idea.id, me.id)
    client.post("/moderation/templates", data={**more, "title": "Danke, wir prüfen",
                                               "body": "Danke für Ihre Idee, wir prüfen sie gründlich."})
    template = db.session.scalar(select(AnswerTemplate))
    assert template.created_by_id == me.id and template.id != 4242
    response = client.post("/moderation/analog/new", data={**more, **entry(process), "status": "accepted"})
    assert response.status_code == 302
    analog = db.session.scalar(select(Idea).where(Idea.title == "Mehr Radwege zum Bahnhof"))
    assert analog.author_id is None and analog.status == IdeaStatus.published
    assert (analog.support_count, analog.workshop_dots, analog.dot_points) == (0, 0, 0) and analog.id != 4242


# --- GET never changes anything: every POST-only URL answers 405 -----------------------------------

def _post_only_rules() -> list[str]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, config_name="testing")
    return sorted(rule.rule for rule in app.url_map.iter_rules() if "GET" not in rule.methods)


POST_ONLY = _post_only_rules()
# The new areas' mutating URLs; the walk below must include each (a renamed route fails here).
NEW_AREA_POST_ONLY = {
    "/strategy/drafts/<int:draft_id>/publish", "/strategy/drafts/<int:draft_id>/unpublish",
    "/strategy/drafts/<int:draft_id>/versions", "/strategy/drafts/<int:draft_id>/merge",
    "/strategy/drafts/<int:draft_id>/sort", "/strategy/drafts/<int:draft_id>/measures/<int:measure_id>/move",
    "/strategy/drafts/<int:draft_id>/sections/<int:section_id>/move", "/ideas/<int:idea_id>/dots",
    "/account/two-factor/start", "/account/two-factor/confirm", "/account/two-factor/off",
    "/admin/users/<int:user_id>/role", "/admin/users/<int:user_id>/block", "/admin/users/<int:user_id>/unblock",
    "/moderation/ideas/<int:idea_id>/notes", "/moderation/ideas/<int:idea_id>/answer",
    "/moderation/templates/<int:template_id>/delete",
}


def test_the_walk_covers_the_new_areas():
    assert len(POST_ONLY) >= 40, POST_ONLY
    assert NEW_AREA_POST_ONLY <= set(POST_ONLY), NEW_AREA_POST_ONLY - set(POST_ONLY)


@pytest.mark.parametrize("role", [None, "admin"])
def test_get_on_a_post_only_url_is_405_and_changes_nothing(client, auth, two_processes, role):
    (pa, da, wa), _b = two_processes
    idea = make_idea(pa)
    auth.logout()
    if role:
        auth.login_as(role)
    values = {"draft_id": da.id, "measure_id": da.measures[0].id, "section_id": da.sections[0].id,
              "process_id": pa.id, "field_id": pa.action_fields[0].id, "idea_id": idea.id, "workshop_id": wa.id}
    before = rows()
    walked = 0
    for rule in POST_ONLY:
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values.get(m.group(1), 1)), rule)
        response = client.get(url)
        assert response.status_code == 405, (rule, response.status_code)
        assert "POST" in response.headers["Allow"], rule
        walked += 1
    assert walked == len(POST_ONLY) >= 40
    assert rows() == before
