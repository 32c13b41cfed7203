"""A throwaway PostgreSQL cluster for the database tests: `initdb` in a temporary folder, the
server on a unix socket there (no TCP), run as the unprivileged `postgres` user when the tests
run as root (the server refuses root), stopped and removed at the end of the session.

The server binaries come from Debian's `postgresql` package; without them the fixture fails
(it never skips), saying what to install.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

PORT = 50000 + os.getpid() % 10000
"""Only names the socket file (no TCP); one per process, so parallel workers do not meet."""


def _binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    on_path = shutil.which("initdb")
    if found:
        return Path(found[-1]).parent
    if on_path:
        return Path(on_path).parent
    pytest.fail(
        "the PostgreSQL server binaries (initdb, pg_ctl) are missing: install them with "
        "`apt-get install -y postgresql` (Debian's package; .ci/run does this)"
    )


def _as_server_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        pytest.fail("running as root needs runuser to start PostgreSQL as the postgres user")
    return [runuser, "-u", "postgres", "--"]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL database for this test session."""
    binaries = _binaries()
    prefix = _as_server_user()
    folder = Path(tempfile.mkdtemp(prefix="subsidy-engine-pg-"))
    data = folder / "data"
    if prefix:
        shutil.chown(folder, user="postgres", group="postgres")
    folder.chmod(0o755)
    run = [*prefix]
    subprocess.run(
        [*run, str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
         "--no-sync", "-E", "UTF8", "--locale", "C"],
        check=True, capture_output=True,
    )  # fmt: skip
    options = f"-k {folder} -p {PORT} -c listen_addresses='' -c fsync=off"
    log = folder / "server.log"
    started = subprocess.run(
        [*run, str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log),
         "-w", "-t", "60", "start"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if started.returncode != 0:
        text = log.read_text() if log.exists() else started.stderr
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"PostgreSQL did not start: {text[-2000:]}")
    try:
        yield f"postgresql://postgres@/postgres?host={folder}&port={PORT}"
    finally:
        subprocess.run(
            [*run, str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            capture_output=True, check=False,
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)
