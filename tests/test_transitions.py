"""Every transition rule, allowed and forbidden, for every role."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import NOW, step, user
from workflow.channels.notify import render_message
from workflow.db import db
from workflow.engine import transitions
from workflow.errors import ConflictError, InvalidTransition, PermissionDenied, ValidationError
from workflow.models import AuditEvent, OutboxMessage, ReviewDecision, Step

LATER = NOW + timedelta(hours=1)


def _complete(code, number, who):
    s = step(code, number)
    transitions.complete(s.id, actor_id=user(who).id, now=LATER, expected_version=s.version)
    db.session.commit()
    return step(code, number)


def test_first_steps_open_and_the_rest_wait(seed):
    states = {(m.code, s.number): s.state for m in seed.measures for s in m.steps}
    assert [k for k, v in states.items() if v == "open"] == [
        ("1.1", 1), ("1.2", 1), ("1.3", 1), ("1.4", 1), ("1.5", 1), ("1.6", 1), ("1.7", 1), ("1.7", 2)]
    assert states[("1.1", 2)] == "blocked"


# who may mark 1.1 step 1 (owner: กลุ่มบริหารงานบุคคล) done
@pytest.mark.parametrize("who, allowed", [
    ("hr-staff", True),      # staff of the owner group
    ("kamonnapa", True),     # another member of the group
    ("juthamas", True),      # secretariat, and a member of the group
    ("dir-hr", True),        # the group's director
    ("pannee", False),       # staff of another group
    ("dir-admin", False),    # director of another group
    ("amporn", False),       # executive: reads only
    ("admin", False),        # admin manages users, not steps
])
def test_who_may_complete_a_group_step(seed, who, allowed):
    s = step("1.1", 1)
    if allowed:
        transitions.complete(s.id, actor_id=user(who).id, now=LATER, expected_version=s.version)
        db.session.commit()
        assert step("1.1", 1).state == "done"
        assert step("1.1", 2).state == "open"
    else:
        with pytest.raises(PermissionDenied):
            transitions.complete(s.id, actor_id=user(who).id, now=LATER, expected_version=s.version)
        db.session.rollback()
        assert step("1.1", 1).state == "open"


@pytest.mark.parametrize("who, allowed", [
    ("pannee", True),        # the named officer
    ("dir-admin", True),     # director of the officer's group
    ("hr-staff", False),
    ("amporn", False),
])
def test_who_may_complete_a_named_officers_step(seed, who, allowed):
    s = step("1.5", 1)
    call = lambda: transitions.complete(s.id, actor_id=user(who).id, now=LATER,  # noqa: E731
                                        expected_version=s.version)
    if allowed:
        call()
        assert s.state == "done"
    else:
        with pytest.raises(PermissionDenied):
            call()


def test_steps_run_in_order(seed):
    s2 = step("1.1", 2)
    with pytest.raises(InvalidTransition) as info:
        transitions.complete(s2.id, actor_id=user("hr-staff").id, now=LATER, expected_version=s2.version)
    assert "waiting for an earlier step" in info.value.message_en and "รอขั้นตอนก่อนหน้า" in info.value.message_th
    for n in range(1, 6):
        _complete("1.1", n, "hr-staff")
    assert all(s.state == "done" for s in seed.measures[0].steps)
    assert seed.measures[0].state == "done"


def test_done_step_cannot_be_done_twice(seed):
    s = _complete("1.1", 1, "hr-staff")
    with pytest.raises(InvalidTransition):
        transitions.complete(s.id, actor_id=user("hr-staff").id, now=LATER, expected_version=s.version)


def _complete_occurrence(code, number, occurrence, who):
    s = step(code, number, occurrence)
    transitions.complete(s.id, actor_id=user(who).id, now=LATER, expected_version=s.version)
    db.session.commit()


def test_parallel_steps_open_together(seed):
    assert step("1.7", 1).state == "open" and step("1.7", 2).state == "open"
    _complete("1.7", 2, "hr-staff")
    assert seed.measures[6].state == "active"
    for month in (1, 2, 3):
        assert seed.measures[6].state == "active"
        _complete_occurrence("1.7", 1, month, "hr-staff")
    assert seed.measures[6].state == "done"


def test_monthly_meeting_is_one_step_a_month(seed):
    from datetime import date

    from workflow.vocabulary import step_title

    meetings = [s for s in seed.measures[6].steps if s.number == 1]
    # the memo's words, and the month each occurrence is for, kept apart and said together (in either language)
    assert {s.title for s in meetings} == {"การประชุมประจำเดือนของหน่วยงาน"}
    assert [s.month for s in meetings] == [date(2024, 5, 1), date(2024, 6, 1), date(2024, 7, 1)]
    assert [step_title(s) for s in meetings] == [f"การประชุมประจำเดือนของหน่วยงาน (เดือน{m} ๒๕๖๗)"
                                                 for m in ("พฤษภาคม", "มิถุนายน", "กรกฎาคม")]
    assert step_title(meetings[1], "en") == "การประชุมประจำเดือนของหน่วยงาน (June 2567 BE)"
    # due at each month's end, moved to a working day: Fri 31 May, Sun 30 Jun -> Mon 1 Jul, the period end
    assert [s.due_on for s in meetings] == [date(2024, 5, 31), date(2024, 7, 1), date(2024, 7, 15)]
    assert all(s.state == "open" for s in meetings)


def _to_review(code="1.5", owner="pannee"):
    _complete(code, 1, owner)
    _complete(code, 2, owner)
    review = step(code, 3)
    assert review.state == "open"
    return review


@pytest.mark.parametrize("who, allowed", [
    ("dir-admin", True),     # director of กลุ่มอำนวยการ, the named reviewer group
    ("dir-hr", False),       # a director of another group
    ("pannee", False),       # the officer whose work it is
    ("juthamas", False),     # secretariat does not decide reviews
    ("amporn", False),       # executive
    ("admin", False),
])
def test_who_may_approve_a_review(seed, who, allowed):
    review = _to_review()
    if allowed:
        transitions.approve(review.id, actor_id=user(who).id, now=LATER, expected_version=review.version)
        db.session.commit()
        assert step("1.5", 3).state == "done" and step("1.5", 4).state == "open"
        decision = db.session.execute(select(ReviewDecision)).scalar_one()
        assert decision.decision == "approved" and decision.decided_by_id == user(who).id
    else:
        with pytest.raises(PermissionDenied):
            transitions.approve(review.id, actor_id=user(who).id, now=LATER, expected_version=review.version)


def test_acting_director_decides_while_set(seed):
    review = _to_review()
    group = user("dir-admin").group
    group.acting_director_id = user("juthamas").id
    db.session.commit()
    transitions.approve(review.id, actor_id=user("juthamas").id, now=LATER, expected_version=review.version)
    assert review.state == "done"


def test_director_never_reviews_own_step(seed):
    _complete("1.5", 1, "dir-admin")
    _complete("1.5", 2, "dir-admin")
    review = step("1.5", 3)
    with pytest.raises(PermissionDenied) as info:
        transitions.approve(review.id, actor_id=user("dir-admin").id, now=LATER, expected_version=review.version)
    assert "own step" in info.value.message_en


def test_a_review_is_not_marked_done(seed):
    review = _to_review()
    with pytest.raises(PermissionDenied):
        transitions.complete(review.id, actor_id=user("dir-admin").id, now=LATER, expected_version=review.version)


def test_send_back_needs_a_reason_and_reopens_the_reviewed_step(seed):
    review = _to_review()
    with pytest.raises(ValidationError):
        transitions.send_back(review.id, actor_id=user("dir-admin").id, now=LATER,
                              expected_version=review.version, reason="   ")
    transitions.send_back(review.id, actor_id=user("dir-admin").id, now=LATER, expected_version=review.version,
                          reason="ตัวเลขไตรมาส ๒ ไม่ตรงกับระบบ e-GP")
    db.session.commit()
    reviewed = step("1.5", 2)
    assert reviewed.state == "open"
    assert reviewed.sent_back_reason == "ตัวเลขไตรมาส ๒ ไม่ตรงกับระบบ e-GP"
    assert step("1.5", 3).state == "blocked"
    mail = db.session.execute(select(OutboxMessage).where(OutboxMessage.event == "sent_back")).scalar_one()
    assert mail.to_email == "pannee@demo.itaflow.test" and "e-GP" in render_message(mail)[0]
    # done again: the review opens again and the reason is cleared
    _complete("1.5", 2, "pannee")
    assert step("1.5", 2).sent_back_reason is None
    assert step("1.5", 3).state == "open"


def test_stale_version_is_a_conflict_not_a_lost_update(seed):
    s = step("1.1", 1)
    seen = s.version
    transitions.complete(s.id, actor_id=user("hr-staff").id, now=LATER, expected_version=seen)
    db.session.commit()
    with pytest.raises(ConflictError) as info:
        transitions.complete(s.id, actor_id=user("kamonnapa").id, now=LATER, expected_version=seen)
    assert "โหลดหน้าใหม่" in info.value.message_th
    done_events = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                    .where(AuditEvent.action == "step_completed"))
    assert done_events == 1


def test_secretariat_reopens_and_reassigns(seed):
    _complete("1.1", 1, "hr-staff")
    s1 = step("1.1", 1)
    with pytest.raises(PermissionDenied):
        transitions.reopen(s1.id, actor_id=user("hr-staff").id, now=LATER, expected_version=s1.version,
                           reason="ต้องแก้")
    transitions.reopen(s1.id, actor_id=user("juthamas").id, now=LATER, expected_version=s1.version,
                       reason="คำสั่งแต่งตั้งยังไม่ลงนาม")
    db.session.commit()
    assert step("1.1", 1).state == "open" and step("1.1", 2).state == "blocked"
    s1 = step("1.1", 1)
    with pytest.raises(PermissionDenied):
        transitions.reassign(s1.id, actor_id=user("dir-hr").id, now=LATER, expected_version=s1.version,
                             group_id=None, user_id=user("pannee").id)
    transitions.reassign(s1.id, actor_id=user("juthamas").id, now=LATER, expected_version=s1.version,
                         group_id=None, user_id=user("pannee").id)
    db.session.commit()
    assert step("1.1", 1).owner_user_id == user("pannee").id


def test_each_change_writes_audit_and_outbox_in_the_same_transaction(seed):
    events_before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    mails_before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    s = step("1.1", 1)
    transitions.complete(s.id, actor_id=user("hr-staff").id, now=LATER, expected_version=s.version)
    db.session.rollback()  # the change is abandoned: nothing of it may remain
    assert step("1.1", 1).state == "open"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events_before
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == mails_before
    _complete("1.1", 1, "hr-staff")
    actions = db.session.execute(select(AuditEvent.action).order_by(AuditEvent.seq.desc()).limit(2)).scalars().all()
    assert actions == ["step_opened", "step_completed"]
    opened = db.session.execute(select(OutboxMessage).where(OutboxMessage.event == "step_opened")
                                .order_by(OutboxMessage.id.desc())).scalars().first()
    assert "ขั้นตอนที่ ๒" in opened.subject
    assert render_message(opened)[0].count("http://itaflow.test/steps/") == 1


def test_outbox_dedupe_key_is_unique_per_event_and_recipient(seed):
    from workflow.channels import notify

    s = step("1.1", 1)
    assert notify.step_opened(s, "manual", NOW) > 0
    assert notify.step_opened(s, "manual", NOW) == 0
    db.session.commit()
    keys = db.session.execute(select(OutboxMessage.dedupe_key)).scalars().all()
    assert len(keys) == len(set(keys))


def test_two_people_at_once_one_wins_the_other_gets_a_conflict(seed):
    """A loaded the step; B completes it in another connection; A's write must not overwrite B's."""
    from sqlalchemy.orm import Session

    from workflow.models import Step

    s = step("1.1", 1)
    seen = s.version  # A has the step in its session at this version
    with Session(db.engine) as other:
        theirs = other.get(Step, s.id)
        theirs.state = "done"  # B's concurrent change, committed first (bumps the version)
        other.commit()
    with pytest.raises(ConflictError):
        transitions.complete(s.id, actor_id=user("hr-staff").id, now=LATER, expected_version=seen)
    db.session.rollback()
    assert step("1.1", 1).version == seen + 1


def test_emails_of_a_decision_follow_the_recipients_language(seed):
    from workflow.people.users import set_language

    set_language(user("pannee").id, "en", now=NOW)
    db.session.commit()
    review = _to_review()
    transitions.send_back(review.id, actor_id=user("dir-admin").id, now=LATER, expected_version=review.version,
                          reason="ตัวเลขไม่ตรง")
    db.session.commit()
    mail = db.session.execute(select(OutboxMessage).where(OutboxMessage.event == "sent_back")).scalar_one()
    assert mail.subject == "[ITA] Sent back: measure 1.5, step 2"
    text = render_message(mail)[0]
    assert "นางสาววิไล ศรีสุข, ผู้อำนวยการกลุ่มอำนวยการ sent it back. Reason: ตัวเลขไม่ตรง" in text and "Step 2:" in text
    # the director still chose Thai: the review waiting for them is in Thai
    waiting = db.session.execute(select(OutboxMessage).where(OutboxMessage.event == "review_waiting")
                                 .order_by(OutboxMessage.id)).scalars().first()
    assert waiting.subject.startswith("[ITA] รอตรวจสอบ")


@pytest.mark.parametrize("column, value", [("state", "finished"), ("kind", "meeting")])
def test_the_database_accepts_only_the_step_vocabulary(seed, column, value):
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        db.session.execute(update(Step).where(Step.id == step("1.1", 1).id).values({column: value}))
        db.session.flush()
    db.session.rollback()
    assert step("1.1", 1).state in {"blocked", "open", "done"}


def test_a_change_between_our_read_and_our_write_is_a_conflict(seed, monkeypatch):
    """B commits after A has read the step but before A writes: A's version-checked update matches no row."""
    from sqlalchemy.orm import Session

    from workflow import steprows

    s = step("1.1", 1)
    seen = s.version
    read_by_a = steprows.step_and_actor(s.id, user("hr-staff").id)
    db.session.rollback()  # A's read is over; B may write
    with Session(db.engine) as other:
        theirs = other.get(Step, s.id)
        theirs.evidence_wanted = "คำสั่งแต่งตั้ง (แก้ไขโดยผู้อื่น)"  # still open, a newer version
        other.commit()
    monkeypatch.setattr(steprows, "step_and_actor", lambda *_: read_by_a)
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(ConflictError):
        transitions.complete(s.id, actor_id=user("hr-staff").id, now=LATER, expected_version=seen)
    db.session.rollback()
    assert step("1.1", 1).version == seen + 1
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_recipients_read_as_rows_are_the_recipients_of_the_models(seed):
    """``notify.recipient_rows`` (one statement, for the hot path) says who ``step_recipients`` says, for every
    step, with a disabled member and an acting director in play."""
    from workflow.channels import notify
    from workflow.models import Group, User

    user("hr-staff").active = False
    group = db.session.execute(select(Group).where(Group.director_id.is_not(None))).scalars().first()
    group.acting_director_id = user("kamonnapa").id
    db.session.flush()
    steps = db.session.execute(select(Step)).scalars().all()
    day = NOW.date()
    assert any(notify.step_recipients(s, day) for s in steps)
    for s in steps:
        assert [u.id for u in notify.recipient_rows(s, day)] == [u.id for u in notify.step_recipients(s, day)], s.id
    # and with the group's director away, a member away too, each with someone acting for them
    from workflow.engine import absences

    director = db.session.get(User, group.director_id)
    member = next(u for u in group.members if u.active and u.id not in (group.director_id, group.acting_director_id))
    stand_in = next(u for u in db.session.execute(select(User).where(User.agency_id == group.agency_id)).scalars()
                    if u.active and u.id not in (director.id, member.id, group.acting_director_id))
    absences.record(actor_id=director.id, user_id=director.id, starts_on=day, ends_on=day, acting_user_id=stand_in.id,
                    now=NOW)
    absences.record(actor_id=member.id, user_id=member.id, starts_on=day, ends_on=day, acting_user_id=stand_in.id,
                    now=NOW)
    db.session.flush()
    for s in steps:
        assert [u.id for u in notify.recipient_rows(s, day)] == [u.id for u in notify.step_recipients(s, day)], s.id
    assert any(stand_in.id in [u.id for u in notify.step_recipients(s, day)] for s in steps)


