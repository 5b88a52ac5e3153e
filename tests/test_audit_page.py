"""What the audit page says: every action and every state in Thai (a new action cannot ship without its label),
and the deployment's own chain shown to the deployment's admins only."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from sqlalchemy import select

from tests.conftest import user
from tests.test_web import login
from workflow.db import db
from workflow.models import AuditEvent

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [p for folder in ("workflow", "web", "tasks") for p in (ROOT / folder).rglob("*.py")
           if "migrations" not in p.parts]


def _written() -> tuple[dict[str, str], dict[str, str], list[str]]:
    """(action -> where, state -> where, calls whose action is not written out) over the code."""
    actions: dict[str, str] = {}
    states: dict[str, str] = {}
    unknown: list[str] = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            func = node.func
            is_record = isinstance(func, ast.Attribute) and func.attr == "record" \
                and isinstance(func.value, ast.Name) and func.value.id == "audit"
            if is_record:
                first = node.args[0] if node.args else None
                # "cycle_published" if published else "cycle_unpublished": both written out
                choices = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
                for choice in choices:
                    if isinstance(choice, ast.Constant) and isinstance(choice.value, str):
                        actions[choice.value] = where
                    else:
                        unknown.append(where)
            for keyword in node.keywords:
                value = keyword.value
                if keyword.arg == "action" and isinstance(value, ast.Constant) and isinstance(value.value, str):
                    actions[value.value] = where
                if keyword.arg in ("from_state", "to_state") and isinstance(value, ast.Constant) \
                        and isinstance(value.value, str):
                    states[value.value] = where
    return actions, states, unknown


def test_every_action_the_code_records_has_a_thai_label():
    from web.filters import ACTION_TH

    actions, _states, unknown = _written()
    assert len(actions) > 60
    # the one place an action is passed on (transitions._set_state): its callers write theirs out
    assert [u for u in unknown if not u.startswith("workflow/engine/transitions.py")] == []
    missing = {a: where for a, where in actions.items() if a not in ACTION_TH}
    assert missing == {}, f"audit actions without a Thai label in web/filters.ACTION_TH: {missing}"
    assert all(re.search("[ก-๙]", str(label)) for label in ACTION_TH.values())


def test_every_state_an_event_names_is_in_thai():
    from web.filters import AUDIT_STATE_TH
    from workflow.people.secondfactor import POLICIES
    from workflow.vocabulary import StepState

    _actions, states, _unknown = _written()
    # states written from a column's value rather than a literal: each column's every value
    states |= {str(s): "StepState" for s in StepState} | {p: "Agency.second_factor" for p in POLICIES}
    states |= {s: "Round.status" for s in ("planned", "reported", "held")}
    states |= {s: "LineTarget.state" for s in ("pending", "bound", "left")} | {"th": "language", "en": "language"}
    missing = {s: where for s, where in states.items() if s not in AUDIT_STATE_TH}
    assert missing == {}, f"audit states without a Thai label in web/filters.AUDIT_STATE_TH: {missing}"


def test_the_audit_page_shows_no_raw_english_action_or_state(demo):
    from tests.conftest import step
    from workflow import clock
    from workflow.engine import transitions
    from workflow.people import secondfactor

    s = step("1.1", 2) if step("1.1", 2).state == "open" else step("1.1", 3)
    transitions.complete(s.id, actor_id=user("hr-staff").id, now=clock.now(), expected_version=s.version)
    secondfactor.set_policy(actor_id=user("admin").id, policy="privileged", now=clock.now())
    secondfactor.set_policy(actor_id=user("admin").id, policy="none", now=clock.now())  # the admin signs in below
    db.session.commit()
    response = login(demo, "admin").get("/audit")
    assert response.status_code == 200, response.status_code
    body = response.get_data(as_text=True).split("<tbody>", 1)[1]
    assert "open →" not in body and "→ done" not in body and "none → privileged" not in body
    assert "กำลังดำเนินการ → เสร็จแล้ว" in body and "ไม่บังคับ → ผู้ดูแลระบบ ผู้บริหาร และฝ่ายเลขานุการ" in body
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.chain == user("admin").agency_id)))
    for action in actions:
        assert f"<td>{action}</td>" not in body, action


def test_the_deployment_chain_is_shown_to_the_deployments_admins(demo):
    from workflow import clock
    from workflow.people import accounts

    accounts.sign_in("nobody@example.org", "a-guess-at-nothing", now=clock.now())  # an unknown address
    db.session.commit()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.chain == 0, AuditEvent.action == "login_failed"))
    admin = login(demo, "admin")  # the demo office is at the top of its tree: its admins run the deployment
    own = admin.get("/audit").get_data(as_text=True)
    assert 'id="deployment-chain"' in own and "nobody@example.org" not in own
    shown = admin.get("/audit?chain=deployment").get_data(as_text=True)
    assert "nobody@example.org" in shown and "เข้าสู่ระบบไม่สำเร็จ" in shown
    assert login(demo, "executive").get("/audit?chain=deployment").status_code == 403
    assert 'id="deployment-chain"' not in login(demo, "executive").get("/audit").get_data(as_text=True)


def test_a_units_admin_does_not_see_the_deployment_chain(demo):
    from workflow import clock
    from workflow.models import Agency
    from workflow.people import agencies

    top = db.session.get(Agency, user("admin").agency_id)
    agencies.add("ministry", "กระทรวงตัวอย่าง", kind="ministry", actor_id=None, now=clock.now())
    agencies.move(top.code, "ministry", actor_id=None, now=clock.now())
    db.session.commit()
    admin = login(demo, "admin")
    assert 'id="deployment-chain"' not in admin.get("/audit").get_data(as_text=True)
    assert admin.get("/audit?chain=deployment").status_code == 403
