"""Insights for the project team: four charts, each with a data table of the same numbers."""
import re
from datetime import timedelta

import pytest

from ideas import discussion, voting
from ideas.extensions import db
from ideas.models import AgeGroup, Channel, IdeaStatus
from tests.conftest import make_idea, make_process, make_user
from tests.test_queries import count_queries


def _url(process):
    return f"/strategy/processes/{process.id}/insights"


def _table(html, table_id):
    """Rows of a data table as lists of cell texts."""
    match = re.search(rf'<table[^>]*id="{table_id}".*?<tbody>(.*?)</tbody>', html, re.S)
    assert match, table_id
    rows = re.findall(r"<tr>(.*?)</tr>", match.group(1), re.S)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in rows]


@pytest.mark.parametrize("role, status", [("citizen", 403), ("moderator", 403), ("team", 200), ("admin", 200)])
def test_only_team_and_admins_see_insights(client, auth, role, status):
    process = make_process()
    auth.login_as(role)
    assert client.get(_url(process)).status_code == status


def test_anonymous_people_are_sent_to_login(client):
    process = make_process()
    response = client.get(_url(process))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_unknown_process_is_404(client, auth):
    auth.login_as("team")
    assert client.get("/strategy/processes/999999/insights").status_code == 404


def test_numbers_in_tables_match_a_constructed_case(client, auth, app):
    process = make_process(fields=2)
    first, second = process.action_fields
    young = make_user(age_group=AgeGroup.age_18_29)
    older = make_user(age_group=AgeGroup.age_60_74)
    quiet = make_user()  # no age group
    supporter = make_user(age_group=AgeGroup.age_60_74)
    commenter = make_user(age_group=AgeGroup.age_45_59)
    make_user(age_group=AgeGroup.under_18)  # never takes part
    staff = make_user(role="moderator")
    a = make_idea(process=process, author=young, field=first)
    b = make_idea(process=process, author=older, field=first)
    c = make_idea(process=process, author=quiet, field=second, channel=Channel.pinboard, entered_by=staff)
    make_idea(process=process, author=young, field=second, status=IdeaStatus.hidden)  # not public
    voting.add_support(supporter, a)
    voting.add_support(older, a)
    voting.add_support(supporter, c)
    discussion.add_comment(commenter, b, "Gute Idee!")
    db.session.commit()

    auth.login_as("team")
    client.set_cookie("lang", "en")
    response = client.get(_url(process))
    assert response.status_code == 200
    html = response.get_data(as_text=True)

    assert _table(html, "table-fields") == [[first.name, "2", "2"], [second.name, "1", "1"]]
    channels = dict((row[0], row[1]) for row in _table(html, "table-channels"))
    assert channels["Online"] == "2" and channels["Pin board"] == "1"
    weeks = _table(html, "table-weeks")
    assert len(weeks) == 1 and weeks[0][2] == "3"

    ages = {row[0]: row[1:] for row in _table(html, "table-ages")}
    # Participants: young, older, quiet (authors), supporter, commenter; the staff member entered only.
    assert ages["No answer"][0] == "1"
    assert ages["18 to 29"] == ["1", "25.0", "12.0", "+13.0"]
    assert ages["60 to 74"] == ["2", "50.0", "20.0", "+30.0"]
    assert ages["45 to 59"] == ["1", "25.0", "22.0", "+3.0"]
    assert ages["under 18"] == ["0", "0.0", "17.0", "-17.0"]
    assert "under 18" in re.search(r'class="insight-summary">(.*?)</p>', html, re.S).group(1)


def test_population_shares_come_from_config(client, auth, app):
    app.config["POPULATION_SHARES"] = {"under_18": 50, "18_29": 10, "30_44": 10, "45_59": 10,
                                       "60_74": 10, "75_plus": 10}
    process = make_process()
    make_idea(process=process, author=make_user(age_group=AgeGroup.under_18))
    auth.login_as("team")
    client.set_cookie("lang", "en")
    ages = {row[0]: row[1:] for row in _table(client.get(_url(process)).get_data(as_text=True), "table-ages")}
    assert ages["under 18"] == ["1", "100.0", "50.0", "+50.0"]


def test_charts_are_accessible_svg_without_style_attributes(client, auth):
    process = make_process()
    make_idea(process=process, title='<script>alert(1)</script> "Quote"')
    auth.login_as("team")
    client.set_cookie("lang", "en")
    html = client.get(_url(process)).get_data(as_text=True)
    svgs = re.findall(r"<svg[^>]*>.*?</svg>", html, re.S)
    assert len(svgs) == 4
    for svg in svgs:
        assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg and "aria-labelledby=" in svg
        assert "<rect" in svg and "<text" in svg
    assert "style=" not in html
    assert "<script>alert" not in html
    for table in re.findall(r"<table.*?</table>", html, re.S):
        assert "<caption>" in table and 'scope="col"' in table and 'scope="row"' in table


def test_empty_process_renders(client, auth):
    process = make_process(fields=0)
    auth.login_as("team")
    client.set_cookie("lang", "en")
    response = client.get(_url(process))
    assert response.status_code == 200
    assert "There are no public ideas yet." in response.get_data(as_text=True)
    client.set_cookie("lang", "de")
    assert client.get(_url(process)).status_code == 200


def test_weeks_without_ideas_are_shown_as_zero(client, auth):
    process = make_process()
    old = make_idea(process=process)
    old.created_at = old.created_at - timedelta(weeks=2)
    make_idea(process=process)
    db.session.commit()
    auth.login_as("team")
    weeks = _table(client.get(_url(process)).get_data(as_text=True), "table-weeks")
    assert [row[2] for row in weeks] == ["1", "0", "1"]


def _fill(process, people, n):
    for i in range(n):
        idea = make_idea(process=process, author=people[i % 3], field=process.action_fields[i % 3],
                         channel=Channel.pinboard if i % 2 else Channel.online)
        voting.add_support(people[(i + 1) % 3], idea)
        discussion.add_comment(people[(i + 2) % 3], idea, "Gute Idee!")
    db.session.commit()


def test_query_count_does_not_grow_with_the_data(client, auth):
    process = make_process()
    people = [make_user(age_group=group) for group in (AgeGroup.under_18, AgeGroup.age_30_44, None)]
    auth.login_as("team")

    def queries():
        with count_queries() as statements:
            assert client.get(_url(process)).status_code == 200
        return len(statements)

    _fill(process, people, 3)
    small = queries()
    _fill(process, people, 17)
    assert queries() == small
    assert small <= 12
