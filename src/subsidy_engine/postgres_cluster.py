"""A throwaway PostgreSQL cluster, for tests and benchmarks of the database path: `initdb` in a
temporary folder, the server on a unix socket there (no TCP), run as the unprivileged `postgres`
user when the caller is root (the server refuses root), stopped and removed when the block ends.

The server binaries come from Debian's `postgresql` package (or `initdb` on the PATH); without
them `ClusterUnavailableError` says what to install. A test fails on it; a benchmark reports it and
leaves the database out.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class ClusterUnavailableError(RuntimeError):
    """No PostgreSQL server can be started here: the message says why."""


def server_binaries() -> Path:
    """The folder holding `initdb` and `pg_ctl` (the newest Debian version first)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise ClusterUnavailableError(
        "the PostgreSQL server binaries (initdb, pg_ctl) are missing: install them with "
        "`apt-get install -y postgresql` (Debian's package)"
    )


def _as_server_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        raise ClusterUnavailableError("as root, runuser is needed to start PostgreSQL as postgres")
    return [runuser, "-u", "postgres", "--"]


@contextmanager
def throwaway_cluster() -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL database, removed with its server afterwards."""
    binaries = server_binaries()
    run = _as_server_user()
    port = 50000 + os.getpid() % 10000  # names the socket file only; one per process
    folder = Path(tempfile.mkdtemp(prefix="subsidy-engine-pg-"))
    data = folder / "data"
    if run:
        shutil.chown(folder, user="postgres", group="postgres")
    folder.chmod(0o755)
    try:
        made = subprocess.run(
            [*run, str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
             "--no-sync", "-E", "UTF8", "--locale", "C"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if made.returncode != 0:
            raise ClusterUnavailableError(f"initdb failed: {made.stderr[-2000:]}")
        options = f"-k {folder} -p {port} -c listen_addresses='' -c fsync=off"
        log = folder / "server.log"
        started = subprocess.run(
            [*run, str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log),
             "-w", "-t", "60", "start"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if started.returncode != 0:
            text = log.read_text() if log.exists() else started.stderr
            raise ClusterUnavailableError(f"PostgreSQL did not start: {text[-2000:]}")
        try:
            yield f"postgresql://postgres@/postgres?host={folder}&port={port}"
        finally:
            subprocess.run(
                [*run, str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                capture_output=True, check=False,
            )  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)
