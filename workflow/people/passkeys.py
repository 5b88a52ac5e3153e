"""Passkeys (WebAuthn) as a second factor, with Duo's ``webauthn`` library: the browser's own authenticator
(fingerprint, face, the device's PIN), a phone nearby, or a security key.

The relying party is the site itself: its id is the base URL's host, and a response must come from the base
URL's origin (a page served under another name cannot use the passkeys made here: phishing-resistant). The
challenge is made here and kept by the caller (the signed session) until the browser answers, once.
"""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import delete, select
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from workflow import audit
from workflow.db import db
from workflow.errors import NotFound, ValidationError
from workflow.models import Passkey, User
from workflow.people import secondfactor

RP_NAME = "ITAflow"
MAX_PASSKEYS = 10


def _origin() -> tuple[str, str]:
    """(rp id, origin) from the base URL."""
    parts = urlsplit(current_app.config["ITAFLOW"].base_url)
    return parts.hostname or "localhost", f"{parts.scheme}://{parts.netloc}"


def _descriptors(user_id: int) -> list[PublicKeyCredentialDescriptor]:
    keys = db.session.execute(select(Passkey).where(Passkey.user_id == user_id)).scalars()
    out = []
    for key in keys:
        transports = []
        for t in key.transports or []:
            try:
                transports.append(AuthenticatorTransport(t))
            except ValueError:
                continue
        out.append(PublicKeyCredentialDescriptor(id=key.credential_id, transports=transports or None))
    return out


def registration_options(user: User) -> tuple[str, bytes]:
    """(the options as JSON for ``navigator.credentials.create``, the challenge to keep)."""
    rp_id, _origin_ = _origin()
    options = generate_registration_options(
        rp_id=rp_id, rp_name=RP_NAME, user_id=f"itaflow-user-{user.id}".encode(),
        user_name=user.email or user.key, user_display_name=user.name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.PREFERRED),
        exclude_credentials=_descriptors(user.id),
    )
    return options_to_json(options), options.challenge


def register(user_id: int, *, response: str, challenge: bytes, name: str, now: datetime
             ) -> tuple[Passkey, list[str]]:
    """Keep the passkey the browser made, once its answer to our challenge checks out. Returns it with ten
    recovery codes to show once when the person had none (a lost phone must not lock them out)."""
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        raise NotFound(f"ไม่พบผู้ใช้เลขที่ {user_id}", f"no user {user_id}")
    name = " ".join((name or "").split())[:100] or "พาสคีย์"
    count = len(_descriptors(user.id))
    if count >= MAX_PASSKEYS:
        raise ValidationError(f"มีพาสคีย์ครบ {MAX_PASSKEYS} รายการแล้ว ลบรายการที่ไม่ใช้ก่อน",
                              f"you have {MAX_PASSKEYS} passkeys; remove one first")
    rp_id, origin = _origin()
    try:
        verified = verify_registration_response(credential=response, expected_challenge=challenge,
                                                expected_rp_id=rp_id, expected_origin=origin)
    except (WebAuthnException, ValueError, KeyError, TypeError):
        raise ValidationError("เบราว์เซอร์ตอบไม่ถูกต้อง ลองเพิ่มพาสคีย์อีกครั้ง",
                              "the browser's answer did not check out; try again") from None
    taken = db.session.execute(select(Passkey.id).where(Passkey.credential_id == verified.credential_id)).first()
    if taken is not None:
        raise ValidationError("พาสคีย์นี้ลงทะเบียนไว้แล้ว", "this passkey is registered already")
    try:
        transports = list(json.loads(response).get("response", {}).get("transports") or [])[:8]
    except (ValueError, AttributeError):
        transports = []
    user.session_version += 1  # other sessions end: the caller starts this one again
    key = Passkey(user_id=user.id, credential_id=verified.credential_id, public_key=verified.credential_public_key,
                  sign_count=verified.sign_count, transports=[str(t)[:16] for t in transports], name=name,
                  created_at=now)
    db.session.add(key)
    db.session.flush()
    audit.record("second_factor_added", agency_id=user.agency_id, actor_id=user.id, now=now,
                 target_type="user", target_id=user.id, data={"method": "passkey", "passkey": key.id, "name": name})
    secondfactor.tell(user, "second_factor_added", now, method="passkey")
    codes = [] if secondfactor.methods(user.id).recovery_left else secondfactor.new_recovery_codes(user, now)
    db.session.flush()
    return key, codes


def authentication_options(user_id: int) -> tuple[str, bytes]:
    """(options JSON for ``navigator.credentials.get`` naming the person's passkeys, the challenge)."""
    rp_id, _origin_ = _origin()
    options = generate_authentication_options(rp_id=rp_id, allow_credentials=_descriptors(user_id),
                                              user_verification=UserVerificationRequirement.PREFERRED)
    return options_to_json(options), options.challenge


def authenticate(user_id: int, *, response: str, challenge: bytes, now: datetime) -> bool:
    """The sign-in's second step with a passkey: True when one of the person's passkeys signed our challenge.
    Audited either way and counted against the account like a wrong code."""
    from workflow.people import throttle

    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return False
    throttle.claim(f"second:{user.id}", now)
    try:
        raw_id = base64url_to_bytes(json.loads(response)["rawId"])
    except (ValueError, KeyError, TypeError, AttributeError):
        raw_id = b""
    key = db.session.execute(select(Passkey).where(Passkey.user_id == user.id, Passkey.credential_id == raw_id)
                             ).scalar_one_or_none()
    if key is None:
        secondfactor.failed(user, "passkey", now)
        return False
    rp_id, origin = _origin()
    try:
        verified = verify_authentication_response(
            credential=response, expected_challenge=challenge, expected_rp_id=rp_id, expected_origin=origin,
            credential_public_key=key.public_key, credential_current_sign_count=key.sign_count)
    except (WebAuthnException, ValueError, KeyError, TypeError):
        secondfactor.failed(user, "passkey", now)
        return False
    key.sign_count, key.last_used_at = verified.new_sign_count, now
    secondfactor.passed(user, "passkey", now)
    return True


def listing(user_id: int) -> list[Passkey]:
    return list(db.session.execute(select(Passkey).where(Passkey.user_id == user_id).order_by(Passkey.id)).scalars())


def remove(user_id: int, passkey_id: int, *, password: str, now: datetime) -> None:
    """The person removes one of their passkeys, confirming with their password."""
    user = secondfactor.confirm_password(user_id, password, now)
    gone = db.session.execute(delete(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == user.id)).rowcount  # type: ignore[attr-defined]
    if not gone:
        raise NotFound(f"ไม่พบพาสคีย์เลขที่ {passkey_id}", f"no passkey {passkey_id}")
    secondfactor.drop_orphan_codes(user.id)
    user.session_version += 1
    audit.record("second_factor_removed", agency_id=user.agency_id, actor_id=user.id, now=now,
                 target_type="user", target_id=user.id, data={"method": "passkey", "passkey": passkey_id})
    secondfactor.tell(user, "second_factor_removed", now, method="passkey")
    db.session.flush()
