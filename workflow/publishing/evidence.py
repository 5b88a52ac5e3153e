"""Add evidence to a step: notes, links and files (checked by extension and by content)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

from flask import current_app
from sqlalchemy import func, select, update

from workflow import acting, audit
from workflow.db import db
from workflow.errors import NotFound, PermissionDenied, RateLimited, ValidationError
from workflow.models import Evidence, Step, User
from workflow.people import permissions
from workflow.thaidate import bangkok_today

MAX_NOTE = 5000
MAX_FILE = 10 * 1024 * 1024
#: files a step may hold, and files (and their bytes) one person may upload in a day: a step's evidence is a
#: handful of signed documents; anything beyond is a mistake or an abuse, and the disk is the agency's
MAX_FILES_PER_STEP = 20
MAX_FILES_PER_DAY = 100
MAX_BYTES_PER_DAY = 200 * 1024 * 1024
#: files one person may upload in any minute: the daily quota does not bound a burst (15 files of 1 MB in a
#: third of a second, by a script); a person attaching a step's documents never needs more
MAX_FILES_PER_MINUTE = 10


@dataclass(frozen=True)
class FileKind:
    content_type: str
    magic: tuple[bytes, ...]  # accepted leading bytes; empty: text, checked as UTF-8


#: what officials attach: PDFs, office documents, images, plain text
ALLOWED = {
    "pdf": FileKind("application/pdf", (b"%PDF-",)),
    "png": FileKind("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": FileKind("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": FileKind("image/jpeg", (b"\xff\xd8\xff",)),
    "docx": FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "xlsx": FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "pptx": FileKind("application/vnd.openxmlformats-officedocument.presentationml.presentation",
                     (b"PK\x03\x04",)),
    "doc": FileKind("application/msword", (b"\xd0\xcf\x11\xe0",)),
    "xls": FileKind("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
    "txt": FileKind("text/plain", ()),
    "csv": FileKind("text/csv", ()),
}


def upload_folder() -> Path:
    folder = current_app.config["ITAFLOW"].instance_path / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _step_for_owner(step_id: int, actor_id: int, now: datetime) -> tuple[Step, User]:
    step = db.session.get(Step, step_id)
    if step is None:
        raise NotFound(f"ไม่พบขั้นตอนเลขที่ {step_id}", f"no step {step_id}")
    actor = db.session.get(User, actor_id)
    if actor is None or not actor.active:
        raise PermissionDenied("บัญชีนี้ใช้ไม่ได้", "this account cannot act")
    acting.attach(actor, bangkok_today(now))  # who acts for an owner today adds evidence too
    if not permissions.is_owner(actor, step):
        raise PermissionDenied("เฉพาะผู้รับผิดชอบขั้นตอนนี้แนบหลักฐานได้", "only the step's owners may add evidence")
    if step.state == "done":
        raise ValidationError("ขั้นตอนนี้เสร็จแล้ว แนบหลักฐานเพิ่มไม่ได้", "this step is done; no more evidence")
    return step, actor


def _record(step: Step, actor: User, evidence: Evidence, now: datetime) -> Evidence:
    from workflow.publishing.oitwork import item_of

    evidence.oit_code = evidence.oit_code or item_of(step)  # an OIT item's step: its evidence answers the item
    db.session.add(evidence)
    db.session.flush()
    audit.record("evidence_added", agency_id=step.measure.cycle.agency_id,
                 actor_id=actor.id, now=now, target_type="step", target_id=step.id,
                 data={"evidence": evidence.id, "kind": evidence.kind, "filename": evidence.filename,
                       "measure": step.measure.code, "number": step.number, **_acting(actor, step)})
    return evidence


def _acting(actor: User, step: Step) -> dict:
    acting = permissions.standing_in(actor, step)
    return {"acting": acting} if acting else {}


def add_note(step_id: int, *, actor_id: int, now: datetime, text: str) -> Evidence:
    text = (text or "").strip()
    if not text:
        raise ValidationError("กรุณาพิมพ์บันทึก", "write the note")
    if len(text) > MAX_NOTE:
        raise ValidationError(f"บันทึกยาวเกิน {MAX_NOTE} ตัวอักษร", f"the note is longer than {MAX_NOTE} characters")
    step, actor = _step_for_owner(step_id, actor_id, now)
    return _record(step, actor, Evidence(step_id=step.id, kind="note", text=text, added_by_id=actor.id,
                                         added_at=now), now)


def add_link(step_id: int, *, actor_id: int, now: datetime, url: str, text: str | None = None) -> Evidence:
    url = (url or "").strip()
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > 2000:
        raise ValidationError("ลิงก์ต้องขึ้นต้นด้วย http:// หรือ https://", "a link must start with http:// or https://")
    step, actor = _step_for_owner(step_id, actor_id, now)
    return _record(step, actor, Evidence(step_id=step.id, kind="link", url=url, text=(text or "").strip() or None,
                                         added_by_id=actor.id, added_at=now), now)


def _check_quota(step_id: int, actor_id: int, size: int, now: datetime) -> None:
    # one upload of a person at a time: their row is locked (an UPDATE that changes nothing) until the request
    # commits, so a burst sent at once is counted one file after the other and cannot slip past the limits
    db.session.execute(update(User).where(User.id == actor_id).values(session_version=User.session_version)
                       .execution_options(synchronize_session=False))
    recent = db.session.scalar(select(func.count()).select_from(Evidence).where(
        Evidence.added_by_id == actor_id, Evidence.kind == "file", Evidence.added_at > now - timedelta(minutes=1))) or 0
    if recent >= MAX_FILES_PER_MINUTE:
        raise RateLimited(f"แนบไฟล์ถี่เกินไป (ไม่เกิน {MAX_FILES_PER_MINUTE} ไฟล์ต่อนาที) รอสักครู่แล้วลองใหม่",
                          f"too many files at once (at most {MAX_FILES_PER_MINUTE} a minute); wait a moment")
    on_step = db.session.scalar(select(func.count()).select_from(Evidence).where(
        Evidence.step_id == step_id, Evidence.kind == "file")) or 0
    if on_step >= MAX_FILES_PER_STEP:
        raise ValidationError(f"ขั้นตอนนี้มีไฟล์ครบ {MAX_FILES_PER_STEP} ไฟล์แล้ว รวมเป็นไฟล์เดียว (เช่น PDF) แล้วแนบใหม่",
                              f"this step already holds {MAX_FILES_PER_STEP} files: combine them into one (a PDF)")
    count, total = db.session.execute(select(func.count(), func.coalesce(func.sum(Evidence.size), 0)).where(
        Evidence.added_by_id == actor_id, Evidence.kind == "file",
        Evidence.added_at > now - timedelta(days=1))).one()
    if count >= MAX_FILES_PER_DAY or int(total or 0) + size > MAX_BYTES_PER_DAY:
        raise ValidationError(f"วันนี้ท่านแนบไฟล์ครบโควตาแล้ว ({MAX_FILES_PER_DAY} ไฟล์ หรือ "
                              f"{MAX_BYTES_PER_DAY // 2**20} MB ใน 24 ชั่วโมง) ลองใหม่พรุ่งนี้ หรือติดต่อผู้ดูแลระบบ",
                              f"you reached today's upload quota ({MAX_FILES_PER_DAY} files or "
                              f"{MAX_BYTES_PER_DAY // 2**20} MB in 24 hours); try tomorrow or ask an admin")


def add_file(step_id: int, *, actor_id: int, now: datetime, filename: str, data: bytes) -> Evidence:
    """Checked by extension and by content; stored under a generated name outside the static files."""
    name = Path((filename or "").replace("\\", "/")).name.strip()
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    kind = ALLOWED.get(ext)
    if not name or kind is None:
        raise ValidationError(f"ไฟล์ชนิดนี้แนบไม่ได้ ใช้ได้: {', '.join(sorted(ALLOWED))}",
                              f"this file type is not allowed; use: {', '.join(sorted(ALLOWED))}")
    if not data:
        raise ValidationError("ไฟล์ว่าง", "the file is empty")
    if len(data) > MAX_FILE:
        raise ValidationError("ไฟล์ใหญ่เกิน 10 MB", "the file is larger than 10 MB")
    if kind.magic and not any(data.startswith(m) for m in kind.magic):
        raise ValidationError(f"เนื้อหาไฟล์ไม่ใช่ .{ext} จริง", f"the file's content is not really .{ext}")
    if not kind.magic:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError("ไฟล์ข้อความต้องเป็น UTF-8", "a text file must be UTF-8") from None
    step, actor = _step_for_owner(step_id, actor_id, now)
    _check_quota(step.id, actor.id, len(data), now)
    stored = f"{secrets.token_hex(16)}.{ext}"
    (upload_folder() / stored).write_bytes(data)
    return _record(step, actor, Evidence(step_id=step.id, kind="file", filename=name[:255], stored_name=stored,
                                         content_type=kind.content_type, size=len(data), added_by_id=actor.id,
                                         added_at=now), now)


def withdraw(evidence_id: int, *, actor_id: int, now: datetime) -> Evidence:
    """Its owner withdraws a piece of evidence while the step is open (a wrong, unsigned file): it leaves the
    step's evidence (and any public page) but stays in the history, with who withdrew it and when. Audited."""
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None:
        raise NotFound(f"ไม่พบหลักฐานเลขที่ {evidence_id}", f"no evidence {evidence_id}")
    step, actor = _step_for_owner(evidence.step_id, actor_id, now)
    if evidence.withdrawn_at is not None:
        raise ValidationError("หลักฐานนี้ถอนไปแล้ว", "this evidence was withdrawn already")
    evidence.withdrawn_at, evidence.withdrawn_by_id, evidence.public = now, actor.id, False
    db.session.flush()
    audit.record("evidence_withdrawn", agency_id=step.measure.cycle.agency_id, actor_id=actor.id, now=now,
                 target_type="step", target_id=step.id,
                 data={"evidence": evidence.id, "kind": evidence.kind, "filename": evidence.filename,
                       "measure": step.measure.code, "number": step.number, **_acting(actor, step)})
    return evidence


def replace_file(evidence_id: int, *, actor_id: int, now: datetime, filename: str, data: bytes) -> Evidence:
    """A signed file in place of an unsigned one: the new file is added and the old withdrawn, together (a
    refused upload withdraws nothing)."""
    old = db.session.get(Evidence, evidence_id)
    if old is None:
        raise NotFound(f"ไม่พบหลักฐานเลขที่ {evidence_id}", f"no evidence {evidence_id}")
    _step_for_owner(old.step_id, actor_id, now)
    if old.withdrawn_at is not None:
        raise ValidationError("หลักฐานนี้ถอนไปแล้ว", "this evidence was withdrawn already")
    new = add_file(old.step_id, actor_id=actor_id, now=now, filename=filename, data=data)
    withdraw(evidence_id, actor_id=actor_id, now=now)
    return new
