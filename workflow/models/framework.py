"""The year's ITA framework: a named, dated list of OIT items a cycle is assessed by."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Model
from workflow.models.types import UTCDateTime


class Framework(Model):
    """เกณฑ์การประเมิน: the NACC's list for a year (shipped; agency_id None) or a parent's own (OVEC's colleges,
    corrected titles). ``items`` are ``{"code", "title", "required", "group", "responsible"}``; ``roles`` names
    the items itaflow's own documents answer (``{"measures": "O25", "report": "O26"}``)."""

    __tablename__ = "framework"
    __table_args__ = (UniqueConstraint("agency_id", "key", name="agency_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"), nullable=True)
    key: Mapped[str] = mapped_column(String(64), nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    fiscal_year_be: Mapped[int | None] = mapped_column(Integer, nullable=True)
    items: Mapped[list] = mapped_column(JSON, nullable=False)
    roles: Mapped[dict] = mapped_column(JSON, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
