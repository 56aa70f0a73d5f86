"""Legal and accessibility pages: the town's texts (or a clear template), a feedback form that never fails."""
import re
from pathlib import Path

import pytest

from ideas.models import OutboxMail
from tests.conftest import count

PAGES = {"/datenschutz": "privacy", "/impressum": "imprint", "/barrierefreiheit": "accessibility",
         "/leichte-sprache": "easy"}


def h1(text: str) -> list[str]:
    return re.findall(r"<h1[^>]*>(.*?)</h1>", text, re.S)


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("lang", ["de", "en"])
def test_every_page_is_public_with_one_heading_in_both_languages(client, url, lang):
    client.set_cookie("lang", lang)
    response = client.get(url)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in text
    assert len(h1(text)) == 1
    assert "<h2>" in text
    assert "{town}" not in text and "Musterstadt" in text


@pytest.mark.parametrize("url", ["/datenschutz", "/impressum", "/barrierefreiheit"])
def test_the_shipped_texts_say_what_the_town_must_fill_in(client, english, url):
    text = client.get(url).get_data(as_text=True)
    assert "this is a template" in text
    assert "instance/pages/" in text


def test_the_privacy_notice_names_what_is_stored_and_the_log_retention(app, client, english):
    app.config["IP_RETENTION_DAYS"] = 5
    text = client.get("/datenschutz").get_data(as_text=True)
    for stored in ("e-mail address", "display name", "age group", "argon2id", "session cookie", "CSRF",
                   "language", "no tracking", "after 5 days"):
        assert stored in text, stored


def test_the_german_page_is_written_in_german(client):
    text = client.get("/leichte-sprache").get_data(as_text=True)
    assert "Was ist Ideenfenster?" in text
    assert "Sie können eine eigene Idee schreiben." in text


def test_the_towns_own_text_replaces_the_template_and_is_sanitised(app, client):
    folder = Path(app.instance_path) / "pages"
    folder.mkdir(parents=True)
    (folder / "imprint.de.md").write_text(
        "## Anbieterin\n\nStadt {town}, Marktplatz 1\n\n<script>alert(1)</script>\n\n"
        "[Klick](javascript:alert(1)) und [Rathaus](https://rathaus.example)\n\n"
        "## <img src=x onerror=alert(1)>\n", encoding="utf-8")
    text = client.get("/impressum").get_data(as_text=True)
    assert "Vorlage" not in text
    assert "<h2>Anbieterin</h2>" in text and "Stadt Musterstadt, Marktplatz 1" in text
    assert "<script>alert" not in text and "javascript:" not in text and "<img" not in text
    assert 'href="https://rathaus.example"' in text


def test_a_german_text_is_shown_when_there_is_no_english_one(app, client, english):
    folder = Path(app.instance_path) / "pages"
    folder.mkdir(parents=True)
    (folder / "imprint.de.md").write_text("Nur auf Deutsch.", encoding="utf-8")
    assert "Nur auf Deutsch." in client.get("/impressum").get_data(as_text=True)


def test_the_footer_links_to_every_page(client, english):
    text = client.get("/").get_data(as_text=True)
    footer = text[text.index('<footer'):]
    for url in PAGES:
        assert f'href="{url}"' in footer


def test_feedback_is_queued_as_mail_to_the_accessibility_contact(app, client, english):
    app.config["ACCESSIBILITY_CONTACT"] = "barrierefrei@musterstadt.example"
    response = client.post("/barrierefreiheit", data={
        "name": "Erika", "email": "erika@example.org", "message": "Der Kontrast auf der Startseite ist zu schwach."})
    assert response.status_code == 302 and response.headers["Location"].endswith("/barrierefreiheit#feedback")
    mail, = _mails()
    assert mail.to_email == "barrierefrei@musterstadt.example"
    assert "Kontrast auf der Startseite" in mail.body_text and "erika@example.org" in mail.body_text
    assert "has been sent" in client.get("/barrierefreiheit").get_data(as_text=True)


def _mails():
    from sqlalchemy import select

    from ideas.extensions import db
    return db.session.scalars(select(OutboxMail)).all()


def test_feedback_works_without_name_and_address(client):
    assert client.post("/barrierefreiheit", data={"message": "Ein Knopf ist zu klein."}).status_code == 302
    assert count(OutboxMail) == 1


@pytest.mark.parametrize("data, error", [
    ({"message": ""}, "Please describe the problem."),
    ({"message": "x" * 3001}, "at most 3000"),
    ({"message": "Hallo", "email": "kein-at-zeichen"}, "valid e-mail address"),
    ({"message": "Hallo", "website": "spam"}, "could not be sent"),
])
def test_bad_feedback_is_an_error_on_the_form_and_sends_nothing(client, english, data, error):
    response = client.post("/barrierefreiheit", data=data)
    assert response.status_code == 422
    assert error in response.get_data(as_text=True)
    assert count(OutboxMail) == 0


@pytest.mark.parametrize("message", ["Null\x00Byte", "Zeile\r\nZeile", "x" * 200_000])
def test_strange_feedback_is_never_a_server_error(client, message):
    response = client.post("/barrierefreiheit", data={"message": message, "name": "\x00"})
    assert response.status_code in (302, 400, 413, 422)


def test_invalid_utf8_feedback_is_not_a_server_error(client):
    response = client.post("/barrierefreiheit", data=b"message=%FF%FE&email=%C3",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code in (400, 422)
    assert count(OutboxMail) == 0


def test_the_feedback_form_needs_a_csrf_token(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/barrierefreiheit", data={"message": "Hallo"}).status_code == 400
    assert count(OutboxMail) == 0
