"""The current time for services run by tasks and commands.

Production reads the system clock. Tests of the live stack (worker and beat as subprocesses) walk a
cycle's days in seconds by pointing ``ITAFLOW_CLOCK_FILE`` at a file holding an ISO timestamp; every
process reads it on each call, so the test moves time for all of them at once.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path


def now() -> datetime:
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
