"""LINE messages through the outbox, with e-mail's guarantees: one row per (event, cause, LINE target) under
the same unique key (INSERT ... ON CONFLICT DO NOTHING), written in the transaction of what caused it, claimed
with a lease, retried with backoff, settled one by one, visible on the outbox page.

What a bound group hears: by default one digest a working day at the office hour (what is due, overdue,
waiting for review, the next round), and at once only what the agency switched on (send-backs, escalations,
round reports; LINE bills pushes beyond a free monthly allowance). A person who linked their own account
hears the immediate events that are theirs.

Sending: ``POST /v2/bot/message/push`` with ``X-Line-Retry-Key`` set from the row (fixed when queued), so a
retry after a crash or a timeout cannot post twice: LINE answers 409 for a key it has taken, which settles
the row as sent. 429, 5xx and no answer back off; 400/401/403 mark the row failed with the reason, and a
refused token stops the agency's sending and tells its admins by e-mail.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_, select, update

from workflow.channels import alerts, lineapi, notify, wording
from workflow.db import db
from workflow.models import Group, LineChannel, LineTarget, Measure, OutboxMessage, Round, Step, Timer, User
from workflow.thaidate import bangkok_moment, bangkok_today, digits, format_be, to_bangkok
from workflow.vocabulary import step_title

log = logging.getLogger(__name__)
DIGEST = "line_digest"
#: items a digest lists by name (the rest is counted)
DIGEST_ITEMS = 8


def _settings():
    return current_app.config["ITAFLOW"]


def _channel(agency_id: int) -> LineChannel | None:
    channel = db.session.execute(select(LineChannel).where(LineChannel.agency_id == agency_id)).scalar_one_or_none()
    return channel if channel is not None and channel.problem is None else None


def _row(key: str, event: str, target: LineTarget, text: str, now: datetime, recipient_id: int | None = None
         ) -> dict:
    return dict(dedupe_key=f"line:{key}:t{target.id}"[:255], event=event, recipient_id=recipient_id,
                to_email=target.line_id, subject=text.split("\n", 1)[0][:500], status="pending", attempts=0,
                next_attempt_at=alerts.send_moment(event, now), message_id=str(uuid.uuid4()), created_at=now,
                channel="line",
                line_target_id=target.id, payload={"text": text}, lease_until=None, last_error=None,
                sent_at=None)


def _text(key: str, params: dict, lang: str, *lines: str | None) -> str:
    subject, lead = wording.say(key, lang, params)
    return "\n".join(x for x in (subject, *lines, lead) if x)


def _group_targets(agency_id: int, group_ids: set[int | None]) -> list[LineTarget]:
    """Bound groups that hear about work of these work groups: their own, and the whole agency's."""
    wanted = [LineTarget.group_id.is_(None)]
    ids = {g for g in group_ids if g is not None}
    if ids:
        wanted.append(LineTarget.group_id.in_(ids))
    return list(db.session.execute(select(LineTarget).where(
        LineTarget.agency_id == agency_id, LineTarget.kind == "group", LineTarget.state == "bound", or_(*wanted))
    ).scalars())


def _person_targets(user_ids: list[int]) -> dict[int, LineTarget]:
    if not user_ids:
        return {}
    return {t.user_id: t for t in db.session.execute(select(LineTarget).where(
        LineTarget.user_id.in_(user_ids), LineTarget.kind == "person", LineTarget.state == "bound")).scalars()
        if t.user_id is not None}


def step_event(event: str, cause: str, step: Step, params: dict, now: datetime, people: list[User],
               *, note: str | None = None) -> int:
    """An immediate event about a step (a send-back, an escalation) to the bound groups of its work group and
    the agency, and to the people concerned who linked LINE; only when the agency switched the event on."""
    agency_id = step.measure.cycle.agency_id
    channel = _channel(agency_id)
    if channel is None or event not in (channel.immediate or []):
        return 0
    owner_group = step.owner_group_id or (step.owner_user.group_id if step.owner_user else None)
    link = notify.site_link(f"/steps/{step.id}")  # made absolute when it is sent
    rows = []
    title = step_title(step, "th", _settings().digits)
    co_owners = {g.id for g in step.co_owner_groups}
    for target in _group_targets(agency_id, {owner_group, step.reviewer_group_id, *co_owners}):
        rows.append(_row(f"{event}:{cause}", event, target, _text(event, params, "th", title, note, link), now))
    persons = _person_targets([u.id for u in people])
    for user in people:
        own = persons.get(user.id)
        if own is not None:
            lang = wording.language_of(user)
            words = _text(event, params, lang, step_title(step, lang, _settings().digits), note, link)
            rows.append(_row(f"{event}:{cause}", event, own, words,
                             now, recipient_id=user.id))
    return notify._insert_rows(rows) if rows else 0


