"""Sanitising at the boundary: the Markdown subset people may use, and nothing else."""
import re
from html.parser import HTMLParser

import pytest

from ideas.sanitize import ALLOWED_TAGS, clean_text, excerpt, html_to_text, render_markdown

# The payload corpus of the trust checklist (X1).
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "<iframe src=//evil.example>",
    "<style>*{display:none}</style>",
    '<div hx-get="/logout" hx-trigger="load">x</div>',
    "<form action=//evil.example><input name=password>",
    '"><script>alert(1)</script>',
    "{{7*7}}",
    "</textarea><script>alert(1)</script>",
]

# Markdown's own ways of making links and images, pointed at script.
MARKDOWN_ATTACKS = [
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "[x](vbscript:msgbox(1))",
    "[x][1]\n\n[1]: javascript:alert(1)",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    '[x](https://example.org" onmouseover="alert(1))',
]

ALLOWED_ATTRIBUTES = {"href", "title", "rel"}
FORBIDDEN_SCHEMES = ("javascript:", "vbscript:", "data:")


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def dangerous_markup(html: str) -> list[str]:
    """What in a piece of HTML could act in a browser: foreign tags, attributes or URL schemes."""
    parser = _Tags()
    parser.feed(html)
    parser.close()
    problems = []
    for tag, attrs in parser.tags:
        if tag not in ALLOWED_TAGS:
            problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if tag != "a" or name not in ALLOWED_ATTRIBUTES:
                problems.append(f"attribute {name} on <{tag}>")
            # Browsers ignore control characters and white space inside a scheme.
            squeezed = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name == "href" and squeezed.startswith(FORBIDDEN_SCHEMES):
                problems.append(f"href {value!r}")
    lowered = html.lower()
    for opener in ("<script", "<iframe", "<style", "<form", "<svg", "<img", "<div", "<input", "<textarea"):
        if opener in lowered:
            problems.append(opener)
    # Payload words are fine as visible text (they are escaped); inside a tag they are not.
    markup = "".join(re.findall(r"<[^>]*>", lowered))
    for word in ("onerror", "onload", "javascript:", "hx-", "style"):
        if word in markup:
            problems.append(f"{word} in markup")
    return problems


def test_the_checker_itself_finds_what_it_looks_for():
    assert dangerous_markup('<p><a href="javascript:alert(1)">x</a></p>')
    assert dangerous_markup('<p><a href=" jav\tascript:alert(1)">x</a></p>')
    assert dangerous_markup('<img src=x onerror=alert(1)>')
    assert dangerous_markup('<p hx-get="/logout">x</p>')
    assert dangerous_markup('<p style="color:red">x</p>')
    assert not dangerous_markup('<p>&lt;script&gt;alert(1)&lt;/script&gt; onerror javascript:</p>')


@pytest.mark.parametrize("payload", PAYLOADS)
def test_html_in_a_description_is_shown_as_text_and_never_acts(payload):
    html = render_markdown(payload)
    assert dangerous_markup(html) == []
    # Nothing the person typed is lost: it reads exactly as typed.
    assert html_to_text(html) == payload


@pytest.mark.parametrize("source", MARKDOWN_ATTACKS)
def test_markdown_links_and_images_cannot_carry_script(source):
    assert dangerous_markup(render_markdown(source)) == []


def test_paragraphs_lists_bold_and_italic_survive():
    html = render_markdown("Erster Absatz mit **fett** und *kursiv*.\n\nZweiter Absatz.\n\n"
                           "- Punkt eins\n- Punkt zwei\n\nDann:\n\n1. erstens\n2. zweitens")
    assert "<p>Erster Absatz mit <strong>fett</strong> und <em>kursiv</em>.</p>" in html
    assert "<p>Zweiter Absatz.</p>" in html
    assert "<ul>\n<li>Punkt eins</li>\n<li>Punkt zwei</li>\n</ul>" in html
    assert "<ol>\n<li>erstens</li>\n<li>zweitens</li>\n</ol>" in html
    assert dangerous_markup(html) == []


def test_links_stay_and_get_nofollow_ugc_noopener():
    html = render_markdown("Siehe [die Stadt](https://example.org/plan?a=1&b=2 \"Plan\") "
                           "und www.example.org oder [Mail](mailto:rathaus@example.org).")
    assert ('<a href="https://example.org/plan?a=1&amp;b=2" title="Plan" rel="nofollow ugc noopener">'
            "die Stadt</a>") in html
    assert '<a href="http://www.example.org" rel="nofollow ugc noopener">www.example.org</a>' in html
    assert '<a href="mailto:rathaus@example.org" rel="nofollow ugc noopener">Mail</a>' in html
    assert html.count('rel="nofollow ugc noopener"') == 3


