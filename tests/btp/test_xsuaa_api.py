"""btp.xsuaa's public names, and its imports: generic (no bpverify / odata4), so it stays extractable."""

from __future__ import annotations

import ast
from pathlib import Path

import btp.xsuaa

PACKAGE = Path(btp.xsuaa.__file__).parent
ALLOWED = {
    "__future__",
    "base64",
    "binascii",
    "collections",
    "dataclasses",
    "hashlib",
    "hmac",
    "json",
    "logging",
    "re",
    "time",
    "typing",
    "urllib",
    "asyncio",
    "httpx",
    "jwt",
    "cryptography",
    "btp",
}


def test_public_names() -> None:
    assert len(set(btp.xsuaa.__all__)) == len(btp.xsuaa.__all__)
    assert {
        "XsuaaValidator",
        "XsuaaToken",
        "XsuaaCredentials",
        "credentials_from_environ",
        "XsuaaError",
        "InvalidTokenError",
        "KeyServiceError",
        "ValidationPolicy",
        "CachePolicy",
    } <= set(btp.xsuaa.__all__)
    for name in btp.xsuaa.__all__:
        assert getattr(btp.xsuaa, name).__module__.startswith("btp.xsuaa")


def test_imports_stay_generic() -> None:
    for module in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                assert node.module.split(".")[0] in ALLOWED, (module.name, node.module)
            elif isinstance(node, ast.Import):
                assert all(alias.name.split(".")[0] in ALLOWED for alias in node.names), module.name


def test_every_error_is_a_btp_error() -> None:
    for name in btp.xsuaa.__all__:
        value = getattr(btp.xsuaa, name)
        if isinstance(value, type) and issubclass(value, Exception):
            assert issubclass(value, btp.xsuaa.XsuaaError) and issubclass(value, btp.BTPError)
