"""The words of a step, once: its states, kinds and review decisions, their Thai and English labels, and the
one rule for "overdue" and "due soon". The web, the CLI, the PDFs, the spreadsheets and the emails all read
this module; the database accepts only these values (check constraints on ``step`` and
``review_decision``)."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workflow.calendar import WorkingCalendar

#: working days before its due date that an open step counts as due soon (amber)
DUE_SOON_WORKING_DAYS = 3


class StepState(StrEnum):
    BLOCKED = "blocked"  # waits for earlier steps
    OPEN = "open"  # the owner (or, for a review, the director) may act
    DONE = "done"


class StepKind(StrEnum):
    TASK = "task"
    REVIEW = "review"  # ตรวจสอบความถูกต้อง: a group director approves or sends back


class Decision(StrEnum):
    APPROVED = "approved"
    SENT_BACK = "sent_back"


class AgencyKind(StrEnum):
    """What an agency is, for the parent's roll-up filters (the ITA's own groupings)."""

    MINISTRY = "ministry"  # กระทรวง
    DEPARTMENT = "department"  # กรม / สำนักงาน (สป.ศธ., สพฐ., สอศ.)
    OFFICE = "office"  # สำนักงานศึกษาธิการจังหวัด, provincial and district offices
    AREA = "area"  # เขตพื้นที่การศึกษา
    SCHOOL = "school"
    COLLEGE = "college"
    LOCAL = "local"  # องค์กรปกครองส่วนท้องถิ่น
    HOSPITAL = "hospital"
    OTHER = "other"


class DueStatus(StrEnum):
    NONE = ""
    SOON = "soon"
    OVERDUE = "overdue"


LABELS: dict[str, tuple[str, str]] = {
    StepState.BLOCKED: ("รอขั้นตอนก่อนหน้า", "waiting for an earlier step"),
    StepState.OPEN: ("กำลังดำเนินการ", "in progress"),
    StepState.DONE: ("เสร็จแล้ว", "done"),
    StepKind.TASK: ("งาน", "task"),
    StepKind.REVIEW: ("ตรวจสอบความถูกต้อง", "accuracy check"),
    Decision.APPROVED: ("อนุมัติ", "approved"),
    Decision.SENT_BACK: ("ส่งกลับแก้ไข", "sent back"),
    AgencyKind.MINISTRY: ("กระทรวง", "ministry"),
    AgencyKind.DEPARTMENT: ("ส่วนราชการระดับกรม", "department"),
    AgencyKind.OFFICE: ("สำนักงาน", "office"),
    AgencyKind.AREA: ("เขตพื้นที่การศึกษา", "educational service area"),
    AgencyKind.SCHOOL: ("โรงเรียน", "school"),
    AgencyKind.COLLEGE: ("วิทยาลัย", "college"),
    AgencyKind.LOCAL: ("องค์กรปกครองส่วนท้องถิ่น", "local government"),
    AgencyKind.HOSPITAL: ("โรงพยาบาล", "hospital"),
    AgencyKind.OTHER: ("หน่วยงานอื่น", "other agency"),
    DueStatus.SOON: ("ใกล้ครบกำหนด", "due soon"),
    DueStatus.OVERDUE: ("เลยกำหนด", "overdue"),
}


#: the roles as the admin page names them
ROLE_LABELS: dict[str, tuple[str, str]] = {
    "staff": ("เจ้าหน้าที่", "staff"),
    "director": ("ผู้อำนวยการกลุ่ม", "group director"),
    "secretariat": ("ฝ่ายเลขานุการ", "secretariat"),
    "executive": ("ผู้บริหาร", "executive"),
    "admin": ("ผู้ดูแลระบบ", "admin"),
    "supervisor": ("ผู้กำกับติดตาม", "supervisor"),
}


def role_label(role: str, lang: str = "th") -> str:
    pair = ROLE_LABELS.get(role)
    return role if pair is None else pair[1] if lang == "en" else pair[0]


def label(value: str, lang: str = "th") -> str:
    """The label of a state, kind, decision or due status in Thai (``th``) or English (``en``)."""
    pair = LABELS.get(value)
    if pair is None:
        return value
    return pair[1] if lang == "en" else pair[0]


def due_status(state: str, due_on: date | None, today: date, calendar: WorkingCalendar | None = None) -> DueStatus:
    """One rule everywhere: a step not done whose due day has ended in Bangkok is overdue (a blocked step
    too: the measure is late whoever holds it up); one not done due within DUE_SOON_WORKING_DAYS working
    days is due soon."""
    if state == StepState.DONE or due_on is None:
        return DueStatus.NONE
    if due_on < today:
        return DueStatus.OVERDUE
    from workflow.calendar import WorkingCalendar

    if (calendar or WorkingCalendar()).working_days_between(today, due_on) <= DUE_SOON_WORKING_DAYS:
        return DueStatus.SOON
    return DueStatus.NONE


def is_overdue(step, today: date) -> bool:
    """A step (a model or a row with ``state`` and ``due_on``) overdue on ``today``."""
    return due_status(step.state, step.due_on, today) == DueStatus.OVERDUE


#: what an e-mail address looks like, wherever one is typed (a memo's people, an account, a unit's admin)
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def month_words(month: date | None, lang: str = "th", digit_style: str = "thai") -> str:
    """Which month an occurrence of a monthly step is for, as said beside its title: ``เดือนมิถุนายน ๒๕๖๗``
    (``June 2567 BE``); "" for a step that is not monthly."""
    if month is None:
        return ""
    from workflow.thaidate import format_month

    text = format_month(month, digit_style="arabic" if lang == "en" else digit_style, lang=lang)
    return text if lang == "en" else f"เดือน{text}"


def step_title(step, lang: str = "th", digit_style: str = "thai") -> str:
    """A step's title as every page, e-mail, document and spreadsheet shows it: the memo's words, and for an
    occurrence of a monthly step the month it is for (three months of 1.7's meeting open at once must not read
    the same)."""
    month = getattr(step, "month", None)
    return f"{step.title} ({month_words(month, lang, digit_style)})" if month is not None else step.title


def acted_for_words(acting: dict | None, lang: str = "th") -> str:
    """Whom someone acted for, as the records say it: ``รักษาราชการแทน ผู้อำนวยการกลุ่มบริหารงานบุคคล (นายสมชาย
    ใจดี)``; "" when they acted in their own right."""
    if not acting:
        return ""
    position, name = acting.get("position"), acting.get("name")
    whom = f"{position} ({name})" if position and name else (position or name or "")
    return f"acting for {whom}".strip() if lang == "en" else f"รักษาราชการแทน {whom}".strip()


def acting_words(person, acting: dict | None, lang: str = "th") -> str:
    """Who did something, and whom they acted for: ``นางสาววิไล ศรีสุข รักษาราชการแทน ผู้อำนวยการกลุ่ม...``."""
    name = person.name if person is not None else "-"
    said = acted_for_words(acting, lang)
    return f"{name} {said}" if said and lang != "en" else (f"{name}, {said}" if said else name)
