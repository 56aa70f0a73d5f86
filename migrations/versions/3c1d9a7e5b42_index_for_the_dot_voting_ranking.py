"""index for the public dot voting ranking

The ranking lists a process's ideas by Idea.dot_points; like the feed's sorts it reads
each page off a (process, sort column) index instead of sorting every idea.
A plain CREATE INDEX, no batch rebuild, so the FTS triggers on idea stay.

Revision ID: 3c1d9a7e5b42
Revises: fedffd67a9eb
Create Date: 2026-11-24 10:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3c1d9a7e5b42'
down_revision = 'fedffd67a9eb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_idea_process_dot_points', 'idea', ['process_id', 'dot_points'], unique=False)


def downgrade():
    op.drop_index('ix_idea_process_dot_points', table_name='idea')
