"""Support screens: the case queue."""
