"""A throwaway PostgreSQL cluster for fault tests: initdb'd, started and stopped by the test.

Outage tests stop the store under a running engine; they must never touch the shared
service on 5432.  :class:`ThrowawayPostgres` runs ``initdb`` into a fresh directory, starts
the server on a free port (TCP on 127.0.0.1 only, its socket in the same directory), and
can stop it (``immediate``: as a crash or a pulled cable would) and start it again on the
same port with the same data.  As root it runs the server as the ``postgres`` user, which
PostgreSQL requires.

Use the module-scoped fixture :func:`throwaway_pg` (import it into a test module).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import skip_or_fail


def find_pg_bin() -> Path | None:
    """The directory of ``initdb``/``pg_ctl``: ``$DATAREADY_TEST_PG_BIN``, the newest
    ``/usr/lib/postgresql/*/bin``, or ``PATH``."""
    configured = os.environ.get("DATAREADY_TEST_PG_BIN")
    if configured:
        return Path(configured)
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ThrowawayPostgres:
    """One private cluster; :meth:`stop` and :meth:`start` simulate an outage."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.as_root = os.geteuid() == 0
        self.root = Path(tempfile.mkdtemp(prefix="dr-throwaway-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        if self.as_root:
            shutil.chown(self.root, "postgres", "postgres")
            os.chmod(self.root, 0o700)

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bin_dir / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd="/")
        if result.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(
                f"{' '.join(args)} failed ({result.returncode}): {result.stderr}\n{log[-2000:]}"
            )
        return result

    def init(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--no-sync", "--no-instructions",
        )  # fmt: skip

    def start(self) -> None:
        # fsync off is safe here: an immediate stop kills the server, not the OS, whose page
        # cache keeps every write.  synchronous_commit stays on: a commit must survive a crash.
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
            "-c fsync=off -c full_page_writes=off"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self, mode: str = "immediate") -> None:
        """``immediate`` drops every connection at once, like a crash; ``fast`` is a clean stop."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    @property
    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def ensure_running(self) -> None:
        if not self.running:
            self.start()

    def admin_url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new database; returns its SQLAlchemy URL."""
        import psycopg

        name = f"dr_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_url(), autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def destroy(self) -> None:
        if self.running:
            with contextlib.suppress(RuntimeError):
                self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def throwaway_pg() -> Iterator[ThrowawayPostgres]:
    """A private PostgreSQL cluster for the module's tests (running at each test's start)."""
    bin_dir = find_pg_bin()
    if bin_dir is None or not (bin_dir / "initdb").exists():
        skip_or_fail("initdb/pg_ctl not found (set DATAREADY_TEST_PG_BIN to their directory)")
        raise AssertionError("unreachable")
    cluster = ThrowawayPostgres(bin_dir)
    try:
        cluster.init()
        cluster.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        cluster.destroy()
        skip_or_fail(f"cannot start a throwaway PostgreSQL cluster: {exc}")
        raise
    try:
        yield cluster
    finally:
        cluster.destroy()
