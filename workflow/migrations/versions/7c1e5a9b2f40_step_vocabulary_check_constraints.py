"""the database accepts only the step vocabulary: states, kinds and review decisions (workflow.vocabulary)

Revision ID: 7c1e5a9b2f40
Revises: 113a14d6d303
Create Date: 2026-11-28 16:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '7c1e5a9b2f40'
down_revision = '113a14d6d303'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.create_check_constraint('state', "state IN ('blocked', 'open', 'done')")
        batch_op.create_check_constraint('kind', "kind IN ('task', 'review')")
    with op.batch_alter_table('review_decision', schema=None) as batch_op:
        batch_op.create_check_constraint('decision', "decision IN ('approved', 'sent_back')")


def downgrade():
    with op.batch_alter_table('review_decision', schema=None) as batch_op:
        batch_op.drop_constraint('ck_review_decision_decision', type_='check')
    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.drop_constraint('ck_step_kind', type_='check')
        batch_op.drop_constraint('ck_step_state', type_='check')
