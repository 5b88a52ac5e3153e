"""The one clock of every itaflow process: web, CLI, worker and beat.

Entry points (a request, a CLI command, a task) read ``now()`` once and pass it into services as ``now=``;
services never read the clock themselves, so a test or a replay decides what "now" is.

Production reads the system clock. ``ITAFLOW_CLOCK_FILE`` names a file holding an ISO timestamp; every
process reads it on each call, so a test of the live stack (web, worker and beat as subprocesses) moves
time for all of them at once, and walks a cycle's days in seconds. Inside the test process the suite pins
the system clock itself (time-machine, ``tests/conftest.py``).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path


def now() -> datetime:
    """The current instant, timezone-aware UTC."""
    path = os.environ.get("ITAFLOW_CLOCK_FILE")
    if path:
        text = Path(path).read_text().strip()
        if text:
            moment = datetime.fromisoformat(text)
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.now(UTC)


def set_fake_now(path: str | Path, moment: datetime) -> None:
    """Write the shared test clock atomically (readers never see half a timestamp)."""
    path = Path(path)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(moment.astimezone(UTC).isoformat())
    tmp.replace(path)
