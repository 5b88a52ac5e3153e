"""The sweep in-process with an injected clock: what fires, when, and never twice."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tasks.jobs import run_sweep
from tests.conftest import step, user
from workflow.channels.notify import render_message
from workflow.db import db
from workflow.engine import transitions
from workflow.engine.instantiate import instantiate
from workflow.models import OutboxMessage, Round, Timer
from workflow.onboarding.demo import demo_document
from workflow.thaidate import BANGKOK, to_bangkok

BEFORE_MAY = datetime(2024, 4, 30, 3, 0, tzinfo=UTC)  # 30 April 2567, 10:00 in Bangkok


@pytest.fixture
def memo(app):
    """The memo as written, loaded the day before its period starts."""
    result = instantiate(demo_document(BEFORE_MAY.date(), as_written=True), actor_id=None, now=BEFORE_MAY,
                         source_name="test")
    db.session.commit()
    return result.cycle


def bkk(y, m, d, hh=9, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=BANGKOK).astimezone(UTC)


def mails(event=None):
    q = select(OutboxMessage).order_by(OutboxMessage.id)
    if event:
        q = q.where(OutboxMessage.event == event)
    return db.session.execute(q).scalars().all()


def test_clock_walk_through_the_memo(memo):
    """1 May to 16 July 2567, hourly ticks: the 10 June deadline, the four rounds (two moved off the
    weekend) and the steps' reminders fire on the right working days, at the office hour, in order."""
    start_id = db.session.scalar(select(func.max(OutboxMessage.id))) or 0
    moment = bkk(2024, 5, 1, 0, 0)
    while moment <= bkk(2024, 7, 16, 23, 0):
        run_sweep(moment)
        moment += timedelta(hours=1)
    fired = db.session.execute(select(OutboxMessage).where(OutboxMessage.id > start_id)
                               .order_by(OutboxMessage.id)).scalars().all()
    days = {}
    for m in fired:
        local = to_bangkok(m.created_at)
        assert (local.hour, local.minute) == (9, 0), (m.event, local)  # first tick after 08:30
        assert local.weekday() < 5, (m.event, local)
        days.setdefault(m.event, []).append(local.date())
    assert sorted(set(days["special_deadline"])) == [date(2024, 6, 5), date(2024, 6, 7), date(2024, 6, 10)]
    assert sorted(set(days["round_report"])) == [date(2024, 5, 30), date(2024, 6, 14), date(2024, 6, 28),
                                                 date(2024, 7, 15)]
    # steps without a due date are due at the period's end, Monday 15 July 2567; 1.7's monthly meeting is
    # due at each month's end: Fri 31 May, Sun 30 June (moved to Mon 1 July), and the period's end
    assert sorted(set(days["reminder"])) == [date(2024, 5, 28), date(2024, 5, 30), date(2024, 6, 26),
                                             date(2024, 6, 28), date(2024, 7, 10), date(2024, 7, 12)]
    assert sorted(set(days["due_today"])) == [date(2024, 5, 31), date(2024, 7, 1), date(2024, 7, 15)]
    # May's meeting is overdue on Tue 4 June (Mon 3 June is a holiday), then every 3 working days
    overdue = sorted(set(days["overdue"]))
    assert overdue[:3] == [date(2024, 6, 4), date(2024, 6, 7), date(2024, 6, 12)]
    assert date(2024, 7, 2) in overdue and overdue[-1] == date(2024, 7, 16)
    assert min(days["escalation"]) == date(2024, 6, 6)  # 3 working days overdue: 4, 5, 6 June
    assert sorted(set(days["period_end"])) == [date(2024, 7, 15)]
    # in order, step by step: 3-day reminder, 1-day reminder, due today, then overdue alerts
    per_step: dict[str, list[tuple[date, str]]] = {}
    for m in fired:
        if m.event in ("reminder", "due_today", "overdue"):
            cause = m.dedupe_key.split(":")[1]  # s<step id>
            label = m.event + (":" + m.dedupe_key.split(":")[3] if m.event == "reminder" else "")
            per_step.setdefault(cause, []).append((to_bangkok(m.created_at).date(), label))
    assert len(per_step) == 10  # the open steps: each first step, 1.7 step 2 and its three monthly meetings
    rank = {"reminder:3": 0, "reminder:1": 1, "due_today": 2, "overdue": 3}
    for events in per_step.values():
        labels = [label for _day, label in sorted(set(events))]
        assert [rank[x] for x in labels] == sorted(rank[x] for x in labels), labels
    rounds = db.session.execute(select(Round).order_by(Round.number)).scalars().all()
    assert [r.status for r in rounds] == ["reported"] * 4
    assert rounds[1].report["moved_reason"] == "วันเสาร์" and rounds[2].report["moved_reason"] == "วันอาทิตย์"
    # nothing fired twice: every (event, cause, recipient) is one row
    keys = [m.dedupe_key for m in fired]
    assert len(keys) == len(set(keys))
    assert db.session.scalar(select(func.count()).select_from(Timer).where(
        Timer.fired_at.is_(None), Timer.fire_at <= bkk(2024, 7, 16, 23, 0))) == 0


