"""Who may do what to a step. Services call these; views never decide rights themselves."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from workflow import acting
from workflow.db import db
from workflow.errors import NotFound, PermissionDenied
from workflow.models import Cycle, Group, Measure, Round, Step, StepCoOwner, User
from workflow.steprows import ActorRow, StepRow


def agency_of(row: Cycle | Measure | Round | Step) -> int:
    """The agency a row belongs to (through its cycle; evidence through its step)."""
    if isinstance(row, Cycle):
        return row.agency_id
    if isinstance(row, Measure | Round):
        return row.cycle.agency_id
    return row.measure.cycle.agency_id


#: who of a parent agency reads its units' rows (read-only: acting stays within one's own agency)
READS_UNITS = ("supervisor", "executive")


def reads_agency(user: User | ActorRow, agency_id: int) -> bool:
    """Everyone reads their own agency's rows; a parent's supervisors and executives also read its units' (any
    depth); no one reads a sibling's: its step, measure, round, evidence or cycle is as if it did not exist."""
    if user.agency_id == agency_id:
        return True
    if not isinstance(user, User) or not user.active or not user.has_role(*READS_UNITS):
        return False
    from workflow.people.agencytree import subtree_ids

    return agency_id in subtree_ids(user.agency_id)


def governs_agency(user: User, agency_id: int) -> bool:
    """A parent's admins create units under it (any depth) and invite their first people; they do not read or
    act on the units' work for that (that is reads_agency's and acts_in_agency's)."""
    if not user.active or not user.has_role("admin"):
        return False
    if user.agency_id == agency_id:
        return True
    from workflow.people.agencytree import subtree_ids

    return agency_id in subtree_ids(user.agency_id)


def acts_in_agency(user: User | ActorRow, agency_id: int) -> bool:
    """Changes are made only within one's own agency: a parent reads its units, it does not act for them."""
    return user.agency_id == agency_id


def require_agency(user: User | ActorRow, row: Cycle | Measure | Round | Step, what_th: str,
                   what_en: str, row_id: int) -> None:
    """To act on a row: it must be of the actor's own agency (else, as for a sibling's, not found)."""
    if not acts_in_agency(user, agency_of(row)):
        raise NotFound(f"ไม่พบ{what_th}เลขที่ {row_id}", f"no {what_en} {row_id}")


def _owns(person_id: int, group_id: int | None, step: Step | StepRow, *, as_acting: bool = True) -> bool:
    """A person's own right over a step: its named officer, a member of its group or of a group that owns it
    beside it, or the director (``as_acting``: or the acting director) of one of those groups."""
    if step.owner_user_id is not None and step.owner_user_id == person_id:
        return True
    if step.owner_group_id is not None:
        if group_id == step.owner_group_id:
            return True

        def heads(g) -> bool:
            return person_id == g.director_id or (as_acting and person_id == g.acting_director_id)

        group = step.owner_group
        if group is not None and heads(group):
            return True
        return any(group_id == g.id or heads(g) for g in co_owner_groups(step.id))
    return False


def co_owner_groups(step_id: int) -> list[Group]:
    """The groups that own a step beside its owner group (a measure owned by two groups)."""
    return list(db.session.execute(select(Group).join(StepCoOwner, StepCoOwner.group_id == Group.id)
                                   .where(StepCoOwner.step_id == step_id).order_by(Group.id)).scalars())


def is_owner(user: User | ActorRow, step: Step | StepRow) -> bool:
    """A step's owners: its named officer, the members of its groups, and their directors; and whoever acts
    today for one of them while they are away (``workflow.engine.absences``)."""
    if _owns(user.id, user.group_id, step):
        return True
    return any(_owns(p.id, p.group_id, step) for p in acting.acted_for(user).values())


def _decides(person_id: int, step: Step) -> bool:
    group = step.reviewer_group
    return step.kind == "review" and group is not None and group.directed_by(person_id)


def may_decide(user: User, step: Step) -> bool:
    """The reviewer group's director or acting director, and whoever acts today for one of them."""
    if _decides(user.id, step):
        return True
    return step.kind == "review" and any(_decides(p.id, step) for p in acting.acted_for(user).values())


