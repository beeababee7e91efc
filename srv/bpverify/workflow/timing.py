"""How often the workflow worker looks for work, and how it backs off."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    poll_seconds: float = 1.0
    claim_seconds: float = 60.0  # a claim older than this is taken to be a crashed instance's
    backoff_base: float = 2.0
    backoff_max: float = 600.0
    batch: int = 20

    def backoff(self, attempts: int) -> dt.timedelta:
        return dt.timedelta(seconds=min(self.backoff_base * 2 ** max(attempts - 1, 0), self.backoff_max))
