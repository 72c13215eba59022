"""Generic record storage, the permission check and the record service (REST and sync)."""
