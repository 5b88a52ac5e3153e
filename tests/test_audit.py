"""The audit hash chain catches an edited, a deleted and an inserted event."""

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from tests.conftest import NOW
from workflow import audit
from workflow.db import db
from workflow.models import AuditEvent


def _chain(n=5):
    for i in range(n):
        audit.record("test_event", agency_id=None, actor_id=None, now=NOW + timedelta(seconds=i), target_type="step",
                     target_id=i, note=f"เหตุการณ์ {i}")
    db.session.commit()
    return db.session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()


def test_intact_chain_verifies(app):
    events = _chain()
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[1].prev_hash == events[0].hash
    assert audit.verify() == []


def test_edited_event_is_named(app):
    events = _chain()
    db.session.execute(text("UPDATE audit_event SET note = 'แก้ไขย้อนหลัง' WHERE id = :id"), {"id": events[2].id})
    db.session.commit()
    problems = audit.verify()
    assert [(p.kind, p.seq) for p in problems] == [("edited", 3)]


def test_deleted_event_is_named(app):
    events = _chain()
    db.session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": events[1].id})
    db.session.commit()
    problems = audit.verify()
    assert [(p.kind, p.seq) for p in problems] == [("deleted", 3)]
    assert "2..2" in problems[0].message


def test_deleted_last_event_is_caught(app):
    events = _chain()
    db.session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": events[-1].id})
    db.session.commit()
    assert [p.kind for p in audit.verify()] == ["tail_deleted"]


def test_inserted_event_is_named(app):
    events = _chain()
    last = events[-1]
    # a forged event appended by hand, even with the right previous hash, cannot carry a valid seal
    db.session.execute(text(
        "INSERT INTO audit_event (seq, occurred_at, action, data, prev_hash, hash) "
        "VALUES (6, :at, 'forged', '{}', :prev, :hash)"), {"at": last.occurred_at, "prev": last.hash,
                                                         "hash": "f" * 64})
    db.session.commit()
    problems = audit.verify()
    assert [(p.kind, p.seq) for p in problems] == [("inserted", 6)]


def test_event_inserted_in_the_middle_is_named(app):
    events = _chain()
    # move the tail up to make room, as a forger would, then put a forged event at seq 3
    for e in reversed(events[2:]):
        db.session.execute(text("UPDATE audit_event SET seq = seq + 1 WHERE id = :id"), {"id": e.id})
    db.session.execute(text(
        "INSERT INTO audit_event (seq, occurred_at, action, data, prev_hash, hash) "
        "VALUES (3, :at, 'forged', '{}', :prev, :hash)"), {"at": events[1].occurred_at, "prev": events[1].hash,
                                                         "hash": "e" * 64})
    db.session.commit()
    problems = audit.verify()
    assert problems and problems[0].kind == "inserted" and problems[0].seq == 3


def test_a_batch_writes_its_events_at_its_end_and_nothing_if_it_fails(app):
    _chain(2)
    with audit.batch():
        first = audit.record("in_batch", agency_id=None, actor_id=None, now=NOW, note="ก")
        second = audit.record("in_batch", agency_id=None, actor_id=None, now=NOW, note="ข")
        assert (first.seq, second.seq) == (3, 4)
        # sealed, not written yet
        assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "in_batch")) is None
    assert db.session.execute(select(AuditEvent.seq).where(AuditEvent.action == "in_batch")).scalars().all() == [3, 4]
    with pytest.raises(ValueError), audit.batch():
        audit.record("lost", agency_id=None, actor_id=None, now=NOW)
        raise ValueError("the change fails")
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "lost")) is None
    # nothing of the failed block was written, and the chain goes on from what was
    assert audit.record("after", agency_id=None, actor_id=None, now=NOW).seq == 5
    db.session.commit()
    assert audit.verify() == []


def test_a_savepoint_inside_a_batch_is_refused(app):
    with audit.batch():
        audit.record("in_batch", agency_id=None, actor_id=None, now=NOW)
        with pytest.raises(RuntimeError), db.session.begin_nested():
            audit.record("in_savepoint", agency_id=None, actor_id=None, now=NOW)
    db.session.rollback()


def test_a_rolled_back_savepoint_leaves_the_chain_whole(app):
    _chain(1)
    audit.record("kept", agency_id=None, actor_id=None, now=NOW)
    savepoint = db.session.begin_nested()
    audit.record("undone", agency_id=None, actor_id=None, now=NOW)
    savepoint.rollback()
    assert audit.record("kept_too", agency_id=None, actor_id=None, now=NOW).seq == 3
    db.session.commit()
    actions = db.session.execute(select(AuditEvent.action).order_by(AuditEvent.seq)).scalars().all()
    assert actions == ["test_event", "kept", "kept_too"]
    assert audit.verify() == []
