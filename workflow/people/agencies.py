"""Agencies as a tree: a unit under its parent (any depth), each owning its groups, people and cycles.

Services take ids or codes, the actor and ``now``; they check the input, write an audit event and flush
(the entry point commits). Bad input is a ValidationError or NotFound in Thai and English, nothing written.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select

from workflow import audit
from workflow.db import db
from workflow.errors import NotFound, ValidationError
from workflow.models import Agency, Cycle, User
from workflow.people.agencytree import subtree_ids  # noqa: F401 - the services above read it here too
from workflow.vocabulary import AgencyKind, label

CODE = re.compile(r"[a-z0-9][a-z0-9_-]{1,63}")
#: the code of the first agency of a deployment when none was given (an upgraded one-agency database)
FIRST_CODE = "main"
#: the name of a deployment's first agency until its first memo names it
UNNAMED = "หน่วยงาน"


def get(code: str) -> Agency:
    agency = db.session.execute(select(Agency).where(Agency.code == (code or "").strip().lower())).scalar_one_or_none()
    if agency is None:
        raise NotFound(f"ไม่พบหน่วยงานรหัส '{code}' (ดูรายการด้วย itaflow agencies list)",
                       f"no agency with code '{code}' (see itaflow agencies list)")
    return agency


def sole() -> Agency | None:
    """The deployment's agency when it has exactly one (the embedded default): commands need no --agency."""
    found = db.session.execute(select(Agency).limit(2)).scalars().all()
    return found[0] if len(found) == 1 else None


def _check_code(code: str) -> str:
    code = (code or "").strip().lower()
    if not CODE.fullmatch(code):
        raise ValidationError(
            f"รหัสหน่วยงาน '{code}' ไม่ถูกต้อง: ใช้อักษรอังกฤษตัวเล็ก ตัวเลข - หรือ _ ยาว 2-64 ตัว",
            f"agency code '{code}' is not valid: 2-64 lowercase letters, digits, - or _")
    if db.session.execute(select(Agency.id).where(Agency.code == code)).first():
        raise ValidationError(f"มีหน่วยงานรหัส '{code}' อยู่แล้ว", f"an agency with code '{code}' already exists")
    return code


def _check_kind(kind: str) -> str:
    if kind not in set(AgencyKind):
        kinds = ", ".join(f"{k} ({label(k)})" for k in AgencyKind)
        raise ValidationError(f"ประเภทหน่วยงานต้องเป็นหนึ่งใน {kinds}", f"the kind must be one of {', '.join(AgencyKind)}")
    return kind


def add(code: str, name: str, *, kind: str = AgencyKind.OFFICE, parent_code: str | None = None,
        actor_id: int | None, now: datetime) -> Agency:
    """A new agency, at the top or under a parent."""
    code = _check_code(code)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("กรุณาระบุชื่อหน่วยงาน", "a name is required")
    kind = _check_kind(kind)
    parent = get(parent_code) if parent_code else None
    agency = Agency(code=code, name=name, kind=kind, parent_id=parent.id if parent else None, created_at=now)
    db.session.add(agency)
    db.session.flush()
    if parent is not None:  # a parent hears weekly which of its units fell behind
        from workflow.channels.alerts import schedule_weekly
        from workflow.thaidate import bangkok_today

        schedule_weekly(parent.id, bangkok_today(now))
    audit.record("agency_added", agency_id=agency.id,
                 actor_id=actor_id, now=now, target_type="agency", target_id=agency.id,
                 data={"code": code, "name": name, "kind": kind, "parent": parent.code if parent else None})
    return agency


def ensure(name: str, *, actor_id: int | None, now: datetime) -> Agency:
    """The agency a definitions file names. A deployment whose only agency has no cycle yet (made for its first
    admin) takes the file's name; otherwise an agency of that name is made at the top (the first gets the code
    ``main``; ``itaflow agencies add`` names codes and parents explicitly)."""
    found = db.session.execute(select(Agency).where(Agency.name == name).order_by(Agency.id)).scalars().first()
    if found is not None:
        return found
    only = sole()
    if only is not None and not db.session.execute(select(Cycle.id).where(Cycle.agency_id == only.id)).first():
        _rename(only, name, actor_id=actor_id, now=now)
        return only
    count = db.session.scalar(select(func.count()).select_from(Agency)) or 0
    code = FIRST_CODE if count == 0 else f"agency-{count + 1}"
    while db.session.execute(select(Agency.id).where(Agency.code == code)).first():
        count += 1
        code = f"agency-{count + 1}"
    return add(code, name, kind=AgencyKind.OFFICE, actor_id=actor_id, now=now)


def named_by_memo(agency: Agency, name: str, *, actor_id: int | None, now: datetime) -> Agency:
    """A memo loaded into an agency still without a name of its own (made for its first admin) names it."""
    if agency.name == UNNAMED and name != UNNAMED:
        _rename(agency, name, actor_id=actor_id, now=now)
    return agency


def _rename(agency: Agency, name: str, *, actor_id: int | None, now: datetime) -> None:
    audit.record("agency_renamed", agency_id=agency.id,
                 actor_id=actor_id, now=now, target_type="agency", target_id=agency.id,
                 data={"code": agency.code, "before": agency.name, "after": name})
    agency.name = name


