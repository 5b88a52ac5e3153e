"""Personal API tokens and calendar feed addresses: created and revoked by their owner, stored hashed."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from workflow import audit
from workflow.db import db
from workflow.errors import NotFound, PermissionDenied, ValidationError
from workflow.models import TOKEN_KINDS, AccessToken, Cycle, User

PREFIX = {"api": "itf_", "ics": "cal_"}
MAX_ACTIVE = 20
#: last_used_at is written at most this often, so a busy client does not write on every request
TOUCH_EVERY = timedelta(minutes=5)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(user_id: int, kind: str, name: str, *, now: datetime, cycle_id: int | None = None
           ) -> tuple[AccessToken, str]:
    """A new token; returns the row and the secret, which is shown once and never stored."""
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        raise PermissionDenied("บัญชีนี้ใช้ไม่ได้", "this account cannot act")
    if kind not in TOKEN_KINDS:
        raise ValidationError("ชนิดของโทเค็นไม่ถูกต้อง", "unknown token kind")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError("กรุณาตั้งชื่อโทเค็น ไม่เกิน 100 ตัวอักษร", "give the token a name of at most 100 characters")
    if cycle_id is not None and (kind != "ics" or db.session.get(Cycle, cycle_id) is None):
        raise ValidationError("ไม่พบรอบการประเมินที่เลือก", "no such cycle")
    active = db.session.scalars(select(AccessToken.id).where(
        AccessToken.user_id == user_id, AccessToken.revoked_at.is_(None))).all()
    if len(active) >= MAX_ACTIVE:
        raise ValidationError(f"มีโทเค็นที่ใช้งานอยู่ครบ {MAX_ACTIVE} รายการแล้ว กรุณายกเลิกรายการที่ไม่ใช้ก่อน",
                              f"you already have {MAX_ACTIVE} active tokens; revoke one first")
    secret = PREFIX[kind] + secrets.token_urlsafe(32)
    token = AccessToken(user_id=user_id, kind=kind, cycle_id=cycle_id, name=name, token_hash=_hash(secret),
                        prefix=secret[:10], created_at=now)
    db.session.add(token)
    db.session.flush()
    audit.record("token_created", agency_id=_agency_of(user_id),
                 actor_id=user_id, now=now, target_type="token", target_id=token.id,
                 data={"kind": kind, "name": name, "cycle": cycle_id})
    return token, secret


def revoke(token_id: int, actor_id: int, *, now: datetime) -> AccessToken:
    token = db.session.get(AccessToken, token_id)
    actor = db.session.get(User, actor_id)
    if token is None or actor is None:
        raise NotFound("ไม่พบโทเค็นนี้", "no such token")
    if token.user_id != actor_id and not actor.has_role("admin"):
        # someone else's: it does not exist for this person, and the attempt is on record
        audit.record("token_revoke_refused", agency_id=_agency_of(actor_id),
                     actor_id=actor_id, now=now, target_type="token", target_id=token.id)
        raise NotFound("ไม่พบโทเค็นนี้", "no such token", keep_audit=True)
    if token.revoked_at is None:
        token.revoked_at = now
        audit.record("token_revoked", agency_id=_agency_of(actor_id),
                     actor_id=actor_id, now=now, target_type="token", target_id=token.id,
                     data={"kind": token.kind, "name": token.name})
    return token


def _agency_of(user_id: int) -> int | None:
    """The chain a person's token events go on: their agency's."""
    person = db.session.get(User, user_id)
    return person.agency_id if person is not None else None


def refused(kind: str, where: str, *, now: datetime) -> None:
    """A secret that matched no live token: on record, without the secret (``where`` is the route)."""
    audit.record("token_refused", agency_id=None, actor_id=None, now=now, target_type="token", note=where[:200],
                 data={"kind": kind})


def verify(secret: str | None, kind: str, *, now: datetime) -> AccessToken | None:
    """The live token behind a secret (its owner active), or None. Marks when it was last used."""
    if not secret or not secret.startswith(PREFIX.get(kind, "?")) or len(secret) > 100:
        return None
    token = db.session.execute(select(AccessToken).where(AccessToken.token_hash == _hash(secret))).scalar_one_or_none()
    if token is None or token.kind != kind or token.revoked_at is not None or not token.user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        token.last_used_at = now
    return token


def of_user(user_id: int) -> list[AccessToken]:
    return list(db.session.execute(select(AccessToken).where(AccessToken.user_id == user_id)
                                   .order_by(AccessToken.revoked_at.is_not(None), AccessToken.id.desc())).scalars())
