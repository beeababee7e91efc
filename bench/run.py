#!/usr/bin/env python3
"""HTTP benchmark: our service (SQLite, PostgreSQL) against the CAP reference, with wrk.

    .venv/bin/python bench/run.py ours-sqlite ours-postgresql cap

For each target: seed 10,000 notifications (bench/seed.py, generated once into
bench/data/), start ONE server process on 127.0.0.1, check every request answers
200 with a sane body (fail loudly otherwise), warm up, then run
`wrk -t2 -c32 -d15s --latency --timeout 10s -s bench/wrk/auth.lua URL` per request and
sample the server's RSS (VmRSS of the process and its children, peak during the run).
Results go to bench/results/<target>-<YYYY-MM-DD>.json and a Markdown table is printed.
`bench/report.py` puts the newest result of every target side by side.

Requests (the Fiori one percent-encoded like UI5 does it):
  fiori-list           list report read with the draft filter (IsActiveEntity eq false or SiblingEntity/...)
  fiori-list-nofilter  the same without $filter (measured too, so servers that lack SiblingEntity
                       can be compared; on CAP both give the same rows)
  expand-list          Notifications?$top=50&$count=true&$expand=addresses
  single-read          Notifications(ID=<uuid>,IsActiveEntity=true)
  metadata             $metadata

A request the server answers with 4xx/5xx *only because of the SiblingEntity filter* is recorded
as unsupported (status + error message) and the run goes on; any other failure aborts.
Needs: wrk (Debian: `apt-get update && apt-get install -y wrk`), psycopg (in the venv) for the
PostgreSQL schema, and a CAP reference copy with node_modules (default /tmp/cap).
"""

from __future__ import annotations

import argparse
import base64
import csv
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
VENV_BIN = REPO / ".venv" / "bin"
SERVICE_PATH = "/odata/v4/business-partner-verification/"
USER, PASSWORD = "alice", "alice"
AUTH_HEADER = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
TARGETS = ("ours-sqlite", "ours-postgresql", "cap")
DEFAULT_PORTS = {"ours-sqlite": 4111, "ours-postgresql": 4112, "cap": 4104}

FIORI_SELECT = (
    "HasActiveEntity,HasDraftEntity,ID,IsActiveEntity,businessPartnerId,businessPartnerName,"
    "modifiedAt,verificationStatus_code"
)
FIORI_EXPAND = (
    "DraftAdministrativeData($select=DraftUUID,InProcessByUser),verificationStatus($select=code,criticality,value)"
)
FIORI_FILTER = "(IsActiveEntity eq false or SiblingEntity/IsActiveEntity eq null)"


def odata_query(params: list[tuple[str, str]]) -> str:
    """Percent-encode like UI5: spaces and other unsafe characters escaped, OData syntax kept."""
    safe = "$(),/='"
    return "&".join(f"{k}={urllib.parse.quote(v, safe=safe)}" for k, v in params)


def fiori_params(with_filter: bool) -> list[tuple[str, str]]:
    params = [("$count", "true"), ("$select", FIORI_SELECT), ("$expand", FIORI_EXPAND)]
    if with_filter:
        params.append(("$filter", FIORI_FILTER))
    params += [("$orderby", "businessPartnerId"), ("$skip", "0"), ("$top", "30")]
    return params


# --------------------------------------------------------------------------- seed data


