"""Queue alert emails in the outbox, in the caller's transaction.

Rows are sent later by the sender task (tasks/); a unique dedupe key per (event, recipient) means the
same alert is never queued twice, and a rolled-back change queues nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from workflow.db import db
from workflow.models import Group, OutboxMessage, Step, User
from workflow.thaidate import format_be

SUBJECT_PREFIX = "[ITA] "


def step_recipients(step: Step) -> list[User]:
    """The people who act on a step: its named officer, else its group's active members."""
    if step.kind == "review":
        return reviewers(step.reviewer_group)
    if step.owner_user is not None:
        return [step.owner_user] if step.owner_user.active else []
    if step.owner_group is not None:
        return [u for u in step.owner_group.members if u.active]
    return []


def reviewers(group: Group | None) -> list[User]:
    if group is None:
        return []
    people = [group.acting_director or group.director] if group.acting_director_id else [group.director]
    return [u for u in people if u is not None and u.active]


def step_link(step: Step) -> str:
    return f"{current_app.config['ITAFLOW'].base_url}/steps/{step.id}"


def queue(event: str, cause: str, recipient: User, subject: str, body: str, now: datetime) -> bool:
    """Add one outbox row unless this (event, cause, recipient) is already queued. True if added."""
    if not recipient.email:
        return False
    key = f"{event}:{cause}:{recipient.id}"
    exists = db.session.execute(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)).first()
    if exists or any(isinstance(o, OutboxMessage) and o.dedupe_key == key for o in db.session.new):
        return False
    domain = recipient.email.rsplit("@", 1)[-1] if "@" in (recipient.email or "") else "itaflow.local"
    db.session.add(OutboxMessage(
        dedupe_key=key, event=event, recipient_id=recipient.id, to_email=recipient.email,
        subject=SUBJECT_PREFIX + subject, body_text=body, status="pending", attempts=0,
        next_attempt_at=now, message_id=f"<{uuid.uuid4().hex}@{domain}>", created_at=now,
    ))
    return True


def _describe(step: Step) -> str:
    measure = step.measure
    due = format_be(step.due_on) if step.due_on else "-"
    return (
        f"มาตรการ {measure.code} {measure.title}\n"
        f"ขั้นตอนที่ {step.number}: {step.title}\n"
        f"กำหนดเสร็จ: {due}\n"
        f"เปิดดู: {step_link(step)}\n"
    )


def step_opened(step: Step, cause: str, now: datetime) -> int:
    count = 0
    for user in step_recipients(step):
        if step.kind == "review":
            subject = f"รอตรวจสอบ: มาตรการ {step.measure.code} ขั้นตอนที่ {step.number}"
            body = f"เรียน {user.name}\n\nมีงานรอท่านตรวจสอบความถูกต้อง\n\n{_describe(step)}"
        else:
            subject = f"ถึงคิวของท่าน: มาตรการ {step.measure.code} ขั้นตอนที่ {step.number}"
            body = f"เรียน {user.name}\n\nขั้นตอนนี้เปิดให้ดำเนินการแล้ว\n\n{_describe(step)}"
        count += queue("step_opened", cause, user, subject, body, now)
    return count


def sent_back(step: Step, reason: str, cause: str, now: datetime) -> int:
    count = 0
    for user in step_recipients(step):
        subject = f"ส่งกลับแก้ไข: มาตรการ {step.measure.code} ขั้นตอนที่ {step.number}"
        body = f"เรียน {user.name}\n\nผู้ตรวจสอบส่งกลับให้แก้ไข เหตุผล: {reason}\n\n{_describe(step)}"
        count += queue("sent_back", cause, user, subject, body, now)
    return count


def approved(review: Step, reviewed: Step, cause: str, now: datetime) -> int:
    count = 0
    for user in step_recipients(reviewed):
        subject = f"ผ่านการตรวจสอบ: มาตรการ {reviewed.measure.code} ขั้นตอนที่ {reviewed.number}"
        body = f"เรียน {user.name}\n\nผู้อำนวยการกลุ่มตรวจสอบและอนุมัติแล้ว\n\n{_describe(reviewed)}"
        count += queue("approved", cause, user, subject, body, now)
    return count
