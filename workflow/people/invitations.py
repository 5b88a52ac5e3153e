"""Invitations: a link by e-mail with which a person sets their own password (a unit's first admin, a new
colleague, someone who forgot theirs). No one else ever types or sees it.

The link is signed with the deployment's secret key and carries the person, the moment it was made and a
fingerprint of the password it replaces, so it stops working once used (the password changed), when a newer
password is set, after ``VALID_FOR`` and when the account is disabled. Nothing is stored but the e-mail.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from workflow import audit
from workflow.channels import notify
from workflow.db import db
from workflow.errors import NotFound, ValidationError
from workflow.models import Agency, User
from workflow.people.users import hash_password

VALID_FOR = timedelta(days=7)
_SALT = "itaflow-invitation"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["ITAFLOW"].secret_key, salt=_SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(f"{user.password_hash or ''}:{user.session_version}".encode()).hexdigest()[:16]


def make_link(user: User, now: datetime) -> str:
    """The link as the e-mail keeps it (``site:/welcome/...``: made absolute when it is sent)."""
    secret = _serializer().dumps({"u": user.id, "t": int(now.timestamp()), "f": _fingerprint(user)})
    return notify.site_link(f"/welcome/{secret}")


def _refused() -> ValidationError:
    return ValidationError("ลิงก์นี้ใช้ไม่ได้แล้ว (ใช้ไปแล้ว หมดอายุ หรือไม่ครบ) กรุณาขอลิงก์ใหม่จากผู้ดูแลระบบ",
                           "this link no longer works (used, expired or cut short); ask your admin for a new one")


def holder(secret: str, now: datetime) -> User:
    """The person a link was made for, while it still works; a ValidationError otherwise."""
    try:
        data = _serializer().loads(secret)
        user = db.session.get(User, int(data["u"]))
        made = datetime.fromtimestamp(int(data["t"]), tz=now.tzinfo)
        fingerprint = str(data["f"])
    except (BadSignature, KeyError, TypeError, ValueError, OverflowError):
        raise _refused() from None
    if user is None or not user.active or fingerprint != _fingerprint(user) or not made <= now <= made + VALID_FOR:
        raise _refused()
    return user


def may_invite(actor: User, user: User) -> bool:
    """An admin invites the people of their own agency; a parent's admin, a unit's admins (the first admin's
    link again, when it expired); a unit's other people are its own admins' to invite."""
    from workflow.people import permissions

    if user.agency_id == actor.agency_id:
        return actor.active and actor.has_role("admin")
    return user.has_role("admin") and permissions.governs_agency(actor, user.agency_id)


def invite(user_id: int, *, actor_id: int | None, now: datetime) -> User:
    """E-mail a person a link to set their password. ``actor_id`` None: the command line."""
    user = db.session.get(User, user_id)
    actor = db.session.get(User, actor_id) if actor_id is not None else None
    if user is None or (actor_id is not None and (actor is None or not may_invite(actor, user))):
        raise NotFound(f"ไม่พบผู้ใช้เลขที่ {user_id}", f"no user {user_id}")
    if not user.active:
        raise ValidationError("บัญชีนี้ถูกปิดอยู่ เปิดใช้งานก่อนจึงส่งลิงก์ได้", "this account is disabled; enable it first")
    if not user.email:
        raise ValidationError("ผู้ใช้นี้ไม่มีอีเมล", "this person has no e-mail address")
    by = actor.name if actor is not None else None
    agency = db.session.get(Agency, user.agency_id)
    notify.queue("invitation", f"{int(now.timestamp())}", user, [], now, template="invitation",
                 params={"agency": agency.name if agency else ""},
                 context={"link": make_link(user, now), "days": VALID_FOR.days, "by": by, "email": user.email})
    audit.record("invitation_sent", agency_id=user.agency_id, actor_id=actor_id, now=now,
                 target_type="user", target_id=user.id, data={"email": user.email})
    return user


def accept(secret: str, *, new: str, again: str, now: datetime) -> User:
    """The person sets their password with the link; their other sessions end and the link stops working. Where
    the agency requires single sign-on a link signs in only its break-glass admin (a password, then a session,
    is what the requirement refuses)."""
    from workflow.people import signin

    user = holder(secret, now)
    if not signin.password_allowed(user):
        raise ValidationError("หน่วยงานของท่านกำหนดให้เข้าสู่ระบบด้วยบัญชีขององค์กร จึงไม่ต้องตั้งรหัสผ่าน "
                              "กรุณาเข้าสู่ระบบด้วยปุ่มของผู้ให้บริการในหน้าเข้าสู่ระบบ",
                              "your agency signs its people in through its organisation's account, so no password "
                              "is needed: use the provider's button on the sign-in page")
    if new != again:
        raise ValidationError("รหัสผ่านสองช่องไม่ตรงกัน", "the two passwords differ")
    if len(new) > 1024:
        raise ValidationError("รหัสผ่านยาวเกินไป", "the password is too long")
    user.password_hash = hash_password(new)
    user.session_version += 1
    audit.record("password_set_by_link", agency_id=user.agency_id, actor_id=user.id, now=now,
                 target_type="user", target_id=user.id)
    db.session.flush()
    return user
