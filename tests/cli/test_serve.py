"""``dataready serve`` in a real process: one worker and several, stopped by SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

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


# -- SIGTERM with a run in flight -----------------------------------------------------------

PLUGIN = '''
"""A workflow plugin for the SIGTERM tests: quick -> hold -> finish, journalled to a file."""
import os
import time
from pathlib import Path

from dataready.workflows.base import Workflow, TaskSpec


class HoldingWorkflow(Workflow):
    workflow_type = "dq-execution"

    def plan(self, ctx):
        return [
            TaskSpec("quick", "step"),
            TaskSpec("hold", "step", depends_on=["quick"]),
            TaskSpec("finish", "step", depends_on=["hold"]),
        ]

    def run_task(self, ctx, task):
        with open(ctx.parameters["journal"], "a") as f:
            f.write(f"{task.name} {os.getpid()}\\n")
        if task.name == "hold":
            release = Path(ctx.parameters["release"])
            while not release.exists():
                if ctx.parameters.get("stubborn"):
                    time.sleep(0.05)  # a statement that cannot be interrupted
                else:
                    ctx.sleep(0.05)
        return {"steps": 1}
'''
GRACE = 2.0


def _install_plugin(site: Path) -> None:
    """A real plugin install: a module plus a dist-info with the entry point."""
    site.mkdir()
    (site / "dr_serve_plugin.py").write_text(PLUGIN)
    info = site / "dr_serve_plugin-0.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: dr-serve-plugin\nVersion: 0.0\n")
    (info / "entry_points.txt").write_text(
        "[dataready.workflows]\ndq-execution = dr_serve_plugin:HoldingWorkflow\n"
    )


def _env(tmp_path: Path, site: Path) -> dict[str, str]:
    from tests.conftest import TEST_SECRET

    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])),
        "DATAREADY_DATA_DIR": str(tmp_path / "data"),
        "DATAREADY_DB__URL": f"sqlite:///{tmp_path / 'store.db'}",
        "DATAREADY_AUTH__SECRET": TEST_SECRET,
        "DATAREADY_EXECUTOR__SHUTDOWN_GRACE_SECONDS": str(GRACE),
        "DATAREADY_EXECUTOR__HEARTBEAT_SECONDS": "0.5",
    }


def _journal(path: Path) -> list[str]:
    return [line.split()[0] for line in path.read_text().splitlines()] if path.exists() else []


def _wait_journal(path: Path, proc: subprocess.Popen[bytes], task: str) -> None:
    deadline = time.monotonic() + 60
    while task not in _journal(path):
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        assert time.monotonic() < deadline, f"task {task} never started"
        time.sleep(0.05)


def _sigterm(proc: subprocess.Popen[bytes]) -> float:
    """Send SIGTERM; returns how long the process took to exit."""
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=GRACE + 30)
    finally:
        if proc.poll() is None:
            proc.kill()
        if proc.stderr is not None:
            proc.stderr.close()
    return time.monotonic() - t0


def _store_engine(tmp_path: Path, site: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """An engine of the test process on the server's store, with the plugin installed."""
    import importlib

    from tests.conftest import make_settings

    from dataready.workflows import registry
    from dataready.workflows.engine import Engine

    monkeypatch.syspath_prepend(str(site))
    plugin = importlib.import_module("dr_serve_plugin")
    registry.registered_types()
    monkeypatch.setitem(registry._REGISTRY, "dq-execution", plugin.HoldingWorkflow)
    return Engine(make_settings(f"sqlite:///{tmp_path / 'store.db'}", tmp_path / "data"))


def _read_run(engine: Any, run_id: str) -> Any:
    import uuid

    from dataready.store import runs as runs_q

    with engine.store.session() as s:
        run = runs_q.get_run_unscoped(s, uuid.UUID(run_id))
        doc = (run.status, run.error_message, run.cancelled_at)
        tasks = {t.name: (t.status, t.attempt, t.error_message) for t in run.tasks}
    return doc, tasks


