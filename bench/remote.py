#!/usr/bin/env python3
"""Benchmark: `GET BusinessPartners?$top=50` through our service vs the same request straight to the mock.

    .venv/bin/python bench/remote.py [--requests 400] [--concurrency 8] [--latency 0 50]

One run starts two processes on 127.0.0.1: the mocked S/4HANA (`bpverify mock-s4`, TLS with a self-signed
certificate for localhost) and our service (`bpverify serve`, S/4HANA through a `destinations` entry with
ProxyType PrivateLink and the certificate as truststore: pooled TLS connections, cached destination).

  via service  GET http://127.0.0.1:<port>/odata/v4/business-partner-verification/BusinessPartners?$top=50
  direct       GET https://localhost:<port>/sap/opu/odata/sap/API_BUSINESS_PARTNER/A_BusinessPartner?<the V2
               query options our service sends for it: $select of the 5 mapped properties, $orderby, $top=50>

A second pair measures the connectivity layer alone, in this process: the same V2 request through
`DestinationClientFactory.connect("BusinessPartner")` — the destination looked up from a (fake, loopback)
Destination service with its XSUAA token, cached; PrivateLink; the truststore certificate fetched from the
service; Basic auth; pooled TLS connections — against a plain `httpx.AsyncClient` to the mock.

Both clients keep their connections (httpx, keep-alive). For each S/4HANA latency (mock knob `latency_ms`):
sequential requests, A and B interleaved (median and p95 latency), then `--concurrency` parallel clients
(requests per second). The ratio is via-service / direct (latency) and direct / via-service (throughput).
Results: bench/results/remote-<YYYY-MM-DD>.json and a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import datetime as dt
import json
import os
import platform
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
BPVERIFY = str(REPO / ".venv" / "bin" / "bpverify")
SERVICE = "/odata/v4/business-partner-verification/BusinessPartners?$top=50"
V2_ROOT = "/sap/opu/odata/sap/API_BUSINESS_PARTNER"
V2 = (
    f"{V2_ROOT}/A_BusinessPartner?$select=BusinessPartner,BusinessPartnerFullName,BusinessPartnerCategory,"
    "SearchTerm1,BusinessPartnerIsBlocked&$orderby=BusinessPartner&$top=50"
)
MOCK_AUTH = ("MOCKUSER", "mockpass")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def certificate(folder: Path) -> tuple[Path, Path]:
    sys.path.insert(0, str(REPO / "srv"))
    from bpverify.tools.certs import self_signed, write

    pair = self_signed("localhost", days=2, extra_names=("127.0.0.1",))
    return write(folder / "s4.pem", pair.cert_pem()), write(folder / "s4.key", pair.key_pem(), secret=True)


def wait_for(url: str, **kwargs: Any) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2, **kwargs).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def start(stack: ExitStack, args: list[str], env: dict[str, str]) -> None:
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stack.callback(lambda: (process.terminate(), process.wait(10)))


def destination(port: int, cert: Path) -> str:
    entry = {
        "name": "BusinessPartner",
        "URL": f"https://localhost:{port}",
        "ProxyType": "PrivateLink",
        "Authentication": "BasicAuthentication",
        "User": MOCK_AUTH[0],
        "Password": MOCK_AUTH[1],
        "TrustStoreLocation": "s4.pem",
        "certificates": [{"Name": "s4.pem", "Content": base64.b64encode(cert.read_bytes()).decode()}],
    }
    return json.dumps([entry])


def trust(cert: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(cert))
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN  # a self-signed server certificate as trust anchor
    return context


def sequential(via: httpx.Client, direct: httpx.Client, count: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"via service": [], "direct": []}
    for _ in range(count):
        for name, client, url in (("via service", via, SERVICE), ("direct", direct, V2)):
            started = time.perf_counter()
            response = client.get(url)
            times[name].append(time.perf_counter() - started)
            assert response.status_code == 200, response.text[:300]
    return times


async def throughput(base: str, url: str, count: int, concurrency: int, **client: Any) -> float:
    async with httpx.AsyncClient(base_url=base, limits=httpx.Limits(max_connections=concurrency), **client) as http:
        await asyncio.gather(*(http.get(url) for _ in range(concurrency)))  # open the connections
        queue = iter(range(count))

        async def worker() -> None:
            for _ in queue:
                response = await http.get(url)
                assert response.status_code == 200

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return count / (time.perf_counter() - started)


def client_path(mock_port: int, cert: Path, count: int) -> dict[str, Any]:
    """`count` interleaved requests: through the destination client vs plain httpx, both to the mock."""
    sys.path[:0] = [str(REPO / "srv"), str(REPO)]
    from tests.btp.fakebtp import FakeBTP
    from tests.support.server import serve

    from btp import ConnectivitySettings, DestinationClientFactory

    fake = FakeBTP(clients={"sb-destination": "bench-secret"})
    fake.destinations = {
        "BusinessPartner": {
            "config": {
                "URL": f"https://localhost:{mock_port}",
                "ProxyType": "PrivateLink",
                "Authentication": "BasicAuthentication",
                "User": MOCK_AUTH[0],
                "Password": MOCK_AUTH[1],
                "TrustStoreLocation": "s4.pem",
            }
        }
    }
    fake.certificates = {"subaccount": {"s4.pem": cert.read_bytes()}, "instance": {}}
    with serve(fake.app()) as btp_url:
        port = btp_url.rsplit(":", 1)[1]
        credentials = {
            "clientid": "sb-destination",
            "clientsecret": "bench-secret",
            "url": f"http://provider.auth.test:{port}",
            "uri": btp_url,
            "identityzone": "provider",
            "uaadomain": "auth.test",
        }
        vcap = {
            "destination": [{"label": "destination", "name": "d", "tags": ["destination"], "credentials": credentials}]
        }
        settings = ConnectivitySettings(
            environ={"VCAP_SERVICES": json.dumps(vcap)}, resolve={"provider.auth.test": "127.0.0.1"}
        )

        async def run() -> dict[str, list[float]]:
            async with (
                DestinationClientFactory(settings) as factory,
                httpx.AsyncClient(
                    base_url=f"https://localhost:{mock_port}", auth=MOCK_AUTH, verify=trust(cert)
                ) as plain,
            ):
                through = await factory.connect("BusinessPartner")
                times: dict[str, list[float]] = {"destination client": [], "plain httpx": []}
                for n in range(20 + count):  # 20 warm-up rounds: token, lookup, certificate, TLS
                    for name, client in (("destination client", through), ("plain httpx", plain)):
                        started = time.perf_counter()
                        response = await client.get(V2)
                        elapsed = time.perf_counter() - started
                        assert response.status_code == 200, response.text[:300]
                        if n >= 20:
                            times[name].append(elapsed)
                await through.aclose()
                return times

        times = asyncio.run(run())
    result: dict[str, Any] = {k: summary(v) for k, v in times.items()}
    result["ratio"] = round(result["destination client"]["median_ms"] / result["plain httpx"]["median_ms"], 3)
    # the lookup happened once for all requests: the destination (and its certificate) came from the cache
    result["destination_lookups"] = fake.counts["find:BusinessPartner"]
    result["token_requests"] = fake.counts["token:sb-destination"]
    return result


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2),
    }


def measure(
    service_url: str, mock_url: str, mock_port: int, cert: Path, args: argparse.Namespace, latency: float
) -> dict[str, Any]:
    httpx.put(f"{mock_url}/_mock/knobs", json={"latency_ms": latency}, auth=MOCK_AUTH, verify=trust(cert))
    with (
        httpx.Client(base_url=service_url, auth=("alice", "alice")) as via,
        httpx.Client(base_url=mock_url, auth=MOCK_AUTH, verify=trust(cert)) as direct,
    ):
        sequential(via, direct, 20)  # warm-up: destination lookup, TLS pool, imports
        times = sequential(via, direct, args.requests)
    result: dict[str, Any] = {"s4_latency_ms": latency, "sequential": {k: summary(v) for k, v in times.items()}}
    seq = result["sequential"]
    result["latency_ratio"] = round(seq["via service"]["median_ms"] / seq["direct"]["median_ms"], 3)
    via_rps = asyncio.run(throughput(service_url, SERVICE, args.requests, args.concurrency, auth=("alice", "alice")))
    direct_rps = asyncio.run(
        throughput(mock_url, V2, args.requests, args.concurrency, auth=MOCK_AUTH, verify=trust(cert))
    )
    result["throughput_rps"] = {"via service": round(via_rps, 1), "direct": round(direct_rps, 1)}
    result["throughput_ratio"] = round(direct_rps / via_rps, 3)
    result["client_path"] = client_path(mock_port, cert, args.requests)
    return result


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| S/4 latency | via service median / p95 | direct median / p95 | ratio | via service rps | direct rps "
        "| ratio |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        s, t = r["sequential"], r["throughput_rps"]
        lines.append(
            f"| {r['s4_latency_ms']:g} ms | {s['via service']['median_ms']} / {s['via service']['p95_ms']} ms "
            f"| {s['direct']['median_ms']} / {s['direct']['p95_ms']} ms | {r['latency_ratio']} "
            f"| {t['via service']} | {t['direct']} | {r['throughput_ratio']} |"
        )
    lines += [
        "",
        "| S/4 latency | destination client median / p95 | plain httpx median / p95 | ratio | destination lookups |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in results:
        c = r["client_path"]
        through, plain = c["destination client"], c["plain httpx"]
        lines.append(
            f"| {r['s4_latency_ms']:g} ms | {through['median_ms']} / {through['p95_ms']} ms "
            f"| {plain['median_ms']} / {plain['p95_ms']} ms | {c['ratio']} "
            f"| {c['destination_lookups']} (tokens: {c['token_requests']}) |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--latency", type=float, nargs="+", default=[0.0, 50.0], help="S/4HANA latencies (ms)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-remote-") as tmp, ExitStack() as stack:
        folder = Path(tmp)
        cert, key = certificate(folder)
        mock_port, service_port = free_port(), free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("BPVERIFY_")}
        start(
            stack,
            [
                BPVERIFY,
                "mock-s4",
                "--port",
                str(mock_port),
                "--tls-cert",
                str(cert),
                "--tls-key",
                str(key),
                "--log-level",
                "warning",
            ],
            env,
        )
        service_env = {**env, "destinations": destination(mock_port, cert), "BPVERIFY_MOCK_S4": "off"}
        start(
            stack,
            [
                BPVERIFY,
                "serve",
                "--port",
                str(service_port),
                "--db",
                f"sqlite:///{folder / 'bench.sqlite'}",
                "--log-level",
                "warning",
            ],
            service_env,
        )
        mock_url, service_url = f"https://localhost:{mock_port}", f"http://127.0.0.1:{service_port}"
        wait_for(f"{mock_url}{V2_ROOT}/", auth=MOCK_AUTH, verify=trust(cert))
        wait_for(f"{service_url}/health")
        results = [measure(service_url, mock_url, mock_port, cert, args, latency) for latency in args.latency]
    report = {
        "date": dt.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "requests": args.requests,
        "concurrency": args.concurrency,
        "results": results,
    }
    out = BENCH / "results" / f"remote-{report['date']}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(table(results))
    print(f"\nwritten to {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
