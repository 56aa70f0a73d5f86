"""Finding the participation process a page is about."""
from flask import abort, request
from sqlalchemy import select

from ideas.extensions import db
from ideas.models import Process


def current_process() -> Process | None:
    """The process named in ?process=, else the newest one."""
    slug = request.args.get("process") or request.form.get("process")
    if slug:
        if len(slug) > 80 or not slug.replace("-", "").isalnum():
            abort(404)
        process = db.session.scalar(select(Process).where(Process.slug == slug))
        if process is None:
            abort(404)
        return process
    return db.session.scalar(select(Process).order_by(Process.created_at.desc(), Process.id.desc()))


def running_processes() -> list[Process]:
    return list(db.session.scalars(select(Process).order_by(Process.created_at.desc())).all())
