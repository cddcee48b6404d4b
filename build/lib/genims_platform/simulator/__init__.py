"""Deterministic simulator of a GenIMS plant: `seed` loads a history into the 13 source
databases, `simulate_live` keeps writing new activity through ordinary INSERT/UPDATE."""

from __future__ import annotations

from genims_platform.simulator.live import simulate_live
from genims_platform.simulator.seeding import seed

__all__ = ["seed", "simulate_live"]
