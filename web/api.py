"""JSON API (/api/v1): measures, steps, rounds, my steps and the approval queue; mark a step done, approve or
send back a review. Personal API tokens (Authorization: Bearer), the same services and role checks as the
web. Errors are JSON with a stable code and a Thai and an English message; bad input is 4xx, never 500."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import date, datetime

from flask import Blueprint, g, jsonify, request
from sqlalchemy import func, select

from web.openapi import spec
from web.security import csrf, limiter, public
from web.transaction import keep_audit_on_error
from workflow import audit, clock
from workflow.db import db
from workflow.engine import queries, transitions
from workflow.engine.status import is_overdue, owner_label
from workflow.errors import ItaflowError, NotFound, PermissionDenied, ValidationError
from workflow.models import Cycle, Evidence, Measure, Round, Step
from workflow.people import permissions, tokens
from workflow.thaidate import bangkok_today
from workflow.vocabulary import acted_for_words

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookies: a bearer token cannot be sent by another site's form
MAX_ID = 2**31 - 1


class ApiError(ItaflowError):
    def __init__(self, status: int, code: str, message_th: str, message_en: str):
        super().__init__(message_th, message_en)
        self.http_status, self.code = status, code


def error_response(status: int, code: str, message_th: str, message_en: str):
    response = jsonify(error={"code": code, "message_th": message_th, "message_en": message_en})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="itaflow"'
    return response


@bp.errorhandler(ItaflowError)
def _service_error(exc: ItaflowError):
    if exc.keep_audit or g.get("keep_audit"):  # a refusal on record, and nothing else pending
        keep_audit_on_error()
    else:
        db.session.rollback()
    if isinstance(exc, PermissionDenied):
        audit.record("access_denied", agency_id=g.user.agency_id if g.get("user") else None,
                     actor_id=g.user.id if g.get("user") else None, now=clock.now(),
                     target_type="route", note=request.path[:500])
        keep_audit_on_error()
    return error_response(exc.http_status, exc.code, exc.message_th, exc.message_en)


def token_required(view: Callable) -> Callable:
    """The caller is the owner of a live API token; session cookies count for nothing here."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        g.user = None
        header = request.headers.get("Authorization", "")
        scheme, _, secret = header.partition(" ")
        token = tokens.verify(secret.strip(), "api", now=clock.now()) if scheme.lower() == "bearer" else None
        if token is None and header:  # a credential was offered and is wrong: on record
            tokens.refused("api", request.path, now=clock.now())
            keep_audit_on_error()
        if token is None:
            raise ApiError(401, "unauthorized", "ต้องใช้โทเค็น API ที่ยังใช้งานได้ (Authorization: Bearer …)",
                           "a valid API token is required (Authorization: Bearer ...)")
        g.user = token.user  # its last_used_at is committed with a successful answer (web/transaction.py)
        from workflow import acting

        acting.attach(g.user, bangkok_today(clock.now()))
        unknown = sorted(set(request.args) - _query_names(request.url_rule.rule, request.method))
        if unknown:  # a misspelt filter must not silently return everything
            raise ValidationError(f"ไม่รู้จักพารามิเตอร์ {', '.join(unknown)[:200]}",
                                  f"unknown query parameter {', '.join(unknown)[:200]}")
        return view(*args, **kwargs)

    wrapper.api_token_required = True  # type: ignore[attr-defined]
    return wrapper


WHAT = {"step": "ขั้นตอน", "measure": "มาตรการ"}


@functools.cache
def _query_names(rule: str, method: str) -> frozenset[str]:
    """The query parameters the OpenAPI document lists for this route."""
    path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)
    operation = spec()["paths"].get(path, {}).get(method.lower(), {})
    return frozenset(p["name"] for p in operation.get("parameters", []) if p["in"] == "query")


def _id(value: int, what: str) -> int:
    if not 0 < value <= MAX_ID:
        raise NotFound(f"ไม่พบ{WHAT[what]}เลขที่ {value}", f"no {what} {value}")
    return value


