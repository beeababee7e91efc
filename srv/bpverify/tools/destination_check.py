"""One connection check of a destination, step by step, exactly as the service resolves and calls it.

Steps: binding → token → lookup → proxy → trust (server certificate) → authentication → request. The first
failing step ends the check; its error's `outcome` (ok, tls_error, config_error, auth_error, http_<status>,
destination_error, not_found) is the report's. No secret is ever put into the report.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from btp import (
    AuthenticationError,
    BTPError,
    ConnectivitySettings,
    DestinationClientFactory,
    DestinationNotFoundError,
    DestinationServiceError,
    ProxyType,
    ResolvedDestination,
    StoreError,
    TokenError,
    peer_certificate,
)
from btp.destination import from_environment
from btp.vcap import find_binding

DEFAULT_PATH = "/sap/opu/odata/sap/API_BUSINESS_PARTNER/"


@dataclass
class Report:
    destination: str
    outcome: str = "ok"
    steps: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    hint: str | None = None

    def step(self, name: str, detail: str, ok: bool = True, **extra: Any) -> None:
        self.steps.append({"step": name, "ok": ok, "detail": detail, **extra})

    def fail(self, step: str, exc: BTPError) -> Report:
        self.outcome, self.error, self.hint = exc.outcome, exc.message, exc.hint
        self.step(step, exc.message, ok=False)
        return self

    def as_dict(self) -> dict[str, Any]:
        return {
            "destination": self.destination,
            "outcome": self.outcome,
            "steps": self.steps,
            "error": self.error,
            "hint": self.hint,
        }


def _failed_step(exc: BTPError) -> str:
    if isinstance(exc, TokenError):
        return "token"
    if isinstance(exc, DestinationNotFoundError | DestinationServiceError):
        return "lookup"
    if isinstance(exc, StoreError):
        return "trust" if exc.kind == "truststore" else "authentication"
    return "authentication" if isinstance(exc, AuthenticationError) else "binding"


async def check(
    name: str, path: str = DEFAULT_PATH, *, settings: ConnectivitySettings | None = None, tenant: str | None = None
) -> Report:
    report = Report(name)
    async with DestinationClientFactory(settings) as factory:
        _binding_step(report, factory, name)
        try:
            resolved = await factory.resolve(name, tenant=tenant)
        except BTPError as exc:
            return report.fail(_failed_step(exc), exc)
        _lookup_steps(report, resolved)
        await _trust_step(report, resolved, factory.settings)
        report.step("authentication", resolved.destination.authentication)
        try:
            async with await factory.connect(name, tenant=tenant) as client:
                response = await client.get(path)
        except BTPError as exc:
            return report.fail("request", exc)
        report.step(
            "request",
            f"GET {response.request.url.copy_with(query=None)} -> HTTP {response.status_code}",
            ok=response.is_success,
            status=response.status_code,
        )
        if not response.is_success:
            report.outcome = f"http_{response.status_code}"
            report.hint = _status_hint(response.status_code)
    return report


def _binding_step(report: Report, factory: DestinationClientFactory, name: str) -> None:
    try:
        local = [d.name for d in from_environment(factory.environ.get("destinations") or "[]")]
    except BTPError:
        local = []  # the lookup reports the broken variable
    if name in local:
        report.step("binding", "destinations environment variable (local development)")
        return
    binding = find_binding(factory.bindings, "destination")
    if binding is not None:
        report.step("binding", f"destination service binding '{binding.name}'")


def _lookup_steps(report: Report, resolved: ResolvedDestination) -> None:
    destination = resolved.destination
    if destination.source == "service":
        report.step("token", "client-credentials token of the destination binding")
        report.step("lookup", f"found at {destination.level} level", level=destination.level)
    else:
        report.step("lookup", "found in the destinations environment variable")
    proxy = resolved.proxy_type
    how = {
        ProxyType.PRIVATE_LINK: "direct to the private host name, no proxy",
        ProxyType.ON_PREMISE: "through the connectivity proxy (Cloud Connector)",
        ProxyType.INTERNET: "direct, or through HTTPS_PROXY/HTTP_PROXY",
    }[proxy]
    report.step("proxy", f"{proxy.value}: {how}", proxy_type=proxy.value, url=resolved.url)


async def _trust_step(report: Report, resolved: ResolvedDestination, settings: ConnectivitySettings) -> None:
    import httpx

    url = httpx.URL(resolved.url)
    extra: dict[str, Any] = {"trust": resolved.trust}
    if url.scheme == "https" and resolved.proxy_type is not ProxyType.ON_PREMISE:
        info = await peer_certificate(url.host, url.port or 443, address=settings.resolve.get(url.host))
        if info is not None:
            extra["certificate"] = {
                "subject": info.subject,
                "names": list(info.names),
                "issuer": info.issuer,
                "not_after": info.not_after.isoformat(),
                "sha256": info.sha256,
            }
    report.step("trust", resolved.trust, **extra)


def _status_hint(status: int) -> str | None:
    return {
        401: "check User/Password or the OAuth settings of the destination",
        403: "the technical user lacks authorization for this service in S/4HANA",
        404: "check --path (the service root) and that the OData service is activated (/IWFND/MAINT_SERVICE)",
    }.get(status)


def default_name() -> str:
    return os.environ.get("S4_DESTINATION") or "BusinessPartner"
