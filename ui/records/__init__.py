"""Record detail and timeline (every record type)."""