def _int_arg(name: str, default: int | None, low: int, high: int) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError(f"{name} ต้องเป็นตัวเลข", f"{name} must be an integer") from None
    if not low <= value <= high:
        raise ValidationError(f"{name} ต้องอยู่ระหว่าง {low} ถึง {high}", f"{name} must be from {low} to {high}")
    return value


def _body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError("ต้องส่งข้อมูลเป็น JSON object", "the body must be a JSON object")
    return data


def _version(data: dict) -> int:
    value = data.get("version")
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_ID:
        raise ValidationError("ต้องระบุ version ของขั้นตอน (ตัวเลข) ที่อ่านมาล่าสุด",
                              "version (the step's version you last read) is required")
    return value


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def step_json(step: Step, today: date) -> dict:
    return {
        "id": step.id, "measure_id": step.measure_id, "measure_code": step.measure.code, "number": step.number,
        "occurrence": step.occurrence, "title": step.title, "month": _iso(step.month), "kind": step.kind,
        "state": step.state,
        "owner": owner_label(step), "owner_group_id": step.owner_group_id, "owner_user_id": step.owner_user_id,
        "reviewer_group_id": step.reviewer_group_id, "reviews_step_id": step.reviews_step_id,
        "due_on": _iso(step.due_on), "overdue": is_overdue(step, today), "opened_at": _iso(step.opened_at),
        "done_at": _iso(step.done_at), "done_by": step.done_by.name if step.done_by else None,
        "done_acting_for": acted_for_words(step.done_acting) or None,
        "sent_back_reason": step.sent_back_reason, "version": step.version,
    }


def evidence_json(ev: Evidence) -> dict:
    return {"id": ev.id, "kind": ev.kind, "text": ev.text, "url": ev.url, "filename": ev.filename,
            "download": f"/evidence/{ev.id}" if ev.kind == "file" else None, "added_at": _iso(ev.added_at)}


def measure_json(m: Measure, done: int, total: int) -> dict:
    return {"id": m.id, "cycle_id": m.cycle_id, "code": m.code, "title": m.title, "weakness": m.weakness,
            "improvement": m.improvement, "owners": m.owners_text, "period_start": _iso(m.period_start),
            "period_end": _iso(m.period_end), "constraints": m.constraints, "state": m.state,
            "done": done, "total": total, "percent": round(100 * done / total) if total else 100}


def round_json(r: Round) -> dict:
    return {"id": r.id, "cycle_id": r.cycle_id, "number": r.number, "planned_on": _iso(r.planned_on),
            "held_on": _iso(r.held_on), "moved_reason": r.moved_reason, "status": r.status,
            "has_report": r.report is not None}


def _counts(measure_ids: list[int]) -> dict[int, tuple[int, int]]:
    if not measure_ids:
        return {}
    rows = db.session.execute(select(Step.measure_id, func.count(), func.count().filter(Step.state == "done"))
                              .where(Step.measure_id.in_(measure_ids)).group_by(Step.measure_id)).all()
    return {mid: (int(done), int(total)) for mid, total, done in rows}


@bp.get("/openapi.json")
@public
def openapi():
    return jsonify(spec())


@bp.get("/me")
@token_required
def me():
    u = g.user
    return jsonify(id=u.id, name=u.name, email=u.email, roles=sorted(u.roles), group_id=u.group_id)


@bp.get("/cycles")
@token_required
def cycles():
    rows = db.session.execute(queries.cycles_newest_first(g.user.agency_id)).scalars()
    return jsonify(items=[{"id": c.id, "agency": c.agency, "fiscal_year_be": c.fiscal_year_be, "title": c.title,
                           "published": c.published_at is not None} for c in rows])


@bp.get("/measures")
@token_required
def measures():
    cycle_id = _my_cycle_id()
    items = list(db.session.execute(select(Measure).where(Measure.cycle_id == cycle_id)
                                    .order_by(Measure.position)).scalars())
    counts = _counts([m.id for m in items])
    return jsonify(items=[measure_json(m, *counts.get(m.id, (0, 0))) for m in items])


