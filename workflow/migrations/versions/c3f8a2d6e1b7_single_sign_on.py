"""single sign-on: the providers an agency switched on, the identities linked to accounts (keyed hashes only),
an agency's "single sign-on required" and its break-glass admin

Revision ID: c3f8a2d6e1b7
Revises: c3e7a9f1b5d2
Create Date: 2026-12-03 09:00:00

"""
import sqlalchemy as sa
from alembic import op

from workflow.models.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = 'c3f8a2d6e1b7'
down_revision = 'c3e7a9f1b5d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'agency_sign_in',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('provider', sa.String(length=32), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('for_units', sa.Boolean(), nullable=False),
        sa.Column('domain', sa.String(length=255), nullable=True),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_agency_sign_in_agency_id_agency'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['app_user.id'],
                                name=op.f('fk_agency_sign_in_updated_by_id_app_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_sign_in')),
        sa.UniqueConstraint('agency_id', 'provider', name='agency_sign_in_provider'),
    )
    with op.batch_alter_table('agency_sign_in', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_sign_in_agency_id'), ['agency_id'], unique=False)
    op.create_table(
        'sign_in_identity',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('provider', sa.String(length=32), nullable=False),
        sa.Column('value_hash', sa.String(length=64), nullable=False),
        sa.Column('label', sa.String(length=255), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('last_used_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_sign_in_identity_user_id_app_user'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'],
                                name=op.f('fk_sign_in_identity_created_by_id_app_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_identity')),
        sa.UniqueConstraint('kind', 'provider', 'value_hash', name='sign_in_identity_value'),
        sa.UniqueConstraint('user_id', 'kind', 'provider', name='sign_in_identity_user'),
    )
    with op.batch_alter_table('sign_in_identity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_identity_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sso_required', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('break_glass', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('break_glass')
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_column('sso_required')
    with op.batch_alter_table('sign_in_identity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_identity_user_id'))
    op.drop_table('sign_in_identity')
    with op.batch_alter_table('agency_sign_in', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_sign_in_agency_id'))
    op.drop_table('agency_sign_in')
