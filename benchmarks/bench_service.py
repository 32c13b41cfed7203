"""`POST /evaluate` under load on localhost, beside a bare `Engine.evaluate` loop in the same run.

The service runs as `subsidy-engine serve` would (uvicorn, `--workers 2` by default) on a free
loopback port. The load comes from `wrk` (Debian's `wrk` package), which keeps `--connections`
requests in flight with the example Shuozhou profiles for `--seconds`, then the server stops.
wrk is written in C: on a 2-core machine a Python client would spend the cores the server needs,
and the figure would measure the client.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DAY = date(2019, 12, 31)
SHAPES = {
    "ids": {"statuses": ["eligible", "undetermined"], "citations": "id", "traces": False},
    "compact": {"statuses": ["eligible", "undetermined"], "citations": "ref", "traces": False},
    "full": {},
}

# Cycles through the bodies; on exit prints one line the benchmark reads.
_WRK_SCRIPT = """
local bodies = {%s}
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n + 1
  return wrk.format(nil, "/evaluate", nil, bodies[(n %% #bodies) + 1])
end
done = function(summary, latency, requests)
  local failed = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %%d %%d %%d %%d %%d\\n", summary.requests, failed,
    summary.duration, latency:percentile(50), latency:percentile(99)))
end
"""


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
    server = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the service did not start within 60 s")


class Load:
    """What wrk saw: requests per second, p50 and p99 latency (s), answered and failed."""

    def __init__(self, line: str) -> None:
        requests, failed, duration_us, p50_us, p99_us = (int(x) for x in line.split()[1:])
        self.ok = requests - failed
        self.failed = failed
        self.rate = requests / (duration_us / 1e6)
        self.p50 = p50_us / 1e6
        self.p99 = p99_us / 1e6


def _load(url: str, bodies: list[str], connections: int, seconds: float) -> Load:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("this benchmark needs wrk: apt-get install wrk")
    quoted = ", ".join(f"[==[{body}]==]" for body in bodies)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", encoding="utf-8") as script:
        script.write(_WRK_SCRIPT % quoted)
        script.flush()
        command = [wrk, "-t1", f"-c{connections}", f"-d{seconds:g}s", "-s", script.name, url]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next((x for x in output.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no result:\n{output}")
    return Load(line)


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
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0, help="per shape (%(default)s)")
    parser.add_argument("--shape", choices=[*SHAPES, "all"], default="all")
    args = parser.parse_args(argv)
    profiles = _profiles()
    shapes = list(SHAPES) if args.shape == "all" else [args.shape]
    port = _free_port()
    server = _start(port, args.workers)
    url = f"http://127.0.0.1:{port}"
    print(
        f"\nPOST /evaluate, {len(profiles)} example profiles, uvicorn --workers {args.workers}, "
        f"wrk with {args.connections} connections for {args.seconds:g} s per shape; "
        f"os.cpu_count() = {os.cpu_count()}"
    )
    try:
        for shape in shapes:
            options = SHAPES[shape]
            bodies = [
                json.dumps(
                    {"profile": p, "as_of": DAY.isoformat(), "options": options},
                    ensure_ascii=False,
                )
                for p in profiles
            ]
            _load(url, bodies, args.connections, 2)  # warm both workers
            load = _load(url, bodies, args.connections, args.seconds)
            evaluate, with_json = _bare(profiles, options, min(args.seconds, 5.0))
            print(
                f"  {shape:8} service: {load.rate:7.0f} req/s  p50 {_ms(load.p50)}  "
                f"p99 {_ms(load.p99)}  ({load.ok:,} ok, {load.failed} failed)\n"
                f"  {'':8} bare loop, one process: {evaluate:7.0f} evaluate/s, "
                f"{with_json:7.0f} evaluate+to_json/s"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
