"""Screens of the dashboard module."""
