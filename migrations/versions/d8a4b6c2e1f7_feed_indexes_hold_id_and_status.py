"""feed indexes hold the tie-breaking id and the status

Measured with 100,000 ideas: page 50 of the feed (OFFSET 980) read every skipped idea's row to
check its status, 2.6 ms on SQLite and more on PostgreSQL, growing with the page number. The
eight sort indexes (process or action field, sort column) now also hold id and status, so the
page's ids are read off the index alone (0.2 ms on SQLite at page 50) and only its 20 rows are
loaded. The old indexes were a prefix of the new ones and are replaced under the same names.
Plain CREATE/DROP INDEX, no batch mode: a rebuild of `idea` would drop the FTS triggers.

Revision ID: d8a4b6c2e1f7
Revises: e2b9d4c6a7f1
Create Date: 2026-11-22 03:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd8a4b6c2e1f7'
down_revision = 'e2b9d4c6a7f1'
branch_labels = None
depends_on = None

SCOPES = {"process": "process_id", "field": "action_field_id"}
SORT_COLUMNS = ("created_at", "support_count", "comment_count", "hot_score")


def _replace(with_id_and_status: bool) -> None:
    for scope, scope_column in SCOPES.items():
        for column in SORT_COLUMNS:
            name = f"ix_idea_{scope}_{column}"
            op.drop_index(name, table_name="idea")
            columns = [scope_column, column] + (["id", "status"] if with_id_and_status else [])
            op.create_index(name, "idea", columns, unique=False)


def upgrade():
    _replace(with_id_and_status=True)


def downgrade():
    _replace(with_id_and_status=False)
