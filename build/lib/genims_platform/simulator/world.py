"""The state one seed run carries from month to month: plant, id sequences, ledger, and where
generated rows go."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from genims_platform.simulator.core import Chunk, Frame, Horizon, IdSequence, stream
from genims_platform.simulator.ledger import Ledger
from genims_platform.simulator.plant import Plant


@dataclass
class World:
    plant: Plant
    seed: int
    emit: Callable[[Frame], None]
    ledger: Ledger
    ids: dict[str, IdSequence] = field(default_factory=lambda: defaultdict(IdSequence))
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def horizon(self) -> Horizon:
        return self.plant.horizon

    @property
    def cutoff(self) -> int:
        return self.plant.horizon.cutoff_ts

    def rng(self, module: str, table: str, chunk: Chunk | None = None) -> np.random.Generator:
        return stream(self.seed, module, table, chunk.key if chunk else 0)

    def add(self, table: str, **columns: Any) -> None:
        frame = Frame(table, columns)
        if len(frame):
            self.emit(frame)

    def take_ids(self, table: str, n: int) -> np.ndarray:
        return self.ids[table].take(n)
