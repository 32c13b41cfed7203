"""Ctrl-C part-way through `subsidy-engine score` of a registry large enough to take seconds:
exit code 130 with one line, and the output folder as it was before the run (the previous
outputs byte for byte, no new file, no partial file)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import subsidy_engine
from subsidy_engine import Engine
from subsidy_engine.atomic import PARTIAL
from subsidy_engine.synthetic import write_parquet

if TYPE_CHECKING:
    from conftest import Kit

ROWS = 100_000
BATCH = 5_000


def test_ctrl_c_part_way_leaves_the_previous_outputs(kit: Kit, tmp_path: Path) -> None:
    registry = write_parquet(Engine().rulebook, ROWS, tmp_path / "reg.parquet", seed=7)
    out = tmp_path / "out"
    out.mkdir()
    (out / "o.parquet").write_bytes(b"the previous run's results")
    (out / "o.rejects.csv").write_bytes(b"the previous run's rejects")
    before = kit.snapshot(out)
    env = {**os.environ, "PYTHONPATH": str(Path(subsidy_engine.__file__).parents[1])}
    command = [
        sys.executable, "-m", "subsidy_engine.cli", "score", str(registry),
        "-o", str(out / "o.parquet"), "--summary", str(out / "s.parquet"),
        "--as-of", "2019-12-31", "--batch-rows", str(BATCH),
    ]  # fmt: skip
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 120
        while not any(PARTIAL in p.name for p in out.iterdir()):
            assert process.poll() is None, "the run ended before it started writing"
            assert time.monotonic() < deadline, "no output started within two minutes"
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 130, (stdout, stderr)
    assert stderr == "subsidy-engine: interrupted; no output was written\n"
    assert "rows read" not in stdout
    assert kit.snapshot(out) == before
