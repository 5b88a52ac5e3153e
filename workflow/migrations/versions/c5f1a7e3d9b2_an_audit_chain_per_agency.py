"""an audit chain per agency: events carry their chain (an agency's id, 0 for the deployment's own)

The one chain of an upgraded database becomes the chain of its first agency (``main``): its head and its
events move there unchanged, so every seal still holds and the chain still verifies.

Revision ID: c5f1a7e3d9b2
Revises: b4e8d2a6c1f3
Create Date: 2026-11-28 22:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c5f1a7e3d9b2'
down_revision = 'b4e8d2a6c1f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain', sa.Integer(), server_default='0', nullable=False))
    connection = op.get_bind()
    first = connection.execute(sa.text("SELECT id FROM agency WHERE code = 'main'")).scalar()
    if first is None:
        first = connection.execute(sa.text("SELECT MIN(id) FROM agency")).scalar()
    if first is not None and connection.execute(sa.text("SELECT 1 FROM audit_head WHERE id = 1")).first():
        connection.execute(sa.text("UPDATE audit_event SET chain = :chain"), {"chain": first})
        if first != 1:
            connection.execute(sa.text("UPDATE audit_head SET id = :chain WHERE id = 1"), {"chain": first})
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_event_seq'), type_='unique')
        batch_op.create_unique_constraint('audit_event_chain_seq', ['chain', 'seq'])


def downgrade():
    connection = op.get_bind()
    if connection.execute(sa.text("SELECT COUNT(DISTINCT chain) FROM audit_event")).scalar() > 1:
        raise RuntimeError("more than one audit chain: a database of several agencies cannot go back to one chain")
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint('audit_event_chain_seq', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_audit_event_seq'), ['seq'])
    chain = connection.execute(sa.text("SELECT MIN(chain) FROM audit_event")).scalar()
    if chain is not None and chain != 1:
        connection.execute(sa.text("UPDATE audit_head SET id = 1 WHERE id = :chain"), {"chain": chain})
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('chain')
