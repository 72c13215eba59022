"""Screens of the service module."""
