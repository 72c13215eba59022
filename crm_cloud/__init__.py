"""CRM cloud backend: OAuth 2 sign-in, REST API and the sync endpoints."""

__version__ = "0.1.0"
