"""Item models for record lists."""
