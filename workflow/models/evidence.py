"""Evidence attached to a step: a note, a link or a file."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Model
from workflow.models.types import UTCDateTime


class Evidence(Model):
    """หลักฐาน: what the owner shows for a step (and the reviewer checks)."""

    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("step.id", ondelete="CASCADE"), nullable=False, index=True)
    #: "note", "link" or "file"
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    #: the name the uploader gave the file (shown, never used as a path)
    filename: Mapped[str | None] = mapped_column(String(255), nullable=True)
    #: generated name under the instance's uploads folder
    stored_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    content_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), nullable=False)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    #: shown on the public page of the cycle (off by default: evidence is internal)
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), nullable=False)
    #: withdrawn by its owner while the step was open (a wrong file, replaced): kept, and shown in the history
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    #: the OIT item it is evidence for (any item of the cycle's framework: a procurement summary for O11), shown
    #: on that item's public page when it is public too
    oit_code: Mapped[str | None] = mapped_column(String(8), nullable=True)
