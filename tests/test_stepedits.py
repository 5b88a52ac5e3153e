"""Editing a live cycle: a step added to a measure under way (it opens when its turn has come, and its owner
is told), a step nobody worked on removed, the numbers kept in order; refusals change nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import step, user
from tests.test_web import counts, login, token
from workflow import clock
from workflow.db import db
from workflow.engine import stepedits
from workflow.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from workflow.models import AuditEvent, Group, Measure, OutboxMessage, Timer
from workflow.thaidate import format_be


def measure(code: str) -> Measure:
    return db.session.execute(select(Measure).where(Measure.code == code)).scalar_one()


def numbers(code: str) -> list[tuple[int, str]]:
    db.session.expire_all()
    return [(s.number, s.title[:12]) for s in measure(code).steps if s.occurrence == 1]


def be(day) -> str:
    return format_be(day, style="numeric", digit_style="arabic")


def test_a_step_added_after_a_finished_one_opens_and_its_owner_is_told(demo):
    m = measure("1.1")
    before = numbers("1.1")
    hr = db.session.execute(select(Group).where(Group.key == "hr")).scalar_one()
    mails = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    added = stepedits.add_step(m.id, actor_id=user("juthamas").id, now=clock.now(), after=1,
                               title="ประชุมชี้แจงคณะทำงาน", group_id=hr.id, due_on=be(m.period_end))
    db.session.commit()
    assert added.number == 2 and added.state == "open" and added.due_on == m.period_end
    after = numbers("1.1")
    assert after[0] == before[0] and after[1][1].startswith("ประชุมชี้แจง") and after[2:] == [
        (n + 1, t) for n, t in before[1:]]  # the steps after moved down one, in order
    assert step("1.1", 3).state == "open"  # the step that was open stays open
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) > mails  # its people are told
    assert db.session.scalar(select(func.count()).select_from(Timer).where(Timer.target_id == added.id,
                                                                           Timer.target_type == "step"))
    actions = list(db.session.execute(select(AuditEvent.action).where(AuditEvent.target_type == "step",
                                                                      AuditEvent.target_id == added.id)).scalars())
    assert actions == ["step_added", "step_opened"]


def test_a_step_added_at_the_end_waits_and_a_review_checks_the_step_before(demo):
    m = measure("1.2")
    last = max(n for n, _ in numbers("1.2"))
    admin_group = db.session.execute(select(Group).where(Group.key == "admin")).scalar_one()
    mails = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    waiting = stepedits.add_step(m.id, actor_id=user("juthamas").id, now=clock.now(), after=last,
                                 title="สรุปผลเสนอผู้บริหาร", user_id=user("kamonnapa").id)
    assert waiting.state == "blocked" and waiting.number == last + 1 and waiting.owner_user_id == user("kamonnapa").id
    review = stepedits.add_step(m.id, actor_id=user("juthamas").id, now=clock.now(), after=last + 1,
                                title="ผู้อำนวยการกลุ่มอำนวยการตรวจสอบความถูกต้อง", kind="review",
                                reviewer_group_id=admin_group.id)
    db.session.commit()
    assert review.reviews_step_id == waiting.id and review.state == "blocked"
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == mails  # nothing to tell yet


def test_a_step_added_to_a_finished_measure_reopens_it(demo):
    m = measure("1.3")
    for s in m.steps:
        s.state = "done"
    m.state = "done"
    db.session.commit()
    added = stepedits.add_step(m.id, actor_id=user("juthamas").id, now=clock.now(), after=2,
                               title="เผยแพร่ผลเพิ่มเติม", group_id=m.steps[0].owner_group_id)
    db.session.commit()
    assert added.state == "open" and measure("1.3").state == "active"


def test_removing_a_step_nobody_worked_on(demo):
    m = measure("1.1")
    before = numbers("1.1")
    target = step("1.1", 4)
    stepedits.remove_step(target.id, actor_id=user("juthamas").id, now=clock.now(), expected_version=target.version,
                          reason="รวมกับขั้นตอนที่ ๓ แล้ว")
    db.session.commit()
    assert numbers("1.1") == [b for b in before if b[0] < 4] + [(n - 1, t) for n, t in before if n > 4]
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "step_removed")).scalar_one()
    assert event.note == "รวมกับขั้นตอนที่ ๓ แล้ว" and event.data["title"] == target.title
    assert not db.session.scalar(select(func.count()).select_from(Timer).where(
        Timer.target_type == "step", Timer.target_id == target.id, Timer.fired_at.is_(None)))
    # the open step removed: the next one opens
    open_step = step("1.1", 2)
    stepedits.remove_step(open_step.id, actor_id=user("juthamas").id, now=clock.now(),
                          expected_version=open_step.version, reason="ไม่ต้องทำแล้ว")
    db.session.commit()
    assert step("1.1", 2).state == "open" and m.id


@pytest.mark.parametrize("which, error", [
    (lambda: step("1.1", 1), InvalidTransition),  # done: its history stays
    (lambda: step("1.6", 2), InvalidTransition),  # a review checks it
    (lambda: step("1.7", 1, 2), InvalidTransition),  # one month of a monthly step
])
def test_steps_worked_on_are_not_removed_and_nothing_changes(demo, which, error):
    target = which()
    before = counts()
    with pytest.raises(error):
        stepedits.remove_step(target.id, actor_id=user("juthamas").id, now=clock.now(), expected_version=None,
                              reason="ลองลบ")
    db.session.rollback()
    assert counts() == before


def test_a_step_with_evidence_is_not_removed(demo):
    from workflow.publishing import evidence

    target = step("1.1", 2)
    evidence.add_note(target.id, actor_id=user("hr-staff").id, now=clock.now(), text="ร่างคำสั่ง")
    db.session.commit()
    with pytest.raises(InvalidTransition, match="หลักฐาน"):
        stepedits.remove_step(target.id, actor_id=user("juthamas").id, now=clock.now(), expected_version=None,
                              reason="ลองลบ")


@pytest.mark.parametrize("changes, error, says", [
    ({"title": "  "}, ValidationError, "ใส่ชื่อขั้นตอน"),
    ({"after": 99}, ValidationError, "เลือกตำแหน่ง"),
    ({"due_on": "31/02/2567"}, ValidationError, "ไม่มีวันที่นี้ในปฏิทิน"),
    ({"due_on": "01/01/2500"}, ValidationError, "ปีงบประมาณ"),
    ({"group_id": None}, ValidationError, "อย่างใดอย่างหนึ่ง"),
    ({"user_id": 1}, ValidationError, "อย่างใดอย่างหนึ่ง"),
    ({"group_id": 10**6}, NotFound, "ไม่พบกลุ่ม"),
    ({"kind": "review", "reviewer_group_id": None}, ValidationError, "ผู้ตรวจ"),
    ({"kind": "milestone"}, ValidationError, "ประเภท"),
])
def test_bad_input_adds_nothing(demo, changes, error, says):
    m = measure("1.1")
    args = {"after": 1, "title": "ขั้นตอนใหม่", "group_id": step("1.1", 1).owner_group_id, **changes}
    before = counts()
    with pytest.raises(error, match=says):
        stepedits.add_step(m.id, actor_id=user("juthamas").id, now=clock.now(), **args)
    db.session.rollback()
    assert counts() == before


def test_only_the_secretariat_edits_steps_on_the_web(demo):
    m = measure("1.1")
    group_id = step("1.1", 1).owner_group_id
    data = {"after": "1", "title": "ขั้นตอนใหม่", "owner": f"group:{group_id}", "kind": "task", "due_on": ""}
    before = counts()
    staff = login(demo, "staff")
    assert staff.post(f"/measures/{m.id}/steps", data={**data, "csrf_token": token(staff)}).status_code == 403
    after = counts()  # the sign-in and the refusal are audited; nothing else changed
    assert after[1] == before[1] and after[0]["outbox_message"] == before[0]["outbox_message"]
    with pytest.raises(PermissionDenied):
        stepedits.add_step(m.id, actor_id=user("hr-staff").id, now=clock.now(), after=1, title="x",
                           group_id=group_id)
    db.session.rollback()
    secretariat = login(demo, "secretariat")
    page = secretariat.get(f"/measures/{m.id}").get_data(as_text=True)
    assert 'id="add-step-box"' in page and "be-date" in page
    r = secretariat.post(f"/measures/{m.id}/steps", data={**data, "csrf_token": token(secretariat)},
                         follow_redirects=True)
    assert "เพิ่มขั้นตอนแล้ว" in r.get_data(as_text=True) and numbers("1.1")[1][1] == "ขั้นตอนใหม่"
    bad = secretariat.post(f"/measures/{m.id}/steps", data={**data, "title": "", "csrf_token": token(secretariat)},
                           follow_redirects=True)
    assert "ใส่ชื่อขั้นตอน" in bad.get_data(as_text=True)
    target = step("1.1", 2)
    assert "ลบขั้นตอนนี้" in secretariat.get(f"/steps/{target.id}").get_data(as_text=True)
    r = secretariat.post(f"/steps/{target.id}/remove", data={"csrf_token": token(secretariat),
                                                             "version": target.version, "reason": "ซ้ำ"})
    assert r.status_code == 303 and numbers("1.1")[1][1] != "ขั้นตอนใหม่"
