"""Every public page renders for anonymous visitors and logged-in citizens."""
from tests.conftest import make_idea


def test_pages_render(client, auth):
    idea = make_idea()
    for url in ["/", "/ideas", f"/ideas/{idea.id}", "/login", "/register", "/reset", "/healthz",
                "/ideas?sort=supported", "/ideas?q=WLAN", "/ideas/similar?title=WLAN+Innenstadt"]:
        response = client.get(url)
        assert response.status_code == 200, url
    auth.login_as("citizen")
    for url in ["/", "/ideas/new", f"/ideas/{idea.id}", "/account", f"/ideas/{idea.id}/report"]:
        response = client.get(url)
        assert response.status_code == 200, url
