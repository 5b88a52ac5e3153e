"""LINE, the second channel: an agency's Messaging API channel, the groups and people bound to it, the webhook
events taken, and the outbox's channel

Revision ID: e7a3c5b9d1f4
Revises: d2f6b8c0e4a7
Create Date: 2026-11-29 08:30:00

"""
import sqlalchemy as sa
from alembic import op

from workflow.models.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = 'e7a3c5b9d1f4'
down_revision = 'd2f6b8c0e4a7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'line_channel',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('access_token', sa.Text(), nullable=False),
        sa.Column('channel_secret', sa.String(length=128), nullable=False),
        sa.Column('bot_user_id', sa.String(length=64), nullable=False),
        sa.Column('bot_name', sa.String(length=255), nullable=True),
        sa.Column('immediate', sa.JSON(), nullable=False),
        sa.Column('problem', sa.Text(), nullable=True),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_line_channel_agency_id_agency'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_line_channel')),
        sa.UniqueConstraint('agency_id', name=op.f('uq_line_channel_agency_id')),
        sa.UniqueConstraint('bot_user_id', name=op.f('uq_line_channel_bot_user_id')),
    )
    op.create_table(
        'line_target',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('line_id', sa.String(length=64), nullable=False),
        sa.Column('state', sa.String(length=8), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=True),
        sa.Column('code_expires_at', UTCDateTime(), nullable=True),
        sa.Column('group_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('bound_at', UTCDateTime(), nullable=True),
        sa.Column('bound_by_id', sa.Integer(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_line_target_agency_id_agency'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['bound_by_id'], ['app_user.id'], name=op.f('fk_line_target_bound_by_id_app_user')),
        sa.ForeignKeyConstraint(['group_id'], ['work_group.id'], name=op.f('fk_line_target_group_id_work_group'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_line_target_user_id_app_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_line_target')),
        sa.UniqueConstraint('agency_id', 'line_id', name='agency_line_id'),
    )
    op.create_table(
        'line_webhook_event',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('received_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_line_webhook_event')),
    )
    with op.batch_alter_table('line_webhook_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_line_webhook_event_received_at'), ['received_at'], unique=False)
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=8), server_default='email', nullable=False))
        batch_op.add_column(sa.Column('line_target_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_outbox_message_line_target_id_line_target'), 'line_target',
                                    ['line_target_id'], ['id'], ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_message_line_target_id_line_target'), type_='foreignkey')
        batch_op.drop_column('line_target_id')
        batch_op.drop_column('channel')
    with op.batch_alter_table('line_webhook_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_line_webhook_event_received_at'))
    op.drop_table('line_webhook_event')
    op.drop_table('line_target')
    op.drop_table('line_channel')
