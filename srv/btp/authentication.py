"""Request headers and query parameters a destination asks for, per authentication type. Pure.

Precedence (as the SAP Cloud SDK): headers set on the request itself > `URL.headers.*` of the destination >
headers computed here. `ClientCertificateAuthentication` adds no header: it is a TLS client certificate.
"""

from __future__ import annotations

import base64

from .destination import Destination, ProxyType, is_true
from .errors import AuthenticationConfigError, AuthTokenError

TOKEN_TYPES = frozenset(
    {
        "OAuth2ClientCredentials",
        "OAuth2Password",
        "OAuth2SAMLBearerAssertion",
        "OAuth2UserTokenExchange",
        "OAuth2JWTBearer",
        "OAuth2RefreshToken",
        "OAuth2AuthorizationCode",
        "OAuth2TechnicalUserPropagation",
        "SAMLAssertion",
    }
)
NO_HEADER_TYPES = frozenset({"NoAuthentication", "ClientCertificateAuthentication"})


def request_headers(destination: Destination, *, user_jwt: str | None = None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if destination.get("sap-client"):
        headers["sap-client"] = str(destination.get("sap-client"))
    if destination.proxy_type is ProxyType.ON_PREMISE and destination.get("CloudConnectorLocationId"):
        headers["SAP-Connectivity-SCC-Location_ID"] = str(destination.get("CloudConnectorLocationId"))
    headers.update(auth_headers(destination, user_jwt=user_jwt))
    headers.update(destination.prefixed("URL.headers."))
    return headers


def query_parameters(destination: Destination) -> dict[str, str]:
    return destination.prefixed("URL.queries.")


def auth_headers(destination: Destination, *, user_jwt: str | None = None) -> dict[str, str]:
    kind = destination.authentication
    if is_true(destination.properties.get("forwardAuthToken")) or is_true(
        destination.properties.get("HTML5.ForwardAuthToken")
    ):
        return {"Authorization": f"Bearer {_require_jwt(destination, 'forwardAuthToken', user_jwt)}"}
    if kind in NO_HEADER_TYPES:
        return {}
    if kind == "BasicAuthentication":
        return {"Authorization": _basic(destination)}
    if kind == "PrincipalPropagation":
        return _principal_propagation(destination, user_jwt)
    if kind in TOKEN_TYPES:
        headers = _token_header(destination)
        if kind == "SAMLAssertion":
            headers["x-sap-security-session"] = "create"
        return headers
    raise AuthenticationConfigError(
        f"destination {destination.name} uses authentication {kind}, which is not supported",
        destination=destination.name,
        hint="supported: NoAuthentication, BasicAuthentication, OAuth2* flows, "
        "SAMLAssertion, PrincipalPropagation (OnPremise), "
        "ClientCertificateAuthentication",
    )


def _basic(destination: Destination) -> str:
    user, password = destination.get("User"), destination.get("Password")
    if not user or not password:
        raise AuthenticationConfigError(
            f"destination {destination.name} uses BasicAuthentication but User and/or Password are missing",
            destination=destination.name,
            hint="set User and Password on the destination",
        )
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


def _require_jwt(destination: Destination, purpose: str, user_jwt: str | None) -> str:
    if not user_jwt:
        raise AuthenticationConfigError(
            f"destination {destination.name} needs the user's JWT for {purpose}, but none was given",
            destination=destination.name,
            hint="pass user_jwt (the incoming request's token) when connecting",
        )
    return user_jwt


def _principal_propagation(destination: Destination, user_jwt: str | None) -> dict[str, str]:
    if destination.proxy_type is not ProxyType.ON_PREMISE:
        raise AuthenticationConfigError(
            f"destination {destination.name}: PrincipalPropagation works only with ProxyType OnPremise (Cloud "
            f"Connector), not {destination.proxy_type.value}",
            destination=destination.name,
            hint="use an OAuth2 flow (e.g. OAuth2SAMLBearerAssertion) or BasicAuthentication for "
            f"{destination.proxy_type.value}",
        )
    return {"SAP-Connectivity-Authentication": f"Bearer {_require_jwt(destination, 'PrincipalPropagation', user_jwt)}"}


def _token_header(destination: Destination) -> dict[str, str]:
    tokens = destination.auth_tokens
    usable = [t for t in tokens if not t.error and t.header_value]
    if usable:
        return {usable[0].header_name: usable[0].header_value}
    errors = tuple(t.error for t in tokens if t.error)
    if errors:
        raise AuthTokenError(
            f"the destination service could not get a token for {destination.name}: " + "; ".join(errors),
            destination=destination.name,
            errors=errors,
        )
    raise AuthTokenError(
        f"destination {destination.name} uses {destination.authentication}, but no auth tokens "
        "could be fetched from the destination service",
        destination=destination.name,
    )
