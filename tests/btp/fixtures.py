"""The destination fixtures of the connectivity notes (§12, §13), rebuilt for our fake BTP, with expected outcomes.

`EXPECTED` is the notes' "expected (Python)" column; where the notes allow "either" we pin our behaviour.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from .certs import Issued
from .fakebtp import S4_PASSWORD, S4_USER

PASSWORD = "changeit"
PL_HOST = "s4.privatelink.test"
BP_PATH = "/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner"

EXPECTED: dict[str, str] = {
    "BusinessPartner": "ok",
    "BP_PL_TRUSTALL": "ok",
    "BP_PL_TRUSTALL_BOOL": "ok",
    "BP_PL_TRUSTALL_UPPER": "ok",
    "BP_PL_TRUSTALL_FALSE": "tls_error",
    "BP_PL_NOTRUST": "tls_error",
    "BP_PL_IP_TRUSTSTORE": "ok",
    "BP_PL_PEM_UPPER_EXT": "ok",
    "BP_PL_DOTTED_NAME": "ok",
    "BP_PL_DER": "ok",
    "BP_PL_CER_DER": "ok",
    "BP_PL_CRT_PEM": "ok",
    "BP_PL_P12": "ok",
    "BP_PL_JKS": "ok",
    "BP_PL_P12_WRONGPW": "config_error",
    "BP_PL_MISSING_CERT": "config_error",
    "BP_PL_GARBAGE_PEM": "config_error",
    "BP_PL_MISMATCH_TRUSTSTORE": "tls_error",
    "BP_PL_MISMATCH_TRUSTALL": "ok",
    "BP_PL_PRIVATECA": "ok",
    "BP_PL_PRIVATECA_NOTRUST": "tls_error",
    "BP_PL_PRIVATECA_LEAFONLY": "ok",  # notes: "either"; we trust any certificate in the store (partial chain)
    "BP_PL_BUNDLE": "ok",
    "BP_PL_EXPIRED_TRUSTSTORE": "tls_error",
    "BP_PL_EXPIRED_TRUSTALL": "ok",
    "BP_PL_HTTP_TRUSTALL": "ok",
    "BP_PL_BASIC": "ok",
    "BP_PL_BASIC_WRONGPW": "http_401",
    "BP_PL_OAUTH2CC": "ok",
    "BP_PL_OAUTH2CC_TOKENERROR": "auth_error",
    "BP_PL_PRINCIPALPROP": "auth_error",
    "BP_PL_SAPCLIENT": "ok",
    "BP_INSTANCE": "ok",
    "BP_INTERNET_BASIC": "ok",
    "BP_ONPREM_BASIC": "ok",
    "BP_ONPREM_NOAUTH": "ok",
    "BP_DS_500": "destination_error",
    "BP_DS_SLOW": "destination_error",
    "BP_CLIENTCERT_P12": "ok",
    "BP_CLIENTCERT_PFX": "ok",
    "BP_CLIENTCERT_PEM": "ok",
    "BP_CLIENTCERT_JKS": "ok",
    "BP_CLIENTCERT_WRONGPW": "config_error",
    "BP_CLIENTCERT_MISSING": "config_error",
    "BP_CLIENTCERT_DER": "config_error",
    "BP_MTLS_NOCLIENTCERT": "tls_error",
    "BP_NOT_THERE": "not_found",
    "ENV_PL_TRUSTALL": "ok",
    "ENV_PL_TRUSTALL_STR": "ok",
    "ENV_PL_TRUSTSTORE": "ok",
    "ENV_PL_NOTRUST": "tls_error",
    "ENV_BASIC": "ok",
    "ENV_UPPER_TRUSTALL": "ok",
    "ENV_UPPER_TRUSTSTORE_LOCATION": "config_error",  # JS: silent TLS error; we name the missing certificate
}


@dataclass
class Certs:
    selfsigned: Issued
    ca: Issued
    privateca_leaf: Issued
    mismatch: Issued
    expired: Issued
    other: Issued
    client_ca: Issued
    client: Issued


@dataclass
class Ports:
    selfsigned: int
    privateca: int
    mismatch: int
    expired: int
    mtls: int
    http: int


def _pl(port: int, **config: Any) -> dict[str, Any]:
    return {
        "config": {
            "URL": f"https://{PL_HOST}:{port}",
            "ProxyType": "PrivateLink",
            "Authentication": "NoAuthentication",
            **config,
        }
    }


def service_destinations(ports: Ports) -> dict[str, dict[str, Any]]:
    ss, trust = ports.selfsigned, {"TrustStoreLocation": "s4-selfsigned.pem"}
    basic = {"Authentication": "BasicAuthentication", "User": S4_USER, "Password": S4_PASSWORD}
    d: dict[str, dict[str, Any]] = {
        "BusinessPartner": _pl(ss, **trust),
        "BP_PL_NOTRUST": _pl(ss),
        "BP_PL_TRUSTALL": _pl(ss, TrustAll="true"),
        "BP_PL_TRUSTALL_BOOL": _pl(ss, TrustAll=True),
        "BP_PL_TRUSTALL_UPPER": _pl(ss, TrustAll="TRUE"),
        "BP_PL_TRUSTALL_FALSE": _pl(ss, TrustAll="false"),
        "BP_PL_IP_TRUSTSTORE": {"config": {"URL": f"https://127.0.0.1:{ss}", "ProxyType": "PrivateLink", **trust}},
        "BP_PL_PEM_UPPER_EXT": _pl(ss, TrustStoreLocation="s4-selfsigned.PEM"),
        "BP_PL_DOTTED_NAME": _pl(ss, TrustStoreLocation="s4.selfsigned.pem"),
        "BP_PL_DER": _pl(ss, TrustStoreLocation="s4-selfsigned.der"),
        "BP_PL_CER_DER": _pl(ss, TrustStoreLocation="s4-selfsigned.cer"),
        "BP_PL_CRT_PEM": _pl(ss, TrustStoreLocation="s4-selfsigned.crt"),
        "BP_PL_P12": _pl(ss, TrustStoreLocation="s4-truststore.p12", TrustStorePassword=PASSWORD),
        "BP_PL_JKS": _pl(ss, TrustStoreLocation="s4-truststore.jks", TrustStorePassword=PASSWORD),
        "BP_PL_P12_WRONGPW": _pl(ss, TrustStoreLocation="s4-truststore.p12", TrustStorePassword="wrong-pw-7"),
        "BP_PL_MISSING_CERT": _pl(ss, TrustStoreLocation="does-not-exist.pem"),
        "BP_PL_GARBAGE_PEM": _pl(ss, TrustStoreLocation="not-a-cert.pem"),
        "BP_PL_MISMATCH_TRUSTSTORE": _pl(ports.mismatch, TrustStoreLocation="s4-wrong-host.pem"),
        "BP_PL_MISMATCH_TRUSTALL": _pl(ports.mismatch, TrustAll="true"),
        "BP_PL_PRIVATECA": _pl(ports.privateca, TrustStoreLocation="private-ca.pem"),
        "BP_PL_PRIVATECA_NOTRUST": _pl(ports.privateca),
        "BP_PL_PRIVATECA_LEAFONLY": _pl(ports.privateca, TrustStoreLocation="privateca-leaf.pem"),
        "BP_PL_BUNDLE": _pl(ss, TrustStoreLocation="bundle.pem"),
        "BP_PL_EXPIRED_TRUSTSTORE": _pl(ports.expired, TrustStoreLocation="s4-expired.pem"),
        "BP_PL_EXPIRED_TRUSTALL": _pl(ports.expired, TrustAll="true"),
        "BP_PL_HTTP_TRUSTALL": {
            "config": {"URL": f"http://{PL_HOST}:{ports.http}", "ProxyType": "PrivateLink", "TrustAll": "true"}
        },
        "BP_PL_BASIC": _pl(ss, **trust, **basic),
        "BP_PL_BASIC_WRONGPW": _pl(ss, **trust, **{**basic, "Password": "wrong-S4-password"}),
        "BP_PL_OAUTH2CC": {
            **_pl(ss, **trust, Authentication="OAuth2ClientCredentials"),
            "authTokens": [
                {
                    "type": "bearer",
                    "value": "s4-oauth-client",
                    "expires_in": "3600",
                    "http_header": {"key": "Authorization", "value": "Bearer s4-oauth-client"},
                }
            ],
        },
        "BP_PL_OAUTH2CC_TOKENERROR": {
            **_pl(ss, **trust, Authentication="OAuth2ClientCredentials"),
            "authTokens": [
                {"type": "", "value": "", "error": "Retrieval of OAuthToken failed due to: 401 Unauthorized"}
            ],
        },
        "BP_PL_PRINCIPALPROP": _pl(ss, **trust, Authentication="PrincipalPropagation"),
        "BP_PL_SAPCLIENT": _pl(
            ss, **trust, **{"sap-client": "100", "URL.headers.x-custom": "hello", "URL.queries.sap-language": "EN"}
        ),
        "BP_INSTANCE": {**_pl(ss, **trust), "instance": True},
        "BP_INTERNET_BASIC": {"config": {**_pl(ss, **trust, **basic)["config"], "ProxyType": "Internet"}},
        "BP_ONPREM_BASIC": {
            "config": {
                "URL": "http://s4-onprem.virtual:44300",
                "ProxyType": "OnPremise",
                "CloudConnectorLocationId": "LOC1",
                **basic,
            }
        },
        "BP_ONPREM_NOAUTH": {"config": {"URL": "http://s4-onprem.virtual:44300", "ProxyType": "OnPremise"}},
        "BP_DS_500": {"config": {}, "status": 500, "error": "Internal Server Error (fixture)"},
        "BP_DS_SLOW": {"config": {}, "delay": 1.5},
        "BP_MTLS_NOCLIENTCERT": _pl(ports.mtls, TrustStoreLocation="private-ca.pem"),
    }
    d.update(_client_cert_destinations(ports))
    return d


def _client_cert_destinations(ports: Ports) -> dict[str, dict[str, Any]]:
    names = {
        "P12": "client-keystore.p12",
        "PFX": "client-keystore.pfx",
        "PEM": "client-keystore.pem",
        "JKS": "client-keystore.jks",
        "WRONGPW": "client-keystore.p12",
        "MISSING": "nope.p12",
        "DER": "client-keystore.der",
    }
    return {
        f"BP_CLIENTCERT_{kind}": {
            **_pl(
                ports.mtls,
                TrustStoreLocation="private-ca.pem",
                Authentication="ClientCertificateAuthentication",
                KeyStoreLocation=name,
                KeyStorePassword="wrong-pw-7" if kind == "WRONGPW" else PASSWORD,
            ),
            "certificates": "client",
        }
        for kind, name in names.items()
    }


def client_keystores(client: Issued) -> dict[str, bytes]:
    return {
        "client-keystore.p12": client.key_p12(PASSWORD),
        "client-keystore.pfx": client.key_p12(PASSWORD),
        "client-keystore.pem": client.key_pem(PASSWORD.encode()) + client.chain_pem(),
        "client-keystore.jks": client.key_jks(PASSWORD),
        "client-keystore.der": client.der,
    }


def subaccount_certificates(certs: Certs) -> dict[str, bytes]:
    ss = certs.selfsigned
    return {
        "s4-selfsigned.pem": ss.pem,
        "s4-selfsigned.PEM": ss.pem,
        "s4.selfsigned.pem": ss.pem,
        "s4-selfsigned.der": ss.der,
        "s4-selfsigned.cer": ss.der,
        "s4-selfsigned.crt": ss.pem,
        "s4-truststore.p12": ss.trust_p12(PASSWORD),
        "not-a-cert.pem": b"-----BEGIN NOTHING-----\nabc\n",
        "s4-wrong-host.pem": certs.mismatch.pem,
        "private-ca.pem": certs.ca.pem,
        "privateca-leaf.pem": certs.privateca_leaf.pem,
        "bundle.pem": certs.other.pem + ss.pem,
        "s4-expired.pem": certs.expired.pem,
    }


def instance_certificates(certs: Certs) -> dict[str, bytes]:
    return {"s4-truststore.jks": certs.selfsigned.trust_jks(PASSWORD)}


def environment_destinations(ports: Ports, certs: Certs) -> str:
    url = f"https://{PL_HOST}:{ports.selfsigned}"
    content = base64.b64encode(certs.selfsigned.pem).decode()
    return json.dumps(
        [
            {"name": "ENV_PL_TRUSTALL", "url": url, "proxyType": "PrivateLink", "isTrustingAllCertificates": True},
            {
                "name": "ENV_PL_TRUSTALL_STR",
                "url": url,
                "proxyType": "PrivateLink",
                "isTrustingAllCertificates": "true",
            },
            {
                "name": "ENV_PL_TRUSTSTORE",
                "url": url,
                "proxyType": "PrivateLink",
                "trustStoreCertificate": {"name": "s4.pem", "content": content},
            },
            {"name": "ENV_PL_NOTRUST", "url": url, "proxyType": "PrivateLink"},
            {
                "name": "ENV_BASIC",
                "url": url,
                "username": S4_USER,
                "password": S4_PASSWORD,
                "authentication": "BasicAuthentication",
                "isTrustingAllCertificates": True,
            },
            {"Name": "ENV_UPPER_TRUSTALL", "URL": url, "ProxyType": "PrivateLink", "TrustAll": "TRUE"},
            {
                "Name": "ENV_UPPER_TRUSTSTORE_LOCATION",
                "URL": url,
                "ProxyType": "PrivateLink",
                "TrustStoreLocation": "s4-selfsigned.pem",
            },
        ]
    )