def round_report(rnd: Round, report: dict, now: datetime) -> int:
    """The round's report to the agency's ITA group(s), on the round's day, as the secretariat posts it by hand
    today."""
    agency_id = rnd.cycle.agency_id
    channel = _channel(agency_id)
    if channel is None or "round_report" not in (channel.immediate or []):
        return 0
    params = {"number": rnd.number, "day": rnd.held_on, "percent": report["percent"]}
    style = _settings().digits
    late = len(report.get("overdue") or [])
    summary = digits(f"ดำเนินการแล้ว {report['done_steps']} จาก {report['total_steps']} ขั้นตอน"
                                f" เลยกำหนด {late} ขั้นตอน", style)
    lines = [summary]
    for o in (report.get("overdue") or [])[:DIGEST_ITEMS]:
        lines.append(digits(f"- {o['measure']} ขั้นตอนที่ {o['number']} {o['title']} ({o['owner']})",
                                       style))
    link = notify.site_link(f"/rounds/{rnd.id}")
    rows = [_row(f"round_report:r{rnd.id}", "round_report", target,
                 _text("round_report", params, "th", *lines, link), now)
            for target in _group_targets(agency_id, set())]  # the agency-wide groups only
    return notify._insert_rows(rows) if rows else 0


# -- the daily digest ----------------------------------------------------------------------------------------


def plan_digest(agency_id: int, now: datetime) -> None:
    """The agency's next LINE digest: the next working day's office hour (today's, if it is still ahead); an
    unfired one stands."""
    from workflow.calendar import WorkingCalendar
    from workflow.channels.alerts import office_time

    pending = db.session.execute(select(Timer.id).where(Timer.kind == DIGEST, Timer.target_type == "agency",
                                                        Timer.target_id == agency_id, Timer.fired_at.is_(None)))
    if pending.first() is not None:
        return
    calendar = WorkingCalendar()
    day = bangkok_today(now)
    if not calendar.is_working_day(day) or bangkok_moment(day, office_time()) <= now:
        day = calendar.add_working_days(day, 1)
    db.session.add(Timer(kind=DIGEST, fire_at=bangkok_moment(day, office_time()), target_type="agency",
                         target_id=agency_id, payload={}))
    db.session.flush()


def _open_steps(agency_id: int) -> list[Step]:
    from workflow.models import Cycle

    return list(db.session.execute(
        select(Step).join(Measure).join(Cycle).where(Cycle.agency_id == agency_id, Step.state == "open",
                                                     Measure.state != "done")
        .order_by(Step.due_on, Measure.position, Step.number)).scalars())


