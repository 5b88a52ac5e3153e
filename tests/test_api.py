"""The JSON API: tokens, role checks, errors as JSON in Thai and English, and a schemathesis run against the
app's own OpenAPI document (no server error, no response outside the schema)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from sqlalchemy import func, select

from tests.conftest import step, user
from tests.test_web import login
from workflow import clock
from workflow.db import db
from workflow.models import AuditEvent, Step
from workflow.people import tokens


def bearer(key: str) -> dict:
    _, secret = tokens.create(user(key).id, "api", f"test {key}", now=clock.now())
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def snapshot():
    db.session.rollback()
    return [(s.id, s.state, s.version) for s in db.session.execute(select(Step).order_by(Step.id)).scalars()]


def assert_error(response, status: int, code: str):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == code and error["message_th"] and error["message_en"]
    assert any("\u0e00" <= c <= "\u0e7f" for c in error["message_th"])  # Thai


def test_tokens_are_required_and_revocable(demo):
    client = demo.test_client()
    assert_error(client.get("/api/v1/me"), 401, "unauthorized")
    assert_error(client.get("/api/v1/me", headers={"Authorization": "Bearer itf_wrong"}), 401, "unauthorized")
    headers = bearer("pannee")
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.get_json()["name"] == "น.ส.พรรณี อินสำราญ"
    assert "น.ส.พรรณี" in me.get_data(as_text=True)  # UTF-8, not \\u escapes
    # a signed-in browser session is not an API credential (the API takes no CSRF token)
    browser = login(demo, "other_staff")
    assert_error(browser.get("/api/v1/me"), 401, "unauthorized")
    # an ICS feed secret is not an API token
    _, feed = tokens.create(user("pannee").id, "ics", "feed", now=clock.now())
    db.session.commit()
    assert_error(client.get("/api/v1/me", headers={"Authorization": f"Bearer {feed}"}), 401, "unauthorized")
    token = tokens.of_user(user("pannee").id)[-1]
    tokens.revoke(token.id, user("pannee").id, now=clock.now())
    db.session.commit()
    assert_error(client.get("/api/v1/me", headers=headers), 401, "unauthorized")


def test_same_role_checks_as_the_web(demo):
    client = demo.test_client()
    review = step("1.5", 3)
    for key in ("pannee", "hr-staff", "amporn", "admin"):  # none of them directs กลุ่มอำนวยการ
        before, denied = snapshot(), db.session.scalar(select(func.count()).where(
            AuditEvent.action == "access_denied"))
        response = client.post(f"/api/v1/steps/{review.id}/approve", json={"version": review.version},
                               headers=bearer(key))
        assert_error(response, 403, "forbidden")
        assert snapshot() == before
        assert db.session.scalar(select(func.count()).where(AuditEvent.action == "access_denied")) == denied + 1
    s = step("1.1", 2) if step("1.1", 2).state == "open" else step("1.1", 3)
    assert_error(client.post(f"/api/v1/steps/{s.id}/complete", json={"version": s.version},
                             headers=bearer("pannee")), 403, "forbidden")
    done = client.post(f"/api/v1/steps/{s.id}/complete", json={"version": s.version, "note": "ผ่าน API"},
                       headers=bearer("hr-staff"))
    assert done.status_code == 200 and done.get_json()["state"] == "done"
    # evidence is for the step's people: an officer of another group reads the step but not its evidence
    assert client.get(f"/api/v1/steps/{s.id}", headers=bearer("pannee")).get_json()["evidence"] is None
    assert client.get(f"/api/v1/steps/{s.id}", headers=bearer("hr-staff")).get_json()["evidence"] == []


def test_review_decisions_conflicts_and_bad_input(demo):
    client = demo.test_client()
    director = bearer("dir-admin")
    review = step("1.5", 3)
    assert review.state == "open"  # the demo leaves 1.5's review waiting for its director
    url = f"/api/v1/steps/{review.id}"
    before = snapshot()
    for body, status, code in (
        (None, 422, "invalid"), ([1, 2], 422, "invalid"), ({}, 422, "invalid"), ({"version": "1"}, 422, "invalid"),
        ({"version": True}, 422, "invalid"), ({"version": review.version + 1}, 409, "conflict"),
    ):
        response = client.post(f"{url}/approve", json=body, headers=director) if body is not None else \
            client.post(f"{url}/approve", data="{not json", headers=director | {"Content-Type": "application/json"})
        assert_error(response, status, code)
    assert_error(client.post(f"{url}/send-back", json={"version": review.version}, headers=director), 422, "invalid")
    assert_error(client.post(f"{url}/send-back", json={"version": review.version, "reason": "  "},
                             headers=director), 422, "invalid")
    assert_error(client.post(f"{url}/send-back", json={"version": review.version, "reason": "x" * 2001},
                             headers=director), 422, "invalid")
    assert snapshot() == before
    sent = client.post(f"{url}/send-back", json={"version": review.version, "reason": "ยังไม่ครบ"}, headers=director)
    assert sent.status_code == 200 and sent.get_json()["state"] == "blocked"
    checked = client.get(f"/api/v1/steps/{review.reviews_step_id}", headers=director).get_json()
    assert checked["state"] == "open" and checked["sent_back_reason"] == "ยังไม่ครบ"
    # approving what was just sent back: the review waits for the step again, and says so
    again = snapshot()
    assert_error(client.post(f"{url}/approve", json={"version": step("1.5", 3).version}, headers=director), 409,
                 "invalid_transition")
    assert snapshot() == again


def test_unknown_things_are_json_404s(demo):
    client = demo.test_client()
    headers = bearer("dir-admin")
    for path in ("/api/v1/steps/999999", "/api/v1/steps/99999999999999999999", "/api/v1/measures/0",
                 "/api/v1/nothing", "/api/v1/steps/-1"):
        assert_error(client.get(path, headers=headers), 404, "not_found")
    assert_error(client.delete("/api/v1/steps/1", headers=headers), 405, "method_not_allowed")
    assert_error(client.get("/api/v1/steps?state=lost", headers=headers), 422, "invalid")
    assert_error(client.get("/api/v1/steps?limit=100000", headers=headers), 422, "invalid")


def test_lists_read_as_the_web_does(demo):
    client = demo.test_client()
    headers = bearer("dir-admin")
    measures = client.get("/api/v1/measures", headers=headers).get_json()["items"]
    assert [m["code"] for m in measures] == ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7"]
    # the demo moves the memo so that today lies inside its period: how many monthly occurrences 1.7 has
    # depends on which months that period covers, so the count comes from the database, not from a literal
    assert sum(m["total"] for m in measures) == db.session.scalar(select(func.count()).select_from(Step)) >= 25
    detail = client.get(f"/api/v1/measures/{measures[4]['id']}", headers=headers).get_json()
    assert [s["number"] for s in detail["steps"]] == [1, 2, 3, 4]
    queue = client.get("/api/v1/my/approvals", headers=headers).get_json()["items"]
    assert all(s["kind"] == "review" and s["state"] == "open" for s in queue)
    rounds = client.get("/api/v1/rounds", headers=headers).get_json()["items"]
    assert [r["number"] for r in rounds] == [1, 2, 3, 4]
    page = client.get("/api/v1/steps?limit=5&offset=5", headers=headers).get_json()["items"]
    assert len(page) == 5 and page[0]["id"] < page[-1]["id"]


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_api_matches_its_openapi_document(demo, mode):
    """Every operation with generated input (valid, then invalid), as the director of กลุ่มอำนวยการ: no 500,
    and every status, header and body as the document says."""
    from hypothesis import given

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", demo)
    headers = bearer("dir-admin")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 14
    for operation in operations:
        strategy = operation.as_strategy(generation_mode=schemathesis.GenerationMode(mode))

        @given(case=strategy)
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def run(case):
            case.call_and_validate(headers=headers)

        run()


def test_refused_credentials_and_revocations_are_on_record_without_the_secret(demo):
    from tests.test_web import login, token

    def refusals(action: str) -> list[AuditEvent]:
        db.session.rollback()
        return db.session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars().all()

    client = demo.test_client()
    assert_error(client.get("/api/v1/me", headers={"Authorization": "Bearer itf_guessed-secret"}), 401,
                 "unauthorized")
    assert client.get("/ics/cal_guessed-secret.ics").status_code == 404
    assert client.get("/api/v1/me").status_code == 401  # no credential offered: nothing to record
    recorded = refusals("token_refused")
    assert [(e.data["kind"], e.note) for e in recorded] == [("api", "/api/v1/me"), ("ics", "/ics/***.ics")]
    assert not any("guessed-secret" in str((e.note, e.data)) for e in recorded)
    theirs, _ = tokens.create(user("pannee").id, "api", "hers", now=clock.now())
    db.session.commit()
    staff = login(demo, "staff")
    response = staff.post(f"/tokens/{theirs.id}/revoke", data={"csrf_token": token(staff)})
    assert response.status_code == 404
    assert [e.target_id for e in refusals("token_revoke_refused")] == [theirs.id]
    assert db.session.get(type(theirs), theirs.id).revoked_at is None
