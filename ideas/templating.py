"""What templates can use besides the view's context: labels, formats, the htmx config."""
import json
from datetime import date, datetime, time, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale, dates
from flask import Flask, request, url_for
from flask_babel import format_number, get_locale, get_timezone
from markupsafe import Markup

from ideas import labels
from ideas.feed import card_text
from ideas.models import PUBLIC_STATUSES
from ideas.sanitize import excerpt, html_to_text, render_markdown

HTMX_CONFIG = json.dumps({
    "allowEval": False,
    "allowScriptTags": False,
    "selfRequestsOnly": True,
    "includeIndicatorStyles": False,
    "historyCacheSize": 0,
    "responseHandling": [
        {"code": "204", "swap": False},
        {"code": "[23]..", "swap": True},
        {"code": "422", "swap": True},
        {"code": "[45]..", "swap": False, "error": True},
    ],
})


@lru_cache(maxsize=1024)
def _plain_excerpt(html: str) -> str:
    """The feed card's excerpt; cached by the exact HTML, so an edited idea gets a fresh one."""
    return excerpt(html_to_text(html))


@lru_cache(maxsize=16)
def _patterns(locale_name: str) -> tuple[dates.DateTimePattern, dates.DateTimePattern]:
    """A locale's medium date and short time patterns, looked up once, not per date on the page."""
    return (dates.parse_pattern(dates.get_date_format("medium", locale_name)),
            dates.parse_pattern(dates.get_time_format("short", locale_name)))


@lru_cache(maxsize=16)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _local(value: datetime) -> datetime:
    """A stored (naive UTC) time in the person's time zone; zoneinfo is several times faster than pytz here."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(_zone(str(get_timezone())))


def _format_date(value: date | datetime | None) -> str:
    """Like flask_babel.format_date(value, "medium") (a datetime in the person's time zone), cheaper."""
    if not value:
        return ""
    locale = get_locale()
    day = _local(value).date() if isinstance(value, datetime) else value
    return _patterns(str(locale))[0].apply(day, locale)


def _format_datetime(value: datetime | None) -> str:
    """Medium date and short time in the person's time zone; a page of 200 comments formats 200 of these."""
    if not value:
        return ""
    local = _local(value)
    locale_name = str(get_locale())
    return f"{_day_text(locale_name, local.date())}, {_time_text(locale_name, local.hour, local.minute)}"


# A page of comments repeats its days and (hour, minute) pairs: each is formatted once per process.
# The short time patterns show hours and minutes only ("HH:mm", "h:mm a"), so the pair is the key.
@lru_cache(maxsize=4096)
def _day_text(locale_name: str, day: date) -> str:
    return _patterns(locale_name)[0].apply(day, Locale.parse(locale_name))


@lru_cache(maxsize=4096)
def _time_text(locale_name: str, hour: int, minute: int) -> str:
    return _patterns(locale_name)[1].apply(time(hour, minute), Locale.parse(locale_name))


def _url_with(**changes) -> str:
    """The current page's URL with some query arguments changed (for pagination, sorting)."""
    args = request.args.to_dict()
    args.update({k: v for k, v in changes.items() if v is not None})
    for key in [k for k, v in changes.items() if v is None]:
        args.pop(key, None)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        excerpt=excerpt,
        plain_excerpt=lambda html: _plain_excerpt(html or ""),
        markdown=lambda source: Markup(render_markdown(source or "")),  # noqa: S704 - sanitised by bleach  # nosec B704
        number=format_number,
        date=_format_date,
        datetime=_format_datetime,
    )
    app.jinja_env.globals.update(
        STATUS=labels.STATUS, CHANNEL=labels.CHANNEL, ROLE=labels.ROLE, SORT=labels.SORT,
        MODERATION_MODE=labels.MODERATION_MODE, NETIQUETTE=labels.NETIQUETTE,
        NETIQUETTE_BY_VALUE=labels.NETIQUETTE_BY_VALUE, REPORT_REASON=labels.REPORT_REASON,
        EVENT_REASON=labels.EVENT_REASON, ENDPOINTS=app.view_functions, HTMX_CONFIG=HTMX_CONFIG, url_with=_url_with,
        current_locale=lambda: str(get_locale()), PUBLIC_STATUSES=PUBLIC_STATUSES, card_text=card_text,
    )
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
