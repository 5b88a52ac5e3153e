"""The audit log as a hash chain.

Each event's hash is an HMAC over its fields and the hash of the event before it, keyed by a secret
that lives outside the database, so someone who can edit rows cannot re-seal the chain. ``verify``
finds an edited, inserted or deleted event and says which.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import insert, select, update

from workflow.db import db
from workflow.models import AuditEvent, AuditHead

GENESIS = "0" * 64


def _key() -> bytes:
    return current_app.config["ITAFLOW"].audit_key.encode()


_FIELDS = ("seq", "occurred_at", "actor_id", "action", "target_type", "target_id", "from_state", "to_state",
           "note", "data", "prev_hash")


def _canonical(fields: Mapping[str, Any]) -> bytes:
    body = {name: fields[name] for name in _FIELDS}
    body["occurred_at"] = fields["occurred_at"].isoformat(timespec="microseconds")
    body["data"] = fields["data"] or {}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def seal(event: AuditEvent | Mapping[str, Any], key: bytes) -> str:
    """The HMAC of an event: a stored row, or the values about to be written."""
    fields = event if isinstance(event, Mapping) else {name: getattr(event, name) for name in _FIELDS}
    return hmac.new(key, _canonical(fields), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Recorded:
    """What a caller learns of an event it recorded: its place in the chain (a cause for dedupe keys)."""

    seq: int
    hash: str


@dataclass
class _Head:
    """The chain's head as read (and locked) by one transaction or savepoint."""

    transaction: object
    last_seq: int
    last_hash: str
    exists: bool
    #: events sealed but not written yet (inside a ``batch``)
    pending: list[dict[str, Any]] = field(default_factory=list)


_EVENTS = db.metadata.tables["audit_event"]
_HEADS = db.metadata.tables["audit_head"]
_INSERT_EVENT = insert(_EVENTS)
_READ_HEAD = select(_HEADS.c.last_seq, _HEADS.c.last_hash).where(_HEADS.c.id == 1).with_for_update()
_MOVE_HEAD = update(_HEADS).where(_HEADS.c.id == 1)


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
) -> Recorded:
    """Append an event in the caller's transaction (the head row stays locked until it ends): written at
    once, on the session's connection, or at the end of the enclosing ``batch``."""
    head = _locked_head()
    values: dict[str, Any] = {
        "seq": head.last_seq + 1, "occurred_at": now.astimezone(UTC), "actor_id": actor_id, "action": action,
        "target_type": target_type, "target_id": target_id, "from_state": from_state, "to_state": to_state,
        "note": note, "data": data or {}, "prev_hash": head.last_hash,
    }
    values["hash"] = seal(values, _key())
    head.last_seq, head.last_hash = values["seq"], values["hash"]
    head.pending.append(values)
    if not db.session.info.get("audit_batch"):
        _write(head)
    return Recorded(values["seq"], values["hash"])


@contextmanager
def batch() -> Iterator[None]:
    """Within the block, events are sealed as they are recorded and written together when it ends: one
    insert for all of them and one move of the head (a transition records two or three). If the block
    raises, nothing of it is written and the head is read again next time."""
    if db.session.info.get("audit_batch"):
        yield
        return
    db.session.info["audit_batch"] = True
    try:
        yield
    except BaseException:
        db.session.info.pop("audit_head", None)
        raise
    finally:
        db.session.info.pop("audit_batch", None)
    head: _Head | None = db.session.info.get("audit_head")
    if head is not None:
        _write(head)


def _write(head: _Head) -> None:
    if not head.pending:
        return
    connection = db.session.connection()
    connection.execute(_INSERT_EVENT, head.pending)
    moved = {"last_seq": head.last_seq, "last_hash": head.last_hash}
    connection.execute(_MOVE_HEAD if head.exists else insert(_HEADS).values(id=1), moved)
    head.exists = True
    head.pending = []


def _locked_head() -> _Head:
    """The chain's head, read and locked once per transaction: kept in the session's info together with the
    transaction (or savepoint) that read it, and read again in any other (after a commit, or inside a new
    savepoint, or after one was rolled back: the database then says what is true)."""
    session = db.session()  # the scoped session's own Session
    transaction = session.get_nested_transaction() or session.get_transaction()
    kept: _Head | None = db.session.info.get("audit_head")
    if kept is not None and transaction is not None and kept.transaction is transaction:
        return kept
    if kept is not None and kept.pending:
        # its events would be written inside the savepoint, and lost with it if it rolls back
        raise RuntimeError("a savepoint or a commit inside audit.batch()")
    row = db.session.connection().execute(_READ_HEAD).one_or_none()
    head = _Head(session.get_nested_transaction() or session.get_transaction(),
                 row.last_seq if row else 0, row.last_hash if row else GENESIS, row is not None)
    db.session.info["audit_head"] = head
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
    head = db.session.get(AuditHead, 1, populate_existing=True)
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
