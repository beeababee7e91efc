"""Destination parsing, TrustAll semantics and request headers per authentication type: pure, table-driven."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from btp import AuthenticationConfigError, AuthTokenError, ConfigurationError, Destination, ProxyType
from btp.authentication import query_parameters, request_headers
from btp.destination import from_environment, from_lookup, is_true


@pytest.mark.parametrize(
    ("value", "on"),
    [
        ("true", True),
        ("TRUE", True),
        ("True", True),
        (True, True),
        (" true ", True),
        ("false", False),
        (False, False),
        ("yes", False),
        ("1", False),
        (1, False),
        (None, False),
        ("", False),
    ],
)
def test_trust_all_semantics_match_the_sdk(value: Any, on: bool) -> None:
    assert is_true(value) is on


def test_lookup_result_is_parsed_with_level_tokens_and_certificates() -> None:
    body = {
        "owner": {"SubaccountId": "s", "InstanceId": "i"},
        "destinationConfiguration": {"Name": "X", "URL": "https://h/", "ProxyType": "privatelink"},
        "certificates": [{"Name": "a.pem", "Type": "CERTIFICATE", "Content": base64.b64encode(b"PEM").decode()}],
        "authTokens": [
            {
                "type": "bearer",
                "value": "v",
                "expires_in": "3600",
                "http_header": {"key": "Authorization", "value": "Bearer v"},
            }
        ],
    }
    destination = from_lookup("X", body)
    assert (destination.level, destination.url) == ("instance", "https://h")
    assert destination.proxy_type is ProxyType.PRIVATE_LINK
    assert destination.certificate("a.pem").content == b"PEM"  # type: ignore[union-attr]
    assert destination.auth_tokens[0].header_value == "Bearer v" and destination.auth_tokens[0].expires_in == 3600
    assert "Bearer v" not in repr(destination)
    body["owner"] = {"SubaccountId": "s", "InstanceId": None}
    assert from_lookup("X", body).level == "subaccount"


@pytest.mark.parametrize(
    ("config", "message"),
    [({}, "has no URL"), ({"URL": "x", "Type": "RFC"}, "only HTTP"), ({"URL": "x", "ProxyType": "Socks"}, "ProxyType")],
)
def test_unusable_configuration_is_an_error(config: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        from_lookup("X", {"destinationConfiguration": config}).proxy_type  # noqa: B018


def test_environment_variable_in_sdk_and_service_format() -> None:
    text = json.dumps(
        [
            {
                "name": "A",
                "url": "https://a",
                "username": "u",
                "password": "p",
                "proxyType": "PrivateLink",
                "isTrustingAllCertificates": True,
                "sapClient": "100",
                "headers": {"x-h": "1"},
                "queryParameters": {"q": "2"},
                "trustStoreCertificate": {"name": "t.pem", "content": "UEVN"},
            },
            {"Name": "B", "URL": "https://b", "Authentication": "NoAuthentication", "TrustAll": "TRUE"},
            {"name": "A", "url": "https://duplicate"},
        ]
    )
    a, b, _ = from_environment(text)
    assert (a.source, a.authentication, a.trust_all, a.get("sap-client")) == (
        "environment",
        "BasicAuthentication",
        True,
        "100",
    )
    assert a.prefixed("URL.headers.") == {"x-h": "1"} and query_parameters(a) == {"q": "2"}
    assert a.get("TrustStoreLocation") == "t.pem" and a.certificate("t.pem").content == b"PEM"  # type: ignore[union-attr]
    assert b.trust_all and b.level is None


@pytest.mark.parametrize("text", ["[{", "{}", "42"])
def test_environment_variable_that_is_no_json_array_is_an_error(text: str) -> None:
    with pytest.raises(ConfigurationError, match="destinations environment variable"):
        from_environment(text)


def destination(**properties: Any) -> Destination:
    tokens = properties.pop("tokens", ())
    return from_lookup("D", {"destinationConfiguration": {"URL": "https://h", **properties}, "authTokens": tokens})


TOKEN = [{"type": "bearer", "value": "t", "http_header": {"key": "Authorization", "value": "Bearer t"}}]


@pytest.mark.parametrize(
    ("properties", "user_jwt", "expected"),
    [
        ({}, None, {}),
        ({"Authentication": "NoAuthentication"}, None, {}),
        ({"User": "u", "Password": "p"}, None, {"Authorization": "Basic dTpw"}),
        (
            {"Authentication": "BasicAuthentication", "User": "u", "Password": "p"},
            None,
            {"Authorization": "Basic dTpw"},
        ),
        ({"Authentication": "OAuth2ClientCredentials", "tokens": TOKEN}, None, {"Authorization": "Bearer t"}),
        ({"Authentication": "OAuth2Password", "tokens": TOKEN}, None, {"Authorization": "Bearer t"}),
        ({"Authentication": "OAuth2SAMLBearerAssertion", "tokens": TOKEN}, "jwt", {"Authorization": "Bearer t"}),
        ({"Authentication": "OAuth2UserTokenExchange", "tokens": TOKEN}, "jwt", {"Authorization": "Bearer t"}),
        ({"Authentication": "OAuth2JWTBearer", "tokens": TOKEN}, "jwt", {"Authorization": "Bearer t"}),
        ({"Authentication": "OAuth2RefreshToken", "tokens": TOKEN}, None, {"Authorization": "Bearer t"}),
        (
            {"Authentication": "SAMLAssertion", "tokens": TOKEN},
            None,
            {"Authorization": "Bearer t", "x-sap-security-session": "create"},
        ),
        (
            {"Authentication": "PrincipalPropagation", "ProxyType": "OnPremise"},
            "jwt",
            {"SAP-Connectivity-Authentication": "Bearer jwt"},
        ),
        ({"Authentication": "ClientCertificateAuthentication"}, None, {}),
        ({"forwardAuthToken": "true"}, "jwt", {"Authorization": "Bearer jwt"}),
        ({"HTML5.ForwardAuthToken": True}, "jwt", {"Authorization": "Bearer jwt"}),
        ({"sap-client": "100", "URL.headers.x-a": "1"}, None, {"sap-client": "100", "x-a": "1"}),
        (
            {"ProxyType": "OnPremise", "CloudConnectorLocationId": "L1"},
            None,
            {"SAP-Connectivity-SCC-Location_ID": "L1"},
        ),
        ({"ProxyType": "PrivateLink", "CloudConnectorLocationId": "L1"}, None, {}),
        ({"User": "u", "Password": "p", "URL.headers.Authorization": "Custom x"}, None, {"Authorization": "Custom x"}),
    ],
)
def test_every_authentication_type_produces_its_header(
    properties: dict[str, Any], user_jwt: str | None, expected: dict[str, str]
) -> None:
    assert request_headers(destination(**properties), user_jwt=user_jwt) == expected


@pytest.mark.parametrize(
    ("properties", "error", "message"),
    [
        ({"Authentication": "BasicAuthentication", "User": "u"}, AuthenticationConfigError, "User and/or Password"),
        (
            {"Authentication": "PrincipalPropagation", "ProxyType": "PrivateLink"},
            AuthenticationConfigError,
            "only with ProxyType OnPremise",
        ),
        ({"Authentication": "PrincipalPropagation", "ProxyType": "OnPremise"}, AuthenticationConfigError, "JWT"),
        ({"forwardAuthToken": True}, AuthenticationConfigError, "JWT"),
        ({"Authentication": "OAuth2ClientCredentials"}, AuthTokenError, "no auth tokens could be fetched"),
        (
            {"Authentication": "OAuth2ClientCredentials", "tokens": [{"error": "boom 1"}, {"error": "boom 2"}]},
            AuthTokenError,
            "boom 1; boom 2",
        ),
        ({"Authentication": "Kerberos"}, AuthenticationConfigError, "not supported"),
    ],
)
def test_authentication_errors(properties: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        request_headers(destination(**properties))
