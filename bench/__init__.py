"""Benchmarks (run by hand; figures in the README).

Each one pins its own clock, as the tests do: ``pin_clock(moment)`` first thing in its ``main``, so what it
measures never depends on the hour it is run at (alerts fire only in office hours on working days: a morning
run at 22:36 would claim nothing). The clock ticks on from that moment in step with real time, and every
process the benchmark starts reads the same one (``ITAFLOW_CLOCK_FILE``, workflow/clock.py).
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

from workflow.clock import set_fake_now
from workflow.thaidate import BANGKOK

#: a working Wednesday, 08:30 in Bangkok: the office hour on a day with working days all around it
OFFICE_MORNING = datetime(2026, 6, 10, 8, 30, tzinfo=BANGKOK)


def pin_clock(moment: datetime, path: Path | None = None) -> Path:
    """From now on this process and every process it starts read ``moment``, ticking on with real time.
    ``path``: the clock file to write (a stack's own); by default a new one. Call it again to move the clock."""
    if path is None:
        path = Path(tempfile.mkdtemp(prefix="itaflow-bench-clock-")) / "clock"
    set_fake_now(path, moment, ticking=True)
    os.environ["ITAFLOW_CLOCK_FILE"] = str(path)
    return path
