"""Small helpers for requests made by htmx."""
from flask import request


def is_htmx() -> bool:
    """True for htmx requests, but not for history restores, which need a full page."""
    return request.headers.get("HX-Request") == "true" and \
        request.headers.get("HX-History-Restore-Request") != "true"
