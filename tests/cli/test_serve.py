"""``dataready serve`` in a real process: one worker and several, stopped by SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_answers_and_stops(tmp_path: Path, workers: int) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "DATAREADY_DATA_DIR": str(tmp_path),
        "DATAREADY_DB__URL": f"sqlite:///{tmp_path / 'store.db'}",
    }
    exe = Path(sys.executable).with_name("dataready")
    proc = subprocess.Popen(
        [str(exe), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}/api/data-readiness/health"
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(url, timeout=2)
                if r.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "server did not come up"
            time.sleep(0.2)
        assert r.json()["status"] == "ok"
        assert r.headers["x-request-id"]
        for _ in range(10):
            assert httpx.get(url, timeout=5).status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        if proc.stderr is not None:
            proc.stderr.close()
    assert proc.returncode is not None
