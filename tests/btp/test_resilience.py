"""Retry, backoff and circuit breaker with httpx's own MockTransport and a fake clock."""

from __future__ import annotations

import httpx
import pytest

from btp import BreakerPolicy, CircuitOpenError, RetryPolicy
from btp.resilience import CircuitBreaker, Resilience, ResilientTransport


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_after_threshold_then_half_opens_once() -> None:
    clock = Clock()
    breaker = CircuitBreaker(BreakerPolicy(failure_threshold=3, reset_timeout=10), clock=clock)
    for _ in range(3):
        assert breaker.retry_after() == 0
        breaker.record(False)
    assert breaker.retry_after() == pytest.approx(10)
    clock.now += 10
    assert breaker.retry_after() == 0  # the trial call
    assert breaker.retry_after() > 0  # nobody else while it runs
    breaker.record(True)
    assert breaker.retry_after() == 0 and breaker.failures == 0


def test_a_success_resets_the_failure_count() -> None:
    breaker = CircuitBreaker(BreakerPolicy(failure_threshold=2))
    breaker.record(False)
    breaker.record(True)
    breaker.record(False)
    assert breaker.retry_after() == 0


def scripted(*steps: int | type[Exception]) -> tuple[httpx.MockTransport, list[str]]:
    calls: list[str] = []
    queue = list(steps)

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        step = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(step, int):
            return httpx.Response(step)
        raise step("scripted", request=request)

    return httpx.MockTransport(handler), calls


async def send(
    transport: httpx.AsyncBaseTransport, method: str = "GET", *, attempts: int = 3, threshold: int = 5
) -> tuple[int, Resilience]:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    resilience = Resilience(
        "D",
        retry=RetryPolicy(attempts=attempts, backoff=0.1, max_backoff=0.15),
        breaker=BreakerPolicy(failure_threshold=threshold),
        sleep=sleep,
    )
    async with httpx.AsyncClient(transport=ResilientTransport(transport, resilience)) as client:
        response = await client.request(method, "https://h/x", content=b"body" if method != "GET" else None)
    assert all(0.05 <= s <= 0.15 for s in slept)
    return response.status_code, resilience


@pytest.mark.parametrize(
    ("steps", "method", "status", "calls"),
    [
        ((503, 200), "GET", 200, 2),
        ((502, 504, 200), "GET", 200, 3),
        ((503,), "GET", 503, 3),
        ((500, 200), "GET", 500, 1),
        ((404, 200), "GET", 404, 1),
        ((503, 200), "POST", 503, 1),
        ((503, 200), "PUT", 200, 2),
        ((httpx.ConnectError, 200), "GET", 200, 2),
        ((httpx.ConnectTimeout, 200), "GET", 200, 2),
    ],
)
async def test_retry_only_idempotent_requests_on_connect_errors_and_gateway_statuses(
    steps: tuple[int | type[Exception], ...], method: str, status: int, calls: int
) -> None:
    transport, seen = scripted(*steps)
    assert (await send(transport, method))[0] == status
    assert len(seen) == calls


@pytest.mark.parametrize("error", [httpx.ReadTimeout, httpx.ConnectError])
async def test_errors_after_retries_propagate(error: type[Exception]) -> None:
    transport, seen = scripted(error)
    with pytest.raises(error):
        await send(transport)
    assert len(seen) == (1 if error is httpx.ReadTimeout else 3)


async def test_breaker_rejects_calls_without_touching_the_network() -> None:
    transport, seen = scripted(httpx.ConnectError)
    resilience = Resilience("BusinessPartner", retry=RetryPolicy(attempts=1), breaker=BreakerPolicy(2, 30))
    async with httpx.AsyncClient(transport=ResilientTransport(transport, resilience)) as client:
        for _ in range(2):
            with pytest.raises(httpx.ConnectError):
                await client.get("https://h/x")
        with pytest.raises(CircuitOpenError, match="BusinessPartner") as caught:
            await client.get("https://h/x?secret=1")
    assert len(seen) == 2 and "secret" not in str(caught.value) and caught.value.retry_after > 0
