"""Sync engine and protocol client: keeps the local store and the server in step.

Depends on ``crm_desktop`` (the store) and ``crm_protocol`` (the wire schema);
never on ``ui``.
"""
