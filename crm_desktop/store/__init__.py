"""The local SQLite store: schema, connection set-up and migrations."""