def digest_text(target: LineTarget, steps: list[Step], today: date, next_round: Round | None) -> str | None:
    """What a bound group reads in the morning, or None when there is nothing to say (no message is billed)."""
    from workflow.vocabulary import is_overdue

    style = _settings().digits
    mine = [s for s in steps if target.group_id is None or target.group_id in
            (s.owner_group_id, s.reviewer_group_id, s.owner_user.group_id if s.owner_user else None,
             *(g.id for g in s.co_owner_groups))]
    overdue = [s for s in mine if s.kind != "review" and is_overdue(s, today)]
    soon = [s for s in mine if s.kind != "review" and s.due_on is not None and not is_overdue(s, today)
            and s.due_on <= today + timedelta(days=3)]
    waiting = [s for s in mine if s.kind == "review"]
    round_soon = next_round is not None and next_round.held_on <= today + timedelta(days=3)
    if not (overdue or soon or waiting or round_soon):
        return None
    group = db.session.get(Group, target.group_id) if target.group_id else None

    def line(s: Step) -> str:
        due = format_be(s.due_on, style="abbr", digit_style=style) if s.due_on else "-"
        return digits(f"- {s.measure.code} ขั้นตอนที่ {s.number} {step_title(s, 'th', style)} (กำหนด {due})", style)

    out = [f"itaflow สรุปประจำวัน {format_be(today, digit_style=style)}" + (f" · {group.name}" if group else "")]
    for title, found in (("เลยกำหนด", overdue), ("ครบกำหนดภายใน ๓ วัน", soon), ("รอผู้อำนวยการกลุ่มตรวจ", waiting)):
        if found:
            out.append(digits(f"{title} {len(found)} ขั้นตอน", style))
            out += [line(s) for s in found[:DIGEST_ITEMS]]
            if len(found) > DIGEST_ITEMS:
                out.append(digits(f"  และอีก {len(found) - DIGEST_ITEMS} ขั้นตอน", style))
    if next_round is not None:
        out.append(digits(f"ติดตามครั้งถัดไป ครั้งที่ {next_round.number} วันที่ "
                                     f"{format_be(next_round.held_on, digit_style=style)}", style))
    out.append(notify.site_link("/"))
    return "\n".join(out)


def send_digest(agency_id: int, now: datetime) -> int:
    """The morning's digest to each bound group of the agency (one row a group a day), and the next planned."""
    from workflow.calendar import WorkingCalendar
    from workflow.models import Cycle

    today = bangkok_today(now)
    plan_next = db.session.execute(select(LineChannel.id).where(LineChannel.agency_id == agency_id)).first()
    channel = _channel(agency_id)
    rows = []
    if channel is not None and WorkingCalendar().is_working_day(today):
        targets = list(db.session.execute(select(LineTarget).where(  # every bound group, each its own digest
            LineTarget.agency_id == agency_id, LineTarget.kind == "group", LineTarget.state == "bound")
            .order_by(LineTarget.id)).scalars())
        steps = _open_steps(agency_id) if targets else []
        next_round = db.session.execute(select(Round).join(Cycle).where(
            Cycle.agency_id == agency_id, Round.status == "planned", Round.held_on >= today)
            .order_by(Round.held_on)).scalars().first()
        for target in targets:
            text = digest_text(target, steps, today, next_round)
            if text:
                rows.append(_row(f"digest:{today.isoformat()}", "digest", target, text, now))
    count = notify._insert_rows(rows) if rows else 0
    _forget_old_events(now)
    if plan_next is not None:
        plan_digest(agency_id, now + timedelta(minutes=1))
    return count


def _forget_old_events(now: datetime) -> None:
    """Webhook event ids older than any event the webhook still acts on: a replay of those is refused by its
    age, so the table stays the size of two days of events."""
    from sqlalchemy import delete

    from workflow.models import LineWebhookEvent

    db.session.execute(delete(LineWebhookEvent).where(
        LineWebhookEvent.received_at < now - 2 * lineapi.MAX_EVENT_AGE))


# -- delivery ------------------------------------------------------------------------------------------------


@dataclass
class LineDelivery:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0


