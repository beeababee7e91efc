"""Replays the requests recorded against SAP CAP (cap_cases.json) against our service.

Every case runs in recorded order on one freshly seeded database, so writes affect later
reads exactly as they did in CAP. Status and JSON body must match, apart from volatile
values (timestamps, draft UUIDs, ETags). Known, deliberate differences are listed in
DEVIATIONS with the reason (they are sent all the same, so later cases see their effects).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bpverify.app import create_app
from bpverify.settings import Settings
from tests.support.server import serve

CASES = json.loads((Path(__file__).parent / "cap_cases.json").read_text())
ROOT = "/odata/v4/business-partner-verification/"

DEVIATIONS: dict[str, str] = {
    "metadata_xml": "compared in full by tests/bpverify/test_metadata_matches_cap.py (recording is truncated)",
    "filter_add": "we implement OData arithmetic operators; CAP 9 rejects them with a parse error",
    "filter_contains_lowercase": "contains() is case-sensitive as OData specifies (and as CAP is on HANA/PostgreSQL); "
    "CAP on SQLite is case-insensitive",
    "filter_bool_bare": "a bare boolean property is a valid boolCommonExpr in OData; CAP rejects it",
    "filter_type_mismatch_bool_string": "'yes' is no boolean: we answer 400 where CAP silently matches false rows",
    "notification_key_extra_key": "CAP answers 500 for an unknown key property; we answer 400",
    "top_negative": "$top=-1 is invalid OData; we answer 400 where CAP ignores it",
    "skip_negative": "$skip=-1 is invalid OData; we answer 400 where CAP ignores it",
    "skiptoken_bogus": "an unknown $skiptoken is a 400 for us; CAP ignores it",
    "unknown_path_segments": "CAP treats 'foo' as a key and answers 400; we answer 404 for an unknown segment",
    "unknown_absolute_path": "CAP's Express answers with an HTML page; ours is FastAPI's JSON 404",
    "search_notifications_or": "$search supports OR/AND/NOT as OData specifies; CAP uses only the first word",
    "search_notifications_not": "$search supports OR/AND/NOT as OData specifies; CAP uses only the first word",
    "search_second_token_ignored": "$search ANDs all terms as OData specifies; CAP uses only the first word",
    "search_first_token_only": "$search ANDs all terms as OData specifies; CAP uses only the first word",
    "batch_json_depends_on_failed": "our 424 carries no CAP-specific innererror",
    "draft_read": "CAP leaks its internal HasActiveEntity and DraftAdministrativeData_DraftUUID into expanded "
    "draft children that have no $select; we answer them like expanded active children",
    "draft_create_child": "CAP answers with Location Addresses.drafts(<ID>), a path it cannot resolve itself; "
    "ours is Addresses(ID=<ID>,IsActiveEntity=false)",
    "draft_create_child_prefer_minimal": "Location: see draft_create_child",
    "batch_multipart_content_id_ref": "CAP cannot resolve its own Location (see draft_create_child); "
    "ours can, so $c1 works",
    "draft_after_activate": "holds the child that batch_multipart_content_id_ref created here (CAP failed it)",
    "final_addresses": "holds the child that batch_multipart_content_id_ref created here (CAP failed it)",
    "draft_create_child_duplicate_id": "a duplicate key is a client error: 400 for us, CAP answers 500",
    "batch_json_atomicity_one_fails": "a failed atomicity group is answered by its failing request alone (as multipart "
    "change sets are); CAP lists the rolled-back members as 200/201",
    # the business rules of issue 5, which the CAP reference (the bare contract) does not have
    "expand_star": "Notifications has the extension navigation `findings` (check findings, issue 5)",
    "draft_patch_unknown_status": "status 'ZZZ' is rejected by the verification rules "
    "(400, target verificationStatus_code)",
    "draft_patch_empty_body": "the status is still 'V' here: the rules rejected 'ZZZ' before",
    "draft_patch_child": "changing street or postal code marks the address modified (isModified=true)",
    "draft_patch_child_readonly": "isModified=true from the earlier change (see draft_patch_child)",
    "draft_patch_child_null": "isModified=true from the earlier change (see draft_patch_child)",
    "metadata_format_json": "describes the extension entity sets too; tests/bpverify/test_metadata_matches_cap.py "
    "compares the contract's part with CAP's, byte for byte",
    "duplicate_top": "a system query option given twice is a 400 in OData; CAP takes the last one",
    "batch_multipart_wrong_boundary": "a body whose boundary differs from the Content-Type's is a 400 for us; "
    "CAP parses it anyway",
    "batch_multipart_unencoded_space": "we accept an unencoded space in a batch part's URL; "
    "CAP's HTTP parser rejects it",
}


# our extension of the contract (issue 5): listed in the service document besides CAP's sets
EXTENSION_SETS = {"Findings", "Events", "DeadLetters", "WriteBacks"}


def _params() -> Iterator[Any]:
    for case in CASES:
        yield pytest.param(case, id=case["name"])


@pytest.fixture(scope="module")
def base_url(module_db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = Settings(db_url=module_db_url, mock_s4_dir=tmp_path_factory.mktemp("mock-s4"))
    with serve(create_app(settings)) as url:
        yield url


TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def _normalize(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _normalize(v)
            for k, v in value.items()
            if k not in ("@odata.metadataEtag", "DraftUUID", "DraftAdministrativeData_DraftUUID")
        }
    if isinstance(value, list):
        return [_normalize(v) for v in value]
    if isinstance(value, str):
        return TIMESTAMP.sub("<timestamp>", value)
    return value


# CAP's texts for syntax errors come from its PEG parser and Node's JSON.parse; ours name the
# same position and problem in our own words, so for these only status and code must match
PARSER_MESSAGES = (
    "Parsing URL failed",
    "Deserialization Error",
    "Unexpected end of JSON",
    "Expected ",
    "Unexpected token",
)


def _comparable_error(body: Any) -> Any:
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return body
    error = {k: v for k, v in error.items() if k not in ("statusCode", "@Common.numericSeverity", "target")}
    if str(error.get("message", "")).startswith(PARSER_MESSAGES):
        error["message"] = "<parser message>"
    return {"error": error}


def _multipart_summary(text: str) -> list[Any]:
    """Status lines and bodies of a multipart batch response, in order."""
    summary: list[Any] = []
    for match in re.finditer(r"HTTP/1\.1 (\d{3})[^\r\n]*\r\n(.*?)\r\n\r\n(.*?)(?=\r\n--)", text, re.S):
        body = match.group(3)
        try:
            parsed: Any = json.loads(body)
        except ValueError:
            parsed = body.strip()
        summary.append((int(match.group(1)), _normalize(parsed)))
    return summary


def _send(base_url: str, case: dict[str, Any]) -> httpx.Response:
    url = case["url"] if case["url"].startswith("/") else ROOT + case["url"]
    headers = dict(case.get("headers") or {})
    body = case.get("body")
    content: bytes | None = None
    if body is not None:
        content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        if not any(h.lower() == "content-type" for h in headers) and not isinstance(body, str):
            headers["Content-Type"] = "application/json"
    auth = (case["user"], case["user"]) if case.get("user") else None
    return httpx.request(case["method"], base_url + url, headers=headers, content=content, auth=auth, timeout=30)


@pytest.mark.parametrize("case", list(_params()))
def test_same_answer_as_cap(base_url: str, case: dict[str, Any]) -> None:
    expect = case["expect"]
    response = _send(base_url, case)  # deviations are sent too: later cases see their effects
    assert response.status_code < 500 or expect["status"] >= 500, response.text[:500]
    if case["name"] in DEVIATIONS:
        pytest.skip("deviation: " + DEVIATIONS[case["name"]])
    assert response.status_code == expect["status"], response.text[:500]
    if expect["status"] == 401:
        assert "www-authenticate" in response.headers  # CAP's body is plain text; ours is OData error JSON
        return
    if case["url"].startswith("$metadata") and expect["content_type"] != "application/json":
        assert response.headers["content-type"].startswith("application/xml")
        return
    body = expect["body"]
    if isinstance(body, str) and body.startswith("--"):
        assert _multipart_summary(response.text) == _multipart_summary(body)
    elif isinstance(body, dict) and "error" in body:
        ours = response.json()
        assert ours["error"]["message"]
        if str(body["error"].get("message", "")).startswith(PARSER_MESSAGES):
            ours["error"]["message"] = "<parser message>"
        assert _comparable_error(ours) == _comparable_error(body)
    elif isinstance(body, (dict, list)):
        ours, theirs = _normalize(response.json()), _normalize(body)
        if ours.get("@odata.context") == "$metadata" and "value" in ours:  # the service document
            ours["value"] = [s for s in ours["value"] if s["name"] not in EXTENSION_SETS]
        assert ours == theirs, f"\nours: {json.dumps(ours, sort_keys=True)}\ncap:  {json.dumps(theirs, sort_keys=True)}"
    elif body is not None and expect["status"] != 204:
        assert response.text.strip() == str(body).strip()
    for header in ("location", "preference-applied"):
        if header in expect.get("headers", {}):
            assert response.headers.get(header) == expect["headers"][header]