def test_the_secretariat_moves_a_due_date_and_the_alerts_follow(seed):
    """Audited with its reason; the step's people are told; the reminders are planned from the new date and
    those made for the old date no longer fire; bad dates say what is wrong and write nothing."""
    from tasks.jobs import run_sweep
    from workflow.models import Timer
    from workflow.thaidate import BANGKOK, bangkok_today

    s = step("1.1", 1)
    old_due, version = s.due_on, s.version
    new_due = old_due + timedelta(days=14)
    be = f"{new_due.day}/{new_due.month}/{new_due.year + 543}"
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    for who, value, reason, error in (
        ("hr-staff", be, "ขยายเวลา", PermissionDenied),  # only the secretariat
        ("juthamas", "๓๑/๑๓/๒๕๖๗", "ขยายเวลา", ValidationError),  # no 13th month
        ("juthamas", "1/10/2567", "ขยายเวลา", ValidationError),  # fiscal year 2568
        ("juthamas", be, "   ", ValidationError),  # no reason
        ("juthamas", (bangkok_today(LATER) - timedelta(days=1)).isoformat(), "ย้อน", ValidationError),
    ):
        with pytest.raises(error):
            transitions.move_due(s.id, actor_id=user(who).id, now=LATER, expected_version=version, due_on=value,
                                 reason=reason)
        db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before
    assert step("1.1", 1).due_on == old_due
    transitions.move_due(s.id, actor_id=user("juthamas").id, now=LATER, expected_version=version, due_on=be,
                         reason="รอผลการประชุมคณะทำงาน")
    db.session.commit()
    moved = step("1.1", 1)
    assert moved.due_on == new_due and moved.version > version
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "step_due_moved")).scalar_one()
    assert event.note == "รอผลการประชุมคณะทำงาน" and event.data["after"] == new_due.isoformat()
    told = db.session.execute(select(OutboxMessage).where(OutboxMessage.event == "due_moved")).scalars().all()
    assert told and "เลื่อนกำหนด" in told[0].subject and "รอผลการประชุมคณะทำงาน" in render_message(told[0])[0]
    planned = [t for t in db.session.execute(select(Timer).where(Timer.target_id == s.id, Timer.fired_at.is_(None),
                                                                Timer.kind == "step_reminder")).scalars()]
    assert {t.payload["due"] for t in planned} >= {new_due.isoformat()}
    # the old date's reminder day comes: nothing for the old date is sent for this step
    old_reminder = next((t for t in planned if t.payload["due"] == old_due.isoformat()), None)
    if old_reminder is not None:
        run_sweep(old_reminder.fire_at.astimezone(BANGKOK).replace(hour=9))
        db.session.commit()
        keys = db.session.execute(select(OutboxMessage.dedupe_key).where(
            OutboxMessage.dedupe_key.like(f"reminder:s{s.id}:%"))).scalars().all()
        assert all(f":{new_due}:" in k for k in keys), keys
