"""tally slots: the top units' counters spread over several rows, so no row is locked by every write

Revision ID: 0008_slots
Revises: 0007
Create Date: 2026-12-01 10:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_slots'
down_revision = '0007'
branch_labels = None
depends_on = None

KEYS = {
    'tallies': ['campaign_id', 'unit_id'],
    'daily_tallies': ['campaign_id', 'unit_id', 'day'],
    'cohort_tallies': ['campaign_id', 'unit_id', 'day', 'field'],
}


def _primary_key_name(table):
    return sa.inspect(op.get_bind()).get_pk_constraint(table).get('name') or f'{table}_pkey'


def upgrade():
    for table, keys in KEYS.items():
        name = _primary_key_name(table)
        with op.batch_alter_table(table, schema=None, recreate='always') as batch_op:
            batch_op.add_column(sa.Column('slot', sa.Integer(), server_default='0', nullable=False))
            batch_op.drop_constraint(name, type_='primary')
            batch_op.create_primary_key(name, [*keys, 'slot'])
    if op.get_bind().dialect.name == 'postgresql':
        for table in KEYS:  # the copied tables have no planner statistics yet: without them every page plans badly
            op.execute(f'ANALYZE {table}')


def downgrade():
    # Fold every unit's slots back into one row first.
    for table, keys in KEYS.items():
        counters = {'tallies': ['pending', 'returned', 'valid', 'invalid'],
                    'daily_tallies': ['submitted', 'valid'],
                    'cohort_tallies': ['pending', 'returned', 'valid', 'invalid']}[table]
        where = ' AND '.join(f'o.{k} = {table}.{k}' for k in keys)
        for counter in counters:
            op.execute(f'UPDATE {table} SET {counter} = (SELECT SUM(o.{counter}) FROM {table} o WHERE {where}) '
                       f'WHERE slot = (SELECT MIN(o.slot) FROM {table} o WHERE {where})')
        op.execute(f'DELETE FROM {table} WHERE slot <> (SELECT MIN(o.slot) FROM {table} o WHERE '
                   f'{" AND ".join(f"o.{k} = {table}.{k}" for k in keys)})')
        name = _primary_key_name(table)
        with op.batch_alter_table(table, schema=None, recreate='always') as batch_op:
            batch_op.drop_constraint(name, type_='primary')
            batch_op.create_primary_key(name, keys)
            batch_op.drop_column('slot')
