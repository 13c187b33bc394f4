"""Request-scoped dependencies: the store session, pagination, the engine.

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


@dataclass(frozen=True, slots=True)
class PageParams:
    limit: int
    offset: int


async def pagination(
    request: Request,
    limit: Annotated[
        int | None, Query(ge=1, description="Page size (default 50, max 500).")
    ] = None,
    offset: Annotated[int, Query(ge=0, description="Rows to skip.")] = 0,
) -> PageParams:
    """``?limit=&offset=`` with the configured default and maximum page size."""
    api = app_settings(request).api
    if limit is None:
        return PageParams(api.default_page_size, offset)
    if limit > api.max_page_size:
        message = f"Input should be less than or equal to {api.max_page_size}"
        raise ValidationFailed(
            f"query.limit: {message}",
            field="limit",
            errors=[
                {
                    "field": "limit",
                    "location": "query",
                    "message": message,
                    "type": "less_than_equal",
                }
            ],
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
