"""Verified tokens are reused only while they are valid; failures are never cached."""

from __future__ import annotations

import time

import pytest

from dataready.auth.verify import TokenVerifier
from dataready.errors import AuthError
from dataready.settings import AuthSettings

SECRET = "cache-test-secret-0123456789-0123456789"


def test_cache_honours_exp_and_nbf() -> None:
    v = TokenVerifier(AuthSettings(secret=SECRET))  # type: ignore[arg-type]
    now = time.time()
    v.remember("live", {"client_id": "a", "exp": now + 60, "nbf": now - 1})
    v.remember("expired", {"client_id": "a", "exp": now - 1})
    v.remember("future", {"client_id": "a", "exp": now + 60, "nbf": now + 30})
    v.remember("no-exp", {"client_id": "a"})
    assert v.cached("live") == {"client_id": "a", "exp": now + 60, "nbf": now - 1}
    assert v.cached("expired") is None
    assert v.cached("future") is None
    assert v.cached("no-exp") is None


def test_bad_tokens_are_not_cached() -> None:
    import jwt

    v = TokenVerifier(AuthSettings(secret=SECRET))  # type: ignore[arg-type]
    forged = jwt.encode(
        {"client_id": "a", "exp": int(time.time()) + 60}, "wrong-secret-" * 4, algorithm="HS256"
    )
    with pytest.raises(AuthError, match="signature"):
        v.decode(forged)
    assert v.cached(forged) is None