def first(*, actor_id: int | None, now: datetime) -> Agency:
    """The deployment's only agency, made (code ``main``, named by the first memo loaded) if it has none."""
    only = sole()
    if only is not None:
        return only
    if db.session.execute(select(Agency.id)).first():
        raise ValidationError("ระบุหน่วยงาน (--agency รหัสหน่วยงาน)", "say which agency (--agency CODE)")
    return add(FIRST_CODE, UNNAMED, kind=AgencyKind.OFFICE, actor_id=actor_id, now=now)


def ancestors(agency: Agency) -> list[Agency]:
    """The agency's parents, nearest first."""
    chain: list[Agency] = []
    seen = {agency.id}
    parent = agency.parent
    while parent is not None and parent.id not in seen:
        chain.append(parent)
        seen.add(parent.id)
        parent = parent.parent
    return chain


def move(code: str, parent_code: str | None, *, actor_id: int | None, now: datetime) -> Agency:
    """Put an agency under another parent (or at the top with None); never under itself or its own units."""
    agency = get(code)
    parent = get(parent_code) if parent_code else None
    if parent is not None and (parent.id == agency.id or agency in ancestors(parent)):
        raise ValidationError(
            f"ย้าย {agency.code} ไปอยู่ใต้ {parent.code} ไม่ได้ เพราะ {parent.code} "
            f"เป็นหน่วยงานเดียวกันหรือหน่วยงานในสังกัดของ {agency.code}",
            f"{agency.code} cannot move under {parent.code}: that is {agency.code} itself or one of its own units")
    before = agency.parent.code if agency.parent else None
    agency.parent = parent
    db.session.flush()
    audit.record("agency_moved", agency_id=agency.id,
                 actor_id=actor_id, now=now, target_type="agency", target_id=agency.id,
                 data={"code": agency.code, "before": before, "after": parent.code if parent else None})
    return agency


def listing() -> list[tuple[Agency, int]]:
    """Every agency with its depth, parents before their units, siblings by code."""
    agencies = db.session.execute(select(Agency).order_by(Agency.code)).scalars().all()
    children: dict[int | None, list[Agency]] = {}
    for agency in agencies:
        children.setdefault(agency.parent_id, []).append(agency)
    out: list[tuple[Agency, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for agency in children.get(parent_id, []):
            out.append((agency, depth))
            walk(agency.id, depth + 1)

    walk(None, 0)
    return out


#: an emblem as uploaded: a picture, not a document
MAX_EMBLEM_BYTES = 2 * 2**20
MAX_EMBLEM_PIXELS = 4000


def set_emblem(*, actor_id: int, now: datetime, data: bytes | None) -> Agency:
    """The admin sets (or, with no data, removes) their agency's emblem (ตราครุฑ) for the head of its memos. The
    picture is checked (PNG, JPEG or GIF, at most 2 MB and 4000 px a side), then drawn again as a PNG at most
    600 px tall, so nothing but pixels is kept. Audited."""
    import io

    from PIL import Image, UnidentifiedImageError

    from workflow.errors import PermissionDenied

    actor = db.session.get(User, actor_id)
    if actor is None or not actor.active or not actor.has_role("admin"):
        raise PermissionDenied("เฉพาะผู้ดูแลระบบเปลี่ยนตราของหน่วยงานได้", "only an admin may change the emblem")
    agency = db.session.get(Agency, actor.agency_id)
    if agency is None:
        raise NotFound("ไม่พบหน่วยงาน", "no agency")
    png = None
    if data:
        if len(data) > MAX_EMBLEM_BYTES:
            raise ValidationError("ไฟล์ตราใหญ่เกิน ๒ MB ใช้ภาพที่เล็กลง", "the emblem is larger than 2 MB")
        try:
            with Image.open(io.BytesIO(data)) as picture:
                if picture.format not in ("PNG", "JPEG", "GIF"):
                    raise ValidationError("ตราต้องเป็นภาพ PNG หรือ JPEG", "the emblem must be a PNG or JPEG picture")
                if max(picture.size) > MAX_EMBLEM_PIXELS:
                    raise ValidationError("ภาพตราใหญ่เกิน ๔๐๐๐ จุด ย่อภาพก่อน", "the picture is over 4000 px a side")
                picture.load()
                pixels = picture.convert("RGBA")
                pixels.thumbnail((600, 600))
                out = io.BytesIO()
                pixels.save(out, format="PNG", optimize=True)
                png = out.getvalue()
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
            raise ValidationError("อ่านไฟล์ภาพตราไม่ได้ ใช้ภาพ PNG หรือ JPEG", "cannot read the picture: use PNG or JPEG"
                                  ) from None
    had = agency.emblem is not None
    agency.emblem = png
    audit.record("emblem_changed", agency_id=agency.id, actor_id=actor.id, now=now, target_type="agency",
                 target_id=agency.id, data={"before": had, "after": png is not None,
                                            "bytes": len(png) if png else 0})
    db.session.flush()
    return agency
