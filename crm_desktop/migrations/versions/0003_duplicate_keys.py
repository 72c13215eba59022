"""Indexes on the duplicate check's blocking keys: emails and E.164 phones.

The check before a save or an import looks records up by every email and
phone column (crm_desktop.services.duplicates); without these indexes each
look-up scans the table, 0.3 s at a million contacts.  Names use the
existing ``sort_key`` index and the full-text index.

Emails compare without case (stored as typed: "Ann@Example.com"), so their
indexes are ``COLLATE NOCASE`` and the look-up is ``email COLLATE NOCASE IN
(...)``.  (A first version used ``lower(email)`` expression indexes, which
SQLAlchemy cannot reflect, so the ORM-matches-migrations check could not see
them; profiles made with it keep working, the look-up just reads more.)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_contacts_email_nocase", "contacts", "email COLLATE NOCASE", "email"),
    ("ix_contacts_email2_nocase", "contacts", "email2 COLLATE NOCASE", "email2"),
    ("ix_contacts_phone_e164", "contacts", "phone_e164", "phone_e164"),
    ("ix_contacts_mobile_e164", "contacts", "mobile_e164", "mobile_e164"),
    ("ix_accounts_email_nocase", "accounts", "email COLLATE NOCASE", "email"),
    ("ix_accounts_phone_e164", "accounts", "phone_e164", "phone_e164"),
]


def upgrade() -> None:
    for name, table, expression, column in INDEXES:
        op.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({expression}) WHERE deleted = 0 AND {column} IS NOT NULL"
        )


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported; restore a backup instead")
