"""Customer service on the client: support cases and their service levels."""