def deliver_line(now: datetime, limit: int = 50) -> LineDelivery:
    """Push one batch of due LINE rows, each settled and committed as soon as LINE answered (like e-mail, this
    service commits: a push cannot join a database transaction). A try is counted, and committed, as each row
    is pushed, so a sender killed mid-batch costs a try only to the push it was on."""
    from workflow.channels.mailer import backoff, claim, count_attempt, fail_abandoned

    db.session.rollback()
    result = LineDelivery()
    result.failed += fail_abandoned(now, channel="line")
    ids = claim(now, limit, channel="line")
    result.claimed = len(ids)
    if not ids:
        return result
    settings = _settings()
    rows = db.session.execute(select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
                              ).scalars().all()
    channels: dict[int, LineChannel | None] = {}
    refused: dict[int, tuple[bool, str]] = {}
    for row in rows:
        target = db.session.get(LineTarget, row.line_target_id) if row.line_target_id else None
        if target is None or target.state != "bound":
            _settle(row, now, result, failed="the LINE group or person is no longer bound")
            continue
        if target.agency_id not in channels:
            channels[target.agency_id] = db.session.execute(
                select(LineChannel).where(LineChannel.agency_id == target.agency_id)).scalar_one_or_none()
        channel = channels[target.agency_id]
        if channel is None or channel.problem:
            _settle(row, now, result, failed=f"LINE sending is stopped: {channel.problem if channel else 'no channel'}")
            continue
        count_attempt(row.id)  # this push is a try; the rows behind it in the batch are not tried yet
        try:
            lineapi.push(settings.line_api_url, channel.access_token, row.to_email,
                         [lineapi.text_message(notify.absolute_lines((row.payload or {}).get("text", row.subject),
                                                                     settings.base_url))], row.message_id,
                         settings.line_timeout)
        except lineapi.LineError as exc:
            if exc.retry and row.attempts < settings.mail_max_attempts:
                _settle(row, now, result, retry_at=now + backoff(row.attempts), error=str(exc))
            else:  # a request LINE will never take (or one tried as often as a row may be): the admins hear
                _settle(row, now, result, failed=str(exc))
                refused.setdefault(target.agency_id, (exc.auth, str(exc)))
                if exc.auth:
                    refused[target.agency_id] = (True, str(exc))
                    channel.problem = f"LINE ไม่รับ Channel access token ({exc.status}) เมื่อ " \
                                      f"{format_be(bangkok_today(now), digit_style='arabic')}"
                    db.session.commit()
            continue
        _settle(row, now, result)
    for agency_id, (auth, reason) in refused.items():
        _tell_admins(agency_id, reason, now, token=auth)
        db.session.commit()
    return result


def _settle(row: OutboxMessage, now: datetime, result: LineDelivery, *, failed: str | None = None,
            retry_at: datetime | None = None, error: str | None = None) -> None:
    values: dict = {"lease_until": None}
    if failed is not None:
        values.update(status="failed", last_error=failed[:1000])
        result.failed += 1
    elif retry_at is not None:
        values.update(status="pending", next_attempt_at=retry_at, last_error=(error or "")[:1000])
        result.retried += 1
    else:
        values.update(status="sent", sent_at=now, last_error=None)
        result.sent += 1
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == row.id, OutboxMessage.status == "sending")
                       .values(**values))
    db.session.commit()


def _tell_admins(agency_id: int, reason: str, now: datetime, *, token: bool) -> int:
    """E-mail the agency's admins (once a day) that LINE refused the token (sending stays stopped until a new
    token is entered) or a message (400: the row failed with LINE's reason)."""
    from workflow.models import UserRole

    failed = db.session.scalar(select(func.count()).select_from(OutboxMessage).join(
        LineTarget, LineTarget.id == OutboxMessage.line_target_id).where(
        LineTarget.agency_id == agency_id, OutboxMessage.channel == "line", OutboxMessage.status == "failed"))
    admins = db.session.execute(select(User).join(UserRole).where(
        User.agency_id == agency_id, UserRole.role == "admin", User.active.is_(True))).scalars().unique().all()
    item = {"measure_code": None, "measure_title": None, "step_number": None, "step_title": None, "due": None,
            "due_en": None, "overdue_days": None, "note": reason, "reason": None, "overdue": False,
            "link": notify.site_link("/admin/line"), "agency": ""}
    kind = "line_token_refused" if token else "line_failed"
    return sum(notify.queue(kind, f"a{agency_id}:{bangkok_today(now).isoformat()}", admin, [item],
                            now, params={"count": failed or 0}) for admin in admins)


def sent_this_month(agency_id: int, now: datetime) -> int:
    """Push messages sent this calendar month (Bangkok), the count LINE bills against the free allowance."""
    local = to_bangkok(now)
    start = bangkok_moment(date(local.year, local.month, 1), datetime.min.time())
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).join(
        LineTarget, LineTarget.id == OutboxMessage.line_target_id).where(
        LineTarget.agency_id == agency_id, OutboxMessage.channel == "line", OutboxMessage.status == "sent",
        OutboxMessage.sent_at >= start)) or 0
