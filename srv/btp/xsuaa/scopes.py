"""Scopes and audiences as XSUAA defines them. Pure.

A scope is `<xsappname>.<local name>` (`bpv!t123.Validator`); `$XSAPPNAME` in xs-security.json stands for the
generated xsappname including its plan suffix (`!t<n>` application plan, `!b<n>` broker plan).

Audience rule (sap-xssec `JwtAudienceValidator`, kept identical): trusted ids = {clientid, xsappname}. A token
is for us when
  (a) its `cid` is our clientid, or
  (b) a trusted id containing `!b` is the end of an audience `<clone>|<trusted id>` (broker clones), or
  (c) a trusted id is among the audiences, each `aud` entry cut at its first "."; when `aud` is empty the
      audiences are derived from the scopes the same way (`bpv!t123.Viewer` → `bpv!t123`) plus `cid`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

XSAPPNAME = "$XSAPPNAME"


def resolve_scope(scope: str, xsappname: str) -> str:
    """`$XSAPPNAME.Viewer` → `bpv!t123.Viewer`; other scopes unchanged."""
    prefix = XSAPPNAME + "."
    return xsappname + "." + scope[len(prefix) :] if scope.startswith(prefix) else scope


def local_scopes(scopes: Iterable[str], xsappname: str) -> frozenset[str]:
    """The local names of this application's scopes: {`Viewer`} for `bpv!t123.Viewer`; others dropped."""
    prefix = xsappname + "."
    return frozenset(s[len(prefix) :] for s in scopes if s.startswith(prefix) and len(s) > len(prefix))


def token_audiences(aud: Sequence[str], scopes: Sequence[str], cid: str) -> frozenset[str]:
    if aud:
        return frozenset(a.split(".", 1)[0] for a in aud)
    return frozenset([*(s.split(".", 1)[0] for s in scopes if "." in s), cid])


def audience_matches(trusted: Sequence[str], *, cid: str, aud: Sequence[str], scopes: Sequence[str]) -> bool:
    if cid in trusted:
        return True
    allowed = token_audiences(aud, scopes, cid)
    brokers = [t for t in trusted if "!b" in t]
    if any(a.endswith("|" + b) for b in brokers for a in allowed):
        return True
    return any(t in allowed for t in trusted)
