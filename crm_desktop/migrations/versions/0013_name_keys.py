"""Accent- and punctuation-insensitive name keys for the duplicate check.

An expression index ``crm_name_key(sort_key)`` over the live rows of every
record table with a name (``store/name_keys.py``: NFKD, combining marks
dropped, casefolded, punctuation to spaces).  "Same name" and the fuzzy
check's name-prefix blocks look names up through it, so "Muller" finds
"Müller" and "Jose" finds "José"; before, both compared the casefolded name
only.  ``crm_name_key`` is registered on every connection (``store/db.py``),
also the one running this migration.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

NAMED = ("accounts", "contacts", "leads", "opportunities", "activities", "cases", "campaigns")


def upgrade() -> None:
    for table in NAMED:
        op.execute(f"CREATE INDEX ix_{table}_name_key ON {table} (crm_name_key(sort_key)) WHERE deleted = 0")


def downgrade() -> None:
    raise NotImplementedError("downgrades are not supported; restore a backup instead")
