"""Jinja filters and globals: BE dates in the viewer's digits, Thai state names, navigation counts."""

from __future__ import annotations

from flask import Flask, g
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from web.i18n import language
from web.security import viewer_scope
from workflow.engine import queries
from workflow.thaidate import digits, format_be, format_be_datetime
from workflow.vocabulary import acted_for_words, label, month_words, role_label, step_title

ACTION_TH = {
    "step_opened": _l("เปิดให้ดำเนินการ"), "step_completed": _l("ทำเครื่องหมายเสร็จ"),
    "review_approved": _l("อนุมัติ"), "review_sent_back": _l("ส่งกลับแก้ไข"), "step_reopened": _l("เปิดใหม่"),
    "step_blocked": _l("รอขั้นตอนก่อนหน้า"), "step_reassigned": _l("มอบหมายใหม่"), "step_due_moved": _l("เลื่อนกำหนด"),
    "evidence_added": _l("แนบหลักฐาน"), "measure_done": _l("มาตรการเสร็จสิ้น"),
    "cycle_loaded": _l("นำเข้ามาตรการ"), "cycle_cloned": _l("คัดลอกไปปีถัดไป"), "login": _l("เข้าสู่ระบบ"),
    "login_failed": _l("เข้าสู่ระบบไม่สำเร็จ"), "logout": _l("ออกจากระบบ"),
    "access_denied": _l("ถูกปฏิเสธการเข้าถึง"), "round_reported": _l("สร้างรายงานการติดตาม"),
    "round_minutes": _l("บันทึกการประชุมติดตาม"), "user_created": _l("เพิ่มผู้ใช้"),
    "user_updated": _l("แก้ไขผู้ใช้"), "group_updated": _l("แก้ไขกลุ่มงาน"),
    "password_changed": _l("เปลี่ยนรหัสผ่าน"), "notify_changed": _l("เปลี่ยนการแจ้งเตือน"),
    "token_created": _l("สร้างโทเค็น"), "token_revoked": _l("ยกเลิกโทเค็น"),
    "cycle_published": _l("เปิดหน้าเผยแพร่"), "cycle_unpublished": _l("ปิดหน้าเผยแพร่"),
    "evidence_public": _l("เผยแพร่หลักฐาน"), "evidence_private": _l("เลิกเผยแพร่หลักฐาน"),
    "language_changed": _l("เปลี่ยนภาษา"), "draft_created": _l("สร้างร่างมาตรการ"),
    "draft_edited": _l("แก้ไขร่างมาตรการ"), "draft_confirmed": _l("ยืนยันร่างมาตรการ"),
    "draft_discarded": _l("ทิ้งร่างมาตรการ"), "step_added": _l("เพิ่มขั้นตอนใหม่"),
    "evidence_withdrawn": _l("ถอนหลักฐาน"), "emblem_changed": _l("เปลี่ยนตราของหน่วยงาน"),
    "framework_saved": _l("บันทึกเกณฑ์การประเมิน"), "framework_chosen": _l("เลือกเกณฑ์การประเมิน"),
    "step_removed": _l("ลบขั้นตอน"), "answer_sheet_signed": _l("ลงนามรับรองแบบตอบ ITAS"),
    "links_checked": _l("ตรวจลิงก์"), "evidence_item": _l("กำหนดตัวชี้วัดของหลักฐาน"),
    "oit_work_planned": _l("มอบหมายงาน OIT"), "draft_from_cycle": _l("เริ่มร่างปีถัดไปจากรอบปี"),
    "line_channel_saved": _l("ตั้งค่า LINE"), "line_target_joined": _l("บอท LINE เข้ากลุ่ม"),
    "line_target_left": _l("บอท LINE ออกจากกลุ่ม"), "line_group_bound": _l("ผูกกลุ่ม LINE"),
    "line_person_linked": _l("เชื่อมบัญชี LINE ส่วนตัว"), "line_target_unbound": _l("ยกเลิกการผูก LINE"),
    "line_code_refused": _l("ใส่รหัส LINE ไม่ถูกต้อง"),
    "agency_added": _l("เพิ่มหน่วยงาน"), "agency_renamed": _l("เปลี่ยนชื่อหน่วยงาน"),
    "agency_moved": _l("ย้ายหน่วยงานในสังกัด"), "profile_changed": _l("แก้ไขโปรไฟล์"),
    "token_refused": _l("ปฏิเสธโทเค็นหรือลิงก์ปฏิทินที่ไม่ถูกต้อง"),
    "token_revoke_refused": _l("ปฏิเสธการยกเลิกโทเค็นของผู้อื่น"),
    "password_set_by_link": _l("ตั้งรหัสผ่านด้วยลิงก์"), "password_change_failed": _l("ใส่รหัสผ่านเดิมไม่ถูกต้อง"),
    "password_check_failed": _l("ยืนยันรหัสผ่านไม่สำเร็จ"), "invitation_sent": _l("ส่งลิงก์ตั้งรหัสผ่าน"),
    "memo_mapping_kept": _l("บันทึกการจับคู่โครงสร้างบันทึก"), "draft_remapped": _l("อ่านบันทึกใหม่ตามการจับคู่"),
    "second_factor_added": _l("เพิ่มการยืนยันตัวตนขั้นที่สอง"),
    "second_factor_removed": _l("ลบการยืนยันตัวตนขั้นที่สอง"),
    "second_factor_passed": _l("ยืนยันตัวตนขั้นที่สองผ่าน"),
    "second_factor_failed": _l("ยืนยันตัวตนขั้นที่สองไม่ผ่าน"),
    "second_factor_reset": _l("ล้างการยืนยันตัวตนขั้นที่สอง"),
    "second_factor_policy_set": _l("กำหนดผู้ที่ต้องยืนยันตัวตนสองขั้น"),
    "recovery_codes_renewed": _l("สร้างรหัสกู้คืนชุดใหม่"),
    "login_refused": _l("เข้าสู่ระบบด้วยรหัสผ่านไม่ได้ (ต้องใช้ SSO)"), "sso_refused": _l("เข้าสู่ระบบด้วย SSO ไม่สำเร็จ"),
    "sso_failed": _l("คำตอบจากผู้ให้บริการ SSO ตรวจสอบไม่ผ่าน"), "sso_linked": _l("ผูกบัญชี SSO"),
    "sso_unlinked": _l("ยกเลิกการผูกบัญชี SSO"), "sso_provider_changed": _l("ตั้งค่าผู้ให้บริการ SSO"),
    "sso_required_changed": _l("ตั้งค่าการบังคับใช้ SSO"), "citizen_id_set": _l("บันทึกเลขประจำตัวประชาชน"),
    "citizen_id_cleared": _l("ลบเลขประจำตัวประชาชน"),
    "absence_recorded": _l("บันทึกการไม่อยู่แล้ว"), "absence_cancelled": _l("ยกเลิกบันทึกการไม่อยู่"),
}

