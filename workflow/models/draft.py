"""Drafts: a cycle's definitions being prepared in the browser (imported from a memo, or typed), before
they are confirmed and loaded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Model
from workflow.models.types import UTCDateTime


class Draft(Model):
    """ร่างมาตรการ: a definitions document (as its YAML file reads, dates in BE) an agency's secretariat or
    admin edits with forms; with the memo it was imported from, if any, so each measure is shown beside
    its text and what the importer did not understand."""

    __tablename__ = "draft"
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"), nullable=False, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    #: the file it came from ("memo.docx"), or "" for one typed from scratch
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    #: the definitions document, as ``itaflow import`` writes it
    document: Mapped[dict] = mapped_column(JSON, nullable=False)
    #: {"lines": [...], "origins": [...] | None, "sources": [[first, last], ...], "warnings": [[line, text], ...]}
    source: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    #: optimistic concurrency: a form saved over a newer edit (a second tab, a double submit) is refused
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}


class MemoMapping(Model):
    """การจับคู่โครงสร้างบันทึก: what each column, label or heading kind of an agency's memos holds, as its
    secretariat or admin answered on the mapping page; read again for its next memo and offered to its units
    (units under one parent often write on the parent's template)."""

    __tablename__ = "memo_mapping"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: one mapping an agency
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"), nullable=False, unique=True)
    #: {"columns": {header: [roles]}, "labels": {label: role}} (workflow.onboarding.memolayout.Mapping)
    mapping: Mapped[dict] = mapped_column(JSON, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)


class MemoImport(Model):
    """A memo being read in the background (a scan or photo read by OCR takes a minute or more): the file kept
    in the instance folder (never served as is), how far the reading is, then the draft it became or why it
    could not be read. Listed on the drafts page until its officer opens the draft."""

    __tablename__ = "memo_import"
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"), nullable=False, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    #: the file's name as uploaded
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    #: "queued", "reading", "done" or "failed"
    state: Mapped[str] = mapped_column(String(20), nullable=False, default="queued")
    pages_done: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    pages_total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("draft.id", ondelete="SET NULL"), nullable=True)
    #: why it could not be read, in Thai and English
    error_th: Mapped[str | None] = mapped_column(String(500), nullable=True)
    error_en: Mapped[str | None] = mapped_column(String(500), nullable=True)
