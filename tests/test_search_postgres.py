"""`aocnn search --workers 2 --storage postgresql://...` against a real PostgreSQL server, started here.

The server is a throwaway cluster (initdb, pg_ctl) in a temp dir, listening only on a unix socket. Its
binaries come from Debian's `postgresql` package, which .ci/run installs; where they are missing and
this test runs as root with apt-get, it installs them. It skips only when they are neither present nor
installable, and says why.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import run_command
from test_search import SMALL


def postgres_binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def install_postgres() -> str | None:
    """apt-get install postgresql (root only); None on success, else why not."""
    if shutil.which("apt-get") is None:
        return "no apt-get to install PostgreSQL with"
    if os.geteuid() != 0:
        return "PostgreSQL is not installed and installing it needs root (apt-get install postgresql)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "postgresql"]):
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
        if done.returncode != 0:
            return f"{' '.join(command)} failed: {(done.stderr or done.stdout).strip().splitlines()[-1:]}"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_server_user(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the `postgres` user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="module")
def postgres_url():
    binaries = postgres_binaries()
    if binaries is None:
        why = install_postgres()
        binaries = postgres_binaries()
        if binaries is None:
            pytest.skip(f"no PostgreSQL server binaries: {why or 'installed, but initdb not found'}")
    folder = Path(tempfile.mkdtemp(prefix="aocnn-postgres-"))
    data, sockets = folder / "data", folder / "sockets"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(sockets, "postgres")
    port = free_port()
    subprocess.run(as_server_user([str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                                   "--no-sync", "-E", "UTF8"]), check=True, capture_output=True, timeout=120)
    options = f"-c listen_addresses='' -c unix_socket_directories={sockets} -p {port} -c fsync=off"
    subprocess.run(as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"),
                                   "-w", "-t", "60", "start"]), check=True, capture_output=True, timeout=120)
    try:
        yield f"postgresql://postgres@/postgres?host={sockets}&port={port}"
    finally:
        subprocess.run(as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def test_two_workers_share_one_postgres_study(postgres_url):
    sets = [a for s in SMALL for a in ("--set", s)]
    args = ("search", "2015", "1", "--part", "1", "--steps", "4", "--trials", "3", "--workers", "2", "--sampler", "random",
            "--pruner", "none", "--study", "two-workers", "--storage", postgres_url, *sets, "--json")
    done = run_command("aocnn", *args)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    trials = result["trials"]
    assert 3 <= len(trials) <= 4  # all workers together stop at 3; a race can start one more
    assert all(t["state"] == "complete" and t["steps"] == 4 for t in trials)
    assert len({json.dumps(t["choices"], sort_keys=True) for t in trials}) == len(trials)  # the workers did not repeat each other
    assert done.stderr.count("aocnn: search trial ") >= 3

    resumed = run_command("aocnn", *args[:8], "1", *args[9:])  # --trials 1: one more, in the same study
    assert resumed.returncode == 0, resumed.stderr
    assert len(json.loads(resumed.stdout)["trials"]) == len(trials) + 1
