"""Configuration of the mocked S/4HANA, and the knobs reliability tests turn while it runs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any


@dataclass
class Knobs:
    """Changed at run time through `PUT /_mock/knobs` (JSON with any of these names) or CLI flags."""

    latency_ms: float = 0.0  # added to every OData request
    jitter_ms: float = 0.0  # plus a random 0..jitter_ms
    error_rate: float = 0.0  # share of OData requests answered with `error_status` (0..1)
    error_status: int = 500
    outage: bool = False  # every OData request gets the Web Dispatcher's 503
    page_size: int = 1000  # server-driven paging: rows per page before `__next`

    def update(self, changes: Mapping[str, Any]) -> None:
        known = {f.name: f for f in fields(self)}
        for name, value in changes.items():
            if name not in known:
                raise ValueError(f"unknown knob {name!r}; knobs: {', '.join(known)}")
            current = getattr(self, name)
            if isinstance(current, bool) and not isinstance(value, bool):
                raise ValueError(f"knob {name} is true or false")
            if not isinstance(current, bool) and (isinstance(value, bool) or not isinstance(value, int | float)):
                raise ValueError(f"knob {name} is a number")
            setattr(self, name, type(current)(value))
        self._check()

    def _check(self) -> None:
        if not 0 <= self.error_rate <= 1:
            raise ValueError("error_rate is between 0 and 1")
        if not 400 <= self.error_status <= 599:
            raise ValueError("error_status is an HTTP error status (400-599)")
        if self.page_size < 1 or self.latency_ms < 0 or self.jitter_ms < 0:
            raise ValueError("page_size is at least 1, latency_ms and jitter_ms at least 0")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class MockConfig:
    user: str = "MOCKUSER"
    password: str = "mockpass"  # noqa: S105 - the mock's documented local-development credentials
    sap_client: str = "100"
    system_id: str = "S4H"
    webhook_url: str | None = None  # CloudEvents go here on create/change
    webhook_user: str = "eventmesh"
    webhook_password: str = "eventmesh"  # noqa: S105 - local-development default of the webhook
    webhook_verify: bool | str = True  # TLS verification of the webhook: True, False or a CA bundle file
    event_source: str = "/default/sap.s4.beh/S4HMOCK"
    topic_namespace: str = "sap/s4/mock"
    retry_delays: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0, 8.0)  # webhook redelivery back-off (seconds)
    random_seed: int | None = None  # for error_rate and jitter
    knobs: Knobs = field(default_factory=Knobs)
