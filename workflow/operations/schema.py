"""The database schema's version: the Alembic revision this code's migrations end at, and the one a database is
at. Read by ``/readyz``, ``itaflow doctor``, backups (the revision an archive was made at) and restores."""

from __future__ import annotations

import functools
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


@functools.lru_cache(maxsize=1)
def _scripts():
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS))


def code_head() -> str | None:
    """The revision every migration of this release leads to."""
    return _scripts().get_current_head()


def known(revision: str | None) -> bool:
    """Whether this release's migrations know ``revision`` (one of theirs, or an empty database)."""
    if revision is None:
        return True
    try:
        return _scripts().get_revision(revision) is not None
    except Exception:  # alembic's ResolutionError and friends: a revision of another (newer) release
        return False


def database_revision(connection: Connection) -> str | None:
    """The revision the database was migrated to; None when it was never migrated (or made by create_all)."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
