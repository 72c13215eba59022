"""Sync endpoints: push, pull and status."""
