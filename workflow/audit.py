"""The audit log as a hash chain.

Each event's hash is an HMAC over its fields and the hash of the event before it, keyed by a secret
that lives outside the database, so someone who can edit rows cannot re-seal the chain. ``verify``
finds an edited, inserted or deleted event and says which.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import select

from workflow.db import db
from workflow.models import AuditEvent, AuditHead

GENESIS = "0" * 64


def _key() -> bytes:
    return current_app.config["ITAFLOW"].audit_key.encode()


def _canonical(event: AuditEvent) -> bytes:
    body = {
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "note": event.note,
        "data": event.data or {},
        "prev_hash": event.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def seal(event: AuditEvent, key: bytes) -> str:
    return hmac.new(key, _canonical(event), hashlib.sha256).hexdigest()


def record(
    action: str,
    *,
    actor_id: int | None,
    now: datetime,
    target_type: str | None = None,
    target_id: int | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    note: str | None = None,
    data: dict | None = None,
) -> AuditEvent:
    """Append an event in the caller's transaction (the head row is locked until it commits). The event is
    written at the transaction's next flush, with the other events of the same change in one statement."""
    head = _locked_head()
    event = AuditEvent(
        seq=head.last_seq + 1,
        occurred_at=now.astimezone(UTC),
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
        prev_hash=head.last_hash,
    )
    event.hash = seal(event, _key())
    head.last_seq = event.seq
    head.last_hash = event.hash
    db.session.add(event)
    return event


def _locked_head() -> AuditHead:
    """The chain's head, read and locked once per transaction: kept in the session's info together with the
    transaction (or savepoint) that read it, and read again in any other (after a commit, or inside a new
    savepoint). A rolled-back savepoint expires what it changed, so a kept head reloads its undone values."""
    session = db.session()  # the scoped session's own Session
    transaction = session.get_nested_transaction() or session.get_transaction()
    kept = db.session.info.get("audit_head")
    if kept is not None and transaction is not None and kept[0] is transaction:
        return kept[1]
    with db.session.no_autoflush:  # reading the head need not write what is pending
        head = db.session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, last_seq=0, last_hash=GENESIS)
        db.session.add(head)
    # the transaction the select began, if none was open yet
    db.session.info["audit_head"] = (session.get_nested_transaction() or session.get_transaction(), head)
    return head


@dataclass(frozen=True)
class ChainProblem:
    seq: int | None
    event_id: int | None
    kind: str  # "edited", "deleted", "inserted", "tail_deleted"
    message: str

    def __str__(self) -> str:
        return self.message


def verify() -> list[ChainProblem]:
    """Walk the chain in order and report every break. An empty list means the log is intact."""
    key = _key()
    problems: list[ChainProblem] = []
    prev_hash, expected_seq = GENESIS, 1
    events = db.session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()
    head = db.session.get(AuditHead, 1)
    head_seq = head.last_seq if head is not None else 0
    last_seq = 0
    for index, event in enumerate(events):
        following = events[index + 1] if index + 1 < len(events) else None
        if event.seq > head_seq:
            problems.append(ChainProblem(
                event.seq, event.id, "inserted",
                f"event {event.seq} (id {event.id}, {event.action}) lies beyond the chain's head "
                f"({head_seq}): inserted / เหตุการณ์ลำดับที่ {event.seq} ถูกแทรก",
            ))
            continue
        ok_seal = hmac.compare_digest(seal(event, key), event.hash)
        linked = event.prev_hash == prev_hash
        # an edited event keeps its stored hash, which the next event (or the head) still points to
        referenced = (following.prev_hash == event.hash) if following is not None else (
            head is not None and head.last_hash == event.hash)
        if event.seq > expected_seq and not linked:
            problems.append(ChainProblem(
                event.seq, event.id, "deleted",
                f"event(s) {expected_seq}..{event.seq - 1} deleted before event {event.seq} "
                f"(id {event.id}) / เหตุการณ์ลำดับที่ {expected_seq}..{event.seq - 1} ถูกลบ",
            ))
        elif not ok_seal and linked and referenced:
            problems.append(ChainProblem(
                event.seq, event.id, "edited",
                f"event {event.seq} (id {event.id}, {event.action}) was edited "
                f"/ เหตุการณ์ลำดับที่ {event.seq} ถูกแก้ไข",
            ))
        elif not ok_seal or not linked:
            problems.append(ChainProblem(
                event.seq, event.id, "inserted",
                f"event {event.seq} (id {event.id}, {event.action}) does not belong to the chain: "
                f"inserted or forged / เหตุการณ์ลำดับที่ {event.seq} ถูกแทรกหรือปลอม",
            ))
            continue  # an inserted event must not become the reference point
        prev_hash, expected_seq, last_seq = event.hash, event.seq + 1, event.seq
    if head is not None and (head.last_seq != last_seq or head.last_hash != prev_hash) and not problems:
        problems.append(ChainProblem(
            None, None, "tail_deleted",
            f"the chain ends at event {last_seq} but its head says {head.last_seq}: the last "
            f"event(s) were deleted / เหตุการณ์ท้ายสุดถูกลบ",
        ))
    return problems
