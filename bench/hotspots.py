#!/usr/bin/env python3
"""Where does our server spend its time? py-spy samples of one request type under load.

    .venv/bin/pip install py-spy            # once (PyPI)
    .venv/bin/python bench/hotspots.py single-read [--target ours-sqlite] [--mode gil|busy] [--load serial|wrk]

Starts our server like bench/run.py does (same seed data, a fresh SQLite file or PostgreSQL
schema), drives one request type (`--load serial`: one client in a loop, so the profile is
not blurred by threads waiting for the GIL; `--load wrk`: wrk -t2 -c32), records it with
`py-spy record --gil` (Python code holding the GIL = the single process's CPU budget) or
`--mode busy` (every non-idle thread, which includes time inside the database driver), and
prints the top functions by self time and the breakdown under our own entry points. The raw
collapsed stacks go to bench/profiles/<target>-<request>-<mode>.txt (git-ignored) (feed them to
speedscope or flamegraph.pl for a picture).
"""

from __future__ import annotations

import argparse
import collections
import http.client
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # bench/run.py: server start-up, seed data, requests

IDLE = re.compile(r"^(Condition\.wait|Queue\.get|select|_worker|Event\.wait|Thread\.join) ")
FOCUS = (
    "Store.read",
    "Store._related",
    "Store._count",
    "Dispatcher._format",
    "Dispatcher._route",
    "Database._read",
    "Connection.execute",
    "ClauseElement._compile_w_cache",
)


# layers, most specific first: a sample counts for the first layer any frame of its stack matches;
# the generic wrappers (HTTP server, middleware, event loop) only by the frame nearest the leaf
LAYERS = [
    (
        "database driver (sqlite3/psycopg calls, fetch)",
        ["do_execute (", "CursorFetchStrategy", "psycopg/", "_configure ("],
    ),
    ("SQLAlchemy compile + cache key", ["_compile_w_cache", "_gen_cache_key", "cache_key", "SQLCompiler"]),
    (
        "SQLAlchemy rows -> dicts",
        ["Store.read.<locals>.<listcomp>", "Store._related.<locals>.<listcomp>", "engine/result"],
    ),
    (
        "SQLAlchemy connection/pool/transaction",
        ["Engine.connect", "Connection.__exit__", "Connection.rollback", "pool/"],
    ),
    ("JSON formatting (EntityWriter, json.dumps)", ["Dispatcher._format", "format/json.py", "json/encoder.py"]),
    ("building SQL statements (odata4.sql, drafts)", ["odata4/sql/", "odata4/drafts/", "sqlalchemy/sql/"]),
    ("URL parsing + resolving (odata4.uri, resolve)", ["odata4/uri/", "odata4/resolve.py"]),
    ("thread hop to the DB worker (anyio to_thread)", ["anyio/", "threading.py", "queue.py"]),
]
GENERIC = [
    ("uvicorn HTTP (parsing, socket writes)", ["uvicorn/protocols", "httptools"]),
    ("ASGI middleware + routing", ["starlette/", "fastapi/", "bpverify/", "uvicorn/middleware", "odata4/asgi.py"]),
    ("asyncio event loop", ["asyncio/", "uvloop"]),
]


def layer(frames: list[str]) -> str:
    for name, keys in LAYERS:
        if any(k in f for f in frames for k in keys):
            return name
    for f in reversed(frames):
        for name, keys in GENERIC:
            if any(k in f for k in keys):
                return name
    return "other"


def summarize(raw: Path, top: int = 25) -> str:
    self_c: collections.Counter[str] = collections.Counter()
    layers: collections.Counter[str] = collections.Counter()
    incl: collections.Counter[str] = collections.Counter()
    child: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if IDLE.match(frames[-1]):
            continue
        n = int(count)
        total += n
        self_c[frames[-1]] += n
        layers[layer(frames)] += n
        seen: set[str] = set()
        for i, f in enumerate(frames):
            if f in seen:
                continue
            seen.add(f)
            incl[f] += n
            child[f][frames[i + 1] if i + 1 < len(frames) else "<self>"] += n
    if not total:
        return "no samples"
    out = [f"{total} samples (idle threads dropped)", "", "by layer:"]
    out += [f"  {100 * c / total:5.1f}%  {name}" for name, c in layers.most_common()]
    out += ["", "top functions by self time:"]
    out += [f"  {100 * c / total:5.1f}%  {f}" for f, c in self_c.most_common(top)]
    out += ["", "inclusive time under our entry points:"]
    for name in FOCUS:
        for f in [f for f in incl if f.startswith(name + " ")]:
            out.append(f"  {100 * incl[f] / total:5.1f}%  {f}")
            out += [f"          {100 * c / total:5.1f}%  {g}" for g, c in child[f].most_common(8)]
    return "\n".join(out)


