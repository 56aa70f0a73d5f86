"""The migrations build exactly the schema the models describe, on both databases."""
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from config import database_url
from ideas import create_app
from ideas.extensions import db

PG_URL = os.environ.get("TEST_DATABASE_URL", "")


def _fresh_url(backend, tmp_path):
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    admin = create_engine(database_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS ideenfenster_migrations"))
        conn.execute(text("CREATE DATABASE ideenfenster_migrations"))
    admin.dispose()
    return database_url(PG_URL).rsplit("/", 1)[0] + "/ideenfenster_migrations"


def _ignored(obj, name, type_, reflected, compare_to):
    # The full-text index and vector live outside the models' metadata (see ideas/search.py).
    return not (name or "").startswith("idea_fts") and name not in ("ix_idea_search", "search_vector")


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_upgrade_matches_models_and_downgrade_works(backend, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": _fresh_url(backend, tmp_path)}, config_name="testing")
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_object": _ignored})
            diff = compare_metadata(context, db.metadata)
        assert diff == []
        names = set(inspect(db.engine).get_table_names())
        assert {"user", "process", "action_field", "idea", "vote", "comment", "report",
                "moderation_event"} <= names
        if backend == "sqlite":
            assert "idea_fts" in names
            # A batch rebuild of a table silently drops these; they must survive every migration.
            with db.engine.connect() as conn:
                extras = set(conn.execute(text(
                    "SELECT name FROM sqlite_master WHERE type IN ('trigger', 'index')")).scalars())
            assert {"idea_fts_insert", "idea_fts_update", "idea_fts_delete", "uq_user_email_lower"} <= extras
        else:
            indexes = {ix["name"] for ix in inspect(db.engine).get_indexes("idea")}
            assert "ix_idea_search" in indexes
            assert "search_vector" in {c["name"] for c in inspect(db.engine).get_columns("idea")}
        downgrade(revision="base")
        assert "idea" not in set(inspect(db.engine).get_table_names())
        db.engine.dispose()
