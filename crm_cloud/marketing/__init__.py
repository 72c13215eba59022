"""Marketing module: campaigns and their members (leads and contacts with a response)."""
