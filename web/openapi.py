"""The OpenAPI 3.0 document of /api/v1, served at /api/v1/openapi.json and checked by schemathesis."""

from __future__ import annotations

from functools import cache

NULLABLE_INT = {"type": "integer", "nullable": True}
NULLABLE_STR = {"type": "string", "nullable": True}
DATE = {"type": "string", "format": "date"}
NULLABLE_DATE = {"type": "string", "format": "date", "nullable": True}
NULLABLE_TIME = {"type": "string", "format": "date-time", "nullable": True}
ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


def _obj(properties: dict, required: list[str] | None = None) -> dict:
    return {"type": "object", "properties": properties, "required": required or list(properties),
            "additionalProperties": False}


def _list(ref: str) -> dict:
    return _obj({"items": {"type": "array", "items": {"$ref": f"#/components/schemas/{ref}"}}})


STEP = {
    "id": ID, "measure_id": ID, "measure_code": {"type": "string"}, "number": {"type": "integer"},
    "occurrence": {"type": "integer"}, "title": {"type": "string"}, "month": NULLABLE_DATE,
    "kind": {"type": "string", "enum": ["task", "review"]},
    "state": {"type": "string", "enum": ["blocked", "open", "done"]}, "owner": {"type": "string"},
    "owner_group_id": NULLABLE_INT, "owner_user_id": NULLABLE_INT, "reviewer_group_id": NULLABLE_INT,
    "reviews_step_id": NULLABLE_INT, "due_on": NULLABLE_DATE, "overdue": {"type": "boolean"},
    "opened_at": NULLABLE_TIME, "done_at": NULLABLE_TIME, "done_by": NULLABLE_STR, "done_acting_for": NULLABLE_STR,
    "sent_back_reason": NULLABLE_STR,
    "version": {"type": "integer", "minimum": 1},
}
MEASURE = {
    "id": ID, "cycle_id": ID, "code": {"type": "string"}, "title": {"type": "string"}, "weakness": {"type": "string"},
    "improvement": {"type": "string"}, "owners": {"type": "string"}, "period_start": DATE, "period_end": DATE,
    "constraints": NULLABLE_STR, "state": {"type": "string"}, "done": {"type": "integer", "minimum": 0},
    "total": {"type": "integer", "minimum": 0}, "percent": {"type": "integer", "minimum": 0, "maximum": 100},
}
EVIDENCE = _obj({"id": ID, "kind": {"type": "string", "enum": ["note", "link", "file"]}, "text": NULLABLE_STR,
                 "url": NULLABLE_STR, "filename": NULLABLE_STR, "download": NULLABLE_STR,
                 "added_at": {"type": "string", "format": "date-time"}})
DECISION = _obj({"decision": {"type": "string", "enum": ["approved", "sent_back"]}, "by": {"type": "string"},
                 "reason": NULLABLE_STR, "acting_for": NULLABLE_STR,
                 "decided_at": {"type": "string", "format": "date-time"}})
ERROR = _obj({"error": _obj({"code": {"type": "string"}, "message_th": {"type": "string"},
                             "message_en": {"type": "string"}})})


