"""Request-scoped dependencies: the store session, pagination, parameter checks, the engine.

One session per request; routes that write call ``session.commit()`` once at the end, and
any error rolls the whole request back.  Work for the engine (submitting, cancelling runs) is
handed over only after the commit, so that a worker always sees the committed row.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session

from dataready.api.schemas.inputs import text_problem
from dataready.errors import ValidationFailed
from dataready.settings import Settings
from dataready.workflows.engine import Engine


def db_session(request: Request) -> Iterator[Session]:
    """A session of the store for this request; rolled back and closed at its end."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# scope="function": the session goes back to the pool as soon as the route returns, not
# after the response has been sent.
DbSession = Annotated[Session, Depends(db_session, scope="function")]


def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _invalid_parameter(location: str, name: str, message: str, kind: str) -> ValidationFailed:
    return ValidationFailed(
        f"{location}.{name}: {message}",
        field=name,
        errors=[{"field": name, "location": location, "message": message, "type": kind}],
    )


async def storable_parameters(request: Request) -> None:
    """Refuse a path or query parameter holding text no store can keep (a NUL character).

    Bodies are checked by :class:`~dataready.api.schemas.common.RequestModel`; this is the
    same check for the URL, applied to every route of the app.
    """
    for location, items in (
        ("path", request.path_params.items()),
        ("query", request.query_params.multi_items()),
    ):
        for name, value in items:
            problem = text_problem(value) if isinstance(value, str) else None
            if problem:
                raise _invalid_parameter(location, name, f"the value {problem}", "unstorable_value")


@dataclass(frozen=True, slots=True)
class PageParams:
    limit: int
    offset: int


MAX_OFFSET = 2**63 - 1
"""The largest offset both stores accept (a signed 64-bit integer)."""


async def pagination(
    request: Request,
    limit: Annotated[
        int | None, Query(ge=1, description="Page size (default 50, max 500).")
    ] = None,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip.")] = 0,
) -> PageParams:
    """``?limit=&offset=`` with the configured default and maximum page size."""
    api = app_settings(request).api
    if limit is None:
        return PageParams(api.default_page_size, offset)
    if limit > api.max_page_size:
        raise _invalid_parameter(
            "query",
            "limit",
            f"Input should be less than or equal to {api.max_page_size}",
            "less_than_equal",
        )
    return PageParams(limit, offset)


Page = Annotated[PageParams, Depends(pagination)]


class EngineHandle:
    """What routes may ask of the engine once their transaction has committed."""

    def __init__(self, engine: Engine, run_executor: bool) -> None:
        self._engine = engine
        self._run_executor = run_executor

    def submit(self, run_id: uuid.UUID) -> None:
        if self._run_executor:
            self._engine.submit(run_id)

    def cancel(self, run_id: uuid.UUID) -> None:
        # Harmless without a local executor: the cancellation is in the store already.
        self._engine.cancel(run_id)


async def engine_handle(request: Request) -> EngineHandle:
    handle: EngineHandle = request.app.state.engine_handle
    return handle


Runs = Annotated[EngineHandle, Depends(engine_handle)]
