#!/usr/bin/env python3
"""Side-by-side Markdown table of the newest bench/results/<target>-<date>.json per target.

python3 bench/report.py [--results-dir bench/results] [FILE.json ...]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ORDER = ["ours-sqlite", "ours-postgresql", "cap"]


def newest(results_dir: Path, tag: str | None = None) -> list[dict]:
    picked: dict[str, tuple[str, dict]] = {}
    for path in sorted(results_dir.glob("*.json")):
        doc = json.loads(path.read_text())
        if not isinstance(doc, dict) or "target" not in doc or "requests" not in doc:
            continue  # other benchmarks (events, remote) keep their results here too
        if tag is not None and doc.get("tag", "") != tag:
            continue
        target = doc["target"] + (f" ({doc['tag']})" if doc.get("tag") else "")
        if target not in picked or doc["date"] > picked[target][0]:
            picked[target] = (doc["date"], doc)

    def order(name: str) -> tuple[int, str]:
        base = name.split(" ")[0]
        return (ORDER.index(base) if base in ORDER else 99, name)

    return [picked[t][1] for t in sorted(picked, key=order)]


def cell(req: dict | None) -> str:
    if req is None:
        return "-"
    if not req.get("supported"):
        return f"not supported (HTTP {req.get('status')})"
    timeouts = req.get("socket_errors", {}).get("timeout", 0)
    other = req.get("non_2xx_3xx", 0) + sum(req.get("socket_errors", {}).values()) - timeouts
    warn = (f" ⚠ {timeouts} timeouts" if timeouts else "") + (f" ⚠ {other} errors" if other else "")
    warn += " ⚠ disturbed" if req.get("disturbed") else ""
    return f"{req['requests_per_sec']:,.0f} req/s · p50 {req['p50_ms']:,.0f} · p99 {req['p99_ms']:,.0f} ms{warn}"


def table(docs: list[dict]) -> str:
    names: list[tuple[str, str]] = []
    for d in docs:
        for r in d["requests"]:
            if (r["name"], r["label"]) not in names:
                names.append((r["name"], r["label"]))
    head = "| request | " + " | ".join(d["target"] + (f" ({d['tag']})" if d.get("tag") else "") for d in docs) + " |"
    lines = [head, "|---|" + "---:|" * len(docs)]
    for name, label in names:
        cells = [cell(next((r for r in d["requests"] if r["name"] == name), None)) for d in docs]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append(
        "| RSS idle → peak (MB) | "
        + " | ".join(f"{d['rss_idle_mb']:,.0f} → {d['rss_peak_mb']:,.0f}" for d in docs)
        + " |"
    )
    lines.append(
        "| server CPU during runs | "
        + " | ".join(
            "-".join(
                dict.fromkeys(
                    f"{v:.0f}" for v in _minmax([r["server_cpu_pct"] for r in d["requests"] if r.get("supported")])
                )
            )
            + " %"
            for d in docs
        )
        + " |"
    )
    lines.append("| measured | " + " | ".join(d["date"][:16].replace("T", " ") for d in docs) + " |")
    return "\n".join(lines)


def _minmax(values: list[float]) -> list[float]:
    return [min(values), max(values)] if values else []


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("files", nargs="*", type=Path)
    p.add_argument("--results-dir", type=Path, default=BENCH / "results")
    p.add_argument("--tag", default=None, help="only results run with this --tag ('' = untagged); default: all")
    args = p.parse_args(argv)
    docs = [json.loads(f.read_text()) for f in args.files] if args.files else newest(args.results_dir, args.tag)
    if not docs:
        print(f"no results in {args.results_dir}", file=sys.stderr)
        return 1
    m = docs[0]["machine"]
    w = docs[0]["wrk"]
    print(
        f"{m['nproc']} cores ({m['cpu_model']}), wrk -t{w['threads']} -c{w['connections']} -d{w['duration']} "
        f"--latency --timeout {w['timeout']}, {docs[0]['dataset']['notifications']:,} notifications\n"
    )
    print(table(docs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
