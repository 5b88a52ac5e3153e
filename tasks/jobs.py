"""Thin tasks over workflow services. Each reads the clock once, calls services and commits: for a task,
this module is the one place that commits (a batch of due timers at a time), and it enqueues further work
only after its commit. The outbox's delivery is the one service that commits inside, by necessity: its
claims must be visible before it talks to SMTP, and each message is settled as soon as the server took it
(workflow/channels/mailer.py)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from celery import shared_task
from flask import current_app

from web import metrics
from workflow import clock
from workflow.channels.mailer import deliver_pending, has_due_mail
from workflow.db import db
from workflow.operations import backupplan
from workflow.operations.health import oldest_wait
from workflow.operations.sweep import BATCH, SweepResult, sweep_batch

log = logging.getLogger(__name__)


def run_sweep(now: datetime, limit: int = BATCH, on_queued: Callable[[], None] | None = None) -> SweepResult:
    """Fire every due timer, one committed batch after another, until a batch comes back short.
    ``on_queued`` is called once, after the first committed batch that queued mail (delivery can start while
    the sweep goes on: a shared deadline's morning queues an email for every person of every unit)."""
    total = SweepResult()
    while True:
        db.session.rollback()  # each batch claims on a fresh transaction (SQLite: a write from the start)
        batch = sweep_batch(now, limit)
        db.session.commit()
        if batch.queued and not total.queued and on_queued is not None:
            on_queued()
        total.claimed += batch.claimed
        total.queued += batch.queued
        total.failed += batch.failed
        if batch.claimed < limit:
            return total


def _start_senders() -> None:
    """Enqueue the configured number of deliverers (``ITAFLOW_MAIL_SENDERS``); each keeps claiming batches
    until none is left, so they share whatever the sweep queues meanwhile."""
    for _ in range(current_app.config["ITAFLOW"].mail_senders):
        send_outbox.delay()


@shared_task(name="itaflow.sweep", ignore_result=True)
def sweep() -> dict:
    """Fire every due timer (idempotent: claims are atomic); delivery starts after the first batch that queued
    mail, and once more at the end if mail is still waiting (a sender may have run dry before the last batch)."""
    now = clock.now()
    started = time.perf_counter()
    waited = oldest_wait(now)  # how long the oldest timer it may fire has waited
    result = run_sweep(now, on_queued=_start_senders)
    metrics.SWEEP_SECONDS.observe(time.perf_counter() - started)
    metrics.SWEEP_LAG.set(waited)
    metrics.SWEEP_LAST.set_to_current_time()
    metrics.TIMERS_FIRED.inc(result.claimed)
    if result.queued or has_due_mail(now):
        send_outbox.delay()
    if has_due_mail(now, channel="line"):
        send_line.delay()
    backups = backupplan.to_start(now)
    db.session.commit()
    for timer_id in backups:
        run_backup.delay(timer_id)
    recounted = _recount_tallies()
    return {"claimed": result.claimed, "queued": result.queued, "failed": len(result.failed), "tallies": recounted}


def _recount_tallies() -> int:
    """The roll-up's kept tallies that changes made stale, counted again off the page's path (each commits)."""
    from workflow.oversight import rollup

    try:
        db.session.rollback()
        done = rollup.recount_stale()
        db.session.commit()
        return done
    except Exception:  # the tallies are a cache: a page counts what it finds stale; the sweep goes on
        db.session.rollback()
        log.exception("recounting the roll-up's tallies failed")
        return 0


@shared_task(name="itaflow.backup", ignore_result=True)
def run_backup(timer_id: int) -> dict:
    """The daily backup the sweep fired (idempotent: the first task to claim it makes it)."""
    return backupplan.run(timer_id, clock.now())


class _Batch(Protocol):
    claimed: int
    sent: int
    retried: int
    failed: int


def _drain(deliver: Callable[[datetime], _Batch], channel: str) -> dict:
    """Deliver batch after batch (each leased and settled by the service) until none is claimed or a batch
    sends nothing (the relay or LINE is failing: the rest waits for its backoff)."""
    totals = {"sent": 0, "retried": 0, "failed": 0}
    while True:
        result = deliver(clock.now())
        for key in totals:
            totals[key] += getattr(result, key)
            if getattr(result, key):
                metrics.DELIVERIES.labels(channel, key).inc(getattr(result, key))
        if result.claimed == 0 or result.sent == 0:
            return totals


@shared_task(name="itaflow.send_outbox", ignore_result=True)
def send_outbox() -> dict:
    """Deliver due outbox e-mail over one SMTP connection a batch (idempotent: leased claims)."""
    return _drain(deliver_pending, "email")


@shared_task(name="itaflow.send_line", ignore_result=True)
def send_line() -> dict:
    """Push due LINE rows (idempotent: leased claims, and LINE's retry key per row)."""
    from workflow.channels.lineout import deliver_line

    return _drain(deliver_line, "line")


@shared_task(name="itaflow.read_memo", ignore_result=True, time_limit=60 * 60, soft_time_limit=55 * 60)
def read_memo_import(import_id: int) -> dict:
    """A memo kept by the web import read in the background (OCR of a scan): progress told page by page,
    the draft made at the end (idempotent: a done or failed import is left as it is)."""
    from workflow.onboarding import memoimports

    row = memoimports.run(import_id, clock.now())
    return {"import": import_id, "state": row.state if row else None}
