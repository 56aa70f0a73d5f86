"""The only module that cleans user input: allow-lists, clean_text() and render_markdown()."""
import html
import re
import unicodedata
from html.parser import HTMLParser

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


# Block elements of our allow-list; like bleach's strip mode, each but the first starts a new line.
_BLOCKS = frozenset({"p", "ul", "ol", "li"})


class _TextOnly(HTMLParser):
    """Collects the text between tags, entities resolved, with the line breaks a reader expects."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.seen_tag = False

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "br" or (tag in _BLOCKS and self.seen_tag):
            self.parts.append("\n")
        self.seen_tag = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self.parts.append("\n")
        self.seen_tag = True


def html_to_text(value: str) -> str:
    """The readable text of our own sanitised HTML, for excerpts and the search index.

    The standard library's parser is enough for HTML that render_markdown produced, and a
    fraction of the cost of a bleach/html5lib run per call (one per feed card).
    """
    parser = _TextOnly()
    parser.feed(value)
    parser.close()
    return clean_text("".join(parser.parts), multiline=True)


def excerpt(value: str, length: int = 180) -> str:
    text = clean_text(value)
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0]
    return cut + " …"
