"""``dataready serve`` listens on loopback only while the default token secret is in use.

With the built-in (public) secret anyone who reaches the port can sign an admin token, so a
non-loopback ``--host`` (or ``DATAREADY_API__HOST``) is refused with a message saying how to
set a secret; once one is set, any interface is allowed.
"""

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

from dataready.errors import ConfigError
from dataready.settings import AuthSettings, Settings, check_bind_host, is_loopback

SECRET = "serve-host-test-secret-0123456789-0123456789"
EXE = Path(sys.executable).with_name("dataready")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.10.20.30", True),
        ("localhost", True),
        ("LocalHost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("10.0.0.1", False),
        ("example.com", False),
        ("localhost.example.com", False),
        ("", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def _settings(**auth: object) -> Settings:
    return Settings(auth=AuthSettings.model_validate(auth))


def test_default_secret_allows_loopback_only() -> None:
    settings = _settings()
    for host in ("127.0.0.1", "localhost", "::1"):
        check_bind_host(settings, host)
    for host in ("0.0.0.0", "::", "192.168.1.10", "my-laptop"):
        with pytest.raises(ConfigError, match="DATAREADY_AUTH__SECRET") as info:
            check_bind_host(settings, host)
        assert "default token secret" in info.value.message
        assert info.value.details == {"host": host}


def test_a_secret_or_jwks_only_allows_any_host() -> None:
    for settings in (
        _settings(secret=SECRET),
        _settings(jwks_url="https://idp.example/certs", algorithms=["RS256"]),
    ):
        for host in ("0.0.0.0", "::", "192.168.1.10", "127.0.0.1"):
            check_bind_host(settings, host)
    # a JWKS endpoint while HS256 tokens are still verified with the default secret: refused
    with pytest.raises(ConfigError):
        check_bind_host(_settings(jwks_url="https://idp.example/certs"), "0.0.0.0")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATAREADY_")}
    env.update(
        DATAREADY_DATA_DIR=str(tmp_path),
        DATAREADY_DB__URL=f"sqlite:///{tmp_path / 'store.db'}",
        **extra,
    )
    return env


def _refused(args: list[str], env: dict[str, str]) -> str:
    """Run ``dataready serve`` and expect it to exit at once with status 2; its stderr."""
    proc = subprocess.Popen(
        [str(EXE), "serve", *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"dataready serve {' '.join(args)} started serving instead of refusing")
    assert proc.returncode == 2, err.decode()
    return err.decode()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_refuses_a_public_host_with_the_default_secret(tmp_path: Path, workers: str) -> None:
    port = str(_free_port())
    message = _refused(["--host", "0.0.0.0", "--port", port, "--workers", workers], _env(tmp_path))
    assert "refusing to listen on '0.0.0.0'" in message
    assert "DATAREADY_AUTH__SECRET" in message
    # the setting is checked like the option
    env = _env(tmp_path, DATAREADY_API__HOST="0.0.0.0", DATAREADY_API__PORT=port)
    assert "refusing to listen on '0.0.0.0'" in _refused(["--workers", workers], env)


def test_serve_listens_on_any_host_once_a_secret_is_set(tmp_path: Path) -> None:
    port = _free_port()
    env = _env(tmp_path, DATAREADY_AUTH__SECRET=SECRET)
    proc = subprocess.Popen(
        [str(EXE), "serve", "--host", "0.0.0.0", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}/api/data-readiness/health"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "server did not come up"
            time.sleep(0.2)
        if sys.platform == "linux":
            assert ("0.0.0.0", port) in _listening(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        if proc.stderr is not None:
            proc.stderr.close()


def _listening(pid: int) -> set[tuple[str, int]]:
    """The IPv4 (address, port) pairs ``pid`` listens on, read from /proc."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd)
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    out = set()
    for line in Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, state, inode = fields[1], fields[3], fields[9]
        if state == "0A" and inode in inodes:  # LISTEN
            hex_ip, hex_port = local.split(":")
            ip = ".".join(str(int(hex_ip[i : i + 2], 16)) for i in (6, 4, 2, 0))
            out.add((ip, int(hex_port, 16)))
    return out
