"""Helpers shared by the views: run a service and report errors as Thai messages (the commit is
web/transaction.py's)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, flash, g, redirect

from web.i18n import message
from web.transaction import keep_audit_on_error
from workflow.db import db
from workflow.errors import ConflictError, InvalidTransition, ItaflowError, NotFound, PermissionDenied
from workflow.models import Cycle, Measure, Round, Step
from workflow.people import permissions

_R = TypeVar("_R", Cycle, Measure, Round, Step)


def mine_or_404(row: _R | None) -> _R:
    """A cycle, measure, round or step of the signed-in person's agency; anything else (none, or another
    agency's) is not found, so a sibling's ids tell nothing."""
    if row is None or not permissions.reads_agency(g.user, permissions.agency_of(row)):
        abort(404)
    return row


def chosen_cycle(agency_id: int | None = None) -> tuple[Cycle | None, list[Cycle]]:
    """The cycle a page of the signed-in person's agency (or of the unit a parent reads, ``agency_id``) shows,
    and that agency's cycles (newest first) for the year switcher (templates/_year_switcher.html).
    ``?cycle=<id>`` chooses one of that agency's own cycles; any other value (another agency's cycle, even one
    of its units that it reads elsewhere, or no such id) is not found. Without it, the current cycle: the
    newest fiscal year."""
    from flask import request

    from workflow.engine import queries

    cycles = list(db.session.execute(queries.cycles_newest_first(agency_id or g.user.agency_id)).scalars())
    raw = request.args.get("cycle")
    if raw is None:
        return (cycles[0] if cycles else None), cycles
    wanted = int_field(raw)
    chosen = next((c for c in cycles if c.id == wanted), None)
    if chosen is None:
        abort(404)
    return chosen, cycles


def step_of_evidence(evidence_id: int) -> Step:
    """The step a piece of evidence belongs to, if it is of the signed-in person's agency (else 404)."""
    from workflow.models import Evidence

    ev = db.session.get(Evidence, evidence_id)
    if ev is None:
        abort(404)
    return mine_or_404(db.session.get(Step, ev.step_id))


def act(service: Callable, back: str, success: str, **kwargs):
    """Call one service for the logged-in user, flash the result, go back (the request commits after). Errors
    roll back, so the database stays exactly as it was, and say what happened."""
    from web.security import deny

    try:
        service(actor_id=g.user.id, **kwargs)
        flash(success, "ok")
    except PermissionDenied:
        db.session.rollback()
        deny()
    except NotFound as exc:
        if exc.keep_audit:
            keep_audit_on_error()
        else:
            db.session.rollback()
        abort(404)
    except (ConflictError, InvalidTransition) as exc:
        db.session.rollback()
        flash(message(exc), "conflict")
        return redirect(back), 303
    except ItaflowError as exc:
        db.session.rollback()
        flash(message(exc), "error")
        return redirect(back), 303
    return redirect(back), 303


def int_field(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**31 else None
