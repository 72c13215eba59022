"""Screens of the activities module."""
