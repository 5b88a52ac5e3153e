"""A measure owned by two groups keeps both as owners of its steps (issue 23): the seed's 1.2 is กลุ่มบริหารงาน
บุคคล and กลุ่มอำนวยการ; each group's members see its open steps as theirs, may mark them done and hear that
they opened; its director may act as for any step of the group; reassigning gives the step one owner."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import NOW, step, user
from workflow.channels import notify
from workflow.db import db
from workflow.engine import queries, transitions
from workflow.engine.status import owner_label
from workflow.models import OutboxMessage, StepCoOwner
from workflow.people import permissions

LATER = NOW + timedelta(hours=1)


def test_both_groups_own_the_steps_of_a_measure_of_two_groups(seed):
    first = step("1.2", 1)
    assert first.owner_group.key == "hr" and [g.key for g in first.co_owner_groups] == ["admin"]
    assert owner_label(first) == "กลุ่มบริหารงานบุคคล และกลุ่มอำนวยการ"
    assert step("1.1", 1).co_owner_groups == []  # one group: as before
    for who in ("hr-staff", "pannee", "dir-admin"):
        assert permissions.is_owner(user(who), first), who
        assert first.id in [s.id for s in queries.my_open_steps(user(who))], who
    assert not permissions.is_owner(user("dir-plan"), first)
    assert first.id not in [s.id for s in queries.my_open_steps(user("dir-plan"))]
    day = NOW.date()
    assert {u.email for u in notify.step_recipients(first, day)} == {
        u.email for u in (user(k) for k in ("juthamas", "kamonnapa", "dir-hr", "hr-staff", "pannee", "dir-admin"))}
    assert {r.email for r in notify.recipient_rows(first, day)} == {
        u.email for u in notify.step_recipients(first, day)}


def test_a_member_of_the_second_group_completes_the_step_and_the_next_opens_for_both(seed):
    first = step("1.2", 1)
    transitions.complete(first.id, actor_id=user("pannee").id, now=LATER, expected_version=first.version)
    db.session.commit()
    second = step("1.2", 2)
    assert step("1.2", 1).state == "done" and second.state == "open"
    opened = {m.to_email for m in db.session.execute(select(OutboxMessage).where(
        OutboxMessage.event == "step_opened", OutboxMessage.created_at == LATER)).scalars()}
    assert user("pannee").email in opened and user("hr-staff").email in opened


def test_reassigning_gives_the_step_the_one_owner_chosen(seed):
    first = step("1.2", 1)
    transitions.reassign(first.id, actor_id=user("juthamas").id, now=LATER, expected_version=first.version,
                         group_id=first.owner_group_id, user_id=None)
    db.session.commit()
    assert db.session.execute(select(StepCoOwner).where(StepCoOwner.step_id == first.id)).first() is None
    assert not permissions.is_owner(user("pannee"), step("1.2", 1))
