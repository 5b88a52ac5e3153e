"""Memos read in the background (issue 24): a scan or a photo read by OCR takes a minute or more, so the web
import keeps the file, makes a ``MemoImport`` row and a Celery job reads it (``tasks.jobs.read_memo_import``),
telling the row how many pages are read; the officer may leave and come back (``in_progress`` lists them on the
drafts page). When done the row names the draft; a draft from OCR keeps the pages' images beside its text.

Files live under the instance folder (``imports/<id>/``): ``memo`` (the upload, removed once read) and
``page-N.png`` (the pages as the draft shows them, served only to the draft's agency's editors). Nothing is
kept for a file refused before the job (``check``: size, type, encryption, pages, image bombs)."""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from workflow.db import db
from workflow.errors import ItaflowError, NotFound, ValidationError
from workflow.models import Draft, MemoImport
from workflow.onboarding import drafts, mappings, pdfmemo

#: a file with at least this many pages to read by OCR goes to the background; a typed PDF is read at once
BACKGROUND_OCR_PAGES = 1


def folder_of(import_id: int) -> Path:
    return current_app.config["ITAFLOW"].instance_path / "imports" / str(int(import_id))


def needs_background(data: bytes) -> pdfmemo.Checked | None:
    """For a PDF or an image: its check (raises ValidationError for a file refused), returned when it has pages
    to read by OCR (read in the background); None for a typed PDF or any other file (read at once)."""
    if not data.startswith((b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        return None
    checked = pdfmemo.check(data)
    return checked if checked.ocr_pages >= BACKGROUND_OCR_PAGES else None


def start(*, actor_id: int, now: datetime, data: bytes, name: str, pages: int) -> MemoImport:
    """The row and the kept file of a memo to read in the background (the caller commits, then queues)."""
    actor = drafts._actor(actor_id)
    row = MemoImport(agency_id=actor.agency_id, created_by_id=actor.id, created_at=now, updated_at=now,
                     name=(name or "memo")[:200], state="queued", pages_done=0, pages_total=pages)
    db.session.add(row)
    db.session.flush()
    folder = folder_of(row.id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "memo").write_bytes(data)
    return row


def get(import_id: int, *, actor_id: int) -> MemoImport:
    """An import of the actor's own agency (another agency's is as if it did not exist)."""
    actor = drafts._actor(actor_id)
    row = db.session.get(MemoImport, import_id)
    if row is None or row.agency_id != actor.agency_id:
        raise NotFound(f"ไม่พบการนำเข้าเลขที่ {import_id}", f"no import {import_id}")
    return row


def in_progress(*, actor_id: int) -> list[MemoImport]:
    """The agency's imports still being read, or that failed and were not dismissed, newest first."""
    actor = drafts._actor(actor_id)
    return list(db.session.execute(
        select(MemoImport).where(MemoImport.agency_id == actor.agency_id,
                                 MemoImport.state.in_(("queued", "reading", "failed")))
        .order_by(MemoImport.created_at.desc())).scalars())


def dismiss(import_id: int, *, actor_id: int) -> None:
    """A failed import taken off the list (its files with it)."""
    row = get(import_id, actor_id=actor_id)
    if row.state != "failed":
        raise ValidationError("ลบได้เฉพาะการนำเข้าที่อ่านไม่สำเร็จ", "only a failed import can be removed")
    shutil.rmtree(folder_of(row.id), ignore_errors=True)
    db.session.delete(row)


def run(import_id: int, now: datetime, commit=None) -> MemoImport | None:
    """Read a kept memo (the job's body): the pages read told to the row as they go (``commit`` is called after
    each change so the officer's page sees it), then the draft made, the pages' images kept for it. A job
    delivered twice does nothing the second time. Returns the row, or None when it is gone."""
    commit = commit or db.session.commit
    row = db.session.get(MemoImport, import_id)
    if row is None or row.state in ("done", "failed"):
        return row
    folder = folder_of(row.id)
    source_file = folder / "memo"
    if not source_file.exists():
        return _fail(row, now, ValidationError("ไม่พบไฟล์ที่ส่งมา (อาจถูกลบไปแล้ว) ส่งไฟล์อีกครั้ง",
                                               "the file sent is gone: send it again"), commit)
    data = source_file.read_bytes()
    row.state, row.updated_at = "reading", now
    commit()

    def progress(done: int, total: int) -> None:
        row.pages_done, row.pages_total = done, total
        commit()

    try:
        memo = pdfmemo.read_any(data, row.name, progress=progress)
        draft = mappings.import_draft(actor_id=row.created_by_id or 0, now=now, data=data, name=row.name)
        pages = pdfmemo.page_images(data, str(folder)) if memo.kind == "ocr" else 0
    except ItaflowError as exc:
        db.session.rollback()
        return _fail(db.session.get(MemoImport, import_id), now, exc, commit)
    source = dict(draft.source or {})
    source["import_id"] = row.id
    source["page_images"] = pages
    source["doubtful"] = list(memo.doubtful)
    source["confidences"] = [round(c) for c in getattr(memo, "confidences", [])]
    draft.source = source
    row.state, row.draft_id, row.updated_at = "done", draft.id, now
    row.pages_done = max(row.pages_done, row.pages_total)
    source_file.unlink(missing_ok=True)
    commit()
    return row


def _fail(row: MemoImport | None, now: datetime, exc: ItaflowError, commit) -> MemoImport | None:
    if row is None:
        return None
    row.state, row.updated_at = "failed", now
    row.error_th, row.error_en = exc.message_th[:500], exc.message_en[:500]
    (folder_of(row.id) / "memo").unlink(missing_ok=True)
    commit()
    return row


def page_image(draft: Draft, number: int) -> Path:
    """The path of a page's image of a draft read by OCR (the caller has checked the draft is the actor's)."""
    source = draft.source or {}
    import_id = source.get("import_id")
    if not import_id or not 1 <= number <= int(source.get("page_images") or 0):
        raise NotFound(f"ไม่พบภาพหน้า {number}", f"no page image {number}")
    path = folder_of(int(import_id)) / f"page-{int(number)}.png"
    if not path.exists():
        raise NotFound(f"ไม่พบภาพหน้า {number}", f"no page image {number}")
    return path


def ocr_view(draft: Draft, index: int) -> dict | None:
    """For a draft read by OCR, a measure's memo text beside its pages: each line with whether OCR read it with
    low confidence (for the officer to check against the image), and the pages it is on."""
    source = draft.source or {}
    if source.get("kind") != "ocr":
        return None
    ranges = source.get("sources") or []
    if index >= len(ranges):
        return None
    first, last = ranges[index]
    lines, origins = source.get("lines") or [], source.get("origins") or []
    doubtful = set(source.get("doubtful") or [])
    shown, pages = [], []
    for i in range(first - 1, min(last, len(lines))):
        shown.append({"text": lines[i].replace("\t", "  |  ").replace("\ue000", " / "), "doubtful": i in doubtful,
                      "where": origins[i] if i < len(origins) and origins[i] else ""})
        if i < len(origins) and origins[i] and (m := re.match(r"หน้า (\d+)", origins[i])):
            number = int(m[1])
            if number not in pages and number <= int(source.get("page_images") or 0):
                pages.append(number)
    return {"lines": shown, "pages": pages}
