"""Secret tokens: personal API tokens and calendar (ICS) feed addresses. Only a hash is stored."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.db import Model
from workflow.models.types import UTCDateTime

if TYPE_CHECKING:
    from workflow.models.cycle import Cycle
    from workflow.models.org import User

#: api: a personal API token; ics: a calendar feed (of its owner, or of a whole cycle when cycle_id is set)
TOKEN_KINDS = ("api", "ics")


class AccessToken(Model):
    """A secret the owner may revoke; the secret itself is shown once and never stored."""

    __tablename__ = "access_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    #: for a calendar feed of a whole cycle; None: the owner's own steps, reviews and rounds
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycle.id", ondelete="CASCADE"), nullable=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    #: SHA-256 of the secret (the secret has 256 random bits, so a plain hash is enough)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    #: the first characters of the secret, to tell tokens apart on screen
    prefix: Mapped[str] = mapped_column(String(12), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    user: Mapped[User] = relationship()
    cycle: Mapped[Cycle | None] = relationship()