@bp.get("/measures/<int:measure_id>")
@token_required
def measure(measure_id: int):
    m = db.session.get(Measure, _id(measure_id, "measure"))
    if m is None or not permissions.reads_agency(g.user, permissions.agency_of(m)):
        raise NotFound(f"ไม่พบมาตรการเลขที่ {measure_id}", f"no measure {measure_id}")
    today = bangkok_today(clock.now())
    done = sum(1 for s in m.steps if s.state == "done")
    return jsonify(measure_json(m, done, len(m.steps)) | {"monitoring": m.monitoring,
                                                           "steps": [step_json(s, today) for s in m.steps]})


@bp.get("/steps")
@token_required
def steps():
    measure_id = _int_arg("measure_id", None, 1, MAX_ID)
    state = request.args.get("state")
    if state not in (None, "blocked", "open", "done"):
        raise ValidationError("state ต้องเป็น blocked, open หรือ done", "state must be blocked, open or done")
    limit = _int_arg("limit", 100, 1, 500)
    offset = _int_arg("offset", 0, 0, 10**6)
    query = (select(Step).join(Measure).join(Cycle).where(Cycle.agency_id == g.user.agency_id)
             .order_by(Step.id).limit(limit).offset(offset))
    if measure_id is not None:
        query = query.where(Step.measure_id == measure_id)
    if state is not None:
        query = query.where(Step.state == state)
    today = bangkok_today(clock.now())
    return jsonify(items=[step_json(s, today) for s in db.session.execute(query).scalars()])


@bp.get("/steps/<int:step_id>")
@token_required
def step(step_id: int):
    s = db.session.get(Step, _id(step_id, "step"))
    if s is None or not permissions.reads_agency(g.user, permissions.agency_of(s)):
        raise NotFound(f"ไม่พบขั้นตอนเลขที่ {step_id}", f"no step {step_id}")
    today = bangkok_today(clock.now())
    evidence = [evidence_json(e) for e in queries.evidence_of([s.id]).get(s.id, [])] \
        if permissions.may_see_evidence(g.user, s) else None
    decisions = [{"decision": d.decision, "by": d.decided_by.name, "reason": d.reason,
                  "acting_for": acted_for_words(d.acting) or None, "decided_at": _iso(d.decided_at)}
                 for d in s.decisions]
    return jsonify(step_json(s, today) | {"evidence": evidence, "decisions": decisions})


@bp.get("/my/steps")
@token_required
def my_steps():
    today = bangkok_today(clock.now())
    return jsonify(items=[step_json(s, today) for s in queries.my_open_steps(g.user)])


@bp.get("/my/approvals")
@token_required
def my_approvals():
    today = bangkok_today(clock.now())
    return jsonify(items=[step_json(s, today) for s in queries.approval_queue(g.user)])


def _bool_arg(name: str) -> bool:
    raw = request.args.get(name)
    if raw is None:
        return False
    if raw.lower() in ("1", "true"):
        return True
    if raw.lower() in ("0", "false"):
        return False
    raise ValidationError(f"{name} ต้องเป็น true หรือ false", f"{name} must be true or false")


def _rollup_reader() -> None:
    if not g.user.has_role("supervisor", "executive", "admin"):
        raise PermissionDenied("เฉพาะผู้กำกับติดตาม ผู้บริหาร และผู้ดูแลระบบ", "for supervisors, executives and admins")


