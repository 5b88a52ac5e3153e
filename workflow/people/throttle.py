"""Guesses at one account, limited in the database: the limit holds whatever the number of web workers or
machines (a counter in each worker's memory let 13-17 guesses through with four workers).

A try is *claimed* before the password (or the second factor) is checked: one ``UPDATE ... WHERE failures <
LIMIT`` in the request's transaction, which holds the row until the request ends, so tries at one account are
taken one after the other and none can overrun the limit. A successful try is given back (its owner's own
sign-ins are never counted against them); a failed one stays, committed with the failure's audit event.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update

from workflow.db import db
from workflow.models import SignInThrottle

_TABLE = db.metadata.tables["sign_in_throttle"]

#: failed tries at one account in WINDOW before its sign-in is held back, from every address
LIMIT = 10
WINDOW = timedelta(minutes=15)


class TooManyTries(Exception):
    """The account's tries in this window are used up: refuse without checking anything."""


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@functools.cache
def _insert_missing(dialect: str) -> Any:
    table = _TABLE
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing(index_elements=["key"])
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing(index_elements=["key"])


def claim(key: str, now: datetime, *, limit: int = LIMIT) -> None:
    """Count one try at ``key`` (``password:<address>``, ``second:<user id>``); TooManyTries when ``limit``
    tries were counted in the window (the try is then not counted)."""
    digest = _digest(key)
    connection = db.session.connection()
    connection.execute(_insert_missing(connection.dialect.name), {"key": digest, "failures": 0, "window_start": now})
    table = _TABLE
    connection.execute(update(table).where(table.c.key == digest, table.c.window_start <= now - WINDOW)
                       .values(failures=0, window_start=now))
    taken = connection.execute(update(table).where(table.c.key == digest, table.c.failures < limit)
                               .values(failures=table.c.failures + 1))
    if taken.rowcount != 1:
        raise TooManyTries(key)


def give_back(key: str) -> None:
    """A try that succeeded is not a guess."""
    table = _TABLE
    db.session.connection().execute(update(table).where(table.c.key == _digest(key), table.c.failures > 0)
                                    .values(failures=table.c.failures - 1))


def remaining(key: str, now: datetime, *, limit: int = LIMIT) -> int:
    row = db.session.get(SignInThrottle, _digest(key), populate_existing=True)
    if row is None or row.window_start <= now - WINDOW:
        return limit
    return max(0, limit - row.failures)
