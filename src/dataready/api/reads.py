"""Lean read paths for the endpoints clients poll.

``GET /workflows/{configuration_id}/runs/{run_id}`` is polled by every client waiting for a
run, so it skips the ORM: one Core SELECT joins the run with its tasks (one round trip, one
snapshot), and the rows go straight into the response model and out as JSON bytes.  On
PostgreSQL the read runs on an AUTOCOMMIT view of the engine, which saves the BEGIN and
ROLLBACK round trips of a transaction that only reads.  The statement is scoped by tenant like every
store query, so another tenant's run answers exactly the 404 of an unknown one.
"""

from __future__ import annotations

import json
import math
import uuid
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from sqlalchemy import Engine, Text, bindparam, cast, select

from dataready.api.schemas.runs import RunRead
from dataready.domain.tenant import Tenant
from dataready.errors import NotFound
from dataready.store.orm import WorkflowRun, WorkflowTask
from dataready.store.outage import is_store_unavailable, store_unavailable_error

READ_THREADS = 6
"""Threads that may run hot reads at once.  Fewer threads than the default pool of 40 fight
less over the GIL: measured on 2 cores with 50 clients, 6 serve ~30% more requests per
second than 40, with a shorter tail."""

_RUN_COLUMNS: list[Any] = [
    WorkflowRun.id,
    WorkflowRun.configuration_id,
    WorkflowRun.status,
    WorkflowRun.workflow_name,
    WorkflowRun.workflow_type,
    WorkflowRun.asset_fqn,
    WorkflowRun.started_at,
    WorkflowRun.completed_at,
    WorkflowRun.service_name,
    WorkflowRun.database_name,
    WorkflowRun.schema_name,
    WorkflowRun.table_name,
    WorkflowRun.duration_seconds,
    WorkflowRun.error_message,
    # repeated on every task row of the join: fetched as text and parsed once
    cast(WorkflowRun.input, Text).label("input"),
    cast(WorkflowRun.output, Text).label("output"),
    WorkflowRun.updated_at,  # not in the document: the version a cached document belongs to
]
_TASK_COLUMNS: list[Any] = [
    WorkflowTask.id,
    WorkflowTask.name,
    WorkflowTask.task_type,
    WorkflowTask.asset_fqn,
    WorkflowTask.status,
    WorkflowTask.attempt,
    WorkflowTask.started_at,
    WorkflowTask.completed_at,
    WorkflowTask.duration_seconds,
    WorkflowTask.error_message,
    WorkflowTask.output,
]
_RUN_KEYS = [c.key for c in _RUN_COLUMNS]
_TASK_KEYS = [c.key for c in _TASK_COLUMNS]
_N_RUN = len(_RUN_COLUMNS)
_JSON_TEXT_KEYS = ("input", "output")

# Built once: constructing a SELECT costs more than running it.
_RUN_DOCUMENT = (
    select(*_RUN_COLUMNS, *(c.label(f"task_{c.key}") for c in _TASK_COLUMNS))
    .outerjoin(WorkflowTask, WorkflowTask.run_id == WorkflowRun.id)
    .where(
        WorkflowRun.id == bindparam("run_id"),
        WorkflowRun.configuration_id == bindparam("configuration_id"),
        WorkflowRun.client_id == bindparam("client_id"),
        WorkflowRun.project_id == bindparam("project_id"),
    )
    .order_by(WorkflowTask.position)
)


def read_engine(engine: Engine) -> Engine:
    """The engine to read with: AUTOCOMMIT on PostgreSQL, the engine itself elsewhere.

    SQLite keeps its transactions: the store begins them itself (``BEGIN IMMEDIATE``), which
    an AUTOCOMMIT connection would leave open.
    """
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    return engine


def _params(tenant: Tenant, configuration_id: uuid.UUID, run_id: uuid.UUID) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "configuration_id": configuration_id,
        "client_id": tenant.client_id,
        "project_id": tenant.project_id,
    }


def _document(rows: list[Any], run_id: uuid.UUID) -> bytes:
    """The run document from the joined rows (run columns, then task columns)."""
    if not rows:
        raise NotFound(
            f"workflow run {run_id} not found; list runs with GET /runs",
            resource="workflow_run",
            id=str(run_id),
        )
    doc: dict[str, Any] = dict(zip(_RUN_KEYS, rows[0][:_N_RUN], strict=True))
    for key in _JSON_TEXT_KEYS:
        if doc[key] is not None:
            doc[key] = json.loads(doc[key])
    doc["tasks"] = [
        dict(zip(_TASK_KEYS, row[_N_RUN:], strict=True)) for row in rows if row[_N_RUN] is not None
    ]
    return RunRead.model_validate(doc).model_dump_json().encode()


