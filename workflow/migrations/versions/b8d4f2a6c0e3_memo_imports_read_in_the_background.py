"""memo imports read in the background (scans by OCR), with their progress and the draft they became

Revision ID: b8d4f2a6c0e3
Revises: b2e4c6d8f0a1
Create Date: 2026-12-02 19:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b8d4f2a6c0e3'
down_revision = 'b2e4c6d8f0a1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'memo_import',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('pages_done', sa.Integer(), nullable=False),
        sa.Column('pages_total', sa.Integer(), nullable=False),
        sa.Column('draft_id', sa.Integer(), nullable=True),
        sa.Column('error_th', sa.String(length=500), nullable=True),
        sa.Column('error_en', sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_memo_import_agency_id_agency'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'],
                                name=op.f('fk_memo_import_created_by_id_app_user')),
        sa.ForeignKeyConstraint(['draft_id'], ['draft.id'], name=op.f('fk_memo_import_draft_id_draft'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_memo_import')),
    )
    with op.batch_alter_table('memo_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memo_import_agency_id'), ['agency_id'], unique=False)


def downgrade():
    with op.batch_alter_table('memo_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memo_import_agency_id'))
    op.drop_table('memo_import')
