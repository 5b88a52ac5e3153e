"""steps owned by two groups: a measure's other owner groups stay owners of its steps

Revision ID: b2e4c6d8f0a1
Revises: a1d3f5b7c9e2
Create Date: 2026-12-02 18:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b2e4c6d8f0a1'
down_revision = 'a1d3f5b7c9e2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'step_co_owner',
        sa.Column('step_id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['step_id'], ['step.id'], name=op.f('fk_step_co_owner_step_id_step'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['group_id'], ['work_group.id'], name=op.f('fk_step_co_owner_group_id_work_group'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('step_id', 'group_id', name=op.f('pk_step_co_owner')),
    )
    with op.batch_alter_table('step_co_owner', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_step_co_owner_group_id'), ['group_id'], unique=False)


def downgrade():
    with op.batch_alter_table('step_co_owner', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_step_co_owner_group_id'))
    op.drop_table('step_co_owner')