def test_round_report_content_and_recipients(memo):
    _done = step("1.1", 1)
    transitions.complete(_done.id, actor_id=user("hr-staff").id, now=bkk(2024, 5, 20),
                         expected_version=_done.version)
    db.session.commit()
    run_sweep(bkk(2024, 5, 30))
    reports = mails("round_report")
    assert {m.to_email for m in reports} == {"juthamas@demo.itaflow.test", "amporn@demo.itaflow.test"}
    body = render_message(reports[0])[0]
    assert "รายงานการติดตามครั้งที่ ๑" in body  # numbers in the office's digits, as on the pages
    assert "๑.๑ ขั้นตอนที่ ๑" in body  # done since the cycle began
    owner_items = mails("round_items")
    assert "pannee@demo.itaflow.test" in {m.to_email for m in owner_items}
    rnd = db.session.execute(select(Round).where(Round.number == 1)).scalar_one()
    assert rnd.report["done_steps"] == 1 and rnd.report["total_steps"] == 27  # 25 + two more monthly meetings


def test_overdue_gives_one_alert_then_one_escalation(memo, app):
    s = step("1.3", 1)  # owners: กลุ่มอำนวยการ (pannee and its director) and กลุ่มนโยบายและแผน (its director)
    s.due_on = date(2024, 5, 10)  # Friday
    db.session.flush()
    db.session.execute(Timer.__table__.delete().where(Timer.target_type == "step", Timer.target_id == s.id))
    from workflow.channels.alerts import schedule_step_alerts

    schedule_step_alerts(s, BEFORE_MAY)
    db.session.commit()
    run_sweep(bkk(2024, 5, 13))  # Monday: first working day after the due date
    run_sweep(bkk(2024, 5, 13, 10))  # the next tick: nothing new
    overdue = [m for m in mails("overdue") if "มาตรการ ๑.๓" in m.subject]
    assert sorted(m.to_email for m in overdue) == ["dir-admin@demo.itaflow.test", "dir-plan@demo.itaflow.test",
                                                   "pannee@demo.itaflow.test"]
    assert mails("escalation") == []
    # escalation after 3 working days overdue (default): Wed 15 May; repeat after 3 more: Thu 16 May
    run_sweep(bkk(2024, 5, 15))
    run_sweep(bkk(2024, 5, 15, 11))
    escalations = mails("escalation")
    assert sorted(m.to_email for m in escalations) == ["dir-admin@demo.itaflow.test", "dir-plan@demo.itaflow.test"]
    run_sweep(bkk(2024, 5, 16))
    assert len([m for m in mails("overdue") if "มาตรการ ๑.๓" in m.subject]) == 6  # the repeat, to all owners
    # done: nothing more fires for it
    transitions.complete(s.id, actor_id=user("pannee").id, now=bkk(2024, 5, 17), expected_version=s.version)
    db.session.commit()
    before = len(mails())
    run_sweep(bkk(2024, 5, 24))
    assert [m for m in mails()[before:] if "มาตรการ ๑.๓ ขั้นตอนที่ ๑" in m.subject] == []


def test_rolled_back_change_sends_nothing(memo):
    before = len(mails())
    s = step("1.1", 1)
    transitions.complete(s.id, actor_id=user("hr-staff").id, now=bkk(2024, 5, 2), expected_version=s.version)
    db.session.rollback()
    run_sweep(bkk(2024, 5, 2, 10))
    assert len(mails()) == before


def test_a_claimed_timer_is_never_fired_again(memo):
    run_sweep(bkk(2024, 5, 30))
    first = len(mails("round_report"))
    db.session.execute(Timer.__table__.update().where(Timer.kind == "round").values(fired_at=None))
    db.session.commit()  # even re-armed by hand, the outbox keys refuse a second report
    run_sweep(bkk(2024, 5, 30, 10))
    assert len(mails("round_report")) == first == 2


