"""frameworks: the year's OIT item lists, and the one a cycle uses

Revision ID: c9e5a1b3d7f2
Revises: b8d4f0a2c6e3
Create Date: 2026-11-29 06:05:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c9e5a1b3d7f2'
down_revision = 'b8d4f0a2c6e3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'framework',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=True),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('fiscal_year_be', sa.Integer(), nullable=True),
        sa.Column('items', sa.JSON(), nullable=False),
        sa.Column('roles', sa.JSON(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_framework_agency_id_agency'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_framework')),
        sa.UniqueConstraint('agency_id', 'key', name='agency_key'),
    )
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.add_column(sa.Column('framework_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_cycle_framework_id_framework'), 'framework', ['framework_id'],
                                    ['id'])


def downgrade():
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cycle_framework_id_framework'), type_='foreignkey')
        batch_op.drop_column('framework_id')
    op.drop_table('framework')
