"""`bpverify certs …` and `bpverify destination check …`: registered by one call in `bpverify.cli`."""

from __future__ import annotations

import argparse
from typing import Any

from bpverify.tools import certs_cli, destination_cli


def register(commands: argparse._SubParsersAction[Any]) -> None:
    certs_cli.register(commands)
    destination_cli.register(commands)
