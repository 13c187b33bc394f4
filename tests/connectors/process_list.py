"""What a PostgreSQL or MariaDB server is running for dataready now (its process list).

One persistent admin connection polls ``pg_stat_activity`` / ``information_schema.PROCESSLIST``
so that a poll costs one round trip, not a login: the cancel tests measure how soon after a
cancel a statement is gone, and a slow poll would add to the figure.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.connectors.sources import SourceCase
from tests.services import mysql_params, pg_params


class ProcessList:
    """The statements dataready runs in ``source``'s database (or schema, on MariaDB)."""

    def __init__(self, source: SourceCase) -> None:
        self.source = source
        if source.engine == "postgres":
            import psycopg

            self._conn: Any = psycopg.connect(**pg_params(source.database), autocommit=True)
        else:
            import pymysql

            self._conn = pymysql.connect(**mysql_params())

    def statements(self, *fragments: str) -> list[str]:
        """The text of every statement running now that contains all ``fragments``."""
        if self.source.engine == "postgres":  # a stream shows as its FETCH
            rows = self._conn.execute(
                "SELECT query FROM pg_stat_activity WHERE application_name = 'dataready' "
                "AND state = 'active' AND datname = current_database()"
            ).fetchall()
        else:
            with self._conn.cursor() as cursor:
                cursor.execute(
                    "SELECT INFO FROM information_schema.PROCESSLIST WHERE COMMAND = 'Query' "
                    "AND DB = %s AND ID <> CONNECTION_ID()",
                    (self.source.schema,),
                )
                rows = cursor.fetchall()
        texts = [str(row[0] or "") for row in rows]
        return [t for t in texts if all(f.lower() in t.lower() for f in fragments)]

    def close(self) -> None:
        self._conn.close()


def seconds_until(check: Callable[[], bool], timeout: float) -> float | None:
    """Seconds until ``check()`` held (polled every 10 ms), or ``None`` after ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        time.sleep(0.01)
    return None
