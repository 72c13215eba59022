"""Service module: support cases and the service level per case priority.

Other modules use it only through :mod:`crm_cloud.service.levels`.
"""
