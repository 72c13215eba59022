"""Activities on the client: calls, meetings, tasks and notes linked to any record."""