def test_digest_users_get_one_email_a_day(memo):
    pannee = user("pannee")
    pannee.notify_mode, pannee.digest_hour = "digest", 16
    db.session.commit()
    s = step("1.5", 1)
    transitions.complete(s.id, actor_id=pannee.id, now=bkk(2024, 5, 2), expected_version=s.version)
    db.session.commit()
    held = [m for m in mails() if m.to_email == "pannee@demo.itaflow.test" and m.status == "held"]
    assert held
    run_sweep(bkk(2024, 5, 2, 12))
    assert mails("digest") == []
    run_sweep(bkk(2024, 5, 2, 16, 5))
    digest = mails("digest")
    assert len(digest) == 1 and digest[0].to_email == "pannee@demo.itaflow.test"
    assert "ขั้นตอนที่ ๒" in render_message(digest[0])[0]
    run_sweep(bkk(2024, 5, 2, 17))
    assert len(mails("digest")) == 1


def test_people_who_chose_english_get_english_email(memo):
    """Alerts, the round report and the items for the meeting follow the recipient's language; everyone else
    keeps Thai. The memo's own text (titles) stays as written."""
    from workflow.people.users import set_language

    for key in ("pannee", "amporn"):
        set_language(user(key).id, "en", now=BEFORE_MAY)
    db.session.commit()
    run_sweep(bkk(2024, 5, 30))
    reports = {m.to_email: m for m in mails("round_report")}
    english = reports["amporn@demo.itaflow.test"]
    assert english.subject.startswith("[ITA] Monitoring round 1 report (30 May 2567 BE)")
    text, html = render_message(english)
    assert text.startswith("Dear ") and "Progress by measure" in text and 'lang="en"' in html
    assert "รายงานการติดตามครั้งที่" not in text
    thai = reports["juthamas@demo.itaflow.test"]
    assert "รายงานการติดตามครั้งที่ ๑" in thai.subject and render_message(thai)[0].startswith("เรียน ")
    items = {m.to_email: m for m in mails("round_items")}
    assert items["pannee@demo.itaflow.test"].subject == "[ITA] Your items for monitoring round 1"
    body = render_message(items["pannee@demo.itaflow.test"])[0]
    assert "Measure 1.5" in body and "Due: " in body and "BE" in body
    # the second round moved off a Saturday: said in English too
    run_sweep(bkk(2024, 6, 14, 10))
    second = next(m for m in mails("round_report") if m.to_email == "amporn@demo.itaflow.test" and "round 2" in
                  m.subject)
    assert "a Saturday" in render_message(second)[0]
    # a reminder from the sweep, 3 working days before the end of the period (15 Jul 2567)
    run_sweep(bkk(2024, 7, 10, 10))
    reminders = [m for m in mails("reminder") if m.to_email == "pannee@demo.itaflow.test"]
    assert reminders and all(m.subject.startswith("[ITA] Due in ") for m in reminders)


# a field's label begins its own line in a plain-text email; never glued after another field's value
FIELD_LABELS = ("ขั้นตอนที่ ", "กำหนด: ", "เปิดดู: ", "Step ", "Due: ", "Open: ")


def _check_plain_text(event: str, text: str) -> None:
    for line in text.splitlines():
        body = line.strip().removeprefix("- ")
        for label in FIELD_LABELS:
            at = line.find(label)
            if at > 0 and not body.startswith(label) and not re.match(r"\s*- [\d.]+ (ขั้นตอนที่|step) ", line):
                raise AssertionError(f"{event}: '{label}' glued to the field before it: {line!r}")
        assert not re.search(r"\S- [\d.]+ ", line), f"{event}: two items on one line: {line!r}"


