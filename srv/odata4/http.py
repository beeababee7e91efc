"""Framework-neutral request and response of the OData layer (used by $batch parts too)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from odata4.auth import ANONYMOUS, User


class Headers:
    """Case-insensitive, read-only header mapping."""

    def __init__(self, items: Iterable[tuple[str, str]] | Mapping[str, str] = ()) -> None:
        pairs = items.items() if isinstance(items, Mapping) else items
        self._items = {k.lower(): v for k, v in pairs}

    def get(self, name: str, default: str | None = None) -> str | None:
        return self._items.get(name.lower(), default)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def items(self) -> Iterable[tuple[str, str]]:
        return self._items.items()


@dataclass
class Request:
    method: str
    path: str  # below the service root, still percent-encoded, without a leading slash
    query: list[tuple[str, str]] = field(default_factory=list)  # decoded pairs, in order
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""
    user: User = ANONYMOUS
    root: str = "/"  # absolute path of the service root, with a trailing slash
    context: dict[str, Any] = field(default_factory=dict)  # for handlers: correlation id, ...

    def prefers(self, preference: str) -> bool:
        prefer = self.headers.get("prefer") or ""
        return any(p.strip().lower() == preference for p in prefer.split(","))


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def media_type(self) -> str | None:
        return self.headers.get("content-type")
