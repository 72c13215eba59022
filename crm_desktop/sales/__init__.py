"""Sales on the client: leads (and their conversion), opportunities, pipeline stages."""
