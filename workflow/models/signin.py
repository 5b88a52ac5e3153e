"""Single sign-on: which providers an agency lets its people use, and the identities linked to accounts.

Nobody gets an account by having one somewhere else: a sign-in through a provider only ever finds an account
an admin created or invited (workflow/people/signin.py). What links it is kept here, as keyed hashes only.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import Model
from workflow.models.types import UTCDateTime

#: what a linked identity holds: a provider's subject (``sub``), written at the first sign-in that matched;
#: or a citizen id (เลขประจำตัวประชาชน) entered by an admin, which any citizen-id provider (ThaID) matches
IDENTITY_KINDS = ("subject", "citizen")
#: the provider column of a citizen id: it is the person's, whichever provider reads it
ANY_PROVIDER = "*"


class AgencySignIn(Model):
    """One provider switched on (or off) for an agency, and for its units too when ``for_units``: a unit without
    a row of its own follows its nearest parent whose row is for its units. ``domain`` is what the agency's
    accounts must come from: Google's Workspace domain (``hd``) or Microsoft's tenant id (``tid``)."""

    __tablename__ = "agency_sign_in"
    __table_args__ = (UniqueConstraint("agency_id", "provider", name="agency_sign_in_provider"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"), nullable=False, index=True)
    #: the deployment's provider id (``ITAFLOW_SSO_PROVIDERS``)
    provider: Mapped[str] = mapped_column(String(32), nullable=False)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    for_units: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    domain: Mapped[str | None] = mapped_column(String(255), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True)


class SignInIdentity(Model):
    """An identity linked to an account, kept as HMAC-SHA256 under ``ITAFLOW_IDENTITY_KEY``: never the subject
    or the citizen id itself. One per account and provider (and one citizen id per account); one account per
    identity."""

    __tablename__ = "sign_in_identity"
    __table_args__ = (UniqueConstraint("kind", "provider", "value_hash", name="sign_in_identity_value"),
                      UniqueConstraint("user_id", "kind", "provider", name="sign_in_identity_user"))
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False, index=True)
    #: one of IDENTITY_KINDS
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    #: the provider id, or ANY_PROVIDER for a citizen id
    provider: Mapped[str] = mapped_column(String(32), nullable=False)
    value_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    #: what an admin sees of a subject: the e-mail it signed in with at the time (nothing for a citizen id)
    label: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
