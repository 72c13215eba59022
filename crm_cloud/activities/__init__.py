"""Activities module: calls, meetings, tasks and notes linked to any record."""
