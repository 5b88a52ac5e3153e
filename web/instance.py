"""The service's files are its own: the database, uploads, cached documents and secrets.

At start the process's umask becomes 077, so every file and folder it creates is readable by the service's user
alone (an upload, a cached PDF, the SQLite journal), and whatever an earlier version or an operator left open
to other local users in the instance folder is repaired, with one line in the log naming how many.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path

log = logging.getLogger("itaflow")

PRIVATE = 0o077  # the bits for the group and others


def secure_instance(instance: Path, database_url: str) -> int:
    """Set the umask and make the instance folder, everything in it and a SQLite database elsewhere private.
    Returns how many modes were repaired (each logged once, as a count)."""
    os.umask(PRIVATE)
    paths: list[Path] = [instance]
    if instance.is_dir():
        paths += [p for p in instance.rglob("*") if not p.is_symlink()]
    if database_url.startswith("sqlite:///"):
        db_file = Path(database_url[len("sqlite:///"):])
        if db_file.exists() and instance not in db_file.resolve().parents:
            paths += [db_file, *(db_file.with_name(db_file.name + s) for s in ("-wal", "-shm", "-journal"))]
    repaired = 0
    for path in paths:
        with contextlib.suppress(FileNotFoundError, PermissionError):
            mode = stat.S_IMODE(path.lstat().st_mode)
            if mode & PRIVATE:
                path.chmod(mode & ~PRIVATE)
                repaired += 1
    if repaired:
        log.warning("itaflow: %d file(s) and folder(s) under %s were readable by other local users; "
                    "now private to the service's user", repaired, instance)
    return repaired
