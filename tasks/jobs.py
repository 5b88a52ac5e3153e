"""Thin tasks over workflow services: read the clock, call one service, commit, then enqueue."""

from __future__ import annotations

import logging

from celery import shared_task

from workflow import clock
from workflow.mailer import deliver_pending, has_due_mail
from workflow.sweep import run_sweep

log = logging.getLogger(__name__)


@shared_task(name="itaflow.sweep", ignore_result=True)
def sweep() -> dict:
    """Fire every due timer (idempotent: claims are atomic), then start delivery if mail is waiting."""
    now = clock.now()
    result = run_sweep(now)
    if result.queued or has_due_mail(now):
        send_outbox.delay()
    return {"claimed": result.claimed, "queued": result.queued, "failed": len(result.failed)}


@shared_task(name="itaflow.send_outbox", ignore_result=True)
def send_outbox() -> dict:
    """Deliver due outbox rows batch by batch over one SMTP connection each (idempotent: leased claims)."""
    totals = {"sent": 0, "retried": 0, "failed": 0}
    while True:
        result = deliver_pending(clock.now())
        for key in totals:
            totals[key] += getattr(result, key)
        if result.claimed == 0 or result.sent == 0:
            return totals
