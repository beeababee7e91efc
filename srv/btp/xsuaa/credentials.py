"""The `xsuaa` binding: what token validation needs from `VCAP_SERVICES`, nothing secret kept.

    "xsuaa": [{"credentials": {"clientid": "sb-bpv!t123", "xsappname": "bpv!t123",
               "uaadomain": "authentication.eu10.hana.ondemand.com",
               "url": "https://bpv-sub.authentication.eu10.hana.ondemand.com",
               "identityzone": "bpv-sub", "identityzoneid": "<uuid>", "tenantmode": "dedicated",
               "verificationkey": "-----BEGIN PUBLIC KEY-----...", "clientsecret": "...", ...}}]

`clientsecret`, `certificate` and `key` are not read: validating a token needs none of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from btp.vcap import ServiceBinding, find_binding, parse_vcap_services

from .errors import XsuaaConfigError
from .trust import is_hostname

_PEM = re.compile(r"-----BEGIN PUBLIC KEY-----(.*?)-----END PUBLIC KEY-----", re.DOTALL)


@dataclass(frozen=True)
class XsuaaCredentials:
    clientid: str
    xsappname: str
    uaadomain: str
    url: str
    identityzone: str | None = None
    zone_id: str | None = None  # identityzoneid / zoneid / tenantid
    tenant_mode: str = "dedicated"  # "shared": multitenant, tokens of subscriber zones are accepted
    verification_key: RSAPublicKey | None = field(default=None, repr=False, compare=False)

    @property
    def trusted_client_ids(self) -> tuple[str, ...]:
        return (self.clientid, self.xsappname)


def credentials_from_mapping(credentials: Mapping[str, Any]) -> XsuaaCredentials:
    def text(*keys: str) -> str | None:
        for key in keys:
            value = credentials.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
        return None

    clientid, xsappname, url = text("clientid"), text("xsappname"), text("url")
    if not clientid or not xsappname or not url:
        raise XsuaaConfigError("the xsuaa binding needs clientid, xsappname and url")
    zone = text("identityzone")
    return XsuaaCredentials(
        clientid=clientid,
        xsappname=xsappname,
        url=url.rstrip("/"),
        uaadomain=_uaadomain(text("uaadomain"), url, zone),
        identityzone=zone,
        zone_id=text("identityzoneid", "zoneid", "tenantid"),
        tenant_mode="shared" if text("tenantmode") == "shared" else "dedicated",
        verification_key=parse_verification_key(text("verificationkey")),
    )


def credentials_from_binding(binding: ServiceBinding) -> XsuaaCredentials:
    return credentials_from_mapping(binding.credentials)


def credentials_from_environ(environ: Mapping[str, str]) -> XsuaaCredentials | None:
    """The first `xsuaa` binding (label or tag) of `VCAP_SERVICES`; None when there is none."""
    binding = find_binding(parse_vcap_services(environ.get("VCAP_SERVICES")), "xsuaa")
    return None if binding is None else credentials_from_binding(binding)


def parse_verification_key(text: str | None) -> RSAPublicKey | None:
    """The binding's `verificationkey` (PEM, possibly on one line, as sap-xssec accepts it); None if absent."""
    if not text:
        return None
    match = _PEM.search(text.replace("\\n", "\n"))
    if match is None:
        raise XsuaaConfigError("verificationkey of the xsuaa binding is no PEM public key")
    body = re.sub(r"\s+", "", match.group(1))
    pem = "-----BEGIN PUBLIC KEY-----\n" + "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    try:
        key = load_pem_public_key((pem + "\n-----END PUBLIC KEY-----\n").encode())
    except ValueError as exc:
        raise XsuaaConfigError("verificationkey of the xsuaa binding cannot be read") from exc
    if not isinstance(key, RSAPublicKey):
        raise XsuaaConfigError("verificationkey of the xsuaa binding is no RSA key")
    return key


def _uaadomain(uaadomain: str | None, url: str, zone: str | None) -> str:
    """`uaadomain`, or (as sap-xssec does) derived from `url` without the identity zone's label."""
    if uaadomain:
        domain = uaadomain.lower().removeprefix("https://").rstrip("/")
    else:
        host = (urlsplit(url).hostname or "").lower()
        domain = host.removeprefix(f"{zone.lower()}.") if zone else host
    if not is_hostname(domain):
        raise XsuaaConfigError("uaadomain of the xsuaa binding is no host name")
    return domain
