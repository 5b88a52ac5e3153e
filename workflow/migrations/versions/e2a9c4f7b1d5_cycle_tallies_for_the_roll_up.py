"""cycle tallies for the roll-up: a cycle's figures, valid while its agency's audit chain stands still

Empty at first: each is counted the first time a parent's roll-up reads it.

Revision ID: e2a9c4f7b1d5
Revises: c5f1a7e3d9b2
Create Date: 2026-11-29 02:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e2a9c4f7b1d5'
down_revision = 'c5f1a7e3d9b2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'cycle_tally',
        sa.Column('cycle_id', sa.Integer(), nullable=False),
        sa.Column('chain_seq', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('waiting', sa.Integer(), nullable=False),
        sa.Column('pending_due', sa.Text(), nullable=False),
        sa.Column('rounds', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['cycle_id'], ['cycle.id'], name=op.f('fk_cycle_tally_cycle_id_cycle'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('cycle_id', name=op.f('pk_cycle_tally')),
    )


def downgrade():
    op.drop_table('cycle_tally')
