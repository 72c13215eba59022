"""Sales screens: the lead list with conversion."""
