"""What the deployment's health is made of, read from the database: readiness (``/readyz``: the database
answers, Redis answers when it is configured, the schema is at this release's head) and the figures ``/metrics``
shows at each scrape (the outbox's depth and its oldest row's age by channel, the timers due and late)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, text

from workflow.db import db
from workflow.models import OutboxMessage, Timer

#: outbox states that are still to be delivered
WAITING = ("pending", "sending")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def readiness() -> list[Check]:
    """The database, Redis (when configured) and the schema; each a short call."""
    from workflow.operations import schema

    checks = []
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            revision = schema.database_revision(connection)
        checks.append(Check("database", True, "ok"))
        head = schema.code_head()
        checks.append(Check("migrations", revision == head, f"at {revision}, head {head}"))
    except Exception as exc:
        checks.append(Check("database", False, exc.__class__.__name__))
        checks.append(Check("migrations", False, "unknown: no database"))
    settings = current_app.config["ITAFLOW"]
    url = settings.redis_url or (settings.broker_url if settings.broker_url.startswith("redis") else None)
    if url:
        try:
            import redis

            redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2).ping()
            checks.append(Check("redis", True, "ok"))
        except Exception as exc:
            checks.append(Check("redis", False, exc.__class__.__name__))
    return checks


@dataclass(frozen=True)
class OutboxFigure:
    channel: str
    status: str
    count: int


def outbox_figures(now: datetime) -> tuple[list[OutboxFigure], dict[str, float]]:
    """Rows waiting (and failed) by channel and state, and by channel the age in seconds of the oldest row that
    is due and not sent (0 when none): served by the (status, next_attempt_at) index."""
    rows = db.session.execute(
        select(OutboxMessage.channel, OutboxMessage.status, func.count())
        .where(OutboxMessage.status.in_((*WAITING, "failed", "held")))
        .group_by(OutboxMessage.channel, OutboxMessage.status)).all()
    oldest = dict(db.session.execute(
        select(OutboxMessage.channel, func.min(OutboxMessage.next_attempt_at))
        .where(OutboxMessage.status.in_(WAITING), OutboxMessage.next_attempt_at <= now)
        .group_by(OutboxMessage.channel)).all())
    ages = {channel: max(0.0, (now - moment).total_seconds()) for channel, moment in oldest.items() if moment}
    for channel in ("email", "line"):
        ages.setdefault(channel, 0.0)
    return [OutboxFigure(c, s, n) for c, s, n in rows], ages


def _firing_now(now: datetime) -> list:
    """What makes a timer one the sweep would fire now: unfired, due, and (outside office hours) no alert."""
    from workflow.channels import alerts
    from workflow.operations.sweep import ANY_HOUR

    conditions = [Timer.fired_at.is_(None), Timer.fire_at <= now]
    if not alerts.in_alert_hours(now):
        conditions.append(Timer.kind.in_(ANY_HOUR))
    return conditions


def oldest_wait(now: datetime) -> float:
    """Seconds the oldest timer the sweep would fire now has waited (0: none)."""
    oldest = db.session.scalar(select(func.min(Timer.fire_at)).where(*_firing_now(now)))
    return max(0.0, (now - oldest).total_seconds()) if oldest else 0.0


def timer_figures(now: datetime, late_after: timedelta) -> tuple[int, int, float]:
    """Timers due and not fired; those of them the sweep would fire now that have waited longer than
    ``late_after`` (alerts wait for office hours on purpose: they are not late then); the oldest's wait in
    seconds."""
    due = db.session.scalar(select(func.count()).select_from(Timer).where(
        Timer.fired_at.is_(None), Timer.fire_at <= now)) or 0
    late = db.session.scalar(select(func.count()).select_from(Timer).where(
        *_firing_now(now), Timer.fire_at < now - late_after)) or 0
    return due, late, oldest_wait(now)
