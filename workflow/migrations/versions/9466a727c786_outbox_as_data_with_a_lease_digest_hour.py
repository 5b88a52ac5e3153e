"""outbox as data with a lease, digest hour

Revision ID: 9466a727c786
Revises: 95c3dae855f1
Create Date: 2026-11-26 06:43:25.590353

"""
from alembic import op
import sqlalchemy as sa

import workflow.models.types


# revision identifiers, used by Alembic.
revision = '9466a727c786'
down_revision = '95c3dae855f1'
branch_labels = None
depends_on = None


def upgrade():
    # existing rows get the defaults: digest at 08:00, an empty payload
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_hour', sa.Integer(), nullable=False, server_default='8'))

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_until', workflow.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('payload', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.drop_column('body_text')
        batch_op.drop_column('body_html')

    # ### end Alembic commands ###


def downgrade():
    # bodies were rendered when queued before this revision; old rows get an empty body
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_html', sa.TEXT(), nullable=True))
        batch_op.add_column(sa.Column('body_text', sa.TEXT(), nullable=False, server_default=''))
        batch_op.drop_column('payload')
        batch_op.drop_column('lease_until')

    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('digest_hour')

    # ### end Alembic commands ###
