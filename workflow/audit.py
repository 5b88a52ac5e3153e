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
from sqlalchemy import bindparam, insert, select, update

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
    chain: int
    last_seq: int
    last_hash: str
    exists: bool
    #: events sealed but not written yet (inside a ``batch``)
    pending: list[dict[str, Any]] = field(default_factory=list)


_EVENTS = db.metadata.tables["audit_event"]
_HEADS = db.metadata.tables["audit_head"]
_INSERT_EVENT = insert(_EVENTS)
_READ_HEAD = (select(_HEADS.c.last_seq, _HEADS.c.last_hash).where(_HEADS.c.id == bindparam("head"))
              .with_for_update())
_MOVE_HEAD = update(_HEADS).where(_HEADS.c.id == bindparam("head"))
#: the chain of what belongs to no agency (agencies' own events go on their own chain)
DEPLOYMENT = 0


def record(
    action: str,
    *,
    agency_id: int | None,
    actor_id: int | None,
    now: datetime,
    target_type: str | None = None,
    target_id: int | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    note: str | None = None,
    data: dict | None = None,
) -> Recorded:
    """Append an event to the chain of ``agency_id`` (None: the deployment's own) in the caller's transaction
    (the head row stays locked until it ends): written at once, on the session's connection, or at the end
    of the enclosing ``batch``. Every change names its agency: the head is that agency's data version."""
    chain = agency_id or DEPLOYMENT
    head = _locked_head(chain)
    values: dict[str, Any] = {
        "chain": chain,
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
        db.session.info.pop("audit_heads", None)
        raise
    finally:
        db.session.info.pop("audit_batch", None)
    for head in db.session.info.get("audit_heads", {}).values():
        _write(head)


def _write(head: _Head) -> None:
    if not head.pending:
        return
    connection = db.session.connection()
    connection.execute(_INSERT_EVENT, head.pending)
    if head.exists:
        connection.execute(_MOVE_HEAD, {"head": head.chain, "last_seq": head.last_seq, "last_hash": head.last_hash})
    else:
        connection.execute(insert(_HEADS), {"id": head.chain, "last_seq": head.last_seq, "last_hash": head.last_hash})
    head.exists = True
    head.pending = []


def _locked_head(chain: int) -> _Head:
    """The chain's head, read and locked once per transaction: kept in the session's info together with the
    transaction (or savepoint) that read it, and read again in any other (after a commit, or inside a new
    savepoint, or after one was rolled back: the database then says what is true)."""
    session = db.session()  # the scoped session's own Session
    transaction = session.get_nested_transaction() or session.get_transaction()
    heads: dict[int, _Head] = db.session.info.setdefault("audit_heads", {})
    kept = heads.get(chain)
    if kept is not None and transaction is not None and kept.transaction is transaction:
        return kept
    if any(h.pending and h.transaction is not transaction for h in heads.values()):
        # their events would be written inside the savepoint, and lost with it if it rolls back
        raise RuntimeError("a savepoint or a commit inside audit.batch()")
    row = db.session.connection().execute(_READ_HEAD, {"head": chain}).one_or_none()
    head = _Head(session.get_nested_transaction() or session.get_transaction(), chain,
                 row.last_seq if row else 0, row.last_hash if row else GENESIS, row is not None)
    heads[chain] = head
    return head


@dataclass(frozen=True)
class ChainProblem:
    seq: int | None
    event_id: int | None
    kind: str  # "edited", "deleted", "inserted", "tail_deleted", "chain_missing"
    message: str
    chain: int = DEPLOYMENT

    def __str__(self) -> str:
        return self.message


def chains() -> list[int]:
    """Every chain there is, or should be: each head, each event's chain, and each agency (an agency's first
    event is its own creation, so an agency without a chain lost it)."""
    from workflow.models import Agency

    found = set(db.session.execute(select(AuditHead.id)).scalars())
    found |= set(db.session.execute(select(AuditEvent.chain).distinct()).scalars())
    found |= set(db.session.execute(select(Agency.id)).scalars())
    return sorted(found)


def verify(chain: int | None = None) -> list[ChainProblem]:
    """Walk one chain (or every chain) in order and report every break. An empty list means intact."""
    return [problem for c in ([chain] if chain is not None else chains()) for problem in _verify_chain(c)]


def _verify_chain(chain: int) -> list[ChainProblem]:
    key = _key()
    problems: list[ChainProblem] = []
    prev_hash, expected_seq = GENESIS, 1
    events = db.session.execute(select(AuditEvent).where(AuditEvent.chain == chain)
                                .order_by(AuditEvent.seq)).scalars().all()
    head = db.session.get(AuditHead, chain, populate_existing=True)
    if head is None and not events:
        if chain == DEPLOYMENT:
            return []
        return [ChainProblem(None, None, "chain_missing",
                             f"agency {chain} has no audit chain: its events and head were deleted "
                             f"/ บันทึกการตรวจสอบของหน่วยงาน {chain} ถูกลบทั้งหมด", chain)]
    head_seq = head.last_seq if head is not None else 0
    last_seq = 0
    where = "" if chain == DEPLOYMENT else f"agency {chain}: "
    for index, event in enumerate(events):
        following = events[index + 1] if index + 1 < len(events) else None
        if event.seq > head_seq:
            problems.append(ChainProblem(
                event.seq, event.id, "inserted",
                f"{where}event {event.seq} (id {event.id}, {event.action}) lies beyond the chain's head "
                f"({head_seq}): inserted / เหตุการณ์ลำดับที่ {event.seq} ถูกแทรก", chain,
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
                f"{where}event(s) {expected_seq}..{event.seq - 1} deleted before event {event.seq} "
                f"(id {event.id}) / เหตุการณ์ลำดับที่ {expected_seq}..{event.seq - 1} ถูกลบ", chain,
            ))
        elif not ok_seal and linked and referenced:
            problems.append(ChainProblem(
                event.seq, event.id, "edited",
                f"{where}event {event.seq} (id {event.id}, {event.action}) was edited "
                f"/ เหตุการณ์ลำดับที่ {event.seq} ถูกแก้ไข", chain,
            ))
        elif not ok_seal or not linked:
            problems.append(ChainProblem(
                event.seq, event.id, "inserted",
                f"{where}event {event.seq} (id {event.id}, {event.action}) does not belong to the chain: "
                f"inserted or forged / เหตุการณ์ลำดับที่ {event.seq} ถูกแทรกหรือปลอม", chain,
            ))
            continue  # an inserted event must not become the reference point
        prev_hash, expected_seq, last_seq = event.hash, event.seq + 1, event.seq
    if head is not None and (head.last_seq != last_seq or head.last_hash != prev_hash) and not problems:
        problems.append(ChainProblem(
            None, None, "tail_deleted",
            f"{where}the chain ends at event {last_seq} but its head says {head.last_seq}: the last "
            f"event(s) were deleted / เหตุการณ์ท้ายสุดถูกลบ", chain,
        ))
    return problems
