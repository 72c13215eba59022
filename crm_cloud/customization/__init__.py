"""Customization: custom fields administrators define per record type.

Other modules use it only through :func:`crm_cloud.customization.rules.custom_fields`.
"""
