"""The Qt desktop UI: widgets, item models and signals over AppContext services.

Nothing here touches the database or the network directly: every service
call goes through ``context.worker`` and comes back via :mod:`ui.tasks`.
"""
