"""Jinja filters and globals: BE dates in the viewer's digits, Thai state names, navigation counts."""

from __future__ import annotations

from flask import Flask, g

from web.security import viewer_scope
from workflow import queries
from workflow.thaidate import digits, format_be, format_be_datetime

STATE_TH = {"blocked": "รอขั้นตอนก่อนหน้า", "open": "กำลังดำเนินการ", "done": "เสร็จแล้ว"}
ACTION_TH = {
    "step_opened": "เปิดให้ดำเนินการ", "step_completed": "ทำเครื่องหมายเสร็จ", "review_approved": "อนุมัติ",
    "review_sent_back": "ส่งกลับแก้ไข", "step_reopened": "เปิดใหม่", "step_blocked": "รอขั้นตอนก่อนหน้า",
    "step_reassigned": "มอบหมายใหม่", "evidence_added": "แนบหลักฐาน", "measure_done": "มาตรการเสร็จสิ้น",
    "cycle_loaded": "นำเข้ามาตรการ", "cycle_cloned": "คัดลอกไปปีถัดไป", "login": "เข้าสู่ระบบ",
    "login_failed": "เข้าสู่ระบบไม่สำเร็จ", "logout": "ออกจากระบบ", "access_denied": "ถูกปฏิเสธการเข้าถึง",
    "round_reported": "สร้างรายงานการติดตาม", "round_minutes": "บันทึกการประชุมติดตาม",
    "user_created": "เพิ่มผู้ใช้", "user_updated": "แก้ไขผู้ใช้", "group_updated": "แก้ไขกลุ่มงาน",
    "password_changed": "เปลี่ยนรหัสผ่าน", "notify_changed": "เปลี่ยนการแจ้งเตือน",
}


def _style() -> str:
    user = g.get("user")
    return user.digit_style if user is not None else "thai"


def init_filters(app: Flask) -> None:
    app.jinja_env.filters["be"] = lambda d, style="abbr": format_be(d, style=style, digit_style=_style()) if d else "-"
    app.jinja_env.filters["be_dt"] = lambda t: format_be_datetime(t, digit_style=_style()) if t else "-"
    app.jinja_env.filters["num"] = lambda n: digits(str(n), _style())
    app.jinja_env.filters["state_th"] = lambda s: STATE_TH.get(s, s)
    app.jinja_env.filters["action_th"] = lambda a: ACTION_TH.get(a, a)

    @app.context_processor
    def navigation():
        user = g.get("user")
        if user is None:
            return {"nav_counts": {}}
        directed, groups = viewer_scope()
        return {"nav_counts": {"mine": queries.count_my_open_steps(user, groups),
                               "approvals": queries.count_approvals(user, directed)},
                "is_director": bool(directed)}
