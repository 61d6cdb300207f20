"""Channels: ids of handled Telegram/WhatsApp updates, the WhatsApp 24-hour window, and whose
chat an outbox delivery goes to.

Revision ID: 0002
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inbound_seen',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel', 'external_id', name='uq_inbound_seen')
    )
    with op.batch_alter_table('inbound_seen', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_seen_seen_at'), ['seen_at'], unique=False)

    op.create_table('whatsapp_windows',
    sa.Column('conversation_key', sa.String(length=200), nullable=False),
    sa.Column('last_inbound_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('invited_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('conversation_key')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('conversation_key', sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_conversation_key'), ['conversation_key'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_conversation_key'))
        batch_op.drop_column('conversation_key')

    op.drop_table('whatsapp_windows')
    with op.batch_alter_table('inbound_seen', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbound_seen_seen_at'))

    op.drop_table('inbound_seen')
