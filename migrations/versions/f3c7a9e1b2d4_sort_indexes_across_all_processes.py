"""sort indexes across all processes

The API lists ideas of every process when no ?process= is given. Its ORDER BY sort, id with
status IN (...) found no index in order on PostgreSQL, which then sorted all public ideas:
34 ms for the first page at 100,000 ideas, 0.1 ms with (sort column, id, status).
Plain CREATE/DROP INDEX, no batch mode: a rebuild of `idea` would drop the FTS triggers.

Revision ID: f3c7a9e1b2d4
Revises: d8a4b6c2e1f7
Create Date: 2026-11-22 08:00:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f3c7a9e1b2d4'
down_revision = 'd8a4b6c2e1f7'
branch_labels = None
depends_on = None

SORT_COLUMNS = ("created_at", "support_count", "comment_count", "hot_score")


def upgrade():
    for column in SORT_COLUMNS:
        op.create_index(f"ix_idea_all_{column}", "idea", [column, "id", "status"], unique=False)


def downgrade():
    for column in SORT_COLUMNS:
        op.drop_index(f"ix_idea_all_{column}", table_name="idea")
