"""Binding LINE to an agency: the admin enters the channel's access token and secret; the bot, invited into a
LINE group (or added as a friend by a person), answers there with a one-time code; the admin (or the person,
on their profile page) enters the code in itaflow and the group is bound to a work group or to the whole
agency (audited). Removing the bot from the group, or blocking it, unbinds.

The webhook (``handle_webhook``) acts only on a body whose ``x-line-signature`` is the HMAC-SHA256 of the raw
body with the channel secret of the bot it is addressed to (``destination``); each event once (its
``webhookEventId``); nothing else. Secrets never reach a log, the audit log's data or a response.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from workflow import audit
from workflow.channels import lineapi
from workflow.db import db
from workflow.errors import ItaflowError, NotFound, PermissionDenied, ValidationError
from workflow.models import Group, LineChannel, LineTarget, LineWebhookEvent, User

#: what a group can be told at once (the rest waits for the daily digest: pushes are billed)
IMMEDIATE = ("sent_back", "escalation", "round_report")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a phone and typed
CODE_LIFETIME = timedelta(hours=24)
#: a code entered wrong this many times for a target is void (a new invitation gives a new one)
MAX_CODE_ATTEMPTS = 5
#: an event older than this is not acted on (LINE redelivers within hours, not days)
MAX_EVENT_AGE = lineapi.MAX_EVENT_AGE
MAX_BODY = 256 * 1024
#: LINE's documented webhook event types: the ones not acted on are taken and ignored; any other is refused
KNOWN_EVENTS = {"message", "unsend", "follow", "unfollow", "join", "leave", "memberJoined", "memberLeft",
                "postback", "videoPlayComplete", "beacon", "accountLink", "things", "module", "activated",
                "deactivated", "botSuspended", "botResumed", "membership"}


class WrongCode(ValidationError):
    """A binding code that matches no pending group or person (guessed, mistyped, used or expired)."""


class WebhookRefused(ItaflowError):
    """A webhook body that is not acted on: ``status`` is what LINE (or whoever sent it) is answered."""

    def __init__(self, status: int, message_en: str):
        super().__init__("คำขอไม่ถูกต้อง", message_en)
        self.status = status


def _settings():
    return current_app.config["ITAFLOW"]


def _admin(actor_id: int) -> User:
    actor = db.session.get(User, actor_id)
    if actor is None or not actor.active or not actor.has_role("admin"):
        raise PermissionDenied("เฉพาะผู้ดูแลระบบตั้งค่า LINE ได้", "only an admin may set LINE up")
    return actor


def masked(value: str | None) -> str:
    """A secret as the admin page shows it: its last four characters."""
    if not value:
        return ""
    return "•" * 8 + value[-4:] if len(value) > 8 else "•" * 8


def channel_of(agency_id: int) -> LineChannel | None:
    return db.session.execute(select(LineChannel).where(LineChannel.agency_id == agency_id)).scalar_one_or_none()


def save_channel(*, actor_id: int, now: datetime, token: str, secret: str, immediate: list[str]) -> LineChannel:
    """The admin enters (or changes) the channel's access token and secret and chooses what groups hear at
    once. The token is tried against LINE (``/v2/bot/info``) before anything is kept: a wrong token is refused
    with nothing written. A blank field keeps what is stored. Audited without the secrets."""
    actor = _admin(actor_id)
    channel = channel_of(actor.agency_id)
    token, secret = (token or "").strip(), (secret or "").strip()
    errors = []
    if not token and channel is None:
        errors.append("ใส่ Channel access token")
    if not secret and channel is None:
        errors.append("ใส่ Channel secret")
    if secret and not (16 <= len(secret) <= 128 and secret.isalnum()):
        errors.append("Channel secret ต้องเป็นตัวอักษรและตัวเลข (ดูที่ LINE Developers > Basic settings)")
    if token and (len(token) > 1000 or not token.isascii() or any(c.isspace() for c in token)):
        errors.append("Channel access token ไม่ถูกต้อง (คัดลอกจาก LINE Developers > Messaging API)")
    unknown = [e for e in immediate if e not in IMMEDIATE]
    if unknown:
        errors.append("เลือกเรื่องที่แจ้งทันทีจากรายการ")
    if errors:
        raise ValidationError(" · ".join(errors), "check the channel's token, secret and choices")
    info = None
    if token:
        settings = _settings()
        try:
            info = lineapi.bot_info(settings.line_api_url, token, settings.line_timeout)
        except lineapi.LineError as exc:
            if exc.auth:
                raise ValidationError("LINE ไม่รับ Channel access token นี้ ตรวจว่าคัดลอกครบและยังไม่ถูกยกเลิก",
                                      "LINE refused this channel access token") from None
            raise ValidationError("ติดต่อ LINE ไม่ได้ขณะนี้ ลองอีกครั้งภายหลัง",
                                  "LINE could not be reached; try again later") from None
        taken = db.session.execute(select(LineChannel).where(LineChannel.bot_user_id == info["userId"])
                                   ).scalar_one_or_none()
        if taken is not None and taken.agency_id != actor.agency_id:
            raise ValidationError("บัญชี LINE Official Account นี้ผูกกับหน่วยงานอื่นแล้ว",
                                  "this LINE Official Account is another agency's")
    created = channel is None
    if channel is None:
        channel = LineChannel(agency_id=actor.agency_id, access_token=token, channel_secret=secret,
                              bot_user_id=info["userId"] if info else "", immediate=[])
        db.session.add(channel)
    if token:
        channel.access_token = token
        channel.problem = None
    if info:
        channel.bot_user_id, channel.bot_name = info["userId"], str(info.get("displayName") or "")[:255]
    if secret:
        channel.channel_secret = secret
    before = list(channel.immediate or [])
    channel.immediate = [e for e in IMMEDIATE if e in immediate]
    channel.updated_at = now
    db.session.flush()
    from workflow.channels import lineout

    lineout.plan_digest(actor.agency_id, now)
    audit.record("line_channel_saved", agency_id=actor.agency_id, actor_id=actor.id, now=now,
                 target_type="line_channel", target_id=channel.id,
                 data={"created": created, "bot": channel.bot_name, "token_changed": bool(token),
                       "secret_changed": bool(secret), "immediate": channel.immediate, "before": before})
    return channel


# -- the webhook ---------------------------------------------------------------------------------------------


@dataclass
class WebhookResult:
    acted: int = 0
    #: (reply token, text) to answer in LINE once the request's transaction is committed
    replies: list[tuple[str, str]] = field(default_factory=list)
    channel_id: int | None = None


def _code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def _code_hash(code: str) -> str:
    plain = "".join(c for c in code.upper() if c.isalnum())
    return hashlib.sha256(plain.encode("ascii", "replace")).hexdigest()


def _events(body: bytes) -> tuple[str, list[dict]]:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise WebhookRefused(400, "the body is not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("destination"), str) \
            or not isinstance(data.get("events"), list):
        raise WebhookRefused(400, "not a LINE webhook body (destination, events)")
    return data["destination"], data["events"]


def _check_event(event) -> None:
    if not isinstance(event, dict) or not isinstance(event.get("type"), str) \
            or not isinstance(event.get("webhookEventId"), str) or not 0 < len(event["webhookEventId"]) <= 64 \
            or not isinstance(event.get("timestamp"), int) or not 0 <= event["timestamp"] < 2**42 \
            or not isinstance(event.get("source"), dict):
        raise WebhookRefused(400, "an event without type, webhookEventId, timestamp and source")
    if event["type"] not in KNOWN_EVENTS:
        raise WebhookRefused(400, f"unknown event type {event['type'][:40]!r}")


def handle_webhook(body: bytes, signature: str | None, now: datetime) -> WebhookResult:
    """Act on a verified webhook body: each event once. Raises WebhookRefused (nothing written) for a body that
    is too big, not JSON, not addressed to a bound bot, not signed with its secret, replayed or stale, or that
    holds something that is not an event."""
    if len(body) > MAX_BODY:
        raise WebhookRefused(413, "body too large")
    if not signature:
        raise WebhookRefused(401, "no x-line-signature")
    destination, events = _events(body)
    channel = db.session.execute(select(LineChannel).where(LineChannel.bot_user_id == destination)
                                 ).scalar_one_or_none() if destination else None
    if channel is None or not lineapi.signature_ok(channel.channel_secret, body, signature):
        raise WebhookRefused(403, "signature does not match")
    for event in events:
        _check_event(event)
    result = WebhookResult(channel_id=channel.id)
    if not events:
        return result  # LINE's "Verify" button: a signed body with no event
    seen = set(db.session.execute(select(LineWebhookEvent.id).where(
        LineWebhookEvent.id.in_([e["webhookEventId"] for e in events]))).scalars())
    oldest = now - MAX_EVENT_AGE
    fresh = [e for e in events if e["webhookEventId"] not in seen
             and oldest <= datetime.fromtimestamp(e["timestamp"] / 1000, tz=now.tzinfo) <= now + timedelta(minutes=5)]
    if not fresh:
        raise WebhookRefused(409, "every event of this body was taken before, or is too old")
    for event in {e["webhookEventId"]: e for e in fresh}.values():
        db.session.add(LineWebhookEvent(id=event["webhookEventId"], received_at=now))
        result.acted += _act(channel, event, now, result)
    db.session.flush()
    return result


def _act(channel: LineChannel, event: dict, now: datetime, result: WebhookResult) -> int:
    source = event["source"]
    kind = event["type"]
    line_id = source.get("groupId") or source.get("roomId") if source.get("type") in ("group", "room") \
        else source.get("userId") if source.get("type") == "user" else None
    if not isinstance(line_id, str) or not 0 < len(line_id) <= 64:
        return 0
    if kind in ("join", "follow"):
        target = db.session.execute(select(LineTarget).where(LineTarget.agency_id == channel.agency_id,
                                                             LineTarget.line_id == line_id)).scalar_one_or_none()
        if target is not None and target.state == "bound":
            return 0  # already bound (a second join): nothing to do
        if target is None:
            target = LineTarget(agency_id=channel.agency_id, line_id=line_id, created_at=now,
                                kind="group" if kind == "join" else "person")
            db.session.add(target)
        code = _code()
        target.state, target.code_hash, target.code_expires_at, target.attempts = (
            "pending", _code_hash(code), now + CODE_LIFETIME, 0)
        target.group_id = target.user_id = None
        db.session.flush()
        audit.record("line_target_joined", agency_id=channel.agency_id, actor_id=None, now=now,
                     target_type="line_target", target_id=target.id, data={"kind": target.kind})
        if isinstance(event.get("replyToken"), str):
            where = "ผู้ดูแลระบบใส่รหัสนี้ที่หน้า ตั้งค่า LINE" if kind == "join" else "ใส่รหัสนี้ที่หน้าข้อมูลของฉัน"
            result.replies.append((event["replyToken"],
                                   f"itaflow: รหัสผูกบัญชี {code}\n{where} ใน itaflow ภายใน ๒๔ ชั่วโมง\n"
                                   f"{_settings().base_url}"))
        return 1
    if kind in ("leave", "unfollow"):
        target = db.session.execute(select(LineTarget).where(LineTarget.agency_id == channel.agency_id,
                                                             LineTarget.line_id == line_id)).scalar_one_or_none()
        if target is None or target.state == "left":
            return 0
        before = target.state
        target.state, target.code_hash, target.code_expires_at = "left", None, None
        audit.record("line_target_left", agency_id=channel.agency_id, actor_id=None, now=now,
                     target_type="line_target", target_id=target.id, from_state=before, to_state="left",
                     data={"kind": target.kind})
        return 1
    return 0  # a message, a member joining...: taken, nothing to do


def send_replies(channel_id: int, replies: list[tuple[str, str]]) -> None:
    """Answer in LINE (after the commit: the code in a reply is valid only once its row is stored). A reply
    that fails is logged without the token; the admin page still lists the group, and inviting the bot
    again gives a new code."""
    import logging

    channel = db.session.get(LineChannel, channel_id)
    if channel is None:
        return
    settings = _settings()
    for reply_token, text in replies:
        try:
            lineapi.reply(settings.line_api_url, channel.access_token, reply_token, [lineapi.text_message(text)],
                          settings.line_timeout)
        except lineapi.LineError as exc:
            logging.getLogger(__name__).warning("LINE reply failed: %s", exc)


# -- binding with the code -----------------------------------------------------------------------------------


def _by_code(agency_id: int, kind: str, code: str, now: datetime) -> LineTarget:
    """The pending target of the agency that the code was given to, or ValidationError (the same message for a
    code guessed, mistyped, used or expired; each miss counts against the agency's pending targets)."""
    wrong = WrongCode("รหัสไม่ถูกต้องหรือหมดอายุ ตรวจรหัสที่บอทส่งในกลุ่ม LINE หรือเชิญบอทเข้ากลุ่มใหม่",
                            "the code is wrong or expired")
    digest = _code_hash(code or "")
    pending = db.session.execute(select(LineTarget).where(
        LineTarget.agency_id == agency_id, LineTarget.kind == kind, LineTarget.state == "pending",
        LineTarget.code_hash.is_not(None))).scalars().all()
    match = next((t for t in pending if secrets.compare_digest(t.code_hash or "", digest)), None)
    if match is None or match.code_expires_at is None or match.code_expires_at < now \
            or match.attempts >= MAX_CODE_ATTEMPTS:
        raise wrong
    return match


def count_miss(agency_id: int, kind: str) -> None:
    """A wrong code: every pending target of the agency counts one more attempt (committed by the caller even
    though the request fails), so guessing runs out of tries."""
    for target in db.session.execute(select(LineTarget).where(
            LineTarget.agency_id == agency_id, LineTarget.kind == kind, LineTarget.state == "pending")).scalars():
        target.attempts += 1
    db.session.flush()


def bind_group(*, actor_id: int, now: datetime, code: str, scope: str) -> LineTarget:
    """The admin binds the group that was given ``code`` to a work group (``group:<id>``) or to the whole agency
    (``agency``: the ITA group). Audited."""
    actor = _admin(actor_id)
    group = None
    if scope != "agency":
        kind, _sep, value = (scope or "").partition(":")
        group = db.session.get(Group, int(value)) if kind == "group" and value.isdigit() and len(value) < 10 \
            else None
        if group is None or group.agency_id != actor.agency_id:
            raise ValidationError("เลือกว่าจะผูกกลุ่ม LINE นี้กับทั้งหน่วยงานหรือกลุ่มงานใด",
                                  "choose the whole agency or a work group")
    target = _by_code(actor.agency_id, "group", code, now)
    target.state, target.code_hash, target.code_expires_at = "bound", None, None
    target.group_id = group.id if group else None
    target.bound_at, target.bound_by_id = now, actor.id
    db.session.flush()
    audit.record("line_group_bound", agency_id=actor.agency_id, actor_id=actor.id, now=now,
                 target_type="line_target", target_id=target.id, from_state="pending", to_state="bound",
                 data={"scope": "agency" if group is None else "group", "group": group.name if group else None})
    return target


def link_person(*, actor_id: int, now: datetime, code: str) -> LineTarget:
    """A person links their own LINE account with the code the bot sent them. Audited."""
    actor = db.session.get(User, actor_id)
    if actor is None or not actor.active:
        raise PermissionDenied("ต้องเข้าสู่ระบบ", "sign in first")
    target = _by_code(actor.agency_id, "person", code, now)
    for old in db.session.execute(select(LineTarget).where(LineTarget.user_id == actor.id,
                                                           LineTarget.state == "bound")).scalars():
        old.state = "left"  # one LINE account a person
    target.state, target.code_hash, target.code_expires_at = "bound", None, None
    target.user_id, target.bound_at, target.bound_by_id = actor.id, now, actor.id
    db.session.flush()
    audit.record("line_person_linked", agency_id=actor.agency_id, actor_id=actor.id, now=now,
                 target_type="line_target", target_id=target.id, from_state="pending", to_state="bound", data={})
    return target


def unbind(target_id: int, *, actor_id: int, now: datetime) -> LineTarget:
    """An admin unbinds a group of the agency, or a person unlinks their own account. Audited."""
    actor = db.session.get(User, actor_id)
    target = db.session.get(LineTarget, target_id)
    if actor is None or target is None or target.agency_id != actor.agency_id:
        raise NotFound("ไม่พบกลุ่ม LINE นี้", "no such LINE target")
    if not (actor.has_role("admin") or target.user_id == actor.id):
        raise PermissionDenied("เฉพาะผู้ดูแลระบบยกเลิกการผูกกลุ่ม LINE ได้", "only an admin may unbind a LINE group")
    before = target.state
    target.state, target.code_hash, target.code_expires_at = "left", None, None
    db.session.flush()
    audit.record("line_target_unbound", agency_id=target.agency_id, actor_id=actor.id, now=now,
                 target_type="line_target", target_id=target.id, from_state=before, to_state="left",
                 data={"kind": target.kind})
    return target


def targets_of(agency_id: int) -> list[LineTarget]:
    return list(db.session.execute(select(LineTarget).where(LineTarget.agency_id == agency_id)
                                   .order_by(LineTarget.state, LineTarget.id)).scalars())


def own_target(user_id: int) -> LineTarget | None:
    return db.session.execute(select(LineTarget).where(LineTarget.user_id == user_id, LineTarget.state == "bound")
                              ).scalars().first()
