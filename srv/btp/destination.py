"""A destination as the Destination service describes it: properties, authTokens, certificates. Pure parsing.

Property names are the service's (`URL`, `ProxyType`, `TrustAll`, …); entries of the `destinations`
environment variable in the SAP Cloud SDK's format (`url`, `proxyType`, `isTrustingAllCertificates`, …)
are mapped onto them (see `from_environment`).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .errors import ConfigurationError


class ProxyType(StrEnum):
    INTERNET = "Internet"
    ON_PREMISE = "OnPremise"
    PRIVATE_LINK = "PrivateLink"


@dataclass(frozen=True)
class AuthToken:
    type: str
    header_name: str = "Authorization"
    header_value: str = field(default="", repr=False)
    expires_in: float | None = None
    error: str | None = None


@dataclass(frozen=True)
class CertificateFile:
    name: str
    content: bytes = field(repr=False)
    type: str | None = None


def is_true(value: Any) -> bool:
    """TrustAll semantics of the SAP Cloud SDK: boolean true or the string "true" in any case; all else is off."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


@dataclass(frozen=True)
class Destination:
    name: str
    url: str
    properties: Mapping[str, Any] = field(default_factory=dict, repr=False)
    auth_tokens: tuple[AuthToken, ...] = ()
    certificates: tuple[CertificateFile, ...] = ()
    source: str = "service"  # "service" | "environment"
    level: str | None = None  # "instance" | "subaccount" for the service

    def get(self, key: str) -> str | None:
        value = self.properties.get(key)
        return None if value is None or value == "" else str(value)

    @property
    def authentication(self) -> str:
        declared = self.get("Authentication")
        if declared:
            return declared
        return "BasicAuthentication" if self.get("User") and self.get("Password") else "NoAuthentication"

    @property
    def proxy_type(self) -> ProxyType:
        declared = (self.get("ProxyType") or "Internet").strip()
        for member in ProxyType:
            if member.value.lower() == declared.lower():
                return member
        raise ConfigurationError(
            f"destination {self.name} has ProxyType {declared!r}",
            hint="use Internet, OnPremise or PrivateLink",
            destination=self.name,
        )

    @property
    def trust_all(self) -> bool:
        return is_true(self.properties.get("TrustAll"))

    def prefixed(self, prefix: str) -> dict[str, str]:
        """`URL.headers.<name>` / `URL.queries.<name>` properties as {name: value}."""
        return {k[len(prefix) :]: str(v) for k, v in self.properties.items() if k.startswith(prefix) and v is not None}

    def certificate(self, name: str) -> CertificateFile | None:
        return next((c for c in self.certificates if c.name == name), None)


def _decode(content: Any) -> bytes:
    if not isinstance(content, str):
        return b""
    try:
        return base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        return content.encode("utf-8")  # not base64: keep as given (e.g. a PEM text); the store loader judges it


def parse_certificates(items: Any) -> tuple[CertificateFile, ...]:
    return tuple(
        CertificateFile(
            name=str(c.get("Name") or c.get("name")),
            content=_decode(c.get("Content") or c.get("content")),
            type=c.get("Type") or c.get("type"),
        )
        for c in items or ()
        if isinstance(c, dict)
    )


def _auth_tokens(items: Any) -> tuple[AuthToken, ...]:
    tokens = []
    for item in items or ():
        if not isinstance(item, dict):
            continue
        header: dict[str, Any] = item["http_header"] if isinstance(item.get("http_header"), dict) else {}
        value = header.get("value") or (f"{item.get('type', 'Bearer')} {item['value']}" if item.get("value") else "")
        tokens.append(
            AuthToken(
                type=str(item.get("type") or ""),
                header_name=str(header.get("key") or "Authorization"),
                header_value=str(value),
                error=item.get("error") or None,
                expires_in=_seconds(item.get("expires_in")),
            )
        )
    return tuple(tokens)


def _seconds(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _checked(name: str, properties: Mapping[str, Any], **extra: Any) -> Destination:
    url = properties.get("URL")
    if not url:
        raise ConfigurationError(f"destination {name} has no URL", destination=name)
    kind = str(properties.get("Type") or "HTTP")
    if kind.upper() != "HTTP":
        raise ConfigurationError(
            f"destination {name} has Type {kind}; only HTTP destinations are supported", destination=name
        )
    return Destination(name=name, url=str(url).rstrip("/"), properties=properties, **extra)


def from_lookup(name: str, body: Any) -> Destination:
    """A `GET /destination-configuration/v1/destinations/{name}` result (DestinationLookUpResult)."""
    if not isinstance(body, dict) or not isinstance(body.get("destinationConfiguration"), dict):
        raise ValueError("no destinationConfiguration in the lookup result")
    owner: dict[str, Any] = body["owner"] if isinstance(body.get("owner"), dict) else {}
    return _checked(
        name,
        body["destinationConfiguration"],
        auth_tokens=_auth_tokens(body.get("authTokens")),
        certificates=parse_certificates(body.get("certificates")),
        source="service",
        level="instance" if owner.get("InstanceId") else "subaccount",
    )


_SDK_NAMES = {
    "url": "URL",
    "username": "User",
    "password": "Password",
    "authentication": "Authentication",
    "proxyType": "ProxyType",
    "isTrustingAllCertificates": "TrustAll",
    "sapClient": "sap-client",
    "cloudConnectorLocationId": "CloudConnectorLocationId",
    "tokenServiceUrl": "tokenServiceURL",
    "tokenServiceURL": "tokenServiceURL",
    "clientId": "clientId",
    "clientSecret": "clientSecret",
    "forwardAuthToken": "forwardAuthToken",
    "keyStoreName": "KeyStoreLocation",
    "keyStorePassword": "KeyStorePassword",
    "type": "Type",
}


def _from_sdk_format(entry: Mapping[str, Any]) -> dict[str, Any]:
    properties = {_SDK_NAMES[k]: v for k, v in entry.items() if k in _SDK_NAMES}
    properties.update({f"URL.headers.{k}": v for k, v in (entry.get("headers") or {}).items()})
    properties.update({f"URL.queries.{k}": v for k, v in (entry.get("queryParameters") or {}).items()})
    trust = entry.get("trustStoreCertificate")
    if isinstance(trust, dict) and trust.get("name"):
        properties["TrustStoreLocation"] = trust["name"]
    return properties


def from_environment(text: str) -> list[Destination]:
    """The `destinations` variable: a JSON array of SDK-format (`url`) or service-format (`URL`) entries."""
    try:
        entries = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(
            f"the destinations environment variable is not valid JSON (line {exc.lineno}, column {exc.colno})",
            hint="it must be a JSON array of destinations",
        ) from exc
    if not isinstance(entries, list):
        raise ConfigurationError("the destinations environment variable must be a JSON array")
    return [_environment_entry(e) for e in entries if isinstance(e, dict)]


def _environment_entry(entry: Mapping[str, Any]) -> Destination:
    name = str(entry.get("name") or entry.get("Name") or "")
    properties = dict(entry) if "URL" in entry else _from_sdk_format(entry)
    properties.setdefault("Name", name)
    certificates = parse_certificates(entry.get("certificates"))
    trust = entry.get("trustStoreCertificate")
    if isinstance(trust, dict):
        certificates += parse_certificates([trust])
    return _checked(
        name,
        properties,
        certificates=certificates,
        auth_tokens=_auth_tokens(entry.get("authTokens")),
        source="environment",
    )
