"""Marketing on the client: campaigns and their members."""
