"""memo mappings: what each column and label of an agency's memos holds, as its officer answered

Revision ID: a1d3f5b7c9e2
Revises: e7a3c5b9d1f4
Create Date: 2026-12-02 19:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a1d3f5b7c9e2'
down_revision = 'e7a3c5b9d1f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'memo_mapping',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('mapping', sa.JSON(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_memo_mapping_agency_id_agency'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['app_user.id'],
                                name=op.f('fk_memo_mapping_updated_by_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_memo_mapping')),
        sa.UniqueConstraint('agency_id', name=op.f('uq_memo_mapping_agency_id')),
    )


def downgrade():
    op.drop_table('memo_mapping')
