"""A parent adds a unit: the agency, its first admin and the admin's invitation, together (above the people
services it combines: agencies, users, invitations, permissions)."""

from __future__ import annotations

from datetime import datetime

from workflow.db import db
from workflow.errors import NotFound, ValidationError
from workflow.models import Agency, User
from workflow.people import agencies, invitations, permissions
from workflow.people.users import add_user


def add_unit(parent_id: int, code: str, name: str, kind: str, *, admin_name: str, admin_email: str,
             actor_id: int, now: datetime) -> tuple[Agency, User]:
    """A parent's admin adds a unit under their agency (or under one of its units) with the unit's first admin,
    who is e-mailed a link to set their own password. Nothing is written if any of it is wrong."""
    actor = db.session.get(User, actor_id)
    parent = db.session.get(Agency, parent_id)
    if actor is None or parent is None or not permissions.governs_agency(actor, parent.id):
        raise NotFound(f"ไม่พบหน่วยงานเลขที่ {parent_id}", f"no agency {parent_id}")
    if not (admin_name or "").strip() or not (admin_email or "").strip():
        raise ValidationError("กรุณาระบุชื่อและอีเมลของผู้ดูแลระบบคนแรกของหน่วยงาน",
                              "give the name and e-mail address of the unit's first admin")
    unit = agencies.add(code, name, kind=kind, parent_code=parent.code, actor_id=actor_id, now=now)
    admin = add_user(name=admin_name, email=admin_email, roles=["admin"], actor_id=actor_id, now=now,
                     agency_id=unit.id)  # a refusal here (an e-mail taken…) and the entry point writes nothing
    invitations.invite(admin.id, actor_id=actor_id, now=now)
    return unit, admin
