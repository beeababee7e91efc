"""A log audit over the whole test session: whatever reaches the root logger is searched for secrets.

`log_audit` (session, autouse via tests/conftest.py) lowers the root logger to INFO, keeps every formatted
record and, at the end of the session, fails if one contains
* a fixture secret: an upper-case string constant whose name holds SECRET, PASSWORD or TOKEN in any loaded
  `tests.*` module, or a value added to `SECRETS`,
* a JWT, a PEM private key, or credentials after `Bearer` / `Basic`.
Findings are reported by logger name and secret *name*, never with the secret itself.

`original_log_records` (function, autouse) puts the log record factory back after each test: `create_app`
installs `bpverify.redaction` process-wide, which would otherwise mask leaks in every later test's logs.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, Iterator

import pytest

SECRETS: dict[str, str] = {}  # name → value, for secrets that are no module constant
_NAMED = re.compile(r"SECRET|PASSWORD|TOKEN")
PATTERNS = {
    "a JWT": re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    "a PEM private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----\s*[A-Za-z0-9+/]{16}"),
    "Bearer credentials": re.compile(r"\bBearer\s+[A-Za-z0-9._~+/-]{20,}"),
    "Basic credentials": re.compile(r"\bBasic\s+[A-Za-z0-9+/]{6,}={0,2}(?![A-Za-z])"),
}


class AuditHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[tuple[str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append((record.name, self.format(record)))
        except Exception:  # a broken record must not break the audit
            self.lines.append((record.name, str(record.msg)))


def fixture_secrets() -> dict[str, str]:
    found = dict(SECRETS)
    for module_name, module in list(sys.modules.items()):
        if module_name.startswith("tests.") and module is not None:
            for name, value in vars(module).items():
                if name.isupper() and _NAMED.search(name) and isinstance(value, str) and len(value) >= 8:
                    found[f"{module_name}.{name}"] = value
    return found


def findings(lines: Iterable[tuple[str, str]], secrets: dict[str, str]) -> list[str]:
    found = []
    for logger, text in lines:
        found += [f"{logger}: {name}" for name, value in secrets.items() if value in text]
        found += [f"{logger}: {what}" for what, pattern in PATTERNS.items() if pattern.search(text)]
    return sorted(set(found))


_ORIGINAL_FACTORY = logging.getLogRecordFactory()


@pytest.fixture(autouse=True)
def original_log_records() -> Iterator[None]:
    yield
    logging.setLogRecordFactory(_ORIGINAL_FACTORY)


@pytest.fixture(scope="session", autouse=True)
def log_audit() -> Iterator[AuditHandler]:
    handler, root = AuditHandler(), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(min(level, logging.INFO))
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)
    leaks = findings(handler.lines, fixture_secrets())
    if leaks:
        pytest.fail(f"secrets in {len(leaks)} kinds of log records: " + "; ".join(leaks[:20]), pytrace=False)