def _errors(*codes: int) -> dict:
    text = {400: "คำขอไม่ถูกต้อง / bad request", 401: "ไม่มีโทเค็นหรือโทเค็นใช้ไม่ได้ / no valid token",
            403: "ไม่มีสิทธิ์ / forbidden", 404: "ไม่พบ / not found",
            409: "มีผู้อื่นเปลี่ยนขั้นตอนนี้ก่อน หรือสถานะไม่อนุญาต / conflict", 415: "ต้องเป็น JSON",
            422: "ข้อมูลไม่ถูกต้อง / invalid input", 429: "เรียกบ่อยเกินไป / too many requests"}
    return {str(c): {"description": text[c], "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}} for c in codes}


def _ok(schema: dict, description: str = "OK") -> dict:
    return {"200": {"description": description, "content": {"application/json": {"schema": schema}}}}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _get(summary: str, schema: dict, parameters: list | None = None, errors=(400, 401, 404, 422)) -> dict:
    op = {"summary": summary, "security": [{"bearer": []}], "responses": _ok(schema) | _errors(*errors)}
    if parameters:
        op["parameters"] = parameters
    return {"get": op}


def _path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": ID}


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _action(summary: str, body: dict) -> dict:
    return {"post": {
        "summary": summary, "security": [{"bearer": []}], "parameters": [_path_id("step_id")],
        "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
        "responses": _ok(_ref("Step"), "the step after the change") | _errors(400, 401, 403, 404, 409, 422, 429),
    }}


@cache
def spec() -> dict:
    version = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1,
               "description": "the step's version as last read; a stale one is a 409 conflict"}
    note = {"type": "string", "maxLength": 2000}
    return {
        "openapi": "3.0.3",
        "info": {"title": "itaflow API", "version": "1.0.0",
                 "description": "มาตรการส่งเสริมคุณธรรมและความโปร่งใส (ITA): measures, steps, rounds and reviews. "
                                "Create a personal token at /tokens and send it as `Authorization: Bearer itf_…`."},
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": ERROR, "Step": _obj(STEP), "Measure": _obj(MEASURE), "Evidence": EVIDENCE,
                "Decision": DECISION,
                "StepDetail": _obj(STEP | {"evidence": {"type": "array", "nullable": True, "items": _ref("Evidence"),
                                                        "description": "null when you may not see it"},
                                           "decisions": {"type": "array", "items": _ref("Decision")}}),
                "MeasureDetail": _obj(MEASURE | {"monitoring": {"type": "object"},
                                                 "steps": {"type": "array", "items": _ref("Step")}}),
                "Round": _obj({"id": ID, "cycle_id": ID, "number": {"type": "integer"}, "planned_on": DATE,
                               "held_on": DATE, "moved_reason": NULLABLE_STR, "status": {"type": "string"},
                               "has_report": {"type": "boolean"}}),
                "Cycle": _obj({"id": ID, "agency": {"type": "string"}, "fiscal_year_be": {"type": "integer"},
                               "title": {"type": "string"}, "published": {"type": "boolean"}}),
                "Unit": _obj({"code": {"type": "string"}, "name": {"type": "string"}, "kind": {"type": "string"},
                              "parent": NULLABLE_STR, "cycle_id": NULLABLE_INT, "fiscal_year_be": NULLABLE_INT,
                              "done": {"type": "integer"}, "total": {"type": "integer"},
                              "percent": {"type": "integer"}, "overdue": {"type": "integer"},
                              "late_days": {"type": "integer"}, "waiting": {"type": "integer"},
                              "next_round": NULLABLE_DATE, "published": {"type": "boolean"},
                              "behind": {"type": "boolean"}}),
                "UnitPage": _obj({"items": {"type": "array", "items": _ref("Unit")},
                                  "page": {"type": "integer", "minimum": 1}, "per_page": {"type": "integer"},
                                  "pages": {"type": "integer", "minimum": 1},
                                  "total": {"type": "integer", "description": "units the filters keep"},
                                  "units": {"type": "integer", "description": "every unit below"},
                                  "behind": {"type": "integer", "description": "of them, behind or not started"}}),
                "Office": _obj({"code": {"type": "string"}, "name": {"type": "string"}, "kind": {"type": "string"},
                                "units": {"type": "integer"}, "behind": {"type": "integer"},
                                "no_cycle": {"type": "integer"}, "done": {"type": "integer"},
                                "total": {"type": "integer"}, "percent": {"type": "integer"},
                                "overdue": {"type": "integer"}, "late_days": {"type": "integer"},
                                "waiting": {"type": "integer"},
                                "worst": {"type": "array", "items": {"type": "string"},
                                          "description": "codes of its most late units"}}),
                "Me": _obj({"id": ID, "name": {"type": "string"}, "email": NULLABLE_STR,
                            "roles": {"type": "array", "items": {"type": "string"}}, "group_id": NULLABLE_INT}),
            },
        },
        "paths": {
            "/api/v1/me": _get("the token's owner", _ref("Me"), errors=(401,)),
            "/api/v1/cycles": _get("fiscal years", _list("Cycle"), errors=(401,)),
            "/api/v1/measures": _get("measures of a cycle (default: the current one)", _list("Measure"),
                                     [_query("cycle_id", ID, "cycle id")]),
            "/api/v1/measures/{measure_id}": _get("a measure with its steps", _ref("MeasureDetail"),
                                                  [_path_id("measure_id")]),
            "/api/v1/steps": _get("steps, filtered", _list("Step"), [
                _query("measure_id", ID, "only this measure's steps"),
                _query("state", {"type": "string", "enum": ["blocked", "open", "done"]}, "only in this state"),
                _query("limit", {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}, "page size"),
                _query("offset", {"type": "integer", "minimum": 0, "maximum": 1000000, "default": 0}, "skip"),
            ]),
            "/api/v1/steps/{step_id}": _get("a step with its evidence (when you may see it) and decisions",
                                            _ref("StepDetail"), [_path_id("step_id")]),
            "/api/v1/my/steps": _get("งานของฉัน: open steps of my groups and of me, by due date", _list("Step"),
                                     errors=(401,)),
            "/api/v1/my/approvals": _get("รายการรออนุมัติ: reviews waiting for me, oldest first", _list("Step"),
                                         errors=(401,)),
            "/api/v1/rounds": _get("monitoring rounds of a cycle (default: the current one)", _list("Round"),
                                   [_query("cycle_id", ID, "cycle id")]),
            "/api/v1/rollup": _get(
                "หน่วยงานในสังกัด: the units below your agency with their current cycle's figures, a page at a time "
                "(supervisors, executives, admins)", _ref("UnitPage"),
                [_query("kind", {"type": "string", "enum": ["ministry", "department", "office", "area", "school",
                                                            "college", "local", "hospital", "other"]},
                        "only units of this kind"),
                 _query("under", {"type": "string", "maxLength": 64}, "only units below this office (code)"),
                 _query("q", {"type": "string", "maxLength": 100}, "only units whose name or code holds this"),
                 _query("behind", {"type": "boolean"}, "only units behind (something overdue, or no measures yet)"),
                 _query("sort", {"type": "string", "enum": ["code", "name", "percent", "overdue", "late_days",
                                                             "waiting", "next_round"], "default": "code"}, "order"),
                 _query("desc", {"type": "boolean"}, "largest first"),
                 _query("page", {"type": "integer", "minimum": 1, "maximum": 1000000, "default": 1}, "page"),
                 _query("per_page", {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}, "page size")],
                errors=(400, 401, 403, 404, 422)),
            "/api/v1/rollup/offices": _get(
                "the level below: each office under your agency (or under ``under``) with its units' totals and its "
                "most late units", _list("Office"),
                [_query("under", {"type": "string", "maxLength": 64}, "the offices below this office (code)")],
                errors=(400, 401, 403, 404, 422)),
            "/api/v1/steps/{step_id}/complete": _action(
                "mark a task step done", _obj({"version": version, "note": note}, ["version"])),
            "/api/v1/steps/{step_id}/approve": _action(
                "approve a review", _obj({"version": version, "note": note}, ["version"])),
            "/api/v1/steps/{step_id}/send-back": _action(
                "send a review back with a reason; the checked step reopens",
                _obj({"version": version, "reason": {"type": "string", "minLength": 1, "maxLength": 2000}},
                     ["version", "reason"])),
        },
    }