@pytest.mark.parametrize("source, forbidden", [
    ("# Überschrift", "<h1"),
    ("![Bild](https://example.org/bild.png)", "<img"),
    ("> Zitat", "<blockquote"),
    ("    eingerückter Code", "<pre"),
    ("Text<br>mit <b>HTML</b>", "<b>"),
    ("| a | b |\n|---|---|\n| 1 | 2 |", "<table"),
])
def test_everything_beyond_the_subset_is_dropped_or_escaped(source, forbidden):
    html = render_markdown(source)
    assert forbidden not in html
    assert dangerous_markup(html) == []


def test_clean_text_removes_nul_and_control_characters():
    assert clean_text("Frei\x00es W\x07LAN\x1b\x7f\x85") == "Freies WLAN"


def test_clean_text_normalises_to_nfc():
    decomposed = "Bu\u0308rgerbu\u0308ro"  # u + combining diaeresis, as some keyboards send it
    assert clean_text(decomposed) == "Bürgerbüro"
    assert len(clean_text(decomposed)) == len("Bürgerbüro")


def test_clean_text_collapses_white_space_in_one_line():
    assert clean_text("  Freies \t WLAN\u00a0\u00a0am \r\n Markt  ") == "Freies WLAN am Markt"
    assert clean_text(None) == ""
    assert clean_text("   ") == ""


def test_clean_text_keeps_paragraphs_in_multiline_text():
    source = "Erste Zeile   \r\nzweite\tZeile\r\n\r\n\r\n\r\n  Neuer Absatz  \n"
    assert clean_text(source, multiline=True) == "Erste Zeile\nzweite Zeile\n\nNeuer Absatz"


def test_excerpt_keeps_short_text_and_cuts_long_text_at_a_word():
    assert excerpt("Kurzer   Text") == "Kurzer Text"
    long = "Radwege " * 60
    cut = excerpt(long, 50)
    assert cut.endswith(" …")
    assert len(cut) <= 52
    assert cut[:-2].split(" ") == ["Radwege"] * len(cut[:-2].split(" ")), "no word is cut in half"


def test_html_to_text_keeps_lines_and_unescapes_entities_once():
    html = render_markdown("Erster Absatz mit **fett** & *kursiv*.\nZeile zwei\n\n- Punkt eins\n"
                           "- Punkt [zwei](https://example.org/?a=1&b=2)\n\nDann:\n\n1. erstens\n2. zweitens\n\n"
                           "&lt;b&gt; bleibt Text, 3 < 4")
    assert html_to_text(html) == ("Erster Absatz mit fett & kursiv.\nZeile zwei\n\nPunkt eins\n\nPunkt zwei\n\n"
                                  "Dann:\n\nerstens\n\nzweitens\n\n&lt;b&gt; bleibt Text, 3 < 4")
    assert html_to_text("<p>a<br>b</p><p>c &amp;amp; d</p>") == "a\nb\n\nc &amp; d"
    assert html_to_text("") == ""


def test_plain_excerpt_filter_is_cached_but_follows_the_text(app):
    excerpt_filter = app.jinja_env.filters["plain_excerpt"]
    first = excerpt_filter("<p>Mehr <strong>Bänke</strong> am Markt</p>")
    assert first == "Mehr Bänke am Markt"
    assert excerpt_filter("<p>Mehr <strong>Bänke</strong> am Markt</p>") == first
    assert excerpt_filter("<p>Weniger Autos</p>") == "Weniger Autos"
    assert excerpt_filter(None) == ""


@pytest.mark.parametrize("lang, expected_date, expected_datetime", [
    ("de", "29.03.2026", "29.03.2026, 03:30"),   # first hour of summer time in Berlin
    ("en", "Mar 29, 2026", "Mar 29, 2026, 3:30\u202fAM"),
])
def test_date_filters_use_the_locale_and_the_towns_time_zone(app, lang, expected_date, expected_datetime):
    from datetime import date, datetime, timezone

    from flask_babel import force_locale
    stored = datetime(2026, 3, 29, 1, 30)  # naive UTC, as in the database
    with app.test_request_context("/"), force_locale(lang):
        filters = app.jinja_env.filters
        assert filters["date"](stored) == expected_date
        assert filters["datetime"](stored) == expected_datetime
        assert filters["datetime"](stored.replace(tzinfo=timezone.utc)) == expected_datetime
        assert filters["date"](date(2026, 3, 29)) == expected_date
        assert filters["date"](None) == filters["datetime"](None) == ""
