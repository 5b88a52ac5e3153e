"""alerts: outbox as data with a lease, digest hour, monthly occurrences

Revision ID: 5d6cd6d850f6
Revises: 95c3dae855f1
Create Date: 2026-11-26 06:58:15.989956

"""
from alembic import op
import sqlalchemy as sa

import workflow.models.types


# revision identifiers, used by Alembic.
revision = '5d6cd6d850f6'
down_revision = '95c3dae855f1'
branch_labels = None
depends_on = None


def upgrade():
    # existing rows get defaults: digest at 08:00, empty payloads, occurrence 1
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_hour', sa.Integer(), nullable=False, server_default='8'))

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lease_until', workflow.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('payload', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.drop_column('body_text')
        batch_op.drop_column('body_html')

    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.add_column(sa.Column('occurrence', sa.Integer(), nullable=False, server_default='1'))
        batch_op.drop_constraint(batch_op.f('measure_number'), type_='unique')
        batch_op.create_unique_constraint('measure_number_occurrence', ['measure_id', 'number', 'occurrence'])

    # ### end Alembic commands ###


def downgrade():
    # bodies were rendered when queued before this revision: old rows get an empty body
    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.drop_constraint('measure_number_occurrence', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('measure_number'), ['measure_id', 'number'])
        batch_op.drop_column('occurrence')

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_html', sa.TEXT(), nullable=True))
        batch_op.add_column(sa.Column('body_text', sa.TEXT(), nullable=False, server_default=''))
        batch_op.drop_column('payload')
        batch_op.drop_column('lease_until')

    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('digest_hour')

    # ### end Alembic commands ###
