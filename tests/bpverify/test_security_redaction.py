"""Secrets never reach a log line: the redaction rules, the filter, and a log capture over real requests."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.support.log_audit import AuditHandler, findings
from tests.support.server import serve
from tests.support.xsuaa import CLIENT_SECRET, Issuer, binding, rsa_key

from bpverify import redaction
from bpverify.app import create_app
from bpverify.redaction import MASK, RedactingFilter, redact
from bpverify.settings import Settings

JWT_TOKEN = Issuer(rsa_key()).token()
PASSWORD = "hunter2-fixture-password"  # a fixture secret: must never be logged
API_KEY_SECRET = "k3y-fixture-value-0815"
PRIVATE_KEY_TEXT = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        (f"Authorization: Bearer {JWT_TOKEN}", JWT_TOKEN),
        (f"token {JWT_TOKEN} rejected", JWT_TOKEN),
        ("{'authorization': 'Basic YWxpY2U6aHVudGVyMg=='}", "YWxpY2U6aHVudGVyMg=="),
        (json.dumps({"clientid": "sb-bpv", "clientsecret": CLIENT_SECRET}), CLIENT_SECRET),
        (json.dumps({"client_secret": 'with "quotes" \\ and more'}), "quotes"),
        (f"grant_type=password&username=bob&password={PASSWORD}&scope=x", PASSWORD),
        (f"GET /x?access_token={API_KEY_SECRET} HTTP/1.1", API_KEY_SECRET),
        (f"x-api-key: {API_KEY_SECRET}", API_KEY_SECRET),
        (f"api_key={API_KEY_SECRET}", API_KEY_SECRET),
        (f"('password', '{PASSWORD}')", PASSWORD),
        (f"postgresql://bpv:{PASSWORD}@db:5432/bpv", PASSWORD),
        (json.dumps({"key": PRIVATE_KEY_TEXT}), "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"),
        (PRIVATE_KEY_TEXT, "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"),
        (f"Cookie: JSESSIONID=abc; session={API_KEY_SECRET}", API_KEY_SECRET),
        (f"secret: {API_KEY_SECRET}", API_KEY_SECRET),
    ],
)
def test_redact(text: str, secret: str) -> None:
    redacted = redact(text)
    assert secret not in redacted
    assert MASK in redacted or "[REDACTED " in redacted


@pytest.mark.parametrize(
    "text",
    [
        "GET /odata/v4/business-partner-verification/Notifications?$top=1 HTTP/1.1 200",
        "XSUAA token_keys failed: token_keys answered an error (status 503)",
        "bearer token rejected: audience",
        "keys=3 monkey=1 key_url=https://x/token_keys",
    ],
)
def test_ordinary_text_is_kept(text: str) -> None:
    assert redact(text) == text


def test_the_filter_keeps_access_log_arguments_apart() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", f"/x?access_token={API_KEY_SECRET}", "1.1", 200),
        None,
    )
    RedactingFilter().filter(record)
    assert isinstance(record.args, tuple) and len(record.args) == 5  # uvicorn's formatter unpacks them
    assert API_KEY_SECRET not in record.getMessage()


def test_the_filter_masks_split_secrets_and_tracebacks() -> None:
    try:
        raise RuntimeError(f"login failed for password={PASSWORD}")
    except RuntimeError:
        record = logging.getLogger("t").makeRecord(
            "t", logging.ERROR, __file__, 1, "password=%s", (PASSWORD,), __import__("sys").exc_info()
        )
    RedactingFilter().filter(record)
    assert PASSWORD not in record.getMessage()
    assert record.exc_text and PASSWORD not in record.exc_text


def test_binding_secrets_are_remembered() -> None:
    vcap = json.dumps(binding())
    assert CLIENT_SECRET in redaction.binding_secrets(vcap)
    redaction.remember(redaction.binding_secrets(vcap))
    assert CLIENT_SECRET not in redact(f"the secret is {CLIENT_SECRET}, in plain text")


# --- a log capture over requests that carry secrets -------------------------------------------------------


@pytest.fixture
def captured() -> Iterator[AuditHandler]:
    """Every record at DEBUG from the root logger and uvicorn's own (non-propagating) loggers."""
    handler = AuditHandler()
    loggers = [logging.getLogger(name) for name in ("", "uvicorn", "uvicorn.access", "uvicorn.error")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield handler
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_no_secret_in_logs_of_a_service_under_fire(tmp_path: Path, captured: AuditHandler) -> None:
    settings = Settings.model_validate(
        {
            "profile": "production",
            "db_url": f"sqlite:///{tmp_path / 'bpv.sqlite'}",
            "VCAP_SERVICES": json.dumps(binding()),
        }
    )
    app = create_app(settings)  # the key server is unreachable: every token ends in 401 or 503
    with serve(app) as base:
        for name in ("uvicorn.access", "uvicorn.error"):  # uvicorn replaced their handlers and levels
            logging.getLogger(name).addHandler(captured)
            logging.getLogger(name).setLevel(logging.DEBUG)
        root = f"{base}/odata/v4/business-partner-verification"
        with httpx.Client(timeout=30) as client:
            client.get(
                f"{root}/Notifications?access_token={JWT_TOKEN}&password={PASSWORD}",
                headers={"authorization": f"Bearer {JWT_TOKEN}", "x-api-key": API_KEY_SECRET},
            )
            client.get(f"{root}/Notifications", auth=("alice", PASSWORD))
            client.post(
                f"{root}/$batch",
                json={"clientsecret": CLIENT_SECRET, "password": PASSWORD},
                headers={"authorization": "Bearer garbage"},
            )
            client.get(f"{root}/$metadata", headers={"authorization": f"Bearer {JWT_TOKEN}"})
            client.post(
                f"{base}/messaging/enterprise-messaging",
                content=PRIVATE_KEY_TEXT,
                headers={"authorization": f"Bearer {JWT_TOKEN}"},
            )
    logging.getLogger("bpverify.test").warning("a careless line: %s %s", json.dumps(binding()), JWT_TOKEN)
    assert len(captured.lines) >= 5  # the access log and our warnings were captured
    secrets = {"JWT": JWT_TOKEN, "PASSWORD": PASSWORD, "API_KEY": API_KEY_SECRET, "CLIENT_SECRET": CLIENT_SECRET}
    assert findings(captured.lines, secrets) == []
    assert any(JWT_TOKEN[:20] not in text and "access_token=" in text for _, text in captured.lines)