def test_every_email_kind_reads_as_plain_text_with_one_field_a_line(memo):
    from workflow.models import User

    english = user("pannee")
    english.language = "en"
    for number in (1, 2):  # 1.5's work, so its review opens and is sent back
        work = step("1.5", number)
        owner = work.owner_user or next(m for m in work.owner_group.members if m.active)
        transitions.complete(work.id, actor_id=owner.id, now=bkk(2024, 5, 15), expected_version=None)
    transitions.send_back(step("1.5", 3).id, actor_id=user("dir-admin").id, now=bkk(2024, 5, 20),
                          expected_version=None, reason="แก้ไขชื่อไฟล์\nแล้วส่งใหม่")
    db.session.commit()
    moment = bkk(2024, 5, 1, 0, 0)
    while moment <= bkk(2024, 7, 16, 23, 0):
        run_sweep(moment)
        moment += timedelta(hours=6)
    kinds: dict[tuple[str, str], str] = {}
    for row in db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars():
        text, _html = render_message(row)
        lang = (row.payload or {}).get("lang", "th")
        kinds.setdefault((row.event, lang), text)
        _check_plain_text(f"{row.event}/{lang}", text)
    events = {event for event, _lang in kinds}
    assert {"step_opened", "review_waiting", "sent_back", "reminder", "due_today", "overdue", "escalation",
            "round_report", "special_deadline"} <= events, sorted(events)
    assert any(lang == "en" for _event, lang in kinds)
    overdue = next(text for (event, lang), text in kinds.items() if event == "overdue" and lang == "th")
    assert re.search(r"^  กำหนด: .+ \(เลยกำหนด \d+ วันทำการ\)$", overdue, re.M), overdue
    assert re.search(r"^  เปิดดู: http", overdue, re.M), overdue
    assert db.session.get(User, english.id).language == "en"


def test_delivery_starts_after_the_first_batch_that_queued_mail(memo):
    """On a shared deadline's morning the sweep claims batch after batch; the senders are started once, as
    soon as the first batch's emails are committed, not after the last batch."""
    from sqlalchemy import create_engine, text

    other = create_engine(db.engine.url)  # another connection: sees only what was committed
    seen: list[tuple[int, int]] = []

    def started():
        with other.connect() as conn:
            committed = conn.execute(text("SELECT count(*) FROM outbox_message")).scalar()
            fired = conn.execute(text("SELECT count(*) FROM timer WHERE fired_at IS NOT NULL")).scalar()
        seen.append((committed, fired))

    before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    result = run_sweep(bkk(2024, 6, 10, 9, 0), limit=2, on_queued=started)
    other.dispose()
    assert result.claimed > 4 and len(seen) == 1  # many batches; the senders were started once
    committed, fired = seen[0]
    assert committed > before and fired < result.claimed  # the first batch's mail, before the sweep finished


def test_alerts_go_in_office_hours_on_working_days_only(app):
    from workflow.channels.alerts import in_alert_hours, next_alert_moment

    assert not in_alert_hours(bkk(2026, 11, 28, 19, 0))  # a Saturday evening
    assert not in_alert_hours(bkk(2026, 11, 30, 8, 29)) and in_alert_hours(bkk(2026, 11, 30, 8, 30))
    assert in_alert_hours(bkk(2026, 11, 30, 17, 59)) and not in_alert_hours(bkk(2026, 11, 30, 18, 0))
    assert not in_alert_hours(bkk(2026, 4, 13, 10, 0))  # Songkran, a Monday
    assert next_alert_moment(bkk(2026, 11, 28, 19, 0)) == bkk(2026, 11, 30, 8, 30)  # Saturday -> Monday
    assert next_alert_moment(bkk(2026, 11, 30, 7, 0)) == bkk(2026, 11, 30, 8, 30)
    assert next_alert_moment(bkk(2026, 11, 30, 10, 0)) == bkk(2026, 11, 30, 10, 0)
    assert next_alert_moment(bkk(2026, 12, 31, 19, 0)) == bkk(2027, 1, 4, 8, 30)  # New Year's holidays


def test_a_cycle_loaded_long_after_its_dates_sends_no_storm(app):
    """The seed memo (BE 2567) loaded on a Saturday evening in 2569: nothing goes out that evening or on
    Sunday; on Monday at the office hour each open step's people hear once that it is overdue, and nothing
    else of its history (no reminders, rounds, deadlines or escalations); directors hear only if a step is
    still overdue the configured working days after its owners were told."""
    saturday = bkk(2026, 11, 28, 19, 0)
    result = instantiate(demo_document(BEFORE_MAY.date(), as_written=True), actor_id=None, now=saturday,
                         source_name="test")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Timer).where(Timer.fire_at < saturday)) == 0
    for moment in (saturday, bkk(2026, 11, 28, 23, 0), bkk(2026, 11, 29, 9, 0), bkk(2026, 11, 30, 8, 0)):
        run_sweep(moment)
    db.session.commit()
    assert [m.event for m in mails()] == []  # no "your turn" for steps due in 2567 either
    run_sweep(bkk(2026, 11, 30, 9, 0))
    db.session.commit()
    monday = mails()
    open_steps = [s for m in result.cycle.measures for s in m.steps if s.state == "open" and s.due_on]
    assert monday and {m.event for m in monday} == {"overdue"}
    assert len({m.dedupe_key.split(":")[1] for m in monday}) == len(open_steps)  # each open step once
    for day in (1, 2):  # Tuesday, Wednesday: still within the owners' days
        run_sweep(bkk(2026, 12, day, 9, 0))
    db.session.commit()
    assert not [m for m in mails("escalation")]
    run_sweep(bkk(2026, 12, 3, 9, 0))  # three working days after the owners were told
    db.session.commit()
    escalations = mails("escalation")
    told = {m.dedupe_key.split(":")[1] for m in monday}
    assert escalations and {m.dedupe_key.split(":")[1] for m in escalations} <= told


