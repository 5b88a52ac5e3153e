"""evidence on steps; indexes for my steps and the approval queue

Revision ID: d8223ab94dc8
Revises: 5d6cd6d850f6
Create Date: 2026-11-26 07:14:41.592359

"""
from alembic import op
import sqlalchemy as sa

import workflow.models.types


# revision identifiers, used by Alembic.
revision = 'd8223ab94dc8'
down_revision = '5d6cd6d850f6'
branch_labels = None
depends_on = None


def upgrade():
    # evidence table; the step indexes now end with the sort column of each page's query
    op.create_table('evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=True),
    sa.Column('stored_name', sa.String(length=64), nullable=True),
    sa.Column('content_type', sa.String(length=100), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('added_by_id', sa.Integer(), nullable=False),
    sa.Column('added_at', workflow.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['app_user.id'], name=op.f('fk_evidence_added_by_id_app_user')),
    sa.ForeignKeyConstraint(['step_id'], ['step.id'], name=op.f('fk_evidence_step_id_step'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence'))
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_step_id'), ['step_id'], unique=False)

    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_step_owner_group_state'))
        batch_op.drop_index(batch_op.f('ix_step_owner_user_state'))
        batch_op.create_index('ix_step_owner_group_state_due', ['owner_group_id', 'state', 'due_on'], unique=False)
        batch_op.create_index('ix_step_owner_user_state_due', ['owner_user_id', 'state', 'due_on'], unique=False)
        batch_op.create_index('ix_step_reviewer_state_opened', ['reviewer_group_id', 'state', 'opened_at'], unique=False)

    # ### end Alembic commands ###


def downgrade():
    # evidence table; the step indexes now end with the sort column of each page's query
    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.drop_index('ix_step_reviewer_state_opened')
        batch_op.drop_index('ix_step_owner_user_state_due')
        batch_op.drop_index('ix_step_owner_group_state_due')
        batch_op.create_index(batch_op.f('ix_step_owner_user_state'), ['owner_user_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_step_owner_group_state'), ['owner_group_id', 'state'], unique=False)

    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_step_id'))

    op.drop_table('evidence')
    # ### end Alembic commands ###
