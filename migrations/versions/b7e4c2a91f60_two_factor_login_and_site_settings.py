"""two-factor login for staff and site settings

TOTP secret, last used time step and hashed recovery codes on user; a key/value table for
switches administrators set on the web (two-factor login required for all staff).
Plain ADD COLUMN, no batch rebuild of user, so its expression index on lower(email) stays.

Revision ID: b7e4c2a91f60
Revises: 3c1d9a7e5b42
Create Date: 2026-11-24 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e4c2a91f60'
down_revision = '3c1d9a7e5b42'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('user', sa.Column('totp_secret', sa.String(length=64), nullable=True))
    op.add_column('user', sa.Column('totp_enabled_at', sa.DateTime(), nullable=True))
    op.add_column('user', sa.Column('totp_last_step', sa.Integer(), nullable=True))
    op.add_column('user', sa.Column('totp_recovery', sa.JSON(), nullable=True))
    op.create_table(
        'site_setting',
        sa.Column('key', sa.String(length=60), nullable=False),
        sa.Column('value', sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_site_setting')),
    )


def downgrade():
    op.drop_table('site_setting')
    op.drop_column('user', 'totp_recovery')
    op.drop_column('user', 'totp_last_step')
    op.drop_column('user', 'totp_enabled_at')
    op.drop_column('user', 'totp_secret')
