"""Account changes: signing in and out, passwords, roles and the disabled switch, group directors.

Each function checks the actor's right, changes the rows, writes its audit event and flushes; the entry
point (a request, a CLI command) commits. A refused attempt that must leave a trace (a failed sign-in, a
wrong current password) is recorded and then reported by returning ``None`` or raising: the entry point
keeps that audit event and nothing else (``web/transaction.py``).
"""

from __future__ import annotations

import contextlib
import secrets
from datetime import datetime

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from workflow import audit
from workflow.db import db
from workflow.errors import NotFound, PermissionDenied, ValidationError
from workflow.models import ROLES, Group, User, UserRole
from workflow.people.users import hash_password, verify_password

MAX_PASSWORD_INPUT = 1024  # longer input is not hashed at all (argon2 on megabytes is a denial of service)


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"ไม่พบผู้ใช้เลขที่ {user_id}", f"no user {user_id}")
    return user


def _admin(actor_id: int) -> User:
    actor = _user(actor_id)
    if not actor.active or not actor.has_role("admin"):
        raise PermissionDenied("เฉพาะผู้ดูแลระบบทำได้", "only an admin may do this")
    return actor


class SsoRequired(PermissionDenied):
    """The password is right, but the person's agency requires single sign-on (workflow/people/signin.py)."""


def sign_in(email: str, password: str, *, now: datetime) -> User | None:
    """The active user with this e-mail and password, or None. Both outcomes are audited. Tries at one address
    are counted in the database (``throttle``: TooManyTries once ten failed in 15 minutes, from anywhere). A
    right password of someone whose agency requires single sign-on raises SsoRequired (audited), unless they
    are its break-glass admin.

    A password that passed is the first factor: the caller asks for the second (web/views/twofactor.py)."""
    from workflow.people import throttle

    email = (email or "").strip().lower()[:255]
    throttle.claim(f"password:{email}", now)
    user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if user is not None and len(password) <= MAX_PASSWORD_INPUT and verify_password(user, password):
        throttle.give_back(f"password:{email}")
        from workflow.people import signin

        if not signin.password_allowed(user):
            # said only to whoever knows the password: no account is discovered by it
            audit.record("login_refused", agency_id=user.agency_id, actor_id=user.id, now=now, target_type="user",
                         target_id=user.id, data={"reason": "sso_required"})
            raise SsoRequired("หน่วยงานของท่านกำหนดให้เข้าสู่ระบบด้วยบัญชีขององค์กร (ปุ่มด้านบน) รหัสผ่านใช้ไม่ได้แล้ว",
                              "your agency signs its people in through its organisation's account (the buttons "
                              "above); passwords no longer work", keep_audit=True)
        audit.record("login", agency_id=user.agency_id,
                     actor_id=user.id, now=now, target_type="user", target_id=user.id)
        return user
    if user is None or not user.password_hash:
        burn_a_hash(password[:MAX_PASSWORD_INPUT])  # an unknown address costs as much as a wrong password
    audit.record("login_failed", agency_id=user.agency_id if user else None,
                 actor_id=user.id if user else None, now=now, target_type="user",
                 target_id=user.id if user else None, note=email[:100])
    return None


def burn_a_hash(password: str) -> None:
    """Verify against a hash of nothing, so a sign-in for an unknown address takes as long as one for a
    known address with a wrong password (no account discovery by timing)."""
    from workflow.people import users

    global _DUMMY_HASH
    if _DUMMY_HASH is None or users.hasher.check_needs_rehash(_DUMMY_HASH):
        _DUMMY_HASH = users.hasher.hash(secrets.token_urlsafe(16))
    with contextlib.suppress(VerificationError, InvalidHashError):
        users.hasher.verify(_DUMMY_HASH, password)


_DUMMY_HASH: str | None = None


def sign_out(user_id: int, *, now: datetime) -> User:
    """End every session of the user (this one and those on other devices)."""
    user = _user(user_id)
    user.session_version += 1
    audit.record("logout", agency_id=user.agency_id, actor_id=user.id, now=now, target_type="user", target_id=user.id)
    return user


