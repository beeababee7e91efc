"""A claimed batch: partners concurrently, each partner's rows in claim order, a failure raised after the rest."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from bpverify.workflow.worker import each_partner


def rows(*partners: str) -> list[dict[str, Any]]:
    return [{"ID": str(i), "businessPartnerId": p} for i, p in enumerate(partners)]


async def test_partners_overlap_and_each_partners_rows_keep_their_order() -> None:
    done: list[str] = []

    async def work(row: dict[str, Any]) -> None:
        await asyncio.sleep(0.05)
        done.append(row["ID"])

    started = time.monotonic()
    await each_partner(rows("A", "B", "A", "C", "A"), work)
    assert time.monotonic() - started < 0.25  # A's three in turn; B and C meanwhile
    assert [i for i in done if i in ("0", "2", "4")] == ["0", "2", "4"]
    assert sorted(done) == ["0", "1", "2", "3", "4"]


async def test_a_failure_is_raised_once_the_others_are_done() -> None:
    done: list[str] = []

    async def work(row: dict[str, Any]) -> None:
        if row["businessPartnerId"] == "B":
            raise ConnectionError("database down")
        await asyncio.sleep(0.02)
        done.append(row["ID"])

    with pytest.raises(ConnectionError):
        await each_partner(rows("A", "B", "C"), work)
    assert sorted(done) == ["0", "2"]
