"""Sales module: leads, opportunities and the pipeline stages.

Other modules use it only through :mod:`crm_cloud.sales.pipeline`
(``stages``, ``pipeline_summary``).
"""
