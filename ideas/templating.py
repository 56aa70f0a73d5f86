"""What templates can use besides the view's context: labels, formats, the htmx config."""
import json

from flask import Flask, request, url_for
from flask_babel import format_date, format_time, get_locale
from markupsafe import Markup

from ideas import labels
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
        plain_excerpt=lambda html: excerpt(html_to_text(html or "")),
        markdown=lambda source: Markup(render_markdown(source or "")),  # noqa: S704 - sanitised by bleach  # nosec B704
        date=lambda value: format_date(value, "medium") if value else "",
        datetime=lambda value: f"{format_date(value, 'medium')}, {format_time(value, 'short')}" if value else "",
    )
    app.jinja_env.globals.update(
        STATUS=labels.STATUS, CHANNEL=labels.CHANNEL, ROLE=labels.ROLE, SORT=labels.SORT,
        MODERATION_MODE=labels.MODERATION_MODE, NETIQUETTE=labels.NETIQUETTE,
        NETIQUETTE_BY_VALUE=labels.NETIQUETTE_BY_VALUE, REPORT_REASON=labels.REPORT_REASON,
        EVENT_REASON=labels.EVENT_REASON, ENDPOINTS=app.view_functions, HTMX_CONFIG=HTMX_CONFIG, url_with=_url_with,
        current_locale=lambda: str(get_locale()), PUBLIC_STATUSES=PUBLIC_STATUSES,
    )
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
