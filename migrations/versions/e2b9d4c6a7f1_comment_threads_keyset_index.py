"""comment threads keyset index (perfidea): the idea page pages its discussion by top-level comment id

The idea page shows 30 top-level comments after a cursor id, with their replies (issue 6).
(idea_id, parent_id, id) finds those 30 in order on both databases, however long the discussion;
(idea_id, created_at) would read and sort every comment of the idea. Plain CREATE INDEX on
`comment`, no batch mode.

Revision ID: e2b9d4c6a7f1
Revises: c4f1e2d3b5a6
Create Date: 2026-11-22 03:10:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e2b9d4c6a7f1'
down_revision = 'c4f1e2d3b5a6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_comment_idea_thread', 'comment', ['idea_id', 'parent_id', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_comment_idea_thread', table_name='comment')
