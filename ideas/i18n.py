"""Language choice: the cookie set by the switch, then the account's language, then German."""
from flask import Flask, current_app, request
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import escape

from ideas.extensions import babel


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get("lang") if request else None
    if chosen in languages:
        return chosen
    try:
        if current_user.is_authenticated and current_user.locale in languages:
            return current_user.locale
    except Exception:  # noqa: BLE001, S110 - outside a request or before login is set up  # nosec B110
        pass
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _lazy_text_as_html(self) -> str:
    return escape(str(self))


def init_app(app: Flask) -> None:
    # Flask-Babel's lazy strings tell Jinja they are markup (__html__ returns the raw text), so a
    # message like _l("“%(value)s” is not a date", value=cell) would put a sheet's cell into the
    # page unescaped. Our messages are plain text: escape them like every other string.
    LazyString.__html__ = _lazy_text_as_html
    babel.init_app(app, locale_selector=select_locale)
