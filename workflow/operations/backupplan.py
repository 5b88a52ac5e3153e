"""The daily backup: a timer row like every other deadline, fired by the sweep (workflow/operations/sweep.py), at
``ITAFLOW_BACKUP_AT`` Bangkok time every day (it is no alert: it fires outside office hours too), keeping the
newest ``ITAFLOW_BACKUP_KEEP`` archives in the backup folder. 0 kept: no schedule.

The sweep must not make the archive inside its own transaction (a backup takes minutes), so firing only marks
the timer's payload ``queued`` and plans the next day's; the sweep's task then starts a Celery task for it
(``to_start``, again if it was lost for 15 minutes), which claims it (``queued`` to ``running``, one statement:
a redelivered task finds it taken), makes the archive, removes the oldest beyond the number kept and writes
how it went into the payload: the admin page's "last backup" is read from there.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from workflow.db import db
from workflow.models import Timer
from workflow.thaidate import bangkok_moment, bangkok_today

log = logging.getLogger(__name__)
KIND = "backup"
TARGET = "deployment"
PREFIX = "itaflow-daily"
#: a queued backup whose task has not started after this is started again (a lost task)
RESTART_AFTER = timedelta(minutes=15)
#: the last success older than this (with a schedule) is shown as a problem
STALE_AFTER = timedelta(hours=36)


def _settings():
    return current_app.config["ITAFLOW"]


def _at() -> time:
    hours, _, minutes = _settings().backup_at.partition(":")
    return time(int(hours), int(minutes or 0))


def plan(now: datetime) -> Timer | None:
    """The next daily backup's timer (the existing one when there is one); None without a schedule."""
    if _settings().backup_keep <= 0:
        return None
    pending = db.session.execute(select(Timer).where(Timer.kind == KIND, Timer.fired_at.is_(None))).scalars().first()
    if pending is not None:
        return pending
    day = bangkok_today(now)
    moment = bangkok_moment(day, _at())
    if moment <= now:
        moment = bangkok_moment(day + timedelta(days=1), _at())
    timer = Timer(kind=KIND, fire_at=moment, target_type=TARGET, target_id=0, payload={})
    db.session.add(timer)
    db.session.flush()
    return timer


def fire(timer: Timer, now: datetime) -> int:
    """The sweep's handler: the backup waits for its task; tomorrow's is planned."""
    timer.payload = {"status": "queued", "queued_at": now.isoformat()}
    plan(now + timedelta(minutes=1))
    return 0


def to_start(now: datetime) -> list[int]:
    """Queued backups whose task is to be started now (never started, or lost): each marked as started, in the
    caller's transaction (the sweep's task commits, then starts them)."""
    recent = db.session.execute(select(Timer).where(
        Timer.kind == KIND, Timer.fired_at.is_not(None), Timer.fired_at > now - timedelta(days=2))).scalars().all()
    ids = []
    for timer in recent:
        payload = dict(timer.payload or {})
        started = payload.get("task_at")
        if payload.get("status") != "queued" or (started and datetime.fromisoformat(started) > now - RESTART_AFTER):
            continue
        payload["task_at"] = now.isoformat()
        timer.payload = payload
        ids.append(timer.id)
    db.session.flush()
    return ids


def run(timer_id: int, now: datetime) -> dict[str, Any]:
    """Claim the queued backup, make the archive, keep the newest ones; commits (like e-mail delivery, this
    service is its own transaction: the archive is made outside any)."""
    from workflow.operations import backups

    db.session.rollback()
    claimed = db.session.execute(
        update(Timer).where(Timer.id == timer_id, Timer.kind == KIND,
                            Timer.payload["status"].as_string() == "queued")
        .values(payload={"status": "running", "started_at": now.isoformat()}))
    db.session.commit()
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return {"status": "taken"}
    try:
        result = backups.create(now, prefix=PREFIX)
        removed = backups.prune(result.path.parent, PREFIX, _settings().backup_keep)
        outcome: dict[str, Any] = {
            "status": "done", "started_at": now.isoformat(), "file": result.path.name, "size": result.size,
            "sha256": result.sha256, "seconds": round(result.seconds, 1), "removed": [p.name for p in removed],
            "missing_files": len(result.manifest["evidence"]["missing"])}
    except Exception as exc:
        log.exception("the daily backup failed")
        db.session.rollback()
        outcome = {"status": "failed", "started_at": now.isoformat(), "error": str(exc)[:500]}
    db.session.execute(update(Timer).where(Timer.id == timer_id).values(payload=outcome))
    db.session.commit()
    return outcome


def status(now: datetime) -> dict[str, Any]:
    """What the admin page says: the last backup that succeeded (and a failure since), the next one, how many
    are kept and where; ``problem`` when there is a schedule and no success for a day and a half."""
    settings = _settings()
    fired = db.session.execute(select(Timer).where(Timer.kind == KIND, Timer.fired_at.is_not(None))
                               .order_by(Timer.fired_at.desc()).limit(60)).scalars().all()
    last = failed = None  # the newest success, and a failure since
    for timer in fired:  # newest first
        state = (timer.payload or {}).get("status")
        if state == "done":
            last = timer
            break
        if state == "failed" and failed is None:
            failed = timer
    upcoming = db.session.execute(select(Timer.fire_at).where(Timer.kind == KIND, Timer.fired_at.is_(None))
                                  .order_by(Timer.fire_at)).scalars().first()
    scheduled = settings.backup_keep > 0
    succeeded_at = datetime.fromisoformat(last.payload["started_at"]) if last is not None else None
    if not scheduled:
        problem = False
    elif succeeded_at is None:
        problem = bool(fired)  # a backup was due and none ever succeeded
    else:
        problem = failed is not None or now - succeeded_at > STALE_AFTER
    return {
        "scheduled": scheduled, "keep": settings.backup_keep, "at": settings.backup_at,
        "folder": str(settings.backup_dir or settings.instance_path / "backups"),
        "last": dict(last.payload) if last is not None else None, "last_at": succeeded_at,
        "failed": dict(failed.payload) if failed is not None else None,
        "failed_at": failed.fired_at if failed is not None else None,
        "next_at": upcoming, "problem": problem,
    }
