"""performance: the review queue's index ends in the id (constant-time next item)

Revision ID: 0008_perf
Revises: 0007
Create Date: 2026-12-01 12:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0008_perf'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.drop_index('ix_initiatives_campaign_status_submitted')
        batch_op.create_index('ix_initiatives_queue', ['campaign_id', 'status', 'submitted_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.drop_index('ix_initiatives_queue')
        batch_op.create_index('ix_initiatives_campaign_status_submitted', ['campaign_id', 'status', 'submitted_at'],
                              unique=False)
