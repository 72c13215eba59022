"""Shared infrastructure: settings, database, security helpers and domain errors."""
