"""An agency's place in the tree of parents and units, as ids: what the rules of who reads what need (the
permissions) without the services that change agencies (workflow.people.agencies)."""

from __future__ import annotations

from sqlalchemy import select

from workflow.db import db
from workflow.models import Agency


def subtree_ids(agency_id: int) -> list[int]:
    """The agency and every unit under it, at any depth (one recursive query)."""
    tree = select(Agency.id).where(Agency.id == agency_id).cte("tree", recursive=True)
    tree = tree.union_all(select(Agency.id).where(Agency.parent_id == tree.c.id))
    return list(db.session.execute(select(tree.c.id)).scalars())