#: every state an audit event names (a step's, a measure's, a round's, a LINE target's; a language; the agency's
#: second-factor rule), in Thai on the audit page; tests/test_audit.py finds each one the code writes
AUDIT_STATE_TH = {
    "blocked": _l("รอขั้นตอนก่อนหน้า"), "open": _l("กำลังดำเนินการ"), "done": _l("เสร็จแล้ว"),
    "active": _l("กำลังดำเนินการ"), "planned": _l("ตามแผน"), "reported": _l("รายงานแล้ว"),
    "held": _l("ประชุมแล้ว"), "pending": _l("รอรหัสยืนยัน"), "bound": _l("ผูกแล้ว"), "left": _l("ออกแล้ว"),
    "th": _l("ภาษาไทย"), "en": _l("ภาษาอังกฤษ"), "none": _l("ไม่บังคับ"),
    "privileged": _l("ผู้ดูแลระบบ ผู้บริหาร และฝ่ายเลขานุการ"), "everyone": _l("ทุกคน"),
}


def _style() -> str:
    """Digits as the viewer chose; English pages use Arabic digits. Asked once a request (a page of 130 rows asks
    it a thousand times)."""
    known = g.get("digit_style_chosen")
    if known is not None:
        return known
    user = g.get("user")
    style = "arabic" if language() == "en" else user.digit_style if user is not None else "thai"
    if user is not None:
        g.digit_style_chosen = style
    return style


def _be(day, style: str = "abbr") -> str:
    return format_be(day, style=style, digit_style=_style(), lang=language()) if day else "-"


def _be_text(value) -> str:
    """A date as a definitions file writes it (``2567-05-30``), shown like any other date; kept as written
    when it is not one."""
    from workflow.thaidate import ThaiDateError, parse_thai_date

    if not value:
        return "-"
    try:
        return _be(parse_thai_date(str(value)))
    except ThaiDateError:
        return str(value)


def _be_dt(moment) -> str:
    return format_be_datetime(moment, digit_style=_style(), lang=language()) if moment else "-"


def init_filters(app: Flask) -> None:
    app.jinja_env.filters["be"] = _be
    app.jinja_env.filters["be_dt"] = _be_dt
    app.jinja_env.filters["be_text"] = _be_text

    def oit_code(cycle, role: str) -> str:
        """The OIT item a document answers in the cycle's framework ("O42" in 2566, "O25" in 2569), or ""."""
        from workflow.engine import frameworks

        return frameworks.code_for(cycle, role) or ""

    app.jinja_env.globals["oit_code"] = oit_code
    from workflow.channels.linebind import own_target

    app.jinja_env.globals["line_of"] = own_target
    app.jinja_env.filters["num"] = lambda n: digits(str(n), _style())
    # a step's title, with the month an occurrence of a monthly step is for, in the viewer's words
    app.jinja_env.filters["step_title"] = lambda s: step_title(s, language(), _style())
    app.jinja_env.filters["month_words"] = lambda m: month_words(m, language(), _style())
    # whom someone acted for (รักษาราชการแทน ...), from an audit event's or a decision's record of it
    app.jinja_env.filters["acted_for"] = lambda acting: acted_for_words(acting, language())
    app.jinja_env.filters["state_th"] = lambda s: label(s, language())
    app.jinja_env.filters["role_th"] = lambda r: role_label(r, language())
    app.jinja_env.filters["action_th"] = lambda a: gettext(ACTION_TH[a]) if a in ACTION_TH else a
    app.jinja_env.filters["audit_state_th"] = lambda s: gettext(AUDIT_STATE_TH[s]) if s in AUDIT_STATE_TH else s

    @app.context_processor
    def navigation():
        user = g.get("user")
        if user is None:
            return {"nav_counts": {}, "current_lang": language()}
        directed, groups = viewer_scope()
        return {"nav_counts": {"mine": queries.count_my_open_steps(user, groups),
                               "approvals": queries.count_approvals(user, directed)},
                "is_director": bool(directed), "current_lang": language(),
                "has_units": user.has_role("supervisor", "executive", "admin") and queries.has_units(user.agency_id)}
