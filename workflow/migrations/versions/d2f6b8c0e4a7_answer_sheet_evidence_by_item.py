"""the ITAS answer sheet: evidence marked for an OIT item, the sheet's sign-off and its last link check

Revision ID: d2f6b8c0e4a7
Revises: c9e5a1b3d7f2
Create Date: 2026-11-29 06:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd2f6b8c0e4a7'
down_revision = 'c9e5a1b3d7f2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('oit_code', sa.String(length=8), nullable=True))
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sheet_signoff', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('link_check', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.drop_column('link_check')
        batch_op.drop_column('sheet_signoff')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_column('oit_code')
