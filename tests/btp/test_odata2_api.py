"""`btp.odata2`'s public names, and its boundary: it imports only httpx, the standard library and `btp`."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import btp.odata2
from btp.odata2 import errors

PACKAGE = Path(btp.odata2.__file__).parent


def test_public_names() -> None:
    assert sorted(btp.odata2.__all__) == sorted(
        [
            "API_BUSINESS_PARTNER",
            "AuthorizationError",
            "CsrfAuth",
            "CsrfTokenError",
            "ETagMismatchError",
            "Entity",
            "EntityNotFoundError",
            "EntityPage",
            "EntityType",
            "ErrorDetail",
            "ODataV2Client",
            "ODataV2ClientError",
            "ODataV2Error",
            "ODataV2ProtocolError",
            "ODataV2ServerError",
            "PreconditionRequiredError",
            "Query",
            "decode_value",
            "encode_value",
            "key_predicate",
            "literal",
            "parse_date",
            "parse_time",
            "resource_path",
        ]
    )
    assert all(hasattr(btp.odata2, name) for name in btp.odata2.__all__)


def test_every_error_is_a_btp_error_and_in_the_drawn_tree() -> None:
    classes = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.ODataV2Error)]
    assert all(issubclass(c, btp.BTPError) for c in classes)
    assert all(c.__name__ in (errors.__doc__ or "") for c in classes)


def test_imports_stay_inside_btp() -> None:
    allowed = {"httpx", "btp"}
    for module in PACKAGE.glob("*.py"):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                top = node.module.split(".")[0]
                assert top in allowed or top in sys.stdlib_module_names, (module.name, node.module)
            if isinstance(node, ast.Import):
                for alias in node.names:
                    top = alias.name.split(".")[0]
                    assert top in allowed or top in sys.stdlib_module_names, (module.name, alias.name)
