"""Database behaviour that SQLAlchemy does not set for us: SQLite pragmas and write locking.

SQLite: WAL so readers never wait for the writer, foreign keys on, a busy timeout, and
write transactions that start with BEGIN IMMEDIATE. A deferred transaction that reads and
then writes fails with "database is locked" under concurrent writers, whatever the timeout;
taking the write lock up front makes concurrent writers queue instead.
"""
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from ideas.extensions import db

_write_intent: ContextVar[bool] = ContextVar("write_intent", default=False)
BUSY_TIMEOUT_MS = 30_000


@contextmanager
def writing():
    """Mark the code inside as a write path (CLI commands, background jobs)."""
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def end_writing() -> None:
    """This request has committed (or given up) its writes: what it still reads needs no write lock."""
    _write_intent.set(False)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide when a transaction begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine)

    @app.before_request
    def mark_write_requests():
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            _write_intent.set(True)

    @app.teardown_request
    def clear_write_intent(_exc):
        _write_intent.set(False)


def lock_row(stmt):
    """SELECT ... FOR UPDATE on PostgreSQL; SQLite already holds the write lock."""
    if db.session.get_bind().dialect.name == "postgresql":
        return stmt.with_for_update()
    return stmt
