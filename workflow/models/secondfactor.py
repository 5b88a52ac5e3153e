"""A second factor at sign-in: an authenticator app's code (TOTP), its recovery codes, and passkeys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Model
from workflow.models.types import UTCDateTime
from workflow.secretbox import Encrypted


class TotpCredential(Model):
    """A person's authenticator app (RFC 6238: 6 digits, 30 seconds, SHA-1, as every app reads a QR code)."""

    __tablename__ = "totp_credential"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), unique=True, nullable=False)
    #: the shared seed (base32), encrypted at rest (workflow/secretbox.py)
    secret: Mapped[str] = mapped_column(Encrypted, nullable=False)
    #: the last 30-second step whose code was accepted: a code (or an older one) is never taken twice
    last_step: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    #: set when the person typed a first code from the app; until then it is being set up and signs no one in
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RecoveryCode(Model):
    """One of ten single-use codes shown once when the app is set up, kept only as a hash."""

    __tablename__ = "recovery_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False, index=True)
    #: argon2id of the code, salted (50 random bits: stored as a password is, ASVS 6.5.2)
    code_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    #: when it was used; a used code never works again
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class Passkey(Model):
    """A WebAuthn credential (a passkey, a security key, the device's fingerprint or face unlock)."""

    __tablename__ = "passkey"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False, index=True)
    #: the authenticator's credential id
    credential_id: Mapped[bytes] = mapped_column(LargeBinary, unique=True, nullable=False)
    #: the COSE public key the authenticator made
    public_key: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    #: the signature counter last seen (0 for authenticators that keep none)
    sign_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    #: how the browser can reach it ("internal", "usb", "hybrid"...)
    transports: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    #: the person's own name for it ("โทรศัพท์", "คอมพิวเตอร์ที่ทำงาน")
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
