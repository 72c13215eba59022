"""Customers module: accounts and contacts."""
