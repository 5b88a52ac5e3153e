"""Absences and acting for (รักษาราชการแทน): recorded with dates by the person or their admin; while one is in
force the acting person has the absent director's reviews in their queue (the director keeps them too), hears
the alerts and escalations meant for the absent one, and every action they take says so (history, audit log,
decisions, documents); the absent person's own steps are shown to the secretariat to reassign; it ends by itself
after its last day. Nobody acts for themself, acting never chains into a loop, and an acting person never
approves their own work. E-mails go through a real SMTP server (aiosmtpd), as the others' tests do."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
from sqlalchemy import select

from tests.conftest import step, user
from tests.test_web import login, token
from workflow import acting as who_acts
from workflow import clock
from workflow.db import db
from workflow.engine import absences, queries, transitions
from workflow.errors import PermissionDenied, ValidationError
from workflow.models import Absence, AuditEvent, OutboxMessage, Step, Timer
from workflow.people import permissions
from workflow.thaidate import bangkok_today


def _today():
    return bangkok_today(clock.now())


def _away(who: str, days: int = 4, acting: str | None = None, *, by: str | None = None, start: int = 0):
    today = _today()
    made = absences.record(actor_id=user(by or who).id, user_id=user(who).id, starts_on=today + timedelta(days=start),
                           ends_on=today + timedelta(days=start + days), reason="ลาพักผ่อน",
                           acting_user_id=user(acting).id if acting else None, now=clock.now())
    db.session.commit()
    return made


def _queue(who: str, day) -> list[int]:
    db.session.expire_all()
    return [s.id for s in queries.approval_queue(who_acts.attach(user(who), day))]


def _mails(event: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.execute(select(OutboxMessage).where(OutboxMessage.event == event)
                              .order_by(OutboxMessage.id)).scalars().all()


@pytest.fixture
def sink(demo, tmp_path):
    """A real SMTP server on localhost that the app delivers to."""
    from tasks.sink import start_sink
    from tests.test_mailer import free_port

    port = free_port()
    controller, handler = start_sink(port=port, maildir=tmp_path / "maildir")
    demo.config["ITAFLOW"] = dataclasses.replace(demo.config["ITAFLOW"], mail_port=port)
    yield handler
    controller.stop()


def _deliver(sink) -> list:
    """Deliver what is due by the office hours after next (alerts wait for a working day's office hour: the suite
    runs pinned to 23:30 on 31 December and to Songkran too); the messages the server received."""
    from workflow.channels.alerts import next_alert_moment
    from workflow.channels.mailer import deliver_pending

    db.session.commit()
    while deliver_pending(next_alert_moment(clock.now()) + timedelta(days=1)).claimed:
        pass
    return sink.messages


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def test_the_acting_person_has_the_reviews_as_well_while_it_lasts_and_it_ends_by_itself(demo):
    review = step("1.5", 3)  # waiting for the director of กลุ่มอำนวยการ (dir-admin)
    today = _today()
    assert review.id in _queue("dir-admin", today) and review.id not in _queue("dir-hr", today)
    absence = _away("dir-admin", days=3, acting="dir-hr")
    for day in (today, today + timedelta(days=3)):
        assert review.id in _queue("dir-hr", day)  # the acting person's queue...
        assert review.id in _queue("dir-admin", day)  # ...as well: the director keeps it
    after = today + timedelta(days=4)  # the day after its last: over by itself, nothing fired
    assert review.id not in _queue("dir-hr", after)
    assert who_acts.acting_for(user("dir-hr").id, after, user("dir-hr").agency_id) == {}
    assert db.session.execute(select(Timer).where(Timer.target_type == "absence")).first() is None
    # the record and the page
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "absence_recorded")).scalar_one()
    assert event.data["acting"]["id"] == user("dir-hr").id and event.target_id == user("dir-admin").id
    page = login(demo, "secretariat").get("/absences").get_data(as_text=True)
    assert f'id="absence-{absence.id}"' in page and "นายสมชาย ใจดี" in page and "ไม่อยู่ขณะนี้" in page
    # the acting person hears they act, with what waits for them
    told = _mails("acting_assigned")
    assert [m.to_email for m in told] == ["dir-hr@demo.itaflow.test"]
    assert "ผู้อำนวยการกลุ่มอำนวยการ" in told[0].subject and told[0].payload["items"][0]["step_number"] == 3


def test_every_action_while_acting_says_so_history_audit_decision_and_documents(demo):
    from workflow.publishing import documents

    _away("dir-admin", days=3, acting="dir-hr")
    review = step("1.5", 3)
    assert 'id="approve"' in login(demo, "director").get(f"/steps/{review.id}").get_data(as_text=True)  # as well
    acting = demo.test_client()
    page = acting.get("/login").get_data(as_text=True)
    acting.post("/login", data={"email": "dir-hr@demo.itaflow.test", "password": "correct-horse-battery",
                                "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)})
    shown = acting.get(f"/steps/{review.id}").get_data(as_text=True)
    assert 'id="approve"' in shown and 'id="acting-as"' in shown and "รักษาราชการแทน ผู้อำนวยการกลุ่มอำนวยการ" in shown
    assert 'id="owner-away"' in shown  # the director is away: said on the step, with who acts
    response = acting.post(f"/steps/{review.id}/approve", data={"csrf_token": token(acting),
                                                                "version": str(review.version)})
    assert response.status_code == 303
    db.session.expire_all()
    decision = step("1.5", 3).decisions[-1]
    assert decision.decided_by_id == user("dir-hr").id
    assert decision.acting == {"id": user("dir-admin").id, "name": "นางสาววิไล ศรีสุข",
                               "position": "ผู้อำนวยการกลุ่มอำนวยการ"}
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "review_approved")).scalar_one()
    assert event.data["acting"]["id"] == user("dir-admin").id
    history = acting.get(f"/steps/{review.id}").get_data(as_text=True)
    assert "นายสมชาย ใจดี <span class=\"acting\">(รักษาราชการแทน ผู้อำนวยการกลุ่มอำนวยการ (นางสาววิไล ศรีสุข))</span>" \
        in history
    log = login(demo, "secretariat").get("/audit?action=review_approved").get_data(as_text=True)
    assert "รักษาราชการแทน ผู้อำนวยการกลุ่มอำนวยการ" in log
    html = documents.render_html(documents.progress_document(step("1.5", 3).measure.cycle_id, clock.now()))
    assert "อนุมัติ โดย นายสมชาย ใจดี รักษาราชการแทน ผู้อำนวยการกลุ่มอำนวยการ (นางสาววิไล ศรีสุข)" in html


def test_alerts_and_escalations_go_to_who_acts(demo):
    from workflow.calendar import WorkingCalendar
    from workflow.models import Group
    from workflow.operations import sweep

    _away("dir-admin", days=5, acting="dir-hr")
    review = step("1.5", 3)
    before = len(_mails("review_waiting"))
    # sent back and done again while the director is away: "waiting for your review" goes to who acts
    transitions.send_back(review.id, actor_id=user("dir-hr").id, now=clock.now(), expected_version=review.version,
                          reason="แนบรายงานฉบับลงนาม")
    work = step("1.5", 2)
    transitions.complete(work.id, actor_id=user("pannee").id, now=clock.now(), expected_version=work.version)
    db.session.commit()
    assert [m.to_email for m in _mails("review_waiting")[before:]] == ["dir-hr@demo.itaflow.test"]
    # an escalation about a late step of กลุ่มอำนวยการ (a group the absent director directs)
    group = db.session.execute(select(Group).where(Group.key == "admin")).scalar_one()
    late = db.session.execute(select(Step).where(Step.state == "open", Step.kind == "task",
                                                 Step.owner_group_id == group.id)).scalars().first()
    timer = Timer(kind="step_escalation", fire_at=clock.now(), target_type="step", target_id=late.id,
                  payload={"due": late.due_on.isoformat()})
    db.session.add(timer)
    db.session.flush()
    sweep.fire(timer, clock.now(), WorkingCalendar())
    db.session.commit()
    told = {m.to_email for m in _mails("escalation")}  # (and a co-owner group's own director, if it has one)
    assert "dir-hr@demo.itaflow.test" in told and "dir-admin@demo.itaflow.test" not in told
    assert "น.ส.พรรณี อินสำราญ" in _mails("escalation")[0].payload["lead"]  # its people named, not who acts


def test_the_absent_persons_own_steps_are_shown_to_the_secretariat_and_reassigned(demo):
    absence = _away("pannee", days=120, by="admin")  # her admin records it; nobody acts for her
    mine = absences.steps_to_cover(user("pannee").id, absence.ends_on)
    assert mine and all(s.owner_user_id == user("pannee").id for s in mine)
    told = _mails("absence_recorded")
    assert "juthamas@demo.itaflow.test" in [m.to_email for m in told]
    assert {i["step_number"] for i in told[0].payload["items"]} == {s.number for s in mine}
    secretariat = login(demo, "secretariat")
    page = secretariat.get("/absences").get_data(as_text=True)
    target = next(s for s in mine if s.kind == "task")
    assert f'id="reassign-{target.id}"' in page and "ไม่มีผู้รักษาราชการแทน" in page
    assert 'id="owner-away"' in secretariat.get(f"/steps/{target.id}").get_data(as_text=True)
    response = secretariat.post(f"/steps/{target.id}/reassign", data={
        "csrf_token": token(secretariat), "version": str(target.version), "owner": f"user:{user('kamonnapa').id}",
        "from": "absences"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/absences")
    db.session.expire_all()
    assert db.session.get(Step, target.id).owner_user_id == user("kamonnapa").id
    # others see the absences but not the steps to reassign; nobody records for someone else but an admin
    staff = login(demo, "staff")
    assert f'id="reassign-{target.id}"' not in staff.get("/absences").get_data(as_text=True)
    with pytest.raises(PermissionDenied):
        absences.record(actor_id=user("hr-staff").id, user_id=user("kamonnapa").id, starts_on=_today(),
                        ends_on=_today(), now=clock.now())
    # cancelled: over at once
    absences.cancel(absence.id, actor_id=user("pannee").id, now=clock.now())
    db.session.commit()
    assert who_acts.away_today({user("pannee").id}, _today()) == {}


def test_nobody_acts_for_themself(demo):
    from sqlalchemy.exc import IntegrityError

    from workflow.engine.definitions import parse_definitions
    from workflow.errors import DefinitionError
    from workflow.models import Group
    from workflow.people import accounts

    with pytest.raises(ValidationError, match="ผู้รักษาราชการแทนต้องเป็นผู้อื่น"):
        _away("dir-admin", acting="dir-admin")
    with pytest.raises(IntegrityError):  # and the database says so too
        db.session.add(Absence(agency_id=user("dir-admin").agency_id, user_id=user("dir-admin").id,
                               starts_on=_today(), ends_on=_today(), acting_user_id=user("dir-admin").id,
                               created_at=clock.now()))
        db.session.flush()
    db.session.rollback()
    group = db.session.execute(select(Group).where(Group.key == "admin")).scalar_one()
    with pytest.raises(ValidationError):
        accounts.set_group_directors(group.id, actor_id=user("admin").id, director_id=user("dir-admin").id,
                                     acting_director_id=user("dir-admin").id, now=clock.now())
    from workflow.onboarding.demo import SEED_FILE

    text = SEED_FILE.read_text().replace("  hr: {name: กลุ่มบริหารงานบุคคล}",
                                         "  hr: {name: กลุ่มบริหารงานบุคคล, director: juthamas, acting_director: juthamas}")
    with pytest.raises(DefinitionError) as refused:
        parse_definitions(text)
    assert any("ผู้รักษาการต้องเป็นผู้อื่น" in p.message_th for p in refused.value.problems)


def test_acting_never_chains_into_a_loop(demo):
    today = _today()
    _away("dir-admin", days=5, acting="dir-hr")
    # the one acting cannot name back the one they act for while that one is away (nor anyone else away)
    with pytest.raises(ValidationError, match="ไม่อยู่"):
        _away("dir-hr", days=1, start=2, acting="dir-admin")
    # a chain is followed: dir-hr away too, dir-plan acts for them, and so for dir-admin through them
    _away("dir-hr", days=1, start=2, acting="dir-plan")
    day = today + timedelta(days=2)
    agency = user("dir-admin").agency_id
    assert who_acts.resolve(user("dir-admin").id, day, agency) == user("dir-plan").id
    assert set(who_acts.acting_for(user("dir-plan").id, day, agency)) == {user("dir-hr").id, user("dir-admin").id}
    assert step("1.5", 3).id in _queue("dir-plan", day)
    for back in ("dir-admin", "dir-hr"):  # closing the loop, either way, is refused
        with pytest.raises(ValidationError):
            _away("dir-plan", days=0, start=2, acting=back)
    db.session.rollback()
    # should a loop ever be written behind the rules' back, resolving it still ends, each person once
    db.session.add(Absence(agency_id=user("dir-plan").agency_id, user_id=user("dir-plan").id, starts_on=day,
                           ends_on=day, acting_user_id=user("dir-admin").id, created_at=clock.now()))
    db.session.flush()
    assert who_acts.resolve(user("dir-admin").id, day, agency) in {user(k).id for k in ("dir-admin", "dir-hr",
                                                                                         "dir-plan")}
    assert user("dir-plan").id not in who_acts.acting_for(user("dir-plan").id, day, agency)
    db.session.rollback()


def test_an_acting_person_never_approves_their_own_work(demo):
    review = step("1.5", 3)
    assert review.reviews_step.done_by_id == user("pannee").id  # pannee did the work under review
    _away("dir-admin", days=2, acting="pannee")  # and is named to act for the director who checks it
    acting = who_acts.attach(user("pannee"), _today())
    assert permissions.may_decide(acting, review)  # she has the director's right...
    with pytest.raises(PermissionDenied, match="ตรวจสอบงานของตนเองไม่ได้"):  # ...but never over her own work
        transitions.approve(review.id, actor_id=user("pannee").id, now=clock.now(), expected_version=review.version)
    db.session.rollback()
    # nor can the acting person do the work as the stand-in and then approve it
    _away("dir-hr", days=2, acting="dir-plan")
    work = step("1.6", 2)  # kamonnapa's, of กลุ่มบริหารงานบุคคล whose director dir-plan now acts for
    assert work.state == "open" and work.owner_user_id == user("kamonnapa").id
    assert not permissions.is_owner(user("dir-plan"), work)  # not in their own right
    transitions.complete(work.id, actor_id=user("dir-plan").id, now=clock.now(), expected_version=work.version)
    db.session.commit()
    assert step("1.6", 2).done_acting["id"] == user("dir-hr").id  # done as the director's stand-in, said so
    hr_review = step("1.6", 3)
    assert hr_review.state == "open"
    with pytest.raises(PermissionDenied, match="ตรวจสอบงานของตนเองไม่ได้"):
        transitions.approve(hr_review.id, actor_id=user("dir-plan").id, now=clock.now(),
                            expected_version=hr_review.version)


def test_a_round_report_built_while_the_presenter_is_away_is_signed_by_who_acts(demo):
    from workflow.models import Round
    from workflow.publishing import documents

    rnd = db.session.execute(select(Round).where(Round.held_on >= _today()).order_by(Round.held_on)).scalars().first()
    assert rnd is not None
    days = (rnd.held_on - _today()).days
    _away("juthamas", days=days, acting="dir-hr")  # the memo's author, of the secretariat, away on the round's day
    html = documents.render_html(documents.round_document(rnd.id, clock.now()))
    sign = html[html.index('<div class="sign">'):]
    assert "(นายสมชาย ใจดี)" in sign and "ผู้อำนวยการกลุ่มบริหารงานบุคคล รักษาราชการแทน" in sign
    assert "นักทรัพยากรบุคคลชำนาญการพิเศษ" in sign  # the absent presenter's position, under it


def test_e_mails_through_the_smtp_server_say_who_acts_and_who_sent_back(demo, sink):
    _away("dir-admin", days=3, acting="dir-hr")
    review = step("1.5", 3)
    transitions.send_back(review.id, actor_id=user("dir-hr").id, now=clock.now(), expected_version=review.version,
                          reason="แนบรายงานฉบับลงนาม")
    got = _deliver(sink)
    by_subject = {_subject(m): m for m in got}
    acting = next(m for s, m in by_subject.items() if s.startswith("[ITA] ท่านรักษาราชการแทน ผู้อำนวยการกลุ่มอำนวยการ"))
    assert acting["To"] == "dir-hr@demo.itaflow.test"
    sent_back = next(m for s, m in by_subject.items() if s.startswith("[ITA] ส่งกลับแก้ไข: มาตรการ ๑.๕ ขั้นตอนที่ ๒"))
    body = sent_back.get_body(("plain",)).get_content()
    assert sent_back["To"] == "pannee@demo.itaflow.test"
    assert ("นายสมชาย ใจดี ผู้อำนวยการกลุ่มบริหารงานบุคคล รักษาราชการแทน ผู้อำนวยการกลุ่มอำนวยการ "
            "ส่งกลับให้แก้ไข เหตุผล: แนบรายงานฉบับลงนาม") in body


def test_a_refused_absence_says_why_keeps_what_was_entered_and_writes_nothing(demo):
    """Bad input on /absences: 400, the reason in Thai on the page, the form as it was typed, nothing written."""
    director = login(demo, "director")
    before = (db.session.scalar(select(db.func.count()).select_from(Absence)),
              db.session.scalar(select(db.func.count()).select_from(AuditEvent)))
    response = director.post("/absences", data={
        "csrf_token": token(director), "starts_on": "10/1/2580", "ends_on": "5/1/2580", "reason": "ลาพักผ่อน",
        "acting_user_id": str(user("dir-hr").id)})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="absence-error"' in page and "วันสุดท้ายต้องไม่ก่อนวันเริ่ม" in page
    assert 'value="10/1/2580"' in page and 'value="5/1/2580"' in page and 'value="ลาพักผ่อน"' in page
    assert f'<option value="{user("dir-hr").id}" selected>' in page
    response = director.post("/absences", data={"csrf_token": token(director), "starts_on": "",
                                                "ends_on": "", "acting_user_id": str(user("dir-admin").id)})
    assert response.status_code == 400 and "กรุณาระบุวันเริ่ม" in response.get_data(as_text=True)
    db.session.rollback()
    assert (db.session.scalar(select(db.func.count()).select_from(Absence)),
            db.session.scalar(select(db.func.count()).select_from(AuditEvent))) == before