@pytest.mark.slow
@pytest.mark.parametrize("stubborn", [False, True], ids=["cooperative", "stubborn"])
def test_sigterm_hands_the_run_back_within_the_grace_and_another_engine_resumes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stubborn: bool
) -> None:
    import jwt
    from tests.conftest import TEST_SECRET

    from dataready.domain.definitions import builtin_definition_id
    from dataready.domain.enums import WorkflowType

    site = tmp_path / "site"
    _install_plugin(site)
    journal, release = tmp_path / "journal.txt", tmp_path / "release"
    port = _free_port()
    exe = Path(sys.executable).with_name("dataready")
    proc = subprocess.Popen(
        [str(exe), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=_env(tmp_path, site),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}/api/data-readiness"
    now = int(time.time())
    token = jwt.encode(
        {"sub": "a", "client_id": "local", "project_id": "default", "roles": ["admin"],
         "iat": now, "exp": now + 600},
        TEST_SECRET,
        algorithm="HS256",
    )  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "server did not come up"
            time.sleep(0.2)
        definition = str(builtin_definition_id(WorkflowType.DQ_EXECUTION))
        r = httpx.post(
            f"{base}/workflows", json={"workflow_definition_id": definition}, headers=headers
        )
        assert r.status_code == 201, r.text
        configuration = r.json()["configuration_id"]
        parameters = {"journal": str(journal), "release": str(release), "stubborn": stubborn}
        r = httpx.post(
            f"{base}/workflows/{configuration}/runs",
            json={"asset_fqn": "svc.db.s.t", "parameters": parameters},
            headers=headers,
        )
        assert r.status_code == 201, r.text
        run_id = r.json()["id"]
        _wait_journal(journal, proc, "hold")
    finally:
        took = _sigterm(proc)
    # The grace is for the runs; a few seconds more for uvicorn and the interpreter.
    print(f"\n`dataready serve` stopped {took:.2f}s after SIGTERM (grace {GRACE}s)")
    assert took < GRACE + 5, f"the server took {took:.1f}s to stop (grace {GRACE}s)"

    engine = _store_engine(tmp_path, site, monkeypatch)
    (status, error, cancelled_at), tasks = _read_run(engine, run_id)
    assert status == "pending"  # back for another process, not cancelled
    assert cancelled_at is None and error is None
    assert tasks["quick"][:2] == ("completed", 1)
    assert tasks["hold"][:2] == ("pending", 1)
    assert "interrupted" in (tasks["hold"][2] or "")
    assert tasks["finish"][:2] == ("pending", 0)

    release.touch()
    engine.start()
    try:
        deadline = time.monotonic() + 30
        while _read_run(engine, run_id)[0][0] not in ("completed", "failed", "cancelled"):
            assert time.monotonic() < deadline, "the resumed run did not finish"
            time.sleep(0.1)
        (status, error, _), tasks = _read_run(engine, run_id)
    finally:
        engine.shutdown()
    assert status == "completed", error
    assert {name: t[:2] for name, t in tasks.items()} == {
        "quick": ("completed", 1),
        "hold": ("completed", 2),
        "finish": ("completed", 1),
    }
    assert sorted(_journal(journal)) == ["finish", "hold", "hold", "quick"]  # quick ran once


@pytest.mark.slow
def test_sigterm_on_dataready_run_fails_the_run_with_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    _install_plugin(site)
    journal, release = tmp_path / "journal.txt", tmp_path / "release"
    exe = Path(sys.executable).with_name("dataready")
    proc = subprocess.Popen(
        [str(exe), "run", "dq-execution", "svc.db.s.t", "--json",
         "--config", f"journal={journal}", "--config", f"release={release}"],
        env=_env(tmp_path, site),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        _wait_journal(journal, proc, "hold")
    finally:
        took = _sigterm(proc)
    print(f"\n`dataready run` stopped {took:.2f}s after SIGTERM (grace {GRACE}s)")
    assert took < GRACE + 5, f"`dataready run` took {took:.1f}s to stop (grace {GRACE}s)"
    assert proc.returncode == -signal.SIGTERM

    engine = _store_engine(tmp_path, site, monkeypatch)
    with engine.store.session() as s:
        from dataready.store.orm import WorkflowRun

        run_id = str(s.query(WorkflowRun.id).one()[0])
    (status, error, cancelled_at), tasks = _read_run(engine, run_id)
    engine.store.dispose()
    assert status == "failed"
    assert cancelled_at is None
    assert error is not None and "was shut down before the run finished" in error
    assert {name: t[0] for name, t in tasks.items()} == {
        "quick": "completed",
        "hold": "failed",
        "finish": "cancelled",
    }
