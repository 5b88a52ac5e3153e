"""The one clock of every itaflow process: web, CLI, worker and beat.

Entry points (a request, a CLI command, a task) read ``now()`` once and pass it into services as ``now=``;
services never read the clock themselves, so a test or a replay decides what "now" is.

Production reads the system clock. ``ITAFLOW_CLOCK_FILE`` names a file holding an ISO timestamp; every
process reads it on each call, so a test of the live stack (web, worker and beat as subprocesses) moves
time for all of them at once, and walks a cycle's days in seconds. Inside the test process the suite pins
the system clock itself (time-machine, ``tests/conftest.py``).

A file written with ``ticking=True`` holds the instant and when it was written (seconds since the machine
started, which every process reads alike): every process reads the same instant moving on in step with real
time (the benchmarks run at 08:30 on a chosen working day whatever the hour they are run at, and leases and
timeouts still expire).
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path


def now() -> datetime:
    """The current instant, timezone-aware UTC."""
    path = os.environ.get("ITAFLOW_CLOCK_FILE")
    if path:
        text = Path(path).read_text().strip()
        if text:
            instant, _, since = text.partition(TICKING)
            moment = datetime.fromisoformat(instant.strip())
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            return moment + timedelta(seconds=_since_boot() - float(since)) if since else moment
    return datetime.now(UTC)


#: between the instant and the moment it was set at (seconds since boot), in a ticking clock file
TICKING = " ticking since "


def _since_boot() -> float:
    """CLOCK_MONOTONIC: the same for every process of the machine, and left alone by the suite's pinning."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def set_fake_now(path: str | Path, moment: datetime, *, ticking: bool = False) -> None:
    """Write the shared test clock atomically (readers never see half a timestamp); ``ticking``: it moves on
    from ``moment`` with real time."""
    path = Path(path)
    tmp = path.with_suffix(".tmp")
    text = moment.astimezone(UTC).isoformat()
    tmp.write_text(f"{text}{TICKING}{_since_boot():.6f}" if ticking else text)
    tmp.replace(path)
