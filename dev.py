"""Set up the environment and run the project's main jobs, on a machine with only Python 3.11.

    python3 dev.py demo    evaluate the bundled example profile
    python3 dev.py test    lint, type-check and run the whole test suite
    python3 dev.py bench   run the benchmarks

The virtual environment goes in .venv (created and filled on first use).
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMP = VENV / ".installed"
DEMO = ["examples/huairen-ceramics-large.yaml", "--as-of", "2019-12-31"]
EXTRAS = "batch,spark,charts,export,testing,service,database"
"""Every feature, so that the whole suite runs; the tools come from the `dev` dependency group."""


def ensure_env() -> None:
    """Create .venv and install the package with every extra and the tools, once per change of
    pyproject. Dependency groups need pip 25.1 or later: pip is upgraded first."""
    if not PYTHON.exists():
        print("creating .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    wanted = (ROOT / "pyproject.toml").read_bytes()
    if STAMP.exists() and STAMP.read_bytes() == wanted:
        return
    print("installing subsidy-engine and its test tools into .venv …", flush=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--quiet"]
    run([*pip, "--upgrade", "pip"])
    run([*pip, "-e", f"{ROOT}[{EXTRAS}]", "--group", "dev"])
    STAMP.write_bytes(wanted)


def run(command: list[str]) -> None:
    result = subprocess.run(command, cwd=ROOT, check=False)
    if result.returncode:
        sys.exit(result.returncode)


def main(argv: list[str]) -> None:
    job = argv[0] if argv else "demo"
    extra = argv[1:]
    ensure_env()
    if job == "demo":
        run([str(BIN / "subsidy-engine"), "evaluate", *(extra or DEMO)])
    elif job == "test":
        run([str(BIN / "ruff"), "check", "src", "tests", "benchmarks", "examples"])
        run([str(BIN / "mypy")])
        run([str(PYTHON), "-m", "pytest", *(extra or ["-n", "auto", "--dist", "loadgroup"])])
    elif job == "bench":
        run([str(PYTHON), "-m", "benchmarks", *extra])
    else:
        sys.exit(f"unknown job {job!r}: use demo, test or bench")


if __name__ == "__main__":
    main(sys.argv[1:])