def standing_in(user: User | ActorRow, step: Step | StepRow, *, decide: bool = False) -> dict | None:
    """Whom the user acts for in doing this to the step (``{"id", "name", "position"}``), or None when the right
    is their own. A group's acting director (รักษาการ) acts for its director; a person named in an absence acts
    for the absent one. What every record of the action says (audit, decision, documents)."""
    group = getattr(step, "reviewer_group", None) if decide else step.owner_group
    if decide:
        if group is not None and user.id == group.director_id:
            return None
    elif _owns(user.id, user.group_id, step, as_acting=False):
        return None
    if group is not None and user.id == group.acting_director_id:
        return _director_of(group)
    if not decide and step.owner_group_id is not None:
        for other in co_owner_groups(step.id):
            if user.id == other.acting_director_id:
                return _director_of(other)
    for person in acting.acted_for(user).values():
        if (_decides(person.id, step) if decide else _owns(person.id, person.group_id, step)):  # type: ignore[arg-type]
            return person.record()
    return None


def _director_of(group) -> dict:
    """The one a group's acting director acts for: its director, or, with the post empty, the post itself."""
    from workflow.db import db
    from workflow.models import Group

    full = db.session.get(Group, group.id)
    director = full.director if full is not None else None
    name = full.name if full is not None else ""
    if director is not None:
        return {"id": director.id, "name": director.name, "position": director.position or f"ผู้อำนวยการ{name}"}
    return {"id": None, "name": None, "position": f"ผู้อำนวยการ{name}"}


def may_see_evidence(user: User, step: Step) -> bool:
    """Every signed-in person may read a step; its evidence is for its owners, its reviewer, the owners of
    the step a review checks, the secretariat, executives and admins. Pages, the API, exports and feeds ask
    this one rule."""
    if user.has_role("executive", "secretariat", "admin"):
        return True
    if is_owner(user, step) or may_decide(user, step):
        return True
    reviewed = step.reviews_step
    return reviewed is not None and is_owner(user, reviewed)


def sees_all_evidence(user: User) -> bool:
    return user.active and user.has_role("executive", "secretariat", "admin")


def evidence_reader(viewer_id: int | None, day=None) -> Callable[[Step], bool]:
    """The evidence rule as a test on steps, for a document or a spreadsheet made for one person on a day: None
    (or an unknown or disabled account) sees none; see ``may_see_evidence``."""
    from workflow.db import db

    viewer = db.session.get(User, viewer_id) if viewer_id is not None else None
    if viewer is not None and day is not None:
        acting.attach(viewer, day)
    if viewer is None or not viewer.active:
        return lambda step: False
    if sees_all_evidence(viewer):
        return lambda step: True
    return lambda step: may_see_evidence(viewer, step)


def require_complete(user: User | ActorRow, step: Step | StepRow) -> None:
    if not user.active:
        raise PermissionDenied("บัญชีนี้ถูกระงับ", "this account is disabled")
    if step.kind == "review":
        raise PermissionDenied("ขั้นตอนตรวจสอบต้องอนุมัติหรือส่งกลับ ไม่ใช่ทำเครื่องหมายเสร็จ",
                               "a review step is approved or sent back, not marked done")
    if not is_owner(user, step):
        raise PermissionDenied("ท่านไม่ใช่ผู้รับผิดชอบขั้นตอนนี้", "you are not an owner of this step")


def require_decide(user: User, step: Step) -> None:
    if not user.active:
        raise PermissionDenied("บัญชีนี้ถูกระงับ", "this account is disabled")
    if not may_decide(user, step):
        raise PermissionDenied("เฉพาะผู้อำนวยการกลุ่มที่กำหนด (หรือผู้รักษาการ) ตรวจสอบขั้นตอนนี้ได้",
                               "only the director (or acting director) of the named group decides this review")
    reviewed = step.reviews_step
    if reviewed is not None and user.id in (reviewed.done_by_id, reviewed.owner_user_id):
        # the same for someone deciding as acting director: never their own work
        raise PermissionDenied("ท่านตรวจสอบงานของตนเองไม่ได้", "you cannot review your own step")


def require_secretariat(user: User) -> None:
    if not user.active or not user.has_role("secretariat"):
        raise PermissionDenied("เฉพาะฝ่ายเลขานุการทำได้", "only the secretariat may do this")
