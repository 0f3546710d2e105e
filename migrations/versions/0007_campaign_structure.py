"""campaign structure: programmes and eligibility rules, peak periods, the cohort series, settings

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'programmes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=80), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('start_date', sa.Date(), nullable=False),
        sa.Column('end_date', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('slug'),
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('programme_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_campaigns_programme_id', ['programme_id'], unique=False)
        batch_op.create_foreign_key('fk_campaigns_programme_id_programmes', 'programmes', ['programme_id'], ['id'])
    op.create_table(
        'eligibility_rules',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=True),
        sa.Column('campaign_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('label', sa.String(length=300), nullable=False),
        sa.Column('explanation', sa.Text(), nullable=False),
        sa.Column('date_from', sa.Date(), nullable=True),
        sa.Column('date_to', sa.Date(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id']),
        sa.ForeignKeyConstraint(['programme_id'], ['programmes.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_eligibility_rules_programme_id', 'eligibility_rules', ['programme_id'], unique=False)
    op.create_index('ix_eligibility_rules_campaign_id', 'eligibility_rules', ['campaign_id'], unique=False)
    op.create_table(
        'periods',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('start_date', sa.Date(), nullable=False),
        sa.Column('end_date', sa.Date(), nullable=False),
        sa.Column('goal', sa.Integer(), nullable=False),
        sa.Column('measure', sa.String(length=20), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.Column('final_snapshot', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id']),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_periods_campaign_dates', 'periods', ['campaign_id', 'start_date', 'end_date'], unique=False)
    op.create_index('ix_periods_unit_id', 'periods', ['unit_id'], unique=False)
    op.create_table(
        'app_settings',
        sa.Column('key', sa.String(length=60), nullable=False),
        sa.Column('value', sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    op.create_table(
        'cohort_tallies',
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('field', sa.String(length=30), nullable=False),
        sa.Column('pending', sa.Integer(), nullable=False),
        sa.Column('returned', sa.Integer(), nullable=False),
        sa.Column('valid', sa.Integer(), nullable=False),
        sa.Column('invalid', sa.Integer(), nullable=False),
        sa.Column('last_valid_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id']),
        sa.PrimaryKeyConstraint('campaign_id', 'unit_id', 'day', 'field'),
    )
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evidence_declared', sa.JSON(), nullable=True))
    # Initiatives counted before this revision get their cohort rows from `flask rebuild-tallies` (the domain's
    # recount: a first-submission day is a Vietnamese calendar day, which plain SQL would spell per dialect).


def downgrade():
    with op.batch_alter_table('initiatives', schema=None) as batch_op:
        batch_op.drop_column('evidence_declared')
    op.drop_table('cohort_tallies')
    op.drop_table('app_settings')
    op.drop_index('ix_periods_unit_id', table_name='periods')
    op.drop_index('ix_periods_campaign_dates', table_name='periods')
    op.drop_table('periods')
    op.drop_index('ix_eligibility_rules_campaign_id', table_name='eligibility_rules')
    op.drop_index('ix_eligibility_rules_programme_id', table_name='eligibility_rules')
    op.drop_table('eligibility_rules')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_constraint('fk_campaigns_programme_id_programmes', type_='foreignkey')
        batch_op.drop_index('ix_campaigns_programme_id')
        batch_op.drop_column('programme_id')
    op.drop_table('programmes')
