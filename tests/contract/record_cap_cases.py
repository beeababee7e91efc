#!/usr/bin/env python3
"""Record CAP's exact behaviour as golden test data.

Reads the case list ``cap_cases.in.json`` (next to this script), restarts the CAP
reference server once (fresh in-memory SQLite seeded from the contract CSVs),
executes every case IN ORDER against it and writes ``cap_cases.json``: the same
entries plus an ``expect`` object::

    "expect": {
        "status": 200,
        "content_type": "application/json",       # main type, no params; null if absent
        "body": {...} | "text (<= 2000 chars)" | null,
        "headers": {"odata-version": "4.0", ...}  # only the interesting ones, if present
    }

Case format (cap_cases.in.json)::

    {"name": "...", "method": "GET", "url": "Notifications?$top=1",   # relative to service root
     "user": "alice" | "bob" | "carol" | null,
     "headers": {...},            # optional
     "body": <JSON value> | "raw string"}   # optional

A url starting with "/" is absolute on the server (e.g. "/health").
A JSON body (non-string) is serialised and sent with Content-Type application/json
unless the case's headers set a Content-Type; a string body is sent verbatim.

Only the standard library and httpx are used.

Usage:
    python record_cap_cases.py [--no-restart] [--base http://127.0.0.1:4004]
                               [--in FILE] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
DEFAULT_IN = HERE / "cap_cases.in.json"
DEFAULT_OUT = HERE / "cap_cases.json"
SERVICE_PATH = "/odata/v4/business-partner-verification/"
USERS = {"alice": "alice", "bob": "bob", "carol": "carol"}
INTERESTING_HEADERS = ("location", "odata-version", "preference-applied", "www-authenticate", "etag")
TEXT_LIMIT = 2000

CAP_DIR = os.environ.get("CAP_DIR", "/tmp/cap")
CONTRACT_DIR = os.environ.get("CONTRACT_DIR", "/work/shared/contract")


def restart_cap(port: int) -> None:
    """Stop (by PID file) and start the CAP reference server fresh."""
    env = dict(os.environ, CONTRACT_DIR=CONTRACT_DIR, SKIP_SYNC="1")
    subprocess.run([f"{CAP_DIR}/stop.sh", str(port)], env=env, check=False)
    subprocess.run([f"{CAP_DIR}/start.sh", str(port)], env=env, check=True)


def wait_healthy(base: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"CAP at {base} is not healthy")


def build_request(case: dict, base: str) -> tuple[str, str, dict, bytes | None]:
    method = case.get("method", "GET").upper()
    url = case["url"]
    url = base + url if url.startswith("/") else base + SERVICE_PATH + url
    headers = dict(case.get("headers") or {})
    content: bytes | None = None
    if "body" in case:
        body = case["body"]
        if isinstance(body, str):
            content = body.encode("utf-8")
        else:
            content = json.dumps(body).encode("utf-8")
            if not any(k.lower() == "content-type" for k in headers):
                headers["Content-Type"] = "application/json"
    return method, url, headers, content


def parse_response(resp: httpx.Response) -> dict:
    ctype_full = resp.headers.get("content-type")
    ctype = ctype_full.split(";", 1)[0].strip().lower() if ctype_full else None
    text = resp.text
    body: object
    if not text:
        body = None
    elif ctype and "json" in ctype:
        try:
            body = json.loads(text)
        except ValueError:
            body = text[:TEXT_LIMIT]
    else:
        body = text[:TEXT_LIMIT]
    headers = {h: resp.headers[h] for h in INTERESTING_HEADERS if h in resp.headers}
    return {"status": resp.status_code, "content_type": ctype, "body": body, "headers": headers}


def run_cases(cases: list[dict], base: str) -> list[dict]:
    out = []
    with httpx.Client(timeout=30.0, follow_redirects=False) as client:
        for i, case in enumerate(cases):
            method, url, headers, content = build_request(case, base)
            user = case.get("user")
            auth = (user, USERS.get(user, user)) if user else None
            try:
                resp = client.request(method, url, headers=headers, content=content, auth=auth)
                expect = parse_response(resp)
            except httpx.HTTPError as exc:  # transport-level failure: record it, keep going
                expect = {
                    "status": None,
                    "content_type": None,
                    "body": None,
                    "headers": {},
                    "error": f"{type(exc).__name__}: {exc}",
                }
            out.append({**case, "expect": expect})
            print(f"{i + 1:4d} {expect['status']} {method:6s} {case['name']}", file=sys.stderr)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", default="http://127.0.0.1:4004", help="CAP server origin")
    ap.add_argument("--in", dest="infile", default=str(DEFAULT_IN))
    ap.add_argument("--out", dest="outfile", default=str(DEFAULT_OUT))
    ap.add_argument("--no-restart", action="store_true", help="do not restart CAP before recording")
    args = ap.parse_args()

    cases = json.loads(Path(args.infile).read_text(encoding="utf-8"))
    names = [c["name"] for c in cases]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise SystemExit(f"duplicate case names: {sorted(dupes)}")

    if not args.no_restart:
        port = httpx.URL(args.base).port or 4004
        restart_cap(port)
    wait_healthy(args.base)

    results = run_cases(cases, args.base)
    Path(args.outfile).write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(results)} cases to {args.outfile}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
