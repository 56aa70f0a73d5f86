"""A friendly look at an idea before it is sent: shouting and piles of punctuation.

These are hints, not rules: the author may send the text anyway, and moderators decide.
"""
import re

from flask_babel import lazy_gettext as _l

MIN_LETTERS = 20       # shorter texts ("WLAN am ZOB") are too short to judge
MIN_WORDS = 3          # shouting is written in sentences; one long token is a code or a name
CAPITALS_SHARE = 0.6   # more than this share of the letters in capitals reads as shouting
WORD = re.compile(r"[^\W\d_]+")
PUNCTUATION_RUN = re.compile(r"[!?¡¿]{3,}")


def mostly_capitals(text: str) -> bool:
    """Is the text written mostly in capital letters (abbreviations alone do not count)?"""
    words = WORD.findall(text or "")
    letters = [c for c in "".join(words) if c.isupper() or c.islower()]
    if len(words) < MIN_WORDS or len(letters) < MIN_LETTERS:
        return False
    return sum(c.isupper() for c in letters) > CAPITALS_SHARE * len(letters)


def has_punctuation_run(text: str) -> bool:
    """Three or more exclamation or question marks in a row, like "!!!" or "?!?"."""
    return PUNCTUATION_RUN.search(text or "") is not None


def problems(title: str, body: str) -> list:
    """Hints for the author, in their language; an empty list when the text reads well."""
    hints = []
    if mostly_capitals(title):
        hints.append(_l("Your title is written mostly in capital letters. That reads like shouting. "
                        "Please use capital letters only where they belong."))
    if mostly_capitals(body):
        hints.append(_l("Your description is written mostly in capital letters. That reads like shouting. "
                        "Please use capital letters only where they belong."))
    if has_punctuation_run(title) or has_punctuation_run(body):
        hints.append(_l("Please use one exclamation mark or question mark at a time instead of several "
                        "in a row, such as \"!!!\" or \"???\"."))
    return hints
