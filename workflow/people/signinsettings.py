"""Single sign-on, an agency admin's settings: which of the deployment's providers the agency (and its units)
may use and with which domain, whether single sign-on is required and who its break-glass admin is, and each
person's links (the citizen id an admin enters, a provider's link removed). Each change is its own audited
event; the matching itself is ``workflow.people.signin``'s.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select

from config import SsoProvider
from workflow import audit
from workflow.db import db
from workflow.errors import NotFound, PermissionDenied, ValidationError
from workflow.models import Agency, AgencySignIn, SignInIdentity, User
from workflow.models.signin import ANY_PROVIDER
from workflow.people.signin import (
    agency_of,
    citizen_id,
    find_identity,
    identity_hashes,
    linked_identity,
    providers,
    rules,
    switch_rows,
)


def _admin(actor_id: int) -> User:
    actor = db.session.get(User, actor_id)
    if actor is None or not actor.active or not actor.has_role("admin"):
        raise PermissionDenied("เฉพาะผู้ดูแลระบบทำได้", "only an admin may do this")
    return actor


_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def _domain(p: SsoProvider, text: str | None) -> str | None:
    value = (text or "").strip().lower() or None
    if value is None or p.match == "citizen":
        return None
    if p.kind == "microsoft":
        if not _GUID.fullmatch(value):
            raise ValidationError(f"Tenant ID ของ {p.name} ต้องเป็นรูปแบบ xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
                                  f"{p.name}'s tenant id looks like xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx")
    elif not _DOMAIN.fullmatch(value):
        raise ValidationError(f"โดเมนของ {p.name} ไม่ถูกต้อง เช่น roiet.go.th", f"{p.name}'s domain is not a domain name")
    return value


#: an agency's choice for a provider: its own switch on or off, or (no row) what its parent decided for its units
CHOICES = ("on", "off", "inherit")


def set_providers(*, actor_id: int, choices: dict[str, tuple[str, bool, str | None]], now: datetime) -> list[str]:
    """An admin decides the deployment's providers for their agency: on, off, or as its parent decided for its
    units ("inherit"); when on, for its units too, and the domain (or tenant) its accounts must come from.
    ``choices``: provider id -> (choice, for units, domain). Each change is its own audited event; returns the
    providers changed."""
    actor = _admin(actor_id)
    agency = agency_of(actor)
    rows = switch_rows([agency.id])
    changed = []
    for p in providers():
        if p.id not in choices:
            continue
        choice, for_units, text = choices[p.id]
        if choice not in CHOICES:
            raise ValidationError(f"เลือก เปิด ปิด หรือตามหน่วยงานต้นสังกัด สำหรับ {p.name}",
                                  f"choose on, off or as the parent decides for {p.name}")
        domain = _domain(p, text) if choice == "on" else None
        row = rows.get((agency.id, p.id))
        before = {"enabled": row.enabled, "for_units": row.for_units, "domain": row.domain} if row else None
        after = None if choice == "inherit" else {"enabled": choice == "on", "for_units": for_units,
                                                   "domain": domain}
        if before == after:
            continue
        if after is None:
            db.session.delete(row)
        else:
            if row is None:
                row = AgencySignIn(agency_id=agency.id, provider=p.id, updated_at=now)
                db.session.add(row)
            row.enabled, row.for_units, row.domain = choice == "on", for_units, domain
            row.updated_at, row.updated_by_id = now, actor.id
        audit.record("sso_provider_changed", agency_id=agency.id, actor_id=actor.id, now=now,
                     target_type="agency", target_id=agency.id, data={"provider": p.id, "before": before,
                                                                      "after": after})
        changed.append(p.id)
    db.session.flush()
    if agency.sso_required and not rules(agency):
        raise ValidationError("หน่วยงานนี้บังคับใช้ SSO อยู่ ต้องเปิดผู้ให้บริการไว้อย่างน้อยหนึ่งราย",
                              "single sign-on is required here: keep at least one provider on")
    return changed


def set_required(*, actor_id: int, required: bool, break_glass_id: int | None, now: datetime) -> Agency:
    """An admin requires single sign-on for their agency (passwords then refused for its people) and names the
    one admin whose password still works (break-glass: the way in when the provider is down)."""
    actor = _admin(actor_id)
    agency = agency_of(actor)
    people = db.session.execute(select(User).where(User.agency_id == agency.id)).scalars().all()
    chosen = next((u for u in people if u.id == break_glass_id), None) if break_glass_id else None
    if break_glass_id and (chosen is None or not chosen.active or not chosen.has_role("admin")):
        raise ValidationError("ผู้ดูแลระบบสำรองฉุกเฉินต้องเป็นผู้ดูแลระบบของหน่วยงานนี้ที่ใช้งานอยู่",
                              "the break-glass admin must be an active admin of this agency")
    if required:
        if not rules(agency):
            raise ValidationError("เปิดผู้ให้บริการอย่างน้อยหนึ่งรายก่อนบังคับใช้ SSO",
                                  "switch a provider on before requiring single sign-on")
        if chosen is None:
            raise ValidationError("เลือกผู้ดูแลระบบสำรองฉุกเฉินหนึ่งคน (ใช้รหัสผ่านได้เมื่อผู้ให้บริการขัดข้อง)",
                                  "name one break-glass admin (their password works when the provider is down)")
        if not chosen.password_hash:
            raise ValidationError(f"{chosen.name} ยังไม่มีรหัสผ่าน จึงเป็นผู้ดูแลระบบสำรองฉุกเฉินไม่ได้",
                                  f"{chosen.name} has no password, so cannot be the break-glass admin")
    before = {"required": agency.sso_required, "break_glass": next((u.id for u in people if u.break_glass), None)}
    agency.sso_required = required
    for person in people:
        person.break_glass = chosen is not None and person.id == chosen.id
    after = {"required": required, "break_glass": chosen.id if chosen else None}
    if before != after:
        audit.record("sso_required_changed", agency_id=agency.id, actor_id=actor.id, now=now, target_type="agency",
                     target_id=agency.id, data={"before": before, "after": after})
    db.session.flush()
    return agency


def _person(actor: User, user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.agency_id != actor.agency_id:
        raise NotFound(f"ไม่พบผู้ใช้เลขที่ {user_id}", f"no user {user_id}")
    return user


def set_citizen_id(user_id: int, *, actor_id: int, number: str, now: datetime) -> User:
    """An admin enters a person's citizen id (for ThaID), or clears it with an empty one. Only its keyed hash is
    kept; the audit event says that it changed, never the number."""
    actor = _admin(actor_id)
    user = _person(actor, user_id)
    held = linked_identity(user.id, "citizen", ANY_PROVIDER)
    if not (number or "").strip():
        if held is None:
            raise ValidationError("ผู้ใช้นี้ยังไม่มีเลขประจำตัวประชาชนในระบบ", "no citizen id is kept for this person")
        db.session.delete(held)
        audit.record("citizen_id_cleared", agency_id=user.agency_id, actor_id=actor.id, now=now,
                     target_type="user", target_id=user.id)
        db.session.flush()
        return user
    value = citizen_id(number)
    other = find_identity("citizen", ANY_PROVIDER, value)
    if other is not None and other.user_id != user.id:
        raise ValidationError("เลขประจำตัวประชาชนนี้เป็นของบัญชีอื่นแล้ว", "this citizen id belongs to another account")
    if held is None:
        held = SignInIdentity(user_id=user.id, kind="citizen", provider=ANY_PROVIDER, created_at=now)
        db.session.add(held)
    held.value_hash = identity_hashes("citizen", ANY_PROVIDER, value)[0]
    held.created_by_id, held.created_at = actor.id, now
    audit.record("citizen_id_set", agency_id=user.agency_id, actor_id=actor.id, now=now, target_type="user",
                 target_id=user.id)
    db.session.flush()
    return user


def unlink(user_id: int, *, actor_id: int, provider_id: str, now: datetime) -> User:
    """An admin removes the link between a person and their account at a provider (a new account there, after
    the old one was deleted): the next sign-in matches by e-mail or citizen id again."""
    actor = _admin(actor_id)
    user = _person(actor, user_id)
    held = linked_identity(user.id, "subject", provider_id)
    if held is None:
        raise ValidationError("ผู้ใช้นี้ไม่ได้ผูกบัญชีกับผู้ให้บริการนี้", "this person is not linked to that provider")
    db.session.delete(held)
    audit.record("sso_unlinked", agency_id=user.agency_id, actor_id=actor.id, now=now, target_type="user",
                 target_id=user.id, data={"provider": provider_id})
    db.session.flush()
    return user


def change_person(user_id: int, *, actor_id: int, action: str, provider_id: str, number: str,
                  now: datetime) -> User:
    """The admin page's form for one person: ``action`` "citizen" (their citizen id entered, or cleared with
    an empty one) or "unlink" (a provider's link removed). The person is looked up first: another agency's is
    not found, whatever the form asks."""
    _person(_admin(actor_id), user_id)
    if action == "citizen":
        return set_citizen_id(user_id, actor_id=actor_id, number=number, now=now)
    if action == "unlink":
        return unlink(user_id, actor_id=actor_id, provider_id=provider_id, now=now)
    raise ValidationError("คำขอไม่ถูกต้อง กรุณาลองใหม่", "unknown request")


def identities(agency_id: int) -> dict[int, list[SignInIdentity]]:
    """Each person's linked identities (for the admin page): the hashes stay on the server."""
    rows = db.session.execute(select(SignInIdentity).join(User, User.id == SignInIdentity.user_id)
                              .where(User.agency_id == agency_id)).scalars()
    out: dict[int, list[SignInIdentity]] = {}
    for row in rows:
        out.setdefault(row.user_id, []).append(row)
    return out
