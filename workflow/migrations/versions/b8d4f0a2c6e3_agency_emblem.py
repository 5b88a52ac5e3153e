"""an agency's emblem (ตราครุฑ) for the head of its memos

Revision ID: b8d4f0a2c6e3
Revises: a6c2e8f4b9d1
Create Date: 2026-11-29 05:58:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b8d4f0a2c6e3'
down_revision = 'a6c2e8f4b9d1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.add_column(sa.Column('emblem', sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_column('emblem')
