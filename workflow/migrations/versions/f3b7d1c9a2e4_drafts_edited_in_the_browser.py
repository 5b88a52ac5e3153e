"""drafts: a cycle's definitions edited in the browser before they are loaded

Revision ID: f3b7d1c9a2e4
Revises: e2a9c4f7b1d5
Create Date: 2026-11-29 05:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f3b7d1c9a2e4'
down_revision = 'e2a9c4f7b1d5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'draft',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('document', sa.JSON(), nullable=False),
        sa.Column('source', sa.JSON(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_draft_agency_id_agency'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_draft_created_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_draft')),
    )
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draft_agency_id'), ['agency_id'], unique=False)


def downgrade():
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draft_agency_id'))
    op.drop_table('draft')
