"""performance: the review queue's index ends in the id (constant-time next item); indexes for the review statistics

Revision ID: 0008_perf
Revises: 0008_slots
Create Date: 2026-12-01 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_perf'
down_revision = '0008_slots'
branch_labels = None
depends_on = None

ENTERED_FOR_OTHERS = sa.text('entered_by_id <> author_id')



def upgrade():
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.drop_index('ix_initiatives_campaign_status_submitted')
        batch_op.create_index('ix_initiatives_queue', ['campaign_id', 'status', 'submitted_at', 'id'], unique=False)
        batch_op.create_index('ix_initiatives_entered_for_others', ['campaign_id', 'entered_by_id'],
                              sqlite_where=ENTERED_FOR_OTHERS, postgresql_where=ENTERED_FOR_OTHERS)
        batch_op.create_index('ix_initiatives_entered_for_others_expr',
                              [sa.text('(entered_by_id <> author_id)'), 'campaign_id', 'entered_by_id'])
    with op.batch_alter_table('status_events', schema=None) as batch_op:
        batch_op.drop_index('ix_status_events_actor_id')
        batch_op.create_index('ix_status_events_actor_created', ['actor_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('status_events', schema=None) as batch_op:
        batch_op.drop_index('ix_status_events_actor_created')
        batch_op.create_index('ix_status_events_actor_id', ['actor_id'], unique=False)
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.drop_index('ix_initiatives_entered_for_others_expr')
        batch_op.drop_index('ix_initiatives_entered_for_others')
        batch_op.drop_index('ix_initiatives_queue')
        batch_op.create_index('ix_initiatives_campaign_status_submitted', ['campaign_id', 'status', 'submitted_at'],
                              unique=False)
