"""Sales screens: leads (list, conversion) and the pipeline board."""
