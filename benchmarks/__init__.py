"""Measurements of the platform against baselines taken in the same run (see each module)."""