@dataclass
class Dataset:
    path: Path
    notifications: list[dict[str, str]]
    addresses_by_notification: dict[str, list[dict[str, str]]]

    @classmethod
    def load(cls, path: Path) -> Dataset:
        with (path / "bp.verification-Notifications.csv").open(encoding="utf-8", newline="") as f:
            notifications = list(csv.DictReader(f, delimiter=";"))
        by_n: dict[str, list[dict[str, str]]] = {}
        with (path / "bp.verification-Addresses.csv").open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f, delimiter=";"):
                by_n.setdefault(row["notification_ID"], []).append(row)
        return cls(path, notifications, by_n)

    @property
    def count(self) -> int:
        return len(self.notifications)

    def first_by_partner(self, n: int) -> list[str]:
        return [r["ID"] for r in sorted(self.notifications, key=lambda r: r["businessPartnerId"])[:n]]

    @property
    def probe(self) -> dict[str, str]:
        """The notification the single read asks for: fixed, from the middle of the file."""
        return self.notifications[self.count // 2]


# --------------------------------------------------------------------------- requests and checks


class CheckFailed(Exception):
    pass


@dataclass
class Request:
    name: str
    label: str
    path: str  # relative to the service root
    check: Callable[[bytes, str, Dataset], None]
    may_be_unsupported: bool = False


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError as e:
        raise CheckFailed(f"body is not JSON: {body[:200]!r}") from e


def _expect(cond: bool, msg: str) -> None:
    if not cond:
        raise CheckFailed(msg)


def check_fiori(body: bytes, _ctype: str, data: Dataset) -> None:
    doc = _json(body)
    rows = doc.get("value")
    _expect(isinstance(rows, list) and len(rows) == 30, f"expected 30 rows, got {None if rows is None else len(rows)}")
    _expect(int(doc.get("@odata.count", -1)) == data.count, f"@odata.count {doc.get('@odata.count')} != {data.count}")
    _expect([r.get("ID") for r in rows] == data.first_by_partner(30), "rows are not the first 30 by businessPartnerId")
    for r in rows:
        _expect(r.get("IsActiveEntity") is True, f"row not active: {r}")
        vs = r.get("verificationStatus")
        _expect(isinstance(vs, dict) and {"code", "value", "criticality"} <= vs.keys(), f"bad verificationStatus: {vs}")
        _expect(vs["code"] == r.get("verificationStatus_code"), f"status mismatch: {r}")
        _expect("DraftAdministrativeData" in r, f"no DraftAdministrativeData in {r}")
        _expect(r.get("businessPartnerName"), f"no businessPartnerName in {r}")


def check_expand(body: bytes, _ctype: str, data: Dataset) -> None:
    doc = _json(body)
    rows = doc.get("value")
    _expect(isinstance(rows, list) and len(rows) == 50, f"expected 50 rows, got {None if rows is None else len(rows)}")
    _expect(int(doc.get("@odata.count", -1)) == data.count, f"@odata.count {doc.get('@odata.count')} != {data.count}")
    for r in rows:
        addresses = r.get("addresses")
        expected = data.addresses_by_notification.get(r.get("ID"), [])
        _expect(
            isinstance(addresses, list) and len(addresses) == len(expected) and len(expected) in (1, 2),
            f"notification {r.get('ID')}: {addresses!r} vs {len(expected)} seeded addresses",
        )
        _expect({a.get("ID") for a in addresses} == {a["ID"] for a in expected}, f"wrong addresses for {r.get('ID')}")


def check_single(body: bytes, _ctype: str, data: Dataset) -> None:
    doc = _json(body)
    probe = data.probe
    _expect(doc.get("ID") == probe["ID"], f"ID {doc.get('ID')} != {probe['ID']}")
    _expect(doc.get("businessPartnerId") == probe["businessPartnerId"], f"businessPartnerId mismatch: {doc}")
    _expect(doc.get("businessPartnerName") == probe["businessPartnerName"], f"businessPartnerName mismatch: {doc}")


def check_metadata(body: bytes, ctype: str, _data: Dataset) -> None:
    text = body.decode("utf-8", "replace")
    _expect("xml" in ctype, f"content type {ctype!r}")
    _expect(
        "<edmx:Edmx" in text and 'Name="Notifications"' in text and 'Name="Addresses"' in text,
        f"not the service's CSDL: {text[:200]!r}",
    )


def requests_for(data: Dataset) -> list[Request]:
    probe = data.probe["ID"]
    return [
        Request(
            "fiori-list",
            "(a) Fiori list report (with draft $filter)",
            "Notifications?" + odata_query(fiori_params(True)),
            check_fiori,
            may_be_unsupported=True,
        ),
        Request(
            "fiori-list-nofilter",
            "(a') Fiori list report without $filter",
            "Notifications?" + odata_query(fiori_params(False)),
            check_fiori,
        ),
        Request(
            "expand-list",
            "(b) $top=50&$count=true&$expand=addresses",
            "Notifications?" + odata_query([("$top", "50"), ("$count", "true"), ("$expand", "addresses")]),
            check_expand,
        ),
        Request(
            "single-read", "(c) single read by key", f"Notifications(ID={probe},IsActiveEntity=true)", check_single
        ),
        Request("metadata", "(d) $metadata", "$metadata", check_metadata),
    ]


def fetch(url: str, timeout: float = 30) -> tuple[int, str, bytes]:
    req = urllib.request.Request(url, headers={"Authorization": AUTH_HEADER})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


# --------------------------------------------------------------------------- process sampling


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def process_tree(pid: int) -> list[int]:
    children = _children_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def rss_kb(pids: list[int]) -> int:
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status", encoding="ascii", errors="replace") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


def cpu_ticks(pids: list[int]) -> int:
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
        except OSError:
            pass
    return total


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs from /proc/stat. Busy is user + nice + system + steal:
    irq/softirq time is left out, it is mostly the loopback network traffic of the test itself."""
    f = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    f += [0] * (8 - len(f))
    user, nice, system, steal = f[0], f[1], f[2], f[7]
    return user + nice + system + steal, sum(f[:8])


def ticks_by_comm(name: str) -> int:
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        head, rest = stat.rsplit(")", 1)
        if head.split("(", 1)[1] == name:
            fields = rest.split()
            total += int(fields[11]) + int(fields[12])
    return total


class CpuAccount:
    """Where the machine's CPU went during a measured run: server, wrk, postgres, everything else.

    The machine is shared; `other_pct` (CPU used by processes that are none of these) shows
    how much a neighbour disturbed the numbers. Percentages are of one core (2 cores = 200 %).
    """

    def __init__(self, server_pid: int, uses_postgres: bool) -> None:
        self.server_pid = server_pid
        self.uses_postgres = uses_postgres  # else PostgreSQL's CPU is a neighbour's

    def __enter__(self) -> CpuAccount:
        self.t0 = time.monotonic()
        self.m0 = machine_ticks()
        self.s0 = cpu_ticks(process_tree(self.server_pid))
        self.p0 = ticks_by_comm("postgres")
        self.w0 = os.times()
        return self

    def __exit__(self, *exc: object) -> None:
        hz = os.sysconf("SC_CLK_TCK")
        wall = time.monotonic() - self.t0
        m1 = machine_ticks()
        w1 = os.times()

        def pct(ticks: float) -> float:
            return round(100 * ticks / hz / wall, 1)

        # this benchmark process itself (RSS sampler, bookkeeping) is not "other" either
        me = (w1.user - self.w0.user) + (w1.system - self.w0.system)
        busy = m1[0] - self.m0[0] - me * hz
        server = cpu_ticks(process_tree(self.server_pid)) - self.s0
        postgres = ticks_by_comm("postgres") - self.p0
        wrk_s = (w1.children_user - self.w0.children_user) + (w1.children_system - self.w0.children_system)
        wrk = wrk_s * hz
        self.result = {
            "machine_busy_pct": pct(busy),
            "server_cpu_pct": pct(server),
            "wrk_cpu_pct": pct(wrk),
            "postgres_cpu_pct": pct(max(0, postgres)),
            "other_cpu_pct": pct(max(0, busy - server - wrk - (postgres if self.uses_postgres else 0))),
        }


def wait_quiet(server_pid: int, max_other_pct: float, timeout: float, window: int = 3) -> float:
    """Wait until the server has drained earlier requests and the rest of the machine is (nearly)
    idle, for `window` consecutive seconds; give up after `timeout`. Returns the last others' busy %."""
    hz = os.sysconf("SC_CLK_TCK")
    deadline = time.monotonic() + timeout
    quiet = 0
    while True:
        b0, s0, t0 = machine_ticks()[0], cpu_ticks(process_tree(server_pid)), time.monotonic()
        time.sleep(1.0)
        b1, s1, t1 = machine_ticks()[0], cpu_ticks(process_tree(server_pid)), time.monotonic()
        server = 100 * (s1 - s0) / hz / (t1 - t0)
        others = 100 * max(0, (b1 - b0) - (s1 - s0)) / hz / (t1 - t0)
        quiet = quiet + 1 if (others <= max_other_pct and server <= 10) else 0
        if quiet >= window or time.monotonic() > deadline:
            return round(others, 1)


class RssSampler:
    """Peak VmRSS of the server's process tree, sampled every `interval` seconds."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid, self.interval = pid, interval
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        pids = process_tree(self.pid)
        last_scan = time.monotonic()
        while not self._stop.is_set():
            if time.monotonic() - last_scan > 1.0:
                pids, last_scan = process_tree(self.pid), time.monotonic()
            self.peak_kb = max(self.peak_kb, rss_kb(pids))
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# --------------------------------------------------------------------------- wrk

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError(f"cannot parse wrk duration {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_wrk(out: str) -> dict[str, Any]:
    res: dict[str, Any] = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not m:
        raise ValueError(f"no Requests/sec in wrk output:\n{out}")
    res["requests_per_sec"] = float(m.group(1))
    m = re.search(r"Latency\s+([\d.]+\w+)\s+([\d.]+\w+)\s+([\d.]+\w+)", out)
    if m:
        res["latency_avg_ms"], res["latency_stdev_ms"], res["latency_max_ms"] = (_ms(g) for g in m.groups())
    for pct, val in re.findall(r"^\s+(\d+)%\s+([\d.]+\w+)\s*$", out, re.M):
        res[f"p{pct}_ms"] = _ms(val)
    m = re.search(r"(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read", out)
    if m:
        res["requests"], res["duration_ms"], res["read"] = int(m.group(1)), _ms(m.group(2)), m.group(3)
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    res["non_2xx_3xx"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    keys = ("connect", "read", "write", "timeout")
    res["socket_errors"] = dict(zip(keys, map(int, m.groups()), strict=True)) if m else {}
    return res


def run_wrk(url: str, args: argparse.Namespace, duration: str) -> str:
    cmd = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{duration}",
        "--latency",
        f"--timeout={args.timeout}",
        "-s",
        str(BENCH / "wrk" / "auth.lua"),
        url,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stderr}\n{proc.stdout}")
    return proc.stdout


# --------------------------------------------------------------------------- servers


def port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def wait_ready(base: str, pid_alive: Callable[[], bool], timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive():
            raise RuntimeError(f"server exited during startup; log {log}:\n{tail(log)}")
        try:
            status, _, _ = fetch(base + "$metadata", timeout=5)
            if status == 200:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"server not ready after {timeout}s; log {log}:\n{tail(log)}")


def tail(path: Path, n: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return "(no log)"


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


class OursServer:
    def __init__(self, target: str, args: argparse.Namespace, data: Dataset) -> None:
        self.target, self.args, self.data = target, args, data
        self.port = args.port or DEFAULT_PORTS[target]
        self.workdir = Path(tempfile.mkdtemp(prefix=f"bpbench-{target}-"))
        self.log = self.workdir / "server.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.schema: str | None = None
        if target == "ours-sqlite":
            self.db_url = f"sqlite:///{self.workdir / 'bench.sqlite'}"
        else:
            self.schema = f"bench_{dt.datetime.now():%Y%m%d_%H%M%S}_{os.getpid()}"
            sep = "&" if "?" in args.pg_url else "?"
            self.db_url = f"{args.pg_url}{sep}options=-csearch_path%3D{self.schema}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def _pg(self, sql: str) -> None:
        import psycopg  # in the project's venv

        plain = re.sub(r"^postgresql\+\w+://", "postgresql://", self.args.pg_url)
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(sql)

    def start(self) -> None:
        if self.schema:
            self._pg(f'CREATE SCHEMA "{self.schema}"')
        env = dict(os.environ, BPVERIFY_DATA_DIR=str(self.data.path), BPVERIFY_SEED="true", BPVERIFY_DB_URL=self.db_url)
        if self.args.snapshot:  # the code as it was when run.py started, shadowing the editable install
            env["PYTHONPATH"] = str(self.args.snapshot)
        cmd = [
            str(VENV_BIN / "bpverify"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--db",
            self.db_url,
            "--log-level",
            self.args.log_level,
        ]
        with self.log.open("wb") as log:
            cmd = pinned(cmd, self.args.server_cpus)  # taskset execs: the PID stays the server's
            self.proc = subprocess.Popen(
                cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir, start_new_session=True
            )
        wait_ready(self.base, lambda: self.proc is not None and self.proc.poll() is None, 180, self.log)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}{SERVICE_PATH}"

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.schema and not self.args.keep:
            try:
                self._pg(f'DROP SCHEMA "{self.schema}" CASCADE')
            except Exception as e:
                print(f"warning: could not drop schema {self.schema}: {e}", file=sys.stderr)
        if not self.args.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def describe(self) -> dict[str, Any]:
        from importlib import metadata

        versions = {}
        for dist in ("bpverify", "fastapi", "starlette", "uvicorn", "sqlalchemy", "psycopg", "uvloop", "httptools"):
            try:
                versions[dist] = metadata.version(dist)
            except metadata.PackageNotFoundError:
                versions[dist] = None
        return {
            "server": "bpverify (FastAPI/uvicorn, 1 process, 1 worker)",
            "db": "SQLite file (WAL)" if self.schema is None else f"PostgreSQL, schema {self.schema}",
            "db_url": self.db_url,
            "python": platform.python_version(),
            "versions": versions,
            "log_level": self.args.log_level,
            "server_cpus": self.args.server_cpus,
            "git": git_state(),
            "srv_sha256": self.args.srv_sha256,
            "srv_snapshot": bool(self.args.snapshot),
        }


class CapServer:
    def __init__(self, args: argparse.Namespace, data: Dataset) -> None:
        self.args, self.data = args, data
        self.port = args.port or DEFAULT_PORTS["cap"]
        self.workdir = Path(tempfile.mkdtemp(prefix="bpbench-cap-"))
        self.capdir = self.workdir / "cap"
        self.log = self.capdir / f".cap.{self.port}.log"
        self._pid: int | None = None

    def start(self) -> None:
        src = Path(self.args.cap_dir)
        if not (src / "node_modules" / "@sap" / "cds").is_dir() or not (src / "db" / "schema.cds").is_file():
            raise RuntimeError(
                f"{src} is not a CAP reference copy with node_modules and a synced db/ "
                "(see its README: start.sh once without SKIP_SYNC)"
            )
        shutil.copytree(src, self.capdir, symlinks=True, ignore=shutil.ignore_patterns(".cap.*"))
        for f in self.data.path.glob("*.csv"):
            shutil.copyfile(f, self.capdir / "db" / "data" / f.name)
        env = dict(os.environ, SKIP_SYNC="1")
        proc = subprocess.run(
            pinned([str(self.capdir / "start.sh"), str(self.port)], self.args.server_cpus),  # node inherits it
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"CAP start.sh failed:\n{proc.stdout}\n{proc.stderr}\n{tail(self.log)}")
        self._pid = int((self.capdir / f".cap.{self.port}.pid").read_text().strip())
        wait_ready(self.base, lambda: alive(self.pid), 120, self.log)

    @property
    def pid(self) -> int:
        assert self._pid is not None
        return self._pid

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}{SERVICE_PATH}"

    def stop(self) -> None:
        if self._pid is not None:
            subprocess.run([str(self.capdir / "stop.sh"), str(self.port)], check=False, capture_output=True)
        if not self.args.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def describe(self) -> dict[str, Any]:
        def version(pkg: str) -> str | None:
            try:
                return json.loads((self.capdir / "node_modules" / pkg / "package.json").read_text())["version"]
            except OSError:
                return None

        node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False).stdout.strip()
        return {
            "server": "CAP Node.js reference (cds-serve, 1 process)",
            "db": "SQLite in-memory (@cap-js/sqlite)",
            "node": node,
            "versions": {p: version(p) for p in ("@sap/cds", "@cap-js/sqlite", "better-sqlite3", "express")},
            "cap_dir": str(self.args.cap_dir),
            "server_cpus": self.args.server_cpus,
        }


def snapshot_srv(dest: Path, source: Path = REPO / "srv") -> tuple[Path, str]:
    """Copy srv/ (others may edit it while the benchmark runs) and hash what was copied."""
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    digest = hashlib.sha256()
    for f in sorted(dest.rglob("*.py")):
        digest.update(str(f.relative_to(dest)).encode() + b"\0" + f.read_bytes())
    probe = subprocess.run(
        [str(VENV_BIN / "python"), "-c", "import odata4, bpverify; print(odata4.__file__)"],
        env=dict(os.environ, PYTHONPATH=str(dest)),
        capture_output=True,
        text=True,
        check=True,
    )
    if not probe.stdout.strip().startswith(str(dest)):
        raise RuntimeError(f"snapshot not picked up: odata4 imported from {probe.stdout.strip()}")
    return dest, digest.hexdigest()


def pinned(cmd: list[str], cpus: str | None) -> list[str]:
    """Run `cmd` on the given CPUs only (taskset), e.g. "0": the server on one core, wrk on the other."""
    if not cpus:
        return cmd
    if shutil.which("taskset") is None:
        raise RuntimeError("--server-cpus needs taskset (util-linux)")
    return ["taskset", "-c", cpus, *cmd]


def git_state() -> dict[str, Any]:
    def git(*a: str) -> str:
        return subprocess.run(["git", "-C", str(REPO), *a], capture_output=True, text=True, check=False).stdout.strip()

    return {"commit": git("rev-parse", "--short", "HEAD"), "dirty_files": git("status", "--porcelain").splitlines()}


# --------------------------------------------------------------------------- machine


def machine() -> dict[str, Any]:
    model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "mem_gb": mem,
        "kernel": platform.release(),
        "wrk": subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout.splitlines()[0:1],
    }


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


# --------------------------------------------------------------------------- main


def bench_target(target: str, args: argparse.Namespace, data: Dataset) -> dict[str, Any]:
    server: OursServer | CapServer = CapServer(args, data) if target == "cap" else OursServer(target, args, data)
    if not port_free(server.port):
        raise RuntimeError(f"port {server.port} is in use; pass --port")
    print(f"\n=== {target}: starting on 127.0.0.1:{server.port} ...", flush=True)
    t0 = time.monotonic()
    try:
        server.start()
        startup_s = time.monotonic() - t0
        pids = process_tree(server.pid)
        result: dict[str, Any] = {
            "target": target,
            "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": machine(),
            "server": server.describe(),
            "server_pid": server.pid,
            "startup_incl_seed_s": round(startup_s, 1),
            "rss_idle_mb": round(rss_kb(pids) / 1024, 1),
            "dataset": {
                "dir": str(data.path),
                "notifications": data.count,
                "addresses": sum(len(v) for v in data.addresses_by_notification.values()),
            },
            "wrk": {
                "threads": args.threads,
                "connections": args.connections,
                "duration": args.duration,
                "timeout": args.timeout,
                "warmup": args.warmup,
                "repeat": args.repeat,
                "max_other_pct": args.max_other_pct,
                "script": "bench/wrk/auth.lua",
            },
            "requests": [],
        }
        print(f"    up after {startup_s:.1f}s (pid {server.pid}, RSS {result['rss_idle_mb']} MB)", flush=True)
        for req in requests_for(data):
            if args.only and req.name not in args.only:
                continue
            url = server.base + req.path
            row: dict[str, Any] = {"name": req.name, "label": req.label, "url": url}
            status, ctype, body = fetch(url)
            if status != 200:
                msg = body[:300].decode("utf-8", "replace")
                if req.may_be_unsupported and 400 <= status < 600 and target != "cap":
                    print(f"--- {req.name}: NOT SUPPORTED by {target}: HTTP {status} {msg}", flush=True)
                    row.update(supported=False, status=status, error=msg)
                    result["requests"].append(row)
                    continue
                raise CheckFailed(f"{target} {req.name}: HTTP {status} for {url}\n{msg}")
            try:
                req.check(body, ctype, data)
            except CheckFailed as e:
                raise CheckFailed(f"{target} {req.name}: {e}\nURL: {url}") from e
            row.update(supported=True, status=200, body_bytes=len(body))
            print(f"--- {req.name}: 200 OK, {len(body)} bytes, body checked; warm-up {args.warmup} ...", flush=True)
            warm = parse_wrk(run_wrk(url, args, args.warmup))
            row["warmup_requests_per_sec"] = warm["requests_per_sec"]
            runs: list[dict[str, Any]] = []
            attempts = 0
            while sum(1 for r in runs if not r["disturbed"]) < args.repeat and attempts < args.repeat + args.retries:
                attempts += 1
                run = measure(server, url, args)
                run["disturbed"] = run["other_cpu_pct"] > args.max_other_pct
                runs.append(run)
                if not alive(server.pid):
                    raise RuntimeError(f"{target} died during {req.name}; log:\n{tail(server.log)}")
                print(
                    f"    run {attempts}: {run['requests_per_sec']:.0f} req/s, p50 {run.get('p50_ms', 0):.1f} ms, "
                    f"p99 {run.get('p99_ms', 0):.1f} ms, RSS peak {run['rss_peak_mb']} MB, "
                    f"CPU % server {run['server_cpu_pct']} wrk {run['wrk_cpu_pct']} "
                    f"postgres {run['postgres_cpu_pct']} other {run['other_cpu_pct']}"
                    + (" (disturbed: does not count)" if run["disturbed"] else ""),
                    flush=True,
                )
                if run["errors"]:
                    print(
                        f"!!! {req.name}: {run['non_2xx_3xx']} non-2xx/3xx responses, "
                        f"socket errors {run['socket_errors']}",
                        flush=True,
                    )
            clean = [r for r in runs if not r["disturbed"]]
            row["disturbed"] = not clean
            if not clean:
                print(f"    !!! every run of {req.name} was disturbed by other processes", flush=True)
            # headline = the fastest run: on a shared machine, neighbours only ever slow a run down
            best = max(clean or runs, key=lambda r: r["requests_per_sec"])
            row.update({k: v for k, v in best.items() if k != "wrk_output"})
            row["rss_peak_mb"] = max(r["rss_peak_mb"] for r in runs)
            rates = sorted(r["requests_per_sec"] for r in clean or runs)
            row["requests_per_sec_median"] = rates[len(rates) // 2]
            row["requests_per_sec_min"] = rates[0]
            row["wrk_output"] = best["wrk_output"]
            row["runs"] = [{k: v for k, v in r.items() if k != "wrk_output"} for r in runs]
            if len(runs) > 1:
                print(
                    f"    => best of {len(clean or runs)}: run {runs.index(best) + 1}, "
                    f"{best['requests_per_sec']:.0f} req/s "
                    f"(median {row['requests_per_sec_median']:.0f})",
                    flush=True,
                )
            result["requests"].append(row)
        result["rss_peak_mb"] = max((r.get("rss_peak_mb", 0) for r in result["requests"]), default=0)
        return result
    finally:
        server.stop()


def measure(server: OursServer | CapServer, url: str, args: argparse.Namespace) -> dict[str, Any]:
    run: dict[str, Any] = {
        "others_busy_pct_before": wait_quiet(server.pid, args.quiet_pct, args.quiet_timeout),
        "loadavg_before": loadavg(),
    }
    with (
        RssSampler(server.pid) as sampler,
        CpuAccount(server.pid, isinstance(server, OursServer) and server.schema is not None) as cpu,
    ):
        out = run_wrk(url, args, args.duration)
    run.update(parse_wrk(out))
    run["rss_peak_mb"] = round(sampler.peak_kb / 1024, 1)
    run.update(cpu.result)
    run["errors"] = bool(run["non_2xx_3xx"] or any(run["socket_errors"].values()))
    run["wrk_output"] = out
    return run


def fmt_row(r: dict[str, Any]) -> tuple[str, str, str, str]:
    if not r.get("supported"):
        return ("n/a", "n/a", "n/a", f"unsupported (HTTP {r.get('status')})")
    flag = (" ⚠ errors" if r.get("errors") else "") + (" ⚠ disturbed" if r.get("disturbed") else "")
    return (
        f"{r['requests_per_sec']:,.0f}",
        f"{r.get('p50_ms', 0):,.1f}",
        f"{r.get('p99_ms', 0):,.1f}",
        f"{r['rss_peak_mb']:,.0f}{flag}",
    )


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"**{result['target']}** — {result['date']}, {result['machine']['nproc']} cores "
        f"({result['machine']['cpu_model']}), wrk -t{result['wrk']['threads']} -c{result['wrk']['connections']} "
        f"-d{result['wrk']['duration']}, {result['dataset']['notifications']:,} notifications",
        "",
        "| request | req/s | p50 ms | p99 ms | peak RSS MB |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in result["requests"]:
        lines.append(f"| {r['label']} | " + " | ".join(fmt_row(r)) + " |")
    lines.append(
        f"\nidle RSS after start: {result['rss_idle_mb']} MB; start incl. seeding: {result['startup_incl_seed_s']} s"
    )
    return "\n".join(lines)


def ensure_wrk() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed. On Debian/Ubuntu: apt-get update && apt-get install -y wrk")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Benchmark our service and the CAP reference with wrk.")
    p.add_argument("targets", nargs="*", help=f"any of {', '.join(TARGETS)} (default: all)")
    p.add_argument(
        "--data-dir",
        type=Path,
        default=BENCH / "data" / "10k",
        help="seed CSVs; generated with bench/seed.py if missing (default bench/data/10k)",
    )
    p.add_argument("--notifications", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=20240611, help="random seed for bench/seed.py")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--duration", default="15s")
    p.add_argument("--warmup", default="5s", help="wrk warm-up per request before the measured run")
    p.add_argument(
        "--timeout",
        default="10s",
        help="wrk socket timeout (wrk's default 2s drops slow requests from the latency stats)",
    )
    p.add_argument("--port", type=int, default=None, help="override the port (default 4111/4112/4104)")
    p.add_argument(
        "--pg-url",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
        help="PostgreSQL URL; a fresh schema is created and dropped after the run",
    )
    p.add_argument(
        "--cap-dir",
        default=os.environ.get("CAP_DIR", "/tmp/cap"),
        help="CAP reference copy with node_modules and a synced db/ (copied, never modified)",
    )
    p.add_argument(
        "--log-level",
        default="info",
        help="our server's log level (info = uvicorn access log on, like CAP's per-request log)",
    )
    p.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="measured runs per request; the fastest is the headline (neighbours on a shared "
        "machine only slow runs down), all are kept in the JSON",
    )
    p.add_argument(
        "--quiet-pct",
        type=float,
        default=15.0,
        help="before each run, wait until the server is idle and other processes use at most this much CPU "
        "(%% of a core) for 3 s",
    )
    p.add_argument(
        "--max-other-pct",
        type=float,
        default=25.0,
        help="a run during which unrelated processes used more CPU than this (%% of a core) is disturbed: "
        "repeated, and only used when no undisturbed run was possible",
    )
    p.add_argument("--retries", type=int, default=4, help="extra runs allowed per request to replace disturbed ones")
    p.add_argument("--quiet-timeout", type=float, default=300.0, help="... but at most this many seconds")
    p.add_argument(
        "--srv-from",
        type=Path,
        default=REPO / "srv",
        help="take the code snapshot from this copy of srv/ (to rerun exactly the code of an earlier run)",
    )
    p.add_argument(
        "--server-cpus",
        default=None,
        help="pin the server to these CPUs with taskset (e.g. 0); default: unpinned, as in production",
    )
    p.add_argument(
        "--tag",
        default="",
        help="suffix for the result file name, e.g. 'pinned' -> results/<target>-pinned-<date>.json",
    )
    p.add_argument("--results-dir", type=Path, default=BENCH / "results")
    p.add_argument(
        "--only", nargs="+", default=None, metavar="REQUEST", help="run only these requests (e.g. fiori-list metadata)"
    )
    p.add_argument("--keep", action="store_true", help="keep the temp dirs / PostgreSQL schema")
    p.add_argument(
        "--no-snapshot",
        dest="snapshot",
        action="store_false",
        help="run srv/ in place instead of from a copy taken at start (default: copy, so that edits "
        "made while the benchmark runs don't mix into it)",
    )
    args = p.parse_args(argv)
    unknown = [t for t in args.targets if t not in TARGETS]
    if unknown:
        p.error(f"unknown target(s) {unknown}; choose from {', '.join(TARGETS)}")

    ensure_wrk()
    if not (args.data_dir / "bp.verification-Notifications.csv").is_file():
        subprocess.run(
            [
                sys.executable,
                str(BENCH / "seed.py"),
                str(args.data_dir),
                "--notifications",
                str(args.notifications),
                "--seed",
                str(args.seed),
            ],
            check=True,
        )
    data = Dataset.load(args.data_dir.resolve())
    snapshot_root = Path(tempfile.mkdtemp(prefix="bpbench-srv-"))
    args.srv_sha256 = None
    if args.snapshot:
        args.snapshot, args.srv_sha256 = snapshot_srv(snapshot_root / "srv", args.srv_from)
        print(f"srv/ snapshot {args.srv_sha256[:12]} in {args.snapshot}")
    args.results_dir.mkdir(parents=True, exist_ok=True)

    try:
        tables, failed = [], False
        for target in args.targets or TARGETS:
            try:
                result = bench_target(target, args, data)
            except (CheckFailed, RuntimeError) as e:
                print(f"\nFAILED {target}: {e}", file=sys.stderr, flush=True)
                failed = True
                continue
            tag = f"-{args.tag}" if args.tag else ""
            result["tag"] = args.tag
            out = args.results_dir / f"{target}{tag}-{dt.date.today().isoformat()}.json"
            out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
            print(f"    results: {out.relative_to(REPO) if out.is_relative_to(REPO) else out}")
            tables.append(markdown(result))
    finally:
        shutil.rmtree(snapshot_root, ignore_errors=True)
    print("\n" + "\n\n".join(tables))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