def serial_load(url: str, stop: threading.Event, counter: list[int]) -> None:
    """One client, one keep-alive connection (like each of wrk's connections)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port)
    target = parts.path + ("?" + parts.query if parts.query else "")
    while not stop.is_set():
        conn.request("GET", target, headers={"Authorization": run.AUTH_HEADER})
        conn.getresponse().read()
        counter[0] += 1
    conn.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="py-spy profile of one request type")
    p.add_argument("request", choices=["fiori-list", "fiori-list-nofilter", "expand-list", "single-read", "metadata"])
    p.add_argument("--target", choices=["ours-sqlite", "ours-postgresql"], default="ours-sqlite")
    p.add_argument("--mode", choices=["gil", "busy"], default="gil")
    p.add_argument("--load", choices=["serial", "wrk"], default="serial")
    p.add_argument("--seconds", type=int, default=12)
    p.add_argument("--rate", type=int, default=200, help="py-spy samples per second")
    p.add_argument("--data-dir", type=Path, default=run.BENCH / "data" / "10k")
    p.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    p.add_argument("--port", type=int, default=4131)
    p.add_argument("--srv-from", type=Path, default=run.REPO / "srv", help="profile this copy of srv/")
    p.add_argument("--results-dir", type=Path, default=run.BENCH / "profiles", help="raw stacks (not committed)")
    args = p.parse_args(argv)

    pyspy = shutil.which("py-spy", path=str(run.VENV_BIN)) or shutil.which("py-spy")
    if pyspy is None:
        sys.exit("py-spy not found: .venv/bin/pip install py-spy")
    if not (args.data_dir / "bp.verification-Notifications.csv").is_file():
        subprocess.run([sys.executable, str(run.BENCH / "seed.py"), str(args.data_dir)], check=True)
    data = run.Dataset.load(args.data_dir.resolve())
    # what OursServer needs from run.py's arguments; srv/ runs from a copy, as in run.py
    args.log_level, args.keep, args.server_cpus = "info", False, None
    snapshot_root = Path(tempfile.mkdtemp(prefix="bpbench-srv-"))
    args.snapshot, args.srv_sha256 = run.snapshot_srv(snapshot_root / "srv", args.srv_from)
    print(f"srv/ snapshot {args.srv_sha256[:12]}")
    server = run.OursServer(args.target, args, data)
    request = next(r for r in run.requests_for(data) if r.name == args.request)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    raw = args.results_dir / f"{args.target}-{args.request}-{args.mode}.txt"
    try:
        server.start()
        url = server.base + request.path
        status, _, body = run.fetch(url)
        if status != 200:
            sys.exit(f"{args.request}: HTTP {status} {body[:300]!r}")
        cmd = [
            pyspy,
            "record",
            "--pid",
            str(server.pid),
            "--duration",
            str(args.seconds),
            "--rate",
            str(args.rate),
            "--nolineno",
            "--format",
            "raw",
            "--output",
            str(raw),
        ]
        if args.mode == "gil":
            cmd.append("--gil")
        stop, counter = threading.Event(), [0]
        if args.load == "serial":
            loader = threading.Thread(target=serial_load, args=(url, stop, counter), daemon=True)
            loader.start()
            wrk = None
        else:
            wrk = subprocess.Popen(
                [
                    "wrk",
                    "-t2",
                    "-c32",
                    f"-d{args.seconds + 3}s",
                    "--timeout",
                    "10s",
                    "-s",
                    str(run.BENCH / "wrk" / "auth.lua"),
                    url,
                ],
                stdout=subprocess.PIPE,
                text=True,
            )
        time.sleep(1)
        t0 = time.monotonic()
        subprocess.run(cmd, check=True, capture_output=True)
        elapsed = time.monotonic() - t0
        stop.set()
        if wrk is not None:
            out, _ = wrk.communicate()
            rate = run.parse_wrk(out)["requests_per_sec"]
        else:
            rate = counter[0] / (elapsed + 1)
        print(f"{args.target} {args.request}: ~{rate:.0f} req/s while profiled ({args.load} load; py-spy slows it)")
        print(summarize(raw))
        print(f"\nraw stacks: {raw}")
    finally:
        server.stop()
        shutil.rmtree(snapshot_root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
