"""No secret in any log line: tokens, passwords, client secrets and keys are masked before a record is written.

`redact(text)` masks, in this order:
  1. PEM private keys (also with escaped `\\n`, as inside JSON),
  2. credentials after an HTTP auth scheme: `Bearer …`, `Basic …`, `Negotiate …`, `Digest …`,
  3. anything that looks like a JWT (`eyJ….eyJ….…`),
  4. the password of URL user info (`https://user:secret@host`),
  5. a whole `Cookie:` / `Set-Cookie:` header value, and the value of a secret-named field in JSON,
     Python reprs, headers, query strings and `k=v` text:
     clientsecret, client_secret, password, passwd, pwd, secret, token, access_token, refresh_token, id_token,
     apikey, api_key, x-api-key, key, private_key, authorization, proxy-authorization, cookie, set-cookie,
  6. literal values registered with `remember()` (e.g. the credentials of the VCAP_SERVICES bindings).

`RedactingFilter` applies it to a record (message, arguments, exception text, string extras) and is the one
`logging.Filter` of this module (bpverify.logs installs it on its handler). `install()` applies it to every
record the process creates, whichever handler writes it (uvicorn's, pytest's, a JSON one).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "[REDACTED]"
_NAMES = (
    r"client[_-]?secret|password|passwd|pwd|secret|(?:access_|refresh_|id_)?token|(?:x-)?api[_-]?key|"
    r"private[_-]?key|key|(?:proxy-)?authorization|(?:set-)?cookie"
)
_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.DOTALL)
_SCHEME = re.compile(r"\b(Bearer|Basic|Negotiate|Digest)(\s+)[A-Za-z0-9._~+/=-]{8,}", re.IGNORECASE)
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_USERINFO = re.compile(r"([a-z][a-z0-9+.-]*://[^/\s:@]+):[^@\s/]+@", re.IGNORECASE)
_QUOTED = re.compile(
    rf"""(?<![\w-])(["']?)({_NAMES})\1(\s*[:=,]\s*b?)(["'])(?:\\.|(?!\4).)*\4""", re.IGNORECASE | re.DOTALL
)
_PLAIN = re.compile(rf"""(?<![\w-])({_NAMES})(\s*[:=]\s*)(?![\s"'\[{{(])[^\s&,;)}}\]"']+""", re.IGNORECASE)
_COOKIE = re.compile(r"(?<![\w-])((?:set-)?cookie)(\s*:\s*)[^\r\n\"']+", re.IGNORECASE)
_SECRET_KEYS = re.compile(rf"^(?:{_NAMES})$", re.IGNORECASE)
_known: set[str] = set()
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def redact(text: str) -> str:
    text = _PRIVATE_KEY.sub("[REDACTED PRIVATE KEY]", text)
    text = _SCHEME.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    text = _JWT.sub("[REDACTED JWT]", text)
    text = _USERINFO.sub(lambda m: f"{m.group(1)}:{MASK}@", text)
    text = _QUOTED.sub(
        lambda m: f"{m.group(1)}{m.group(2)}{m.group(1)}{m.group(3)}{m.group(4)}{MASK}{m.group(4)}", text
    )
    text = _COOKIE.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    text = _PLAIN.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    for secret in _known:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def remember(secrets: Iterable[str]) -> None:
    """Mask these literal values wherever they appear (values shorter than 8 characters are ignored)."""
    _known.update(s for s in secrets if isinstance(s, str) and len(s) >= 8)


def binding_secrets(vcap_services: str | None) -> list[str]:
    """Secret-named credential values of every binding in VCAP_SERVICES text (clientsecret, password, key, …)."""
    try:
        document = json.loads(vcap_services or "{}")
    except ValueError:
        return []
    found: list[str] = []

    def walk(value: Any, name: str = "") -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, str(key))
        elif isinstance(value, list):
            for item in value:
                walk(item, name)
        elif isinstance(value, str) and _SECRET_KEYS.match(name):
            found.append(value)

    walk(document)
    return found


def redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except (TypeError, ValueError):
        message = str(record.msg)
    if redact(message) != message:
        _redact_message(record, message)
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    for name, value in list(vars(record).items()):
        if name not in _STANDARD and isinstance(value, str):
            setattr(record, name, redact(value))


def _redact_message(record: logging.LogRecord, message: str) -> None:
    """Keep msg and args apart when masking each is enough (uvicorn's access formatter unpacks args)."""
    msg = redact(record.msg) if isinstance(record.msg, str) else record.msg
    args: Any = record.args
    if isinstance(args, Mapping):
        args = {k: redact(v) if isinstance(v, str) else v for k, v in args.items()}
    elif isinstance(args, tuple):
        args = tuple(redact(a) if isinstance(a, str) else a for a in args)
    try:
        candidate = str(msg) % args if args else str(msg)
    except (TypeError, ValueError, KeyError):
        candidate = message
    if redact(candidate) == candidate:
        record.msg, record.args = msg, args
    else:
        record.msg, record.args = redact(message), ()


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


_MARK = "_bpverify_redacting"


def install() -> None:
    """Redact every record at creation (idempotent)."""
    current = logging.getLogRecordFactory()
    if getattr(current, _MARK, False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        redact_record(record)
        return record

    setattr(factory, _MARK, True)
    logging.setLogRecordFactory(factory)
