"""agencies as a tree: cycles, groups and people belong to an agency; keys are unique within it

An existing one-agency database upgrades in place: one agency per agency name its cycles give (the first
gets the code ``main``), or one agency ``main`` if it has no cycle yet; every group and person goes to the
first. Every row is kept, and the audit chain is not touched (it still verifies).

Revision ID: b4e8d2a6c1f3
Revises: 7c1e5a9b2f40
Create Date: 2026-11-28 23:20:00

"""
import sqlalchemy as sa
from alembic import op

from workflow import clock
from workflow.models.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = 'b4e8d2a6c1f3'
down_revision = '7c1e5a9b2f40'
branch_labels = None
depends_on = None

KINDS = ("ministry", "department", "office", "area", "school", "college", "local", "hospital", "other")


def upgrade():
    op.create_table(
        'agency',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in KINDS) + ")", name=op.f('ck_agency_kind')),
        sa.ForeignKeyConstraint(['parent_id'], ['agency.id'], name=op.f('fk_agency_parent_id_agency')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agency')),
        sa.UniqueConstraint('code', name=op.f('uq_agency_code')),
    )
    op.create_index(op.f('ix_agency_parent_id'), 'agency', ['parent_id'], unique=False)
    for table in ('cycle', 'work_group', 'app_user'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('agency_id', sa.Integer(), nullable=True))

    connection = op.get_bind()
    agency = sa.table('agency', sa.column('id', sa.Integer), sa.column('code', sa.String),
                      sa.column('name', sa.String), sa.column('kind', sa.String),
                      sa.column('parent_id', sa.Integer), sa.column('created_at', UTCDateTime()))
    names = [row[0] for row in connection.execute(sa.text("SELECT agency FROM cycle GROUP BY agency ORDER BY MIN(id)"))]
    has_people = connection.execute(sa.text("SELECT 1 FROM app_user UNION SELECT 1 FROM work_group")).first()
    if not names and has_people:
        names = ["หน่วยงาน"]
    now = clock.now()  # when the agency rows were made: the upgrade's own moment
    for n, name in enumerate(names):
        code = 'main' if n == 0 else f'agency-{n + 1}'
        connection.execute(agency.insert().values(code=code, name=name, kind='office', parent_id=None, created_at=now))
        agency_id = connection.execute(sa.text("SELECT id FROM agency WHERE code = :code"), {"code": code}).scalar_one()
        connection.execute(sa.text("UPDATE cycle SET agency_id = :id WHERE agency = :name"),
                           {"id": agency_id, "name": name})
        if n == 0:
            connection.execute(sa.text("UPDATE work_group SET agency_id = :id"), {"id": agency_id})
            connection.execute(sa.text("UPDATE app_user SET agency_id = :id"), {"id": agency_id})

    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.alter_column('agency_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint('agency_year', type_='unique')
        batch_op.create_unique_constraint('agency_year', ['agency_id', 'fiscal_year_be'])
        batch_op.create_index(batch_op.f('ix_cycle_agency_id'), ['agency_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_cycle_agency_id_agency'), 'agency', ['agency_id'], ['id'])
    with op.batch_alter_table('work_group', schema=None) as batch_op:
        batch_op.alter_column('agency_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_work_group_key'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_work_group_name'), type_='unique')
        batch_op.create_unique_constraint('work_group_agency_key', ['agency_id', 'key'])
        batch_op.create_unique_constraint('work_group_agency_name', ['agency_id', 'name'])
        batch_op.create_index(batch_op.f('ix_work_group_agency_id'), ['agency_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_work_group_agency_id_agency'), 'agency', ['agency_id'], ['id'])
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.alter_column('agency_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f('uq_app_user_key'), type_='unique')
        batch_op.create_unique_constraint('app_user_agency_key', ['agency_id', 'key'])
        batch_op.create_index(batch_op.f('ix_app_user_agency_id'), ['agency_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_app_user_agency_id_agency'), 'agency', ['agency_id'], ['id'])


def downgrade():
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_app_user_agency_id_agency'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_app_user_agency_id'))
        batch_op.drop_constraint('app_user_agency_key', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_app_user_key'), ['key'])
        batch_op.drop_column('agency_id')
    with op.batch_alter_table('work_group', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_work_group_agency_id_agency'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_work_group_agency_id'))
        batch_op.drop_constraint('work_group_agency_name', type_='unique')
        batch_op.drop_constraint('work_group_agency_key', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_work_group_name'), ['name'])
        batch_op.create_unique_constraint(batch_op.f('uq_work_group_key'), ['key'])
        batch_op.drop_column('agency_id')
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cycle_agency_id_agency'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_cycle_agency_id'))
        batch_op.drop_constraint('agency_year', type_='unique')
        batch_op.create_unique_constraint('agency_year', ['agency', 'fiscal_year_be'])
        batch_op.drop_column('agency_id')
    op.drop_index(op.f('ix_agency_parent_id'), table_name='agency')
    op.drop_table('agency')
