"""claim codes: a one-time code proves a member may take over the account the support team created

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 08:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claim_code_hash', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('claim_code_expires_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('claim_code_failures', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('claim_code_failures')
        batch_op.drop_column('claim_code_expires_at')
        batch_op.drop_column('claim_code_hash')
