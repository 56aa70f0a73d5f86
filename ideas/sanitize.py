"""The only module that cleans user input: allow-lists, clean_text() and render_markdown()."""
import html
import re
import unicodedata

import bleach
import markdown
from bleach.linkifier import DEFAULT_CALLBACKS

ALLOWED_TAGS = frozenset({"p", "br", "ul", "ol", "li", "strong", "em", "a"})
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})

# C0/C1 control characters except tab and newline; NUL breaks PostgreSQL text columns.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_SPACES = re.compile(r"[ \t\u00a0]+")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")


def clean_text(value: str | None, multiline: bool = False) -> str:
    """Plain text as people mean it: NFC, no control characters, no stray white space."""
    if value is None:
        return ""
    value = unicodedata.normalize("NFC", str(value))
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    if not multiline:
        return _SPACES.sub(" ", value.replace("\n", " ")).strip()
    lines = [_SPACES.sub(" ", line).strip() for line in value.split("\n")]
    return _MANY_BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _nofollow(attrs, new=False):
    attrs[(None, "rel")] = "nofollow ugc noopener"
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[],
)


def render_markdown(source: str) -> str:
    """The small Markdown subset (paragraphs, lists, bold, italic, links) as safe HTML.

    Raw HTML is escaped before Markdown sees it, so it shows as text; bleach then keeps
    only the allow-list, so nothing else can reach the page even if Markdown misbehaves.
    """
    escaped = html.escape(clean_text(source, multiline=True), quote=False)
    rendered = markdown.markdown(escaped, output_format="html")
    cleaned = _cleaner.clean(rendered)
    return bleach.linkify(cleaned, callbacks=[*DEFAULT_CALLBACKS, _nofollow], parse_email=False)


def html_to_text(value: str) -> str:
    """The readable text of our own sanitised HTML, for excerpts and the search index."""
    text = bleach.clean(value.replace("</p>", "</p>\n").replace("<br>", "\n"), tags=set(), strip=True)
    return clean_text(html.unescape(text), multiline=True)


def excerpt(value: str, length: int = 180) -> str:
    text = clean_text(value)
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0]
    return cut + " …"