def _opening_mails():
    return [m for m in mails() if m.event in ("step_opened", "review_waiting")]


def test_a_past_years_memo_loaded_with_past_dates_allowed_announces_no_step_already_due(app):
    """The seed (BE 2567) loaded in 2569 after the officer said to go on despite the past dates: no "ถึงคิวของท่าน"
    for the steps due long ago (the confirm page promises no backdated alerts); each open step's overdue alert
    is its people's one word, at the next moment alerts may go out. (Found as 30 e-mails left at 22:00.)"""
    from workflow.channels.notify import recipient_rows
    from workflow.engine.instantiate import past_dates
    from workflow.thaidate import bangkok_today

    wednesday = bkk(2026, 11, 25, 10, 0)  # in office hours: only the past-date rule can hold these back
    doc = demo_document(BEFORE_MAY.date(), as_written=True)
    assert doc["fiscal_year"] == 2567 and past_dates(doc, bangkok_today(wednesday)).steps > 0
    result = instantiate(doc, actor_id=None, now=wednesday, source_name="test")
    db.session.commit()
    opened = [s for m in result.cycle.measures for s in m.steps if s.state == "open"]
    assert opened and all(s.due_on < bangkok_today(wednesday) for s in opened)
    day = bangkok_today(wednesday)
    assert sum(len(recipient_rows(s, day)) for s in opened) > 0  # people with e-mail who would have been told
    assert _opening_mails() == []
    overdue = db.session.execute(select(Timer).where(Timer.kind == "step_overdue")).scalars().all()
    assert {t.target_id for t in overdue} == {s.id for s in opened}
    assert {t.fire_at for t in overdue} == {wednesday}  # told once, now, in office hours


def test_a_current_years_memo_loaded_at_night_queues_its_alerts_for_the_next_office_hour(app):
    """Loaded at 22:00 in Bangkok on a Wednesday: the opening alerts of steps still to come are queued but leave
    at Thursday's office hour (as the timers would), e-mail and LINE alike; nothing is due to the senders at
    night."""
    from workflow.channels.mailer import has_due_mail
    from workflow.thaidate import bangkok_today

    night = bkk(2026, 11, 25, 22, 0)
    office_hour = bkk(2026, 11, 26, 8, 30)
    doc = demo_document(date(2027, 4, 1), as_written=False)  # the period starts after tonight
    result = instantiate(doc, actor_id=None, now=night, source_name="test")
    db.session.commit()
    opened = [s for m in result.cycle.measures for s in m.steps if s.state == "open"]
    assert opened and all(s.due_on > bangkok_today(night) for s in opened)
    queued = _opening_mails()
    assert queued and {m.next_attempt_at for m in queued} == {office_hour}
    assert not has_due_mail(night) and not has_due_mail(bkk(2026, 11, 26, 8, 29))
    assert has_due_mail(office_hour)


def test_every_alert_path_obeys_the_office_hours_rule(app):
    """One rule for every alert, whatever queues it: in office hours it leaves at once; outside them it waits for
    the next working day's office hour (LINE rows too); a sign-in link and the digest at its reader's hour do
    not wait."""
    from workflow.channels.alerts import send_moment

    saturday = bkk(2026, 11, 28, 19, 0)
    monday = bkk(2026, 11, 30, 8, 30)
    for event in ("step_opened", "review_waiting", "sent_back", "approved", "due_moved", "round_report",
                  "escalation", "links_broken"):
        assert send_moment(event, saturday) == monday, event
        assert send_moment(event, bkk(2026, 11, 30, 10, 0)) == bkk(2026, 11, 30, 10, 0), event
    for event in ("invitation", "digest"):
        assert send_moment(event, saturday) == saturday, event
