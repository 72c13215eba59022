"""Screens of the sales module."""
