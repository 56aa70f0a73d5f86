"""Error pages: a clear, translated message for every 4xx and a generic one for 5xx."""
from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from ideas import securitylog
from ideas.extensions import db

MESSAGES = {
    400: (_l("Something in the request was not right"),
          _l("Please go back, reload the page and try again.")),
    403: (_l("Access denied"), _l("You are not allowed to do this.")),
    404: (_l("Page not found"), _l("This page does not exist or is not public.")),
    405: (_l("Not possible this way"), _l("Please use the buttons and forms on our pages.")),
    409: (_l("Not possible right now"), _l("Please reload the page and try again.")),
    413: (_l("Too much text or too large a file"),
          _l("Please shorten your text or choose a smaller file.")),
    422: (_l("Please check your input"), _l("Some information is missing or not valid.")),
    429: (_l("Too many requests"),
          _l("You have done this very often in a short time. Please wait a moment and try again.")),
    500: (_l("Something went wrong on our side"),
          _l("We have been told about it. Please try again later.")),
}


def render_error(code: int, description: str | None = None):
    title, text = MESSAGES.get(code, MESSAGES[500 if code >= 500 else 400])
    template = "errors/_error.html" if request.headers.get("HX-Request") else "errors/error.html"
    return render_template(template, code=code, title=title, text=description or text), code


def init_app(app: Flask) -> None:
    securitylog.init_app(app)  # logs every 403 and 429 response

    @app.errorhandler(CSRFError)
    def csrf_error(_exc):
        securitylog.log_event("csrf_refused")
        return render_error(400, _l("The form had expired or was sent from elsewhere. "
                                    "Please reload the page and send it again."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        body, code = render_error(exc.code or 500)
        # Our page, but the exception's own headers: a 405 must say which methods work (Allow).
        return body, code, [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]

    @app.errorhandler(UnicodeDecodeError)
    def bad_encoding(_exc):
        return render_error(400)

    @app.errorhandler(DataError)
    def refused_by_database(exc: DataError):
        # A value the database cannot hold (a NUL byte, a number out of range) came from the request.
        # Only the error's type: its message may quote the value, newlines and all.
        app.logger.warning("database refused a value on %s %r: %s", request.method, request.path,
                           type(exc.orig).__name__)
        db.session.rollback()
        return render_error(400)

    @app.errorhandler(Exception)
    def server_error(exc: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if app.debug or app.testing and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise exc
        return render_error(500)
