"""`POST /evaluate` under load on localhost, beside a bare `Engine.evaluate` loop in the same run.

The service runs as `subsidy-engine serve` would (uvicorn, `--workers 2` by default) on a free
loopback port; one asyncio client keeps `--connections` requests in flight with the example
Shuozhou profiles, for `--seconds` or `--requests`, whichever ends first, then stops the server.
The client shares the machine's cores with the server, as a portal's load balancer would not.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DAY = date(2019, 12, 31)
SHAPES = {
    "compact": {"statuses": ["eligible", "undetermined"], "citations": "ref", "traces": False},
    "full": {},
}


def _profiles() -> list[dict[str, Any]]:
    from subsidy_engine import Engine
    from subsidy_engine.profile_files import read_profile
    from subsidy_engine.views import plain

    engine = Engine()
    return [
        plain(read_profile(path, engine).model_dump(exclude_none=True))
        for path in sorted((ROOT / "examples").glob("*.yaml"))
    ]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _start(port: int, workers: int) -> subprocess.Popen[bytes]:
    import httpx

    command = [
        sys.executable,
        "-m",
        "subsidy_engine.cli",
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    server = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the service did not start within 60 s")


async def _load(
    url: str, bodies: list[bytes], connections: int, seconds: float, limit: int
) -> tuple[list[float], int, float]:
    """Latencies (s) of successful requests, the count of failed ones, and the wall time."""
    import httpx

    latencies: list[float] = []
    failed = 0
    sent = itertools.count()
    stop = time.perf_counter() + seconds
    headers = {"Content-Type": "application/json"}
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal failed
            while time.perf_counter() < stop:
                n = next(sent)
                if n >= limit:
                    return
                started = time.perf_counter()
                response = await client.post(
                    "/evaluate", content=bodies[n % len(bodies)], headers=headers
                )
                if response.status_code == 200:
                    latencies.append(time.perf_counter() - started)
                else:
                    failed += 1

        begun = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        return latencies, failed, time.perf_counter() - begun


def _bare(
    profiles: list[dict[str, Any]], options: dict[str, Any], seconds: float
) -> tuple[float, float]:
    """Evaluations per second of a bare loop: evaluate only, and evaluate + the same JSON."""
    from subsidy_engine import Engine

    engine = Engine()
    rates = []
    for with_json in (False, True):
        done = 0
        stop = time.perf_counter() + seconds
        begun = time.perf_counter()
        while time.perf_counter() < stop:
            evaluation = engine.evaluate(profiles[done % len(profiles)], DAY)
            if with_json:
                evaluation.to_json(**options)
            done += 1
        rates.append(done / (time.perf_counter() - begun))
    return rates[0], rates[1]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="benchmarks service")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0, help="per shape (%(default)s)")
    parser.add_argument("--requests", type=int, default=20_000, help="per shape, at most")
    parser.add_argument("--shape", choices=[*SHAPES, "both"], default="both")
    args = parser.parse_args(argv)
    profiles = _profiles()
    shapes = list(SHAPES) if args.shape == "both" else [args.shape]
    port = _free_port()
    server = _start(port, args.workers)
    url = f"http://127.0.0.1:{port}"
    print(
        f"\nPOST /evaluate, {len(profiles)} example profiles, uvicorn --workers {args.workers}, "
        f"{args.connections} connections, up to {args.seconds:g} s or {args.requests:,} "
        f"requests per shape; os.cpu_count() = {os.cpu_count()}"
    )
    try:
        for shape in shapes:
            options = SHAPES[shape]
            bodies = [
                json.dumps({"profile": p, "as_of": DAY.isoformat(), "options": options}).encode()
                for p in profiles
            ]
            asyncio.run(_load(url, bodies, args.connections, 1.0, 200))  # warm both workers
            latencies, failed, wall = asyncio.run(
                _load(url, bodies, args.connections, args.seconds, args.requests)
            )
            latencies.sort()
            p50 = statistics.median(latencies)
            p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
            evaluate, with_json = _bare(profiles, options, min(args.seconds, 5.0))
            print(
                f"  {shape:8} service: {len(latencies) / wall:7.0f} req/s  p50 {_ms(p50)}  "
                f"p99 {_ms(p99)}  ({len(latencies):,} ok, {failed} failed)\n"
                f"  {'':8} bare loop, one process: {evaluate:7.0f} evaluate/s, "
                f"{with_json:7.0f} evaluate+to_json/s"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