def run_document(
    engine: Engine, tenant: Tenant, configuration_id: uuid.UUID, run_id: uuid.UUID
) -> bytes:
    """The run document of the contract, as JSON bytes (blocking; any store).

    Raises:
        NotFound: no such run of this configuration for this tenant.
    """
    try:
        with engine.connect() as conn:
            rows = list(
                conn.execute(_RUN_DOCUMENT, _params(tenant, configuration_id, run_id)).all()
            )
    except Exception as exc:
        if is_store_unavailable(exc):
            raise store_unavailable_error(exc) from exc
        raise
    return _document(rows, run_id)


_FINISHED = frozenset({"completed", "failed", "cancelled"})
_RUN_VERSION = select(WorkflowRun.updated_at).where(
    WorkflowRun.id == bindparam("run_id"),
    WorkflowRun.configuration_id == bindparam("configuration_id"),
    WorkflowRun.client_id == bindparam("client_id"),
    WorkflowRun.project_id == bindparam("project_id"),
)


class AsyncRunReader:
    """Reads run documents from PostgreSQL on the event loop, through its own small pool.

    No thread hop and no SQLAlchemy on the path clients poll: psycopg's async connection in
    autocommit (one round trip per read), the statement compiled once.
    """

    CACHE_SIZE = 10_000

    def __init__(
        self, engine: Engine, max_size: int = 8, *, connect_timeout_seconds: float = 10.0
    ) -> None:
        conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._sql = str(_RUN_DOCUMENT.compile(dialect=engine.dialect))
        self._version_sql = str(_RUN_VERSION.compile(dialect=engine.dialect))
        self._cache: dict[tuple[str, str, uuid.UUID, uuid.UUID], tuple[Any, bytes]] = {}
        self._pool = AsyncConnectionPool(
            conninfo,
            min_size=1,
            max_size=max_size,
            open=False,
            # Bounded waits: while the store is down a poll answers 503 within this, instead of
            # the pool's default 30 s.
            timeout=connect_timeout_seconds,
            # Short: a reconnect attempt that gives up lets the next request start a fresh one
            # at once, instead of waiting out a backoff that doubles for five minutes.
            reconnect_timeout=connect_timeout_seconds,
            kwargs={
                "autocommit": True,
                "prepare_threshold": 0,
                "connect_timeout": max(2, math.ceil(connect_timeout_seconds)),
            },
        )

    async def open(self) -> None:
        await self._pool.open()

    async def close(self) -> None:
        await self._pool.close()

    async def run_document(
        self, tenant: Tenant, configuration_id: uuid.UUID, run_id: uuid.UUID
    ) -> bytes:
        """The document, from the cache when the stored run has not changed since.

        A finished run's document changes only with the run row (an approval adds counts to
        its output, which moves ``updated_at``), so a cached document is served after a
        one-row check of ``updated_at`` — still one round trip, never stale.
        """
        try:
            return await self._read(tenant, configuration_id, run_id)
        except Exception as exc:
            if not is_store_unavailable(exc):
                raise
            if not isinstance(exc, psycopg.OperationalError) or isinstance(exc, PoolTimeout):
                raise store_unavailable_error(exc) from exc
        # A pooled connection the server dropped (a restart): the pool has discarded it, and
        # a read is safe to repeat once on a fresh one.
        try:
            return await self._read(tenant, configuration_id, run_id)
        except Exception as exc:
            if is_store_unavailable(exc):
                raise store_unavailable_error(exc) from exc
            raise

    async def _read(self, tenant: Tenant, configuration_id: uuid.UUID, run_id: uuid.UUID) -> bytes:
        params = _params(tenant, configuration_id, run_id)
        key = (tenant.client_id, tenant.project_id, configuration_id, run_id)
        async with self._pool.connection() as conn:
            hit = self._cache.get(key)
            if hit is not None:
                cur = await conn.execute(self._version_sql, params)
                row = await cur.fetchone()
                if row is not None and row[0] == hit[0]:
                    return hit[1]
            cur = await conn.execute(self._sql, params)
            rows = list(await cur.fetchall())
        body = _document(rows, run_id)
        if rows[0][_RUN_KEYS.index("status")] in _FINISHED:
            if len(self._cache) >= self.CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = (rows[0][_N_RUN - 1], body)
        return body


async def read_run_document(
    state: Any, tenant: Tenant, configuration_id: uuid.UUID, run_id: uuid.UUID
) -> bytes:
    """The run document through the app's async reader, or a worker thread without one."""
    reader: AsyncRunReader | None = getattr(state, "run_reader", None)
    if reader is not None:
        return await reader.run_document(tenant, configuration_id, run_id)
    import anyio.to_thread

    body: bytes = await anyio.to_thread.run_sync(
        run_document,
        state.read_engine,
        tenant,
        configuration_id,
        run_id,
        limiter=state.read_limiter,
    )
    return body
