"""What an officer meets over a year (issue 28): a monthly step says which month each occurrence is for, on the
pages and in its e-mail's subject; a round's report built after its day counts as of that day and says so; the
send-back e-mail names who sent it back and their position. E-mails go through a real SMTP server."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header

import pytest
from sqlalchemy import select

from tests.conftest import NOW, step, user
from tests.test_web import login
from workflow import clock
from workflow.channels import alerts
from workflow.db import db
from workflow.engine import rounds, transitions
from workflow.models import Round, Step
from workflow.publishing import documents


def bkk(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh - 7, mm, tzinfo=UTC)


@pytest.fixture
def sink(app, tmp_path):
    from tasks.sink import start_sink
    from tests.test_mailer import free_port

    port = free_port()
    controller, handler = start_sink(port=port, maildir=tmp_path / "maildir")
    app.config["ITAFLOW"] = dataclasses.replace(app.config["ITAFLOW"], mail_port=port)
    yield handler
    controller.stop()


def _deliver(sink, now) -> list:
    from workflow.channels.mailer import deliver_pending

    db.session.commit()
    while deliver_pending(now).claimed:
        pass
    return sink.messages


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def test_a_monthly_step_says_its_month_on_the_pages_and_in_the_subject(demo, sink):
    meetings = db.session.execute(select(Step).where(Step.recurrence == "monthly", Step.state == "open")
                                  .order_by(Step.occurrence)).scalars().all()
    assert len(meetings) >= 2 and len({m.month for m in meetings}) == len(meetings)
    assert {m.title for m in meetings} == {"การประชุมประจำเดือนของหน่วยงาน"}  # the memo's words, kept as written
    # pages: งานของฉัน and the step's own page name each one's month
    staff = login(demo, "staff")  # กลุ่มบริหารงานบุคคล owns 1.7
    mine = staff.get("/").get_data(as_text=True)
    from workflow.vocabulary import month_words

    for m in meetings:
        words = month_words(m.month, "th", "thai")
        assert f"การประชุมประจำเดือนของหน่วยงาน ({words})" in mine
        page = staff.get(f"/steps/{m.id}").get_data(as_text=True)
        assert f"<h1>ขั้นตอนที่ ๑: การประชุมประจำเดือนของหน่วยงาน ({words})</h1>" in page
    # subjects: the occurrences opened at once read apart (e-mails queued when the demo loaded)
    got = _deliver(sink, alerts.next_alert_moment(clock.now()) + timedelta(days=5))
    opened = sorted(_subject(g) for g in got if g["To"] == "hr-staff@demo.itaflow.test"
                    and "ถึงคิวของท่าน: มาตรการ ๑.๗ ขั้นตอนที่ ๑" in _subject(g))
    # one whose due day has ended by the time the alert may leave gets none as the cycle loads (the overdue
    # alert tells it: alerts.announce_opening), as at 00:30 on 1 October for September's meeting
    announced = [m for m in meetings if alerts.announce_opening(m, clock.now(), loading=True)]
    assert len(announced) >= 2 and len(opened) == len(announced) and len(set(opened)) == len(opened), opened
    for m in announced:
        assert f"[ITA] ถึงคิวของท่าน: มาตรการ ๑.๗ ขั้นตอนที่ ๑ ({month_words(m.month, 'th', 'thai')})" in opened


def test_the_month_is_said_in_the_recipients_language(demo, sink):
    from workflow.channels import notify
    from workflow.people.users import set_language

    set_language(user("kamonnapa").id, "en", now=clock.now())
    meeting = db.session.execute(select(Step).where(Step.recurrence == "monthly", Step.state == "open")
                                 .order_by(Step.occurrence)).scalars().first()
    assert notify.step_opened(meeting, "again", clock.now()) > 0
    got = _deliver(sink, alerts.next_alert_moment(clock.now()) + timedelta(days=5))
    subjects = {_subject(g) for g in got if g["To"] == "kamonnapa@demo.itaflow.test"}
    from workflow.thaidate import MONTHS_EN_FULL

    month = f"{MONTHS_EN_FULL[meeting.month.month - 1]} {meeting.month.year + 543} BE"
    assert f"[ITA] Your turn: measure 1.7, step 1 ({month})" in subjects, subjects
    body = next(g for g in got if _subject(g) == f"[ITA] Your turn: measure 1.7, step 1 ({month})")
    assert f"การประชุมประจำเดือนของหน่วยงาน ({month})" in body.get_body(("plain",)).get_content()


def test_a_round_report_built_after_its_day_counts_as_of_that_day(seed, sink, tmp_path):
    """Round 2 (held Fri 14 Jun 2567) reported on 2 Jul, as a beat that was down would: a step done on 10 Jun
    counts, one done on 20 Jun does not; the June meeting (due 1 Jul) is not overdue in it; the heading and the
    e-mail say it was built later and what counting then would give instead."""
    from tests.test_reports import flat, pdf_text

    second = db.session.execute(select(Round).where(Round.cycle_id == seed.id, Round.number == 2)).scalar_one()
    assert second.held_on.isoformat() == "2024-06-14"
    before, after = step("1.1", 1), step("1.2", 1)
    transitions.complete(before.id, actor_id=user("hr-staff").id, now=bkk(2024, 6, 10), expected_version=before.version)
    transitions.complete(after.id, actor_id=user("hr-staff").id, now=bkk(2024, 6, 20), expected_version=after.version)
    db.session.commit()
    june = step("1.7", 1, 2)
    assert june.due_on.isoformat() == "2024-07-01" and june.state == "open"
    late = bkk(2024, 7, 2)
    rounds.report_round(second.id, late)
    db.session.commit()
    report = db.session.get(Round, second.id).report
    assert report["done_steps"] == 1 and report["late"]["done_now"] == 2  # the step done on 20 June: not yet
    assert report["total_steps"] == report["late"]["total_now"] == 27
    due = {s.id: s.due_on for s in db.session.execute(select(Step)).scalars()}
    assert report["overdue"] and all(due[o["step_id"]].isoformat() < "2024-06-14" for o in report["overdue"])
    assert not any("มิถุนายน" in o["title"] for o in report["overdue"])  # due 1 Jul: after the round
    assert any("พฤษภาคม" in o["title"] for o in report["overdue"])  # May's meeting was late on the day
    assert report["late"]["overdue_now"] > len(report["overdue"])
    done_titles = [d["title"] for d in report["done_since"]]
    assert before.title in done_titles and after.title not in done_titles
    pdf = documents.render_pdf(documents.round_document(second.id, late))
    text = flat(pdf_text(pdf, tmp_path, "round-late"))
    assert flat("จัดทำภายหลังวันติดตาม") in text and flat("นับสถานะ ณ สิ้นวันติดตาม (๑๔ มิ.ย. ๒๕๖๗)") in text
    assert flat(f"ดำเนินการแล้ว {report['done_steps']} จาก {report['total_steps']}".translate(
        str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))) in text
    mails = _deliver(sink, late + timedelta(days=1))
    reports = [m for m in mails if "รายงานการติดตามครั้งที่ ๒" in _subject(m)]
    assert reports and "จัดทำภายหลังวันติดตาม" in reports[0].get_body(("plain",)).get_content()


def test_a_round_page_built_after_its_day_says_so(seed):
    """The round's page, opened after its day with no report kept, counts as of the day and says so."""
    import time_machine

    from web.views import measures  # noqa: F401 (the page under test)

    second = db.session.execute(select(Round).where(Round.cycle_id == seed.id, Round.number == 2)).scalar_one()
    with time_machine.travel(bkk(2024, 7, 2), tick=True):
        from web.security import limiter

        limiter.reset()
        db.session.commit()
        client = _login_seed(seed)
        page = client.get(f"/rounds/{second.id}").get_data(as_text=True)
    assert 'id="built-late"' in page and "๑๔ มิ.ย. ๒๕๖๗" in page


