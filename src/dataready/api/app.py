"""The application factory.

``create_app(settings, engine)`` builds a FastAPI app serving the data-readiness API under
``/api/data-readiness``.  Settings are passed in (tests build their own) or read once through
:func:`~dataready.settings.get_settings`.  The lifespan starts an :class:`Engine` (migrates the
store, seeds the built-in definitions, recovers orphaned runs) and shuts it down; an engine
passed in is taken as started and owned by the caller, who also shuts it down.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import APIRouter, Depends, FastAPI

from dataready import __version__
from dataready.api import reads
from dataready.api.deps import EngineHandle, storable_parameters
from dataready.api.docs import install_docs
from dataready.api.errors import install_error_handlers
from dataready.api.fastpath import RunReadFastPath
from dataready.api.middleware import BodyLimitMiddleware, RequestContextMiddleware
from dataready.api.openapi import install_openapi
from dataready.api.routes import (
    approvals,
    assets,
    configurations,
    definitions,
    health,
    runs,
    services,
)
from dataready.auth.verify import TokenVerifier
from dataready.settings import Settings, get_settings
from dataready.workflows.engine import Engine

BASE_PATH = "/api/data-readiness"


_gc_frozen = False


def _freeze_startup_objects() -> None:
    """Move what start-up created out of the GC's reach (shorter GC pauses under load).

    Once per process: a test process that builds many apps must not pin each one's garbage.
    """
    global _gc_frozen
    if not _gc_frozen:
        _gc_frozen = True
        gc.freeze()


def build_router() -> APIRouter:
    """Every route, in an order where literal paths win over ``/workflows/{configuration_id}``."""
    router = APIRouter(prefix=BASE_PATH)
    router.include_router(health.router)
    router.include_router(definitions.router)
    router.include_router(approvals.router)
    router.include_router(runs.router)
    router.include_router(configurations.router)
    router.include_router(services.router)
    router.include_router(assets.router)
    return router


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Build the API application.

    Args:
        settings: the settings; default those of ``engine``, else :func:`get_settings`.
        engine: an engine already started by the caller (who also shuts it down); default a
            new engine that the app's lifespan starts and shuts down.
    """
    if settings is None:
        settings = engine.settings if engine is not None else get_settings()
    resolved: Settings = settings
    owns_engine = engine is None
    verifier = TokenVerifier(resolved.auth)  # fail at build time on a bad auth config

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        eng = engine if engine is not None else Engine(resolved)
        if owns_engine:
            eng.start(take_runs=resolved.api.run_executor)
        app.state.engine = eng
        app.state.store = eng.store
        app.state.session_factory = eng.store.session_factory
        app.state.read_engine = reads.read_engine(eng.store.engine)
        app.state.read_limiter = anyio.CapacityLimiter(reads.READ_THREADS)
        reader = (
            reads.AsyncRunReader(
                eng.store.engine, connect_timeout_seconds=resolved.db.connect_timeout_seconds
            )
            if eng.store.engine.dialect.name == "postgresql"
            else None
        )
        if reader is not None:
            await reader.open()
        app.state.run_reader = reader
        _freeze_startup_objects()
        app.state.engine_handle = EngineHandle(eng, resolved.api.run_executor)
        try:
            yield
        finally:
            if reader is not None:
                await reader.close()
            if owns_engine:
                eng.shutdown(wait=True)

    app = FastAPI(
        title="dataready — data-readiness API",
        version=__version__,
        openapi_url=f"{BASE_PATH}/openapi.json",
        docs_url=None,  # served from the package by install_docs, not from a CDN
        redoc_url=None,
        lifespan=lifespan,
        dependencies=[Depends(storable_parameters)],
    )
    app.state.settings = resolved
    app.state.verifier = verifier
    install_error_handlers(app)
    # Middleware added last runs first: ids, then the body limit (before any body is read),
    # then the fast lane for run polls (which reads no body).
    app.add_middleware(BodyLimitMiddleware, max_bytes=resolved.api.max_body_bytes)
    app.add_middleware(RunReadFastPath, base_path=BASE_PATH)
    app.add_middleware(RequestContextMiddleware)
    app.include_router(build_router())
    install_openapi(app, resolved.api, BASE_PATH)
    install_docs(app, BASE_PATH)
    return app
