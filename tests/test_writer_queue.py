"""SQLite writers queue on a file lock: the next one starts when the last one ends, none is stranded."""
import sqlite3
import threading
import time

from sqlalchemy import text

from ideas import create_app, database
from ideas.database import QueuedConnection
from ideas.extensions import db


def _connect(path) -> QueuedConnection:
    conn = sqlite3.connect(str(path), factory=QueuedConnection, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def _begin(conn: QueuedConnection, timeout_s: float = 5) -> None:
    conn.queue_for_write(timeout_s)
    conn.execute("BEGIN IMMEDIATE")


def test_a_second_writer_starts_only_after_the_first_commits(tmp_path):
    path = tmp_path / "q.sqlite"
    first, second = _connect(path), _connect(path)
    first.execute("CREATE TABLE t (n INTEGER)")
    _begin(first)
    first.execute("INSERT INTO t VALUES (1)")
    queued_at = {}

    def other():
        second.queue_for_write(5)
        queued_at["second"] = time.monotonic()
        second.execute("BEGIN IMMEDIATE")
        second.execute("INSERT INTO t VALUES (2)")
        second.commit()

    waiting = threading.Thread(target=other)
    waiting.start()
    time.sleep(0.2)
    assert "second" not in queued_at  # still in line while the first writes
    committed_at = time.monotonic()
    first.commit()
    waiting.join(5)

    assert queued_at["second"] >= committed_at
    assert first.execute("SELECT COUNT(*) FROM t").fetchone() == (2,)


def test_the_lock_is_given_back_on_rollback_and_on_close(tmp_path):
    path = tmp_path / "q.sqlite"
    first, second = _connect(path), _connect(path)
    _begin(first)
    first.rollback()
    _begin(second, timeout_s=0.5)
    assert second._holding
    second.close()

    third = _connect(path)
    third.queue_for_write(0.5)
    assert third._holding


def test_a_writer_that_stops_waiting_holds_nobody_up(tmp_path):
    path = tmp_path / "q.sqlite"
    first, impatient, later = _connect(path), _connect(path), _connect(path)
    _begin(first)

    impatient.queue_for_write(0.1)
    assert not impatient._holding  # gave up; SQLite's busy timeout decides from here
    first.commit()

    started = time.monotonic()
    later.queue_for_write(2)
    assert later._holding
    assert time.monotonic() - started < 1


def test_the_app_queues_its_write_transactions_and_only_those(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.sqlite'}"}, config_name="testing")
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        raw = db.session.connection().connection.dbapi_connection
        assert isinstance(raw, QueuedConnection)
        assert not raw._holding  # a read takes no place in the writers' line
        db.session.rollback()

        with database.writing():
            db.session.execute(text("SELECT 1"))
            raw = db.session.connection().connection.dbapi_connection
            assert raw._holding
            db.session.commit()
        assert not raw._holding
        assert (tmp_path / "app.sqlite.writers").exists()
        db.engine.dispose()
