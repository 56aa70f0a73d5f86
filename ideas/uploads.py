"""Pages that take a file larger than the app-wide request limit (sheet uploads)."""
from flask import current_app, request

from ideas.extensions import csrf


def accept_larger_body(limit: int, form_limit: int | None = None) -> None:
    """Raise this request's body limit, then check its CSRF token as every other form's is.

    CSRFProtect reads the form before any view runs, while the app's 1 MB limit still holds; so
    an upload view is exempt from it and its before-request hook calls this with the page's limits.
    """
    request.max_content_length = limit
    if form_limit is not None:
        request.max_form_memory_size = form_limit
    if current_app.config["WTF_CSRF_ENABLED"] and current_app.config["WTF_CSRF_CHECK_DEFAULT"]:
        csrf.protect()
