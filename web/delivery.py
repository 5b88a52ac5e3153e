"""Alerts a request queued leave as soon as it committed: a sender task is queued for each channel, from a
thread of this web process, so no request ever waits on the broker (when Redis is away the next sweep sends
them, within ``ITAFLOW_SWEEP_SECONDS``). The request's id rides with the task (web/logs.py), so the worker's
lines of that delivery carry it.

Off under Flask's testing mode (the suite's requests queue nothing to a broker), unless a test asks for it
with ``DELIVER_AFTER_COMMIT``."""

from __future__ import annotations

import logging
import queue
import threading

from flask import current_app

from web.logs import REQUEST_ID

log = logging.getLogger(__name__)
_WAITING: queue.Queue = queue.Queue(maxsize=1000)
_lock = threading.Lock()
_thread: threading.Thread | None = None


def start(channels: set[str]) -> None:
    if not current_app.config.get("DELIVER_AFTER_COMMIT", not current_app.testing):
        return
    _ensure_thread()
    for channel in sorted(channels):
        try:
            _WAITING.put_nowait((channel, REQUEST_ID.get()))
        except queue.Full:  # the broker is away and the queue is full: the sweep will send them
            return


def _ensure_thread() -> None:
    global _thread
    with _lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_run, name="itaflow-delivery", daemon=True)
            _thread.start()


def _run() -> None:
    from tasks.jobs import send_line, send_outbox

    while True:
        channel, request_id = _WAITING.get()
        REQUEST_ID.set(request_id)  # carried into the task's headers (web/logs.py)
        try:
            (send_line if channel == "line" else send_outbox).apply_async(retry=False)
        except Exception as exc:  # the broker is away: the next sweep sends what waits
            log.warning("could not queue the %s sender: %s", channel, exc.__class__.__name__)
        finally:
            REQUEST_ID.set(None)
