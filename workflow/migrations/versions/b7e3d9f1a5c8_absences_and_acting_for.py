"""absences and acting for (รักษาราชการแทน); the month of a monthly step; who was acted for in a decision

Revision ID: b7e3d9f1a5c8
Revises: c3f8a2d6e1b7
Create Date: 2026-12-02 19:00:00

"""
import re
from datetime import date

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7e3d9f1a5c8'
down_revision = 'c3f8a2d6e1b7'
branch_labels = None
depends_on = None

#: what loading used to append to a monthly step's title: " (เดือนมิถุนายน ๒๕๖๗)"; the month is a column now
_MONTH_SUFFIX = re.compile(r"\s*\(เดือน[^()]*\s[๐-๙0-9]{4}\)$")


def upgrade():
    op.create_table(
        'absence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('reason', sa.String(length=255), nullable=True),
        sa.Column('acting_user_id', sa.Integer(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_absence_dates_in_order')),
        sa.CheckConstraint('acting_user_id IS NULL OR acting_user_id <> user_id', name=op.f('ck_absence_not_self')),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_absence_agency_id_agency'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_absence_user_id_app_user'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['acting_user_id'], ['app_user.id'],
                                name=op.f('fk_absence_acting_user_id_app_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_absence_created_by_id_app_user'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['cancelled_by_id'], ['app_user.id'],
                                name=op.f('fk_absence_cancelled_by_id_app_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_absence')),
    )
    with op.batch_alter_table('absence', schema=None) as batch_op:
        batch_op.create_index('ix_absence_user_ends', ['user_id', 'ends_on'], unique=False)
        batch_op.create_index('ix_absence_agency_ends', ['agency_id', 'ends_on'], unique=False)
    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.add_column(sa.Column('month', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('done_acting', sa.JSON(), nullable=True))
    with op.batch_alter_table('review_decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acting', sa.JSON(), nullable=True))

    # a monthly step's month, from its measure's first month and its occurrence; its title loses the suffix
    bind = op.get_bind()
    step, measure = sa.table('step', sa.column('id'), sa.column('measure_id'), sa.column('occurrence'),
                             sa.column('title'), sa.column('recurrence'), sa.column('month')), \
        sa.table('measure', sa.column('id'), sa.column('period_start'))
    rows = bind.execute(sa.select(step.c.id, step.c.occurrence, step.c.title, measure.c.period_start)
                        .join(measure, measure.c.id == step.c.measure_id)
                        .where(step.c.recurrence == 'monthly')).all()
    for step_id, occurrence, title, start in rows:
        if isinstance(start, str):
            start = date.fromisoformat(start[:10])
        index = start.month - 1 + (occurrence - 1)
        month = date(start.year + index // 12, index % 12 + 1, 1)
        bind.execute(step.update().where(step.c.id == step_id)
                     .values(month=month, title=_MONTH_SUFFIX.sub("", title) or title))


def downgrade():
    with op.batch_alter_table('review_decision', schema=None) as batch_op:
        batch_op.drop_column('acting')
    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.drop_column('done_acting')
        batch_op.drop_column('month')
    with op.batch_alter_table('absence', schema=None) as batch_op:
        batch_op.drop_index('ix_absence_agency_ends')
        batch_op.drop_index('ix_absence_user_ends')
    op.drop_table('absence')