def _login_seed(seed):
    from flask import current_app

    from workflow.people.users import hash_password

    person = user("juthamas")
    person.password_hash = hash_password("correct-horse-battery")
    db.session.commit()
    client = current_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": "juthamas@demo.itaflow.test", "password": "correct-horse-battery",
                                           "csrf_token": token})
    assert response.status_code == 302
    return client


def test_the_send_back_e_mail_names_who_sent_it_back_and_their_position(demo, sink):
    review = step("1.5", 3)
    transitions.send_back(review.id, actor_id=user("dir-admin").id, now=clock.now(),
                          expected_version=review.version, reason="ตัวเลขไตรมาส ๒ ไม่ตรงกับระบบ e-GP")
    got = _deliver(sink, alerts.next_alert_moment(clock.now()) + timedelta(days=3))
    mail = next(m for m in got if _subject(m).startswith("[ITA] ส่งกลับแก้ไข: มาตรการ ๑.๕ ขั้นตอนที่ ๒"))
    assert mail["To"] == "pannee@demo.itaflow.test"
    text = mail.get_body(("plain",)).get_content()
    assert ("นางสาววิไล ศรีสุข ผู้อำนวยการกลุ่มอำนวยการ ส่งกลับให้แก้ไข เหตุผล: ตัวเลขไตรมาส ๒ ไม่ตรงกับระบบ e-GP"
            in text)
    assert "นางสาววิไล ศรีสุข ผู้อำนวยการกลุ่มอำนวยการ" in mail.get_body(("html",)).get_content()


def test_nothing_in_the_seed_title_carries_a_month_any_more(seed):
    """The month is said beside the title, never in it: the memo's step as written in O42, once."""
    html = documents.render_html(documents.measures_document(seed.id, NOW))
    assert "การประชุมประจำเดือนของหน่วยงาน (เดือน" not in html and "การประชุมประจำเดือนของหน่วยงาน" in html
    progress = documents.render_html(documents.progress_document(seed.id, NOW))
    assert "การประชุมประจำเดือนของหน่วยงาน (เดือนมิถุนายน ๒๕๖๗)" in progress
