"""Which hosts are trusted: the binding's `uaadomain` and its subdomains, nothing a token says otherwise. Pure.

Rule 1: keys come only from `https://<subdomain>.<uaadomain>/token_keys?zid=<zid>`, built from the binding.
        A token's `jku` is never dereferenced.
Rule 2: a token that carries a `jku` must name a host inside the `uaadomain` (https, default port, no user
        info); a foreign or look-alike host (`auth.test.evil.com`, `evil-auth.test`, `auth.test@evil.com`)
        marks a forged token, which is rejected before any key is fetched.
Rule 3: `iss` must be an https URL on a host inside the `uaadomain`, like `jku`.
Rule 4: host names are compared label by label after lower-casing; every label must be an LDH label, so
        percent-encoding, backslashes, homoglyphs and IP addresses never match.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode, urlsplit

from .errors import IssuerError, UntrustedKeyError

_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_ZONE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}")
_UNSAFE = re.compile(r"[\s\\]|[\x00-\x1f\x7f]")


def is_dns_label(text: str) -> bool:
    return _LABEL.fullmatch(text) is not None


def is_hostname(text: str) -> bool:
    labels = text.split(".")
    return len(labels) >= 2 and all(is_dns_label(label) for label in labels)


def is_zone_id(text: str) -> bool:
    return _ZONE_ID.fullmatch(text) is not None


def in_domain(host: str, domain: str) -> bool:
    """`host` is `domain` or one of its subdomains (Rule 4)."""
    host, domain = host.lower(), domain.lower()
    return is_hostname(host) and (host == domain or host.endswith("." + domain))


def trusted_host(url: str, domain: str) -> str | None:
    """The host of `url` when it is an https URL inside `domain` (Rules 2-4), else None."""
    if not url or _UNSAFE.search(url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname or ""
    if parts.scheme != "https" or parts.username is not None or port not in (None, 443):
        return None
    return host if in_domain(host, domain) else None


def check_jku(jku: object, uaadomain: str) -> None:
    if not isinstance(jku, str) or trusted_host(jku, uaadomain) is None:
        raise UntrustedKeyError("the token's jku is not inside the uaadomain of the binding", reason="jku")


def check_issuer(iss: object, uaadomain: str) -> None:
    if not isinstance(iss, str) or trusted_host(iss, uaadomain) is None:
        raise IssuerError("the token's issuer is not inside the uaadomain of the binding")


def key_url(uaadomain: str, subdomain: str | None, zone_id: str) -> str:
    """Rule 1. `subdomain` must be one DNS label (the identity zone); None → the bare uaadomain."""
    subdomain = subdomain.lower() if subdomain else None
    if subdomain is not None and not is_dns_label(subdomain):
        subdomain = None
    host = f"{subdomain}.{uaadomain}" if subdomain else uaadomain
    return f"https://{host}/token_keys?{urlencode({'zid': zone_id})}"
