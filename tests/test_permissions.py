"""Every staff URL refuses citizens and anonymous visitors (checklist Z1), found from the URL map."""
import re

import pytest

from ideas import create_app
from tests.conftest import make_idea

STAFF_PREFIXES = ("/moderation", "/strategy", "/exports", "/admin")


def _staff_rules():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, config_name="testing")
    return sorted(
        (rule.rule, sorted(rule.methods - {"HEAD", "OPTIONS"}))
        for rule in app.url_map.iter_rules() if rule.rule.startswith(STAFF_PREFIXES)
    )


STAFF_RULES = _staff_rules()


def _url(rule: str, idea_id: int) -> str:
    # Every id in a staff URL points at an existing idea, so 404 cannot hide a missing guard.
    out = re.sub(r"<int:\w+>", str(idea_id), rule)
    return out.replace("<dataset>", "ideas").replace("<fmt>", "csv")


def test_the_areas_have_staff_urls():
    prefixes = {rule.split("/")[1] for rule, _methods in STAFF_RULES}
    assert prefixes == {"moderation", "strategy", "exports", "admin"}


@pytest.mark.parametrize("rule,methods", STAFF_RULES)
def test_anonymous_visitors_are_sent_to_the_login(client, rule, methods):
    idea = make_idea()
    for method in methods:
        response = client.open(_url(rule, idea.id), method=method)
        assert response.status_code == 302, (method, rule)
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("rule,methods", STAFF_RULES)
def test_citizens_are_refused(client, auth, rule, methods):
    idea = make_idea()
    auth.login_as("citizen")
    for method in methods:
        response = client.open(_url(rule, idea.id), method=method)
        assert response.status_code == 403, (method, rule)


@pytest.mark.parametrize("role", ["moderator", "team", "admin"])
def test_staff_reach_the_queue(client, auth, role):
    auth.login_as(role)
    assert client.get("/moderation/").status_code == 200