@bp.get("/rollup")
@token_required
def rollup_units():
    """The parent's roll-up, a page at a time: the units below the caller's agency with their current cycle's
    figures, filtered, searched and sorted as the page does."""
    from workflow.oversight import rollup
    from workflow.vocabulary import AgencyKind

    _rollup_reader()
    kind = request.args.get("kind")
    if kind is not None and kind not in set(AgencyKind):
        kinds = ", ".join(AgencyKind)
        raise ValidationError(f"kind ต้องเป็นหนึ่งใน {kinds}", f"kind must be one of {kinds}")
    sort = request.args.get("sort", "code")
    if sort not in rollup.SORTS:
        sorts = ", ".join(rollup.SORTS)
        raise ValidationError(f"sort ต้องเป็นหนึ่งใน {sorts}", f"sort must be one of {sorts}")
    page = _int_arg("page", 1, 1, 1_000_000) or 1
    per_page = _int_arg("per_page", 100, 1, rollup.MAX_PER_PAGE) or 100
    seen = rollup.overview(g.user.agency_id, bangkok_today(clock.now()), kind=kind,
                           under=request.args.get("under") or None, q=request.args.get("q") or None,
                           behind=_bool_arg("behind"), sort=sort, descending=_bool_arg("desc"), page=page,
                           per_page=per_page)
    return jsonify(items=[rollup.as_json(r) for r in seen.units] if page <= seen.pages else [], page=page,
                   per_page=seen.per_page, pages=seen.pages, total=seen.matched, units=seen.all_units,
                   behind=seen.all_behind)


@bp.get("/rollup/offices")
@token_required
def rollup_offices():
    """The level below: each office with its units' totals and its most late units."""
    from workflow.oversight import rollup

    _rollup_reader()
    seen = rollup.overview(g.user.agency_id, bangkok_today(clock.now()), under=request.args.get("under") or None,
                           per_page=1)
    return jsonify(items=[rollup.office_json(o) for o in seen.offices])


@bp.get("/rounds")
@token_required
def rounds():
    cycle_id = _my_cycle_id()
    items = db.session.execute(select(Round).where(Round.cycle_id == cycle_id).order_by(Round.number)).scalars()
    return jsonify(items=[round_json(r) for r in items])


def _my_cycle_id() -> int:
    """The ``cycle_id`` asked for if it is one of the caller's agency, else none of its rows (0); without one,
    the agency's current cycle."""
    cycle_id = _int_arg("cycle_id", None, 1, MAX_ID)
    if cycle_id is None:
        cycle = queries.current_cycle(g.user.agency_id)
        return cycle.id if cycle else 0
    cycle = db.session.get(Cycle, cycle_id)
    return cycle_id if cycle is not None and permissions.reads_agency(g.user, cycle.agency_id) else 0


def _act(service: Callable, step_id: int, **kwargs):
    _id(step_id, "step")
    now = clock.now()
    service(step_id, actor_id=g.user.id, now=now, **kwargs)
    step = db.session.get(Step, step_id)  # as the change left it (a statement may have changed it)
    if step is None:  # the service found it, so only a concurrent delete of the whole cycle gets here
        raise NotFound(f"ไม่พบขั้นตอนเลขที่ {step_id}", f"no step {step_id}")
    return jsonify(step_json(step, bangkok_today(now)))


def _note(data: dict) -> str | None:
    note = data.get("note")
    if note is not None and not isinstance(note, str):
        raise ValidationError("note ต้องเป็นข้อความ", "note must be a string")
    return note


@bp.post("/steps/<int:step_id>/complete")
@token_required
@limiter.limit("120/minute")
def complete(step_id: int):
    data = _body()
    return _act(transitions.complete, step_id, expected_version=_version(data), note=_note(data))


@bp.post("/steps/<int:step_id>/approve")
@token_required
@limiter.limit("120/minute")
def approve(step_id: int):
    data = _body()
    return _act(transitions.approve, step_id, expected_version=_version(data), note=_note(data))


@bp.post("/steps/<int:step_id>/send-back")
@token_required
@limiter.limit("120/minute")
def send_back(step_id: int):
    data = _body()
    reason = data.get("reason")
    if not isinstance(reason, str):
        raise ValidationError("ต้องระบุเหตุผลที่ส่งกลับ (reason)", "reason is required")
    return _act(transitions.send_back, step_id, expected_version=_version(data), reason=reason)
