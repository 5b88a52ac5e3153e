"""evidence withdrawn by its owner while the step is open: kept, with who and when

Revision ID: a6c2e8f4b9d1
Revises: f3b7d1c9a2e4
Create Date: 2026-11-29 05:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a6c2e8f4b9d1'
down_revision = 'f3b7d1c9a2e4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_evidence_withdrawn_by_id_app_user'), 'app_user',
                                    ['withdrawn_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_evidence_withdrawn_by_id_app_user'), type_='foreignkey')
        batch_op.drop_column('withdrawn_by_id')
        batch_op.drop_column('withdrawn_at')
