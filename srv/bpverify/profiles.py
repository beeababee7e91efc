"""Which authenticator runs: mocked users in development only, XSUAA wherever it can matter.

    BPVERIFY_AUTH   profile       xsuaa binding   VCAP_APPLICATION   →
    auto            production    yes             any                XSUAA
    auto            production    no              any                refuse to start
    auto            development   yes             any                XSUAA
    auto/mocked     development   no / any        absent             mocked users (alice, bob, carol, eventmesh)
    auto/mocked     development   no / any        present            refuse to start, unless
                                                                     BPVERIFY_ALLOW_MOCK_AUTH_ON_CF=true (CRITICAL log)
    mocked          production    any             any                refuse to start
    xsuaa           any           no              any                refuse to start

Refusing means `create_app` raises `StartupRefused`, so uvicorn never serves a request.
"""

from __future__ import annotations

import logging

import httpx

from bpverify.auth import Authenticator, MockedUsers, XsuaaAuthenticator
from bpverify.settings import Settings
from btp.xsuaa import ValidationPolicy, XsuaaCredentials, XsuaaValidator, credentials_from_environ

log = logging.getLogger(__name__)

OVERRIDE = "BPVERIFY_ALLOW_MOCK_AUTH_ON_CF"


class StartupRefused(RuntimeError):
    """The configuration would expose the service without real authentication."""


def choose_authenticator(settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None) -> Authenticator:
    credentials = credentials_from_environ({"VCAP_SERVICES": settings.vcap_services or ""})
    wants_xsuaa = settings.auth == "xsuaa" or (
        settings.auth == "auto" and (settings.profile == "production" or credentials is not None)
    )
    if wants_xsuaa:
        return _xsuaa(settings, credentials, transport)
    return _mocked(settings)


def _xsuaa(
    settings: Settings, credentials: XsuaaCredentials | None, transport: httpx.AsyncBaseTransport | None
) -> XsuaaAuthenticator:
    if credentials is None:
        raise StartupRefused(
            "XSUAA authentication needs an 'xsuaa' binding in VCAP_SERVICES; none found "
            "(bind the xsuaa service instance, or use the development profile locally)"
        )
    policy = ValidationPolicy(leeway=settings.jwt_leeway)
    log.info("authentication: XSUAA tokens of %s (zone %s)", credentials.xsappname, credentials.identityzone)
    return XsuaaAuthenticator(XsuaaValidator(credentials, policy, transport=transport))


def _mocked(settings: Settings) -> MockedUsers:
    if settings.profile == "production":
        raise StartupRefused("mocked users exist only in the development profile")
    if settings.on_cloud_foundry:
        if not settings.allow_mock_auth_on_cf:
            raise StartupRefused(
                f"refusing mocked authentication on Cloud Foundry (VCAP_APPLICATION is set): "
                f"bind an xsuaa instance; {OVERRIDE}=true overrides this for a test space only"
            )
        log.critical(
            "MOCKED AUTHENTICATION ON CLOUD FOUNDRY: anyone who knows the mocked user names can read "
            "and change data. %s=true is set; never do this in a productive space.",
            OVERRIDE,
        )
    else:
        log.info("authentication: mocked users (development)")
    return MockedUsers()


async def close_authenticator(authenticator: Authenticator) -> None:
    """Release what an authenticator holds (the XSUAA key fetcher's connections)."""
    close = getattr(authenticator, "aclose", None)
    if close is not None:
        await close()