def change_password(user_id: int, *, current: str, new: str, again: str, now: datetime) -> User:
    """A person changes their own password; their other sessions end. A wrong current password is audited
    (``password_change_failed``) before the error is raised."""
    user = _user(user_id)
    if not verify_password(user, current[:MAX_PASSWORD_INPUT]) or len(current) > MAX_PASSWORD_INPUT:
        audit.record("password_change_failed", agency_id=user.agency_id,
                     actor_id=user.id, now=now, target_type="user", target_id=user.id)
        raise ValidationError("รหัสผ่านเดิมไม่ถูกต้อง", "the current password is wrong", keep_audit=True)
    if new != again:
        raise ValidationError("รหัสผ่านใหม่สองช่องไม่ตรงกัน", "the new passwords differ")
    user.password_hash = hash_password(new)
    user.session_version += 1
    audit.record("password_changed", agency_id=user.agency_id,
                 actor_id=user.id, now=now, target_type="user", target_id=user.id)
    return user


def update_account(user_id: int, *, actor_id: int, roles: list[str], active: bool, now: datetime,
                   email: str | None = None, group_key: str | None = None) -> User:
    """An admin sets a person's roles, whether the account may sign in (disabling ends its sessions), and, when
    given, their e-mail (unique, where alerts and password links go) and work group ("" for none)."""
    actor = _admin(actor_id)
    user = _user(user_id)
    if user.agency_id != actor.agency_id:  # an admin manages the people of their own agency only
        raise NotFound(f"ไม่พบผู้ใช้เลขที่ {user_id}", f"no user {user_id}")
    roles = list(dict.fromkeys(r for r in roles if r in ROLES)) or ["staff"]
    if user.id == actor.id and (not active or "admin" not in roles):
        raise ValidationError("ปิดบัญชีหรือถอดสิทธิ์ผู้ดูแลของตนเองไม่ได้",
                              "you cannot disable your own account or remove your own admin role")
    before = {"roles": sorted(user.roles), "active": user.active, "email": user.email, "group": user.group_id}
    if email is not None:
        from workflow.vocabulary import EMAIL_PATTERN

        email = email.strip().lower()
        if not EMAIL_PATTERN.match(email) or len(email) > 255:
            raise ValidationError(f"อีเมล '{email}' ไม่ถูกต้อง เช่น name@example.go.th",
                                  f"'{email}' is not an e-mail address")
        taken = db.session.execute(select(User.id).where(User.email == email, User.id != user.id)).first()
        if taken is not None:
            raise ValidationError(f"อีเมล {email} มีผู้ใช้อื่นใช้แล้ว", f"{email} belongs to another user")
        user.email = email
    if group_key is not None:
        group = None
        if group_key:
            group = db.session.execute(select(Group).where(Group.agency_id == user.agency_id,
                                                           Group.key == group_key)).scalar_one_or_none()
            if group is None:
                raise ValidationError("ไม่พบกลุ่มที่เลือก", "no such group")
        user.group_id = group.id if group is not None else None
    user.role_rows = [UserRole(role=r) for r in roles]
    if user.active and not active:
        user.session_version += 1  # a disabled account's sessions end now
    user.active = active
    audit.record("user_updated", agency_id=user.agency_id,
                 actor_id=actor.id, now=now, target_type="user", target_id=user.id,
                 data={"before": before, "after": {"roles": sorted(roles), "active": active, "email": user.email,
                                                   "group": user.group_id}})
    db.session.flush()
    return user


def set_group_directors(group_id: int, *, actor_id: int, director_id: int | None,
                        acting_director_id: int | None, now: datetime) -> Group:
    """An admin names a group's director (ผู้อำนวยการกลุ่ม) and acting director; None leaves the post empty."""
    actor = _admin(actor_id)
    group = db.session.get(Group, group_id)
    if group is None or group.agency_id != actor.agency_id:
        raise NotFound(f"ไม่พบกลุ่มเลขที่ {group_id}", f"no group {group_id}")
    if acting_director_id is not None and acting_director_id == director_id:  # nobody acts for themself
        raise ValidationError("ผู้รักษาการต้องเป็นผู้อื่น ไม่ใช่ผู้อำนวยการกลุ่มเอง",
                              "the acting director must be someone other than the director")
    for person_id in (director_id, acting_director_id):
        person = db.session.get(User, person_id) if person_id is not None else None
        if person_id is not None and (person is None or person.agency_id != group.agency_id):
            raise ValidationError("ไม่พบผู้ใช้ที่เลือก", "the chosen person does not exist")
    before = {"director": group.director_id, "acting": group.acting_director_id}
    group.director_id, group.acting_director_id = director_id, acting_director_id
    audit.record("group_updated", agency_id=group.agency_id,
                 actor_id=actor.id, now=now, target_type="group", target_id=group.id,
                 data={"before": before, "after": {"director": director_id, "acting": acting_director_id}})
    db.session.flush()
    return group
